#include "core/evaluate.hpp"

#include <algorithm>
#include <set>

namespace dossier {
namespace {

using Args = std::vector<std::pair<std::string, std::string>>;

struct Context {
  const CheckInput& in;
  const Catalogue& msg;
  Lang lang;
};

bool uses_xpath(const Condition& c) {
  if (c.kind == Condition::Kind::xpath) return true;
  return std::any_of(c.children.begin(), c.children.end(), uses_xpath);
}

void collect_evidence(const Condition& c, std::set<std::string>& out) {
  if (c.kind == Condition::Kind::documents) out.insert(c.evidence);
  for (const auto& child : c.children) collect_evidence(child, out);
}

int usable_count(const CheckInput& in, const std::string& evidence) {
  return static_cast<int>(std::count_if(in.documents.begin(), in.documents.end(), [&](const DocumentFacts& d) {
    return d.evidence == evidence && d.usable();
  }));
}

bool holds(const Condition& c, const Context& ctx) {
  switch (c.kind) {
    case Condition::Kind::all:
      return std::all_of(c.children.begin(), c.children.end(), [&](const Condition& x) { return holds(x, ctx); });
    case Condition::Kind::any:
      return std::any_of(c.children.begin(), c.children.end(), [&](const Condition& x) { return holds(x, ctx); });
    case Condition::Kind::negation:
      return !holds(c.children.front(), ctx);
    case Condition::Kind::documents:
      return usable_count(ctx.in, c.evidence) >= c.min;
    case Condition::Kind::xpath: {
      const auto root = ctx.in.referral != nullptr ? ctx.in.referral->root() : pugi::xml_node();
      if (!root) return false;
      pugi::xpath_query q(c.xpath.c_str());
      return q.evaluate_boolean(root);
    }
  }
  return false;
}

std::string outcome_note(const DocumentFacts& d, const Catalogue& msg) {
  switch (d.outcome) {
    case DocOutcome::not_pdf: return msg.get("doc.not-pdf");
    case DocOutcome::empty: return msg.get("doc.empty");
    case DocOutcome::damaged: return msg.get("doc.damaged");
    case DocOutcome::locked: return msg.get("doc.locked");
    case DocOutcome::encrypted: return msg.get("doc.encrypted");
    case DocOutcome::unsafe: return msg.get("doc.unsafe");
    case DocOutcome::too_large: return msg.get("doc.too-large", {{"limit", d.detail}});
    case DocOutcome::ok: return {};
  }
  return {};
}

std::string join(const std::vector<std::string>& parts, const char* sep) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += sep;
    out += p;
  }
  return out;
}

// Runs a built-in inspection; returns true when it passes and fills files/notes with offenders.
bool inspect(const std::string& what, const Context& ctx, Finding& f) {
  const auto& in = ctx.in;
  const auto& msg = ctx.msg;
  auto offend = [&](const std::string& file, std::string note) {
    if (!file.empty() && std::find(f.files.begin(), f.files.end(), file) == f.files.end()) f.files.push_back(file);
    f.notes.push_back({file, std::move(note)});
  };
  if (what == "package-readable") {
    if (in.package_error) offend("", msg.get("package.error", {{"detail", *in.package_error}}));
  } else if (what == "referral-valid") {
    if (in.referral == nullptr || !in.referral->present()) {
      offend("referral.xml", msg.get("referral.missing"));
    } else {
      for (const auto& issue : in.referral->issues()) {
        offend("referral.xml", (issue.line > 0 ? (ctx.lang == Lang::nl ? "regel " : "line ") +
                                                     std::to_string(issue.line) + ": "
                                               : std::string()) + issue.message);
      }
    }
  } else if (what == "no-bsn") {
    for (const auto& hit : find_bsn_like_numbers(in.referral_text)) {
      offend("referral.xml", msg.get("referral.bsn", {{"line", std::to_string(hit.line)}}));
    }
  } else if (what == "declared-present") {
    if (in.referral != nullptr) {
      for (const auto& decl : in.referral->documents()) {
        const bool found = std::any_of(in.documents.begin(), in.documents.end(),
                                       [&](const DocumentFacts& d) { return d.path == decl.path; });
        if (!found) offend(decl.path, msg.get("doc.declared-missing"));
      }
    }
  } else if (what == "no-undeclared") {
    std::vector<std::string> folders;
    for (const auto& e : in.profile->evidence()) folders.push_back(e.folder + "/");
    for (const auto& d : in.documents) {
      if (d.evidence.empty()) offend(d.path, msg.get("doc.unknown-folder", {{"folders", join(folders, ", ")}}));
      else if (!d.declared) offend(d.path, msg.get("doc.undeclared"));
    }
  } else if (what == "readable") {
    for (const auto& d : in.documents) {
      if (d.outcome != DocOutcome::ok && d.outcome != DocOutcome::locked && d.outcome != DocOutcome::encrypted) {
        offend(d.path, outcome_note(d, msg));
      }
    }
  } else if (what == "not-encrypted") {
    for (const auto& d : in.documents) {
      if (d.outcome == DocOutcome::locked || d.outcome == DocOutcome::encrypted) offend(d.path, outcome_note(d, msg));
    }
  } else if (what == "no-active-content") {
    for (const auto& d : in.documents) {
      if (!d.active_content.empty()) offend(d.path, msg.get("doc.active", {{"what", join(d.active_content, ", ")}}));
    }
  } else if (what == "text-layer") {
    for (const auto& d : in.documents) {
      if (d.outcome == DocOutcome::ok && !d.has_text) offend(d.path, msg.get("doc.no-text"));
    }
  } else if (what == "keywords") {
    for (const auto& d : in.documents) {
      if (d.outcome != DocOutcome::ok || !d.has_text || d.evidence.empty() || !d.keywords_found.empty()) continue;
      const auto* e = in.profile->evidence_by_id(d.evidence);
      offend(d.path, msg.get("doc.no-keywords", {{"evidence", e != nullptr ? e->name.get(ctx.lang) : d.evidence}}));
    }
  } else if (what == "date") {
    for (const auto& d : in.documents) {
      if (d.outcome == DocOutcome::ok && !d.date) offend(d.path, msg.get("doc.no-date"));
    }
  }
  return f.notes.empty();
}

// Inspections that compare the package with the <documents> list of referral.xml: without a
// usable referral.xml every file would look undeclared, which is noise, not a finding.
bool inspection_needs_referral(const std::string& what) {
  return what == "declared-present" || what == "no-undeclared";
}

Status status_for(Severity s) {
  switch (s) {
    case Severity::fail: return Status::failed;
    case Severity::warn: return Status::warning;
    case Severity::info: return Status::info;
  }
  return Status::failed;
}

}  // namespace

std::vector<Finding> evaluate(const CheckInput& in, const Catalogue& messages) {
  std::vector<Finding> findings;
  if (in.profile == nullptr) return findings;
  const Context ctx{in, messages, messages.lang()};
  const bool referral_usable = in.referral != nullptr && in.referral->usable();
  for (const auto& rule : in.profile->rules()) {
    Finding f;
    f.rule = rule.id;
    f.ground = rule.ground;
    f.message = rule.text.get(ctx.lang);
    bool passed = true;
    if (in.package_error && rule.inspect != "package-readable") {
      // Nothing else can be judged from a package that could not be read safely.
      f.status = Status::info;
      f.notes.push_back({"", messages.get("report.not-judged")});
      findings.push_back(std::move(f));
      continue;
    }
    const bool needs_referral = rule.inspect.empty()
                                    ? (rule.when && uses_xpath(*rule.when)) || uses_xpath(*rule.require)
                                    : inspection_needs_referral(rule.inspect);
    if (needs_referral && !referral_usable) {
      // Cannot be judged without a usable referral.xml; referral.valid carries the failure.
      f.status = Status::info;
      f.notes.push_back({"referral.xml", messages.get(in.referral != nullptr && in.referral->present()
                                                          ? "referral.unusable"
                                                          : "referral.missing")});
      findings.push_back(std::move(f));
      continue;
    }
    if (!rule.inspect.empty()) {
      passed = inspect(rule.inspect, ctx, f);
    } else {
      if (rule.when && !holds(*rule.when, ctx)) {
        f.status = Status::passed;
        f.notes.push_back({"", messages.get("report.not-applicable")});
        findings.push_back(std::move(f));
        continue;
      }
      passed = holds(*rule.require, ctx);
      std::set<std::string> evidence;
      collect_evidence(*rule.require, evidence);
      for (const auto& d : in.documents) {
        if (evidence.count(d.evidence) != 0) f.files.push_back(d.path);
      }
    }
    f.status = passed ? Status::passed : status_for(rule.severity);
    if (!passed) f.fix = rule.fix.get(ctx.lang);
    findings.push_back(std::move(f));
  }
  return findings;
}

bool is_complete(const std::vector<Finding>& findings) {
  return std::none_of(findings.begin(), findings.end(), [](const Finding& f) { return f.status == Status::failed; });
}

}  // namespace dossier

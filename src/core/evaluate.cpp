#include "core/evaluate.hpp"

#include <algorithm>
#include <set>

#include "core/text.hpp"

namespace dossier {
namespace {

using Args = std::vector<std::pair<std::string, std::string>>;

struct Context {
  const CheckInput& in;
  const Catalogue& msg;
  Lang lang;
  pugi::xpath_variable_set* vars;
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
    return d.evidence == evidence && d.counts_as_evidence();
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
      pugi::xpath_query q(c.xpath.c_str(), ctx.vars);
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
    case DocOutcome::not_read: return msg.get("doc.not-read", {{"seconds", d.detail}});
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

// The labels of the named facts of evidence type e, joined with "and"/"en".
std::string fact_labels(const Evidence& e, const std::vector<std::string>& ids, Lang lang) {
  std::string out;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    std::string label = ids[i];
    for (const auto& f : e.facts) {
      if (f.id == ids[i]) label = f.label(lang == Lang::nl);
    }
    if (i > 0) out += i + 1 == ids.size() ? (lang == Lang::nl ? " en " : " and ") : ", ";
    out += label;
  }
  return out;
}

void collect_leaves(pugi::xml_node node, const std::string& path, std::vector<std::pair<std::string, std::string>>& out) {
  for (auto a : node.attributes()) out.emplace_back(path + "/@" + a.name(), a.value());
  bool has_child_element = false;
  for (auto c : node.children()) {
    if (c.type() == pugi::node_element) {
      has_child_element = true;
      collect_leaves(c, path.empty() ? c.name() : path + "/" + c.name(), out);
    }
  }
  if (!has_child_element) out.emplace_back(path, node.text().get());
}

// A value the template gives as an example ("Naam van de zorgcoördinator", CL-0000-0000) that is
// still in referral.xml. Attribute values that are choices (lower-case words, true/false) are
// answers, not examples, and other rules judge them.
std::vector<std::pair<std::string, std::string>> find_placeholders(const CheckInput& in) {
  std::vector<std::pair<std::string, std::string>> hits;
  if (in.template_text.empty() || in.referral == nullptr || !in.referral->usable()) return hits;
  pugi::xml_document tpl;
  if (!tpl.load_buffer(in.template_text.data(), in.template_text.size())) return hits;
  std::vector<std::pair<std::string, std::string>> examples, actual;
  collect_leaves(tpl.child("referral"), "", examples);
  collect_leaves(in.referral->root(), "", actual);
  auto is_choice = [](const std::string& path, const std::string& v) {
    if (path.find("/@") == std::string::npos) return false;
    if (path.rfind("/@", 0) == 0) return true;  // <referral version= profile=>: format, not content
    return std::all_of(v.begin(), v.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
  };
  for (const auto& [path, value] : examples) {
    const std::string want = trim_space(value);
    if (want.empty() || want.find('{') != std::string::npos || is_choice(path, want)) continue;
    for (const auto& [p, v] : actual) {
      if (p == path && trim_space(v) == want) {
        hits.emplace_back(p.empty() ? "referral" : (p.front() == '/' ? p.substr(1) : p), want);
        break;
      }
    }
  }
  return hits;
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
  } else if (what == "text-read") {
    for (const auto& d : in.documents) {
      if (d.outcome == DocOutcome::ok && !d.has_text) {
        offend(d.path, msg.get("doc.no-text", {{"pages", std::to_string(d.pages_read)}}));
      }
    }
  } else if (what == "reading-limits") {
    for (const auto& d : in.documents) {
      if (!d.limit_note.empty()) offend(d.path, msg.get("doc.limit", {{"detail", d.limit_note}}));
    }
  } else if (what == "evidence") {
    for (const auto& d : in.documents) {
      if (d.outcome != DocOutcome::ok || !d.has_text || d.evidence.empty() || d.is_evidence) continue;
      const auto* e = in.profile->evidence_by_id(d.evidence);
      if (e == nullptr) continue;
      std::string note = msg.get("doc.not-evidence", {{"evidence", e->name.get(ctx.lang)},
                                                      {"missing", fact_labels(*e, d.missing_identifying, ctx.lang)}});
      if (const auto* other = in.profile->evidence_by_id(d.reads_like); other != nullptr) {
        note += " " + msg.get("doc.reads-like", {{"evidence", other->name.get(ctx.lang)}, {"folder", other->folder + "/"}});
      }
      offend(d.path, std::move(note));
    }
  } else if (what == "supporting-facts") {
    for (const auto& d : in.documents) {
      if (!d.is_evidence || d.missing_supporting.empty()) continue;
      const auto* e = in.profile->evidence_by_id(d.evidence);
      if (e == nullptr) continue;
      offend(d.path, msg.get("doc.missing-supporting", {{"missing", fact_labels(*e, d.missing_supporting, ctx.lang)}}));
    }
  } else if (what == "date") {
    for (const auto& d : in.documents) {
      if (d.outcome == DocOutcome::ok && !d.date) offend(d.path, msg.get("doc.no-date"));
    }
  } else if (what == "future-date") {
    const auto today = iso_days(in.check_date);
    for (const auto& d : in.documents) {
      for (const auto* date : {d.date ? &*d.date : nullptr, d.declared_date ? &*d.declared_date : nullptr}) {
        if (date == nullptr || !today) continue;
        const auto day = iso_days(*date);
        if (day && *day > *today) {
          offend(d.path, msg.get("doc.future", {{"date", *date}, {"today", in.check_date}}));
          break;
        }
      }
    }
  } else if (what == "date-agrees") {
    for (const auto& d : in.documents) {
      if (d.date && d.date_source == "text" && d.declared_date && *d.date != *d.declared_date) {
        offend(d.path, msg.get("doc.date-differs", {{"text", *d.date}, {"declared", *d.declared_date}}));
      }
    }
  } else if (what == "max-age") {
    const auto today = iso_days(in.check_date);
    for (const auto& d : in.documents) {
      const auto* e = in.profile->evidence_by_id(d.evidence);
      if (e == nullptr || e->max_age_days <= 0 || !d.date || !today) continue;
      const auto day = iso_days(*d.date);
      if (day && *today - *day > e->max_age_days) {
        offend(d.path, msg.get("doc.too-old", {{"date", *d.date}, {"days", std::to_string(e->max_age_days)}}));
      }
    }
  } else if (what == "expired") {
    const auto today = iso_days(in.check_date);
    for (const auto& d : in.documents) {
      if (!d.expiry || !today) continue;
      const auto day = iso_days(*d.expiry);
      if (day && *day < *today) offend(d.path, msg.get("doc.expired", {{"date", *d.expiry}, {"today", in.check_date}}));
    }
  } else if (what == "bsn-in-documents") {
    for (const auto& d : in.documents) {
      if (d.bsn_like > 0) offend(d.path, msg.get("doc.bsn", {{"count", std::to_string(d.bsn_like)}}));
    }
  } else if (what == "placeholders") {
    for (const auto& hit : find_placeholders(in)) {
      offend("referral.xml", msg.get("referral.placeholder", {{"field", hit.first}, {"value", hit.second}}));
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
  auto vars = xpath_variables(in.check_date);
  const Context ctx{in, messages, messages.lang(), &vars};
  const bool referral_usable = in.referral != nullptr && in.referral->usable();
  for (const auto& rule : in.profile->rules()) {
    Finding f;
    f.rule = rule.id;
    f.ground = rule.ground;
    f.kind = rule.kind;
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

Verdict verdict_of(const std::vector<Finding>& findings) {
  bool eligibility_failed = false;
  for (const auto& f : findings) {
    if (f.status != Status::failed) continue;
    if (f.kind == RuleKind::completeness) return Verdict::incomplete;
    eligibility_failed = true;
  }
  return eligibility_failed ? Verdict::not_eligible : Verdict::complete;
}

bool is_complete(const std::vector<Finding>& findings) { return verdict_of(findings) == Verdict::complete; }

pugi::xpath_variable_set xpath_variables(const std::string& check_date) {
  pugi::xpath_variable_set vars;
  double today = 0;
  if (check_date.size() == 10) {
    for (char c : check_date) {
      if (c >= '0' && c <= '9') today = today * 10 + (c - '0');
    }
  }
  vars.set("today", today);
  return vars;
}

}  // namespace dossier

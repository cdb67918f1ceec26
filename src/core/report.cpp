#include "core/report.hpp"

#include <algorithm>
#include <set>

#include "core/profile.hpp"

namespace dossier {
namespace {

struct Style {
  bool on;
  std::string operator()(const char* code, const std::string& s) const {
    return on ? std::string("\x1b[") + code + "m" + s + "\x1b[0m" : s;
  }
};

const char* marker(Status s) {
  switch (s) {
    case Status::passed: return "✔";
    case Status::failed: return "✘";
    case Status::warning: return "!";
    case Status::info: return "i";
  }
  return "?";
}

const char* colour(Status s) {
  switch (s) {
    case Status::passed: return "32";
    case Status::failed: return "1;31";
    case Status::warning: return "33";
    case Status::info: return "36";
  }
  return "0";
}

std::string document_line(const DocumentFacts& d, const Report& r, const Catalogue& msg, const Style& style,
                          bool show_evidence) {
  (void)r;
  std::string out = "  " + d.path + "\n      ";
  std::vector<std::string> parts;
  if (d.outcome != DocOutcome::ok) {
    parts.push_back(msg.get("doc.outcome." + std::string(doc_outcome_name(d.outcome))));
  } else {
    parts.push_back(msg.get("doc.pages", {{"pages", std::to_string(d.pages)}, {"read", std::to_string(d.pages_read)}}));
    std::string source = msg.get("doc.source." + d.text_source);
    if (d.ocr_confidence >= 0) source += " " + msg.get("doc.confidence", {{"confidence", std::to_string(d.ocr_confidence)}});
    parts.push_back(source);
  }
  if (d.date) parts.push_back(msg.get("doc.dated", {{"date", *d.date}}));
  if (!d.evidence.empty() && d.outcome == DocOutcome::ok) {
    parts.push_back(d.is_evidence ? style("32", msg.get("doc.is-evidence")) : style("1;31", msg.get("doc.not-evidence-short")));
  }
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? " · " : "") + parts[i];
  out += "\n";
  if (show_evidence) {
    for (const auto& f : d.facts) {
      const std::string& label = msg.lang() == Lang::nl ? f.label_nl : f.label_en;
      out += "      " + (label.empty() ? f.id : label) + ": \"" + f.matched + "\"" +
             (f.value.empty() || f.value == f.matched ? "" : " → " + f.value) + "\n";
    }
  }
  return out;
}

}  // namespace

std::string verdict_line(const Report& r, const Catalogue& msg, const VerdictWords& words) {
  int failed = 0, failed_eligibility = 0, warnings = 0, passed = 0;
  std::set<std::string> failed_grounds, eligibility_grounds;
  for (const auto& f : r.findings) {
    if (f.status == Status::failed) {
      if (f.kind == RuleKind::completeness) {
        ++failed;
        failed_grounds.insert(f.ground);
      } else {
        ++failed_eligibility;
        eligibility_grounds.insert(f.ground);
      }
    } else if (f.status == Status::warning) {
      ++warnings;
    } else if (f.status == Status::passed) {
      ++passed;
    }
  }
  switch (r.verdict) {
    case Verdict::complete:
      return msg.get(words.complete, {{"passed", std::to_string(passed)}, {"warnings", std::to_string(warnings)}});
    case Verdict::incomplete: {
      std::string verdict = msg.get("report.verdict.incomplete", {{"failed", std::to_string(failed)},
                                                                  {"grounds", std::to_string(failed_grounds.size())},
                                                                  {"warnings", std::to_string(warnings)}});
      if (failed_eligibility > 0)
        verdict += " " + msg.get("report.verdict.also-eligibility", {{"failed", std::to_string(failed_eligibility)}});
      return verdict;
    }
    case Verdict::not_eligible:
      return msg.get(words.not_eligible, {{"failed", std::to_string(failed_eligibility)},
                                          {"grounds", std::to_string(eligibility_grounds.size())},
                                          {"warnings", std::to_string(warnings)}});
  }
  return {};
}

std::string render_text(const Report& r, const Catalogue& msg, bool color, const VerdictWords& words,
                        bool show_evidence) {
  const Style style{color};
  std::string out;
  out += style("1", msg.get("report.title", {{"package", r.package}})) + "\n";
  out += msg.get("report.profile", {{"title", r.profile_title}, {"id", r.profile_id}, {"version", r.profile_version}}) + "\n";
  if (!r.check_date.empty()) out += msg.get("report.check-date", {{"date", r.check_date}}) + "\n";
  out += msg.get("report.documents", {{"count", std::to_string(r.documents.size())}}) + "\n";
  for (const auto& d : r.documents) out += document_line(d, r, msg, style, show_evidence);

  std::vector<std::string> grounds = known_grounds();
  for (const auto& f : r.findings) {
    if (std::find(grounds.begin(), grounds.end(), f.ground) == grounds.end()) grounds.push_back(f.ground);
  }
  for (const RuleKind kind : {RuleKind::completeness, RuleKind::eligibility}) {
    const bool any = std::any_of(r.findings.begin(), r.findings.end(), [&](const Finding& f) { return f.kind == kind; });
    if (!any) continue;
    out += "\n" + style("1;4", msg.get(std::string("report.kind.") + rule_kind_name(kind))) + "\n";
    for (const auto& ground : grounds) {
      bool header = false;
      for (const auto& f : r.findings) {
        if (f.ground != ground || f.kind != kind) continue;
        if (!header) {
          out += "\n" + style("1", msg.get("ground." + ground)) + " (" + ground + ")\n";
          header = true;
        }
        const std::string label =
            msg.get(f.status == Status::failed && kind == RuleKind::eligibility ? std::string("status.not-met")
                                                                              : std::string("status.") + status_name(f.status));
        out += "  " + style(colour(f.status), std::string(marker(f.status)) + " " + label) + "  " + f.message +
               " [" + f.rule + "]\n";
        for (const auto& n : f.notes) {
          out += "      - " + (n.file.empty() ? n.note : n.file + ": " + n.note) + "\n";
        }
        if (!f.fix.empty()) out += "      " + style("1", msg.get("report.fix")) + ": " + f.fix + "\n";
      }
    }
  }
  out += "\n";
  const char* tone = r.verdict == Verdict::complete ? "1;32" : r.verdict == Verdict::not_eligible ? "1;33" : "1;31";
  const std::string verdict = verdict_line(r, msg, words);
  out += style(tone, verdict) + "\n";
  return out;
}

nlohmann::ordered_json to_json(const Report& r, Lang lang) {
  using json = nlohmann::ordered_json;
  json j;
  j["verdict"] = verdict_name(r.verdict);
  j["language"] = lang_code(lang);
  j["package"] = r.package;
  j["check_date"] = r.check_date;
  j["profile"] = {{"id", r.profile_id}, {"version", r.profile_version}, {"title", r.profile_title}};
  j["documents"] = json::array();
  for (const auto& d : r.documents) {
    json facts = json::array();
    for (const auto& f : d.facts) {
      facts.push_back({{"fact", f.id}, {"value", f.value.empty() ? json(nullptr) : json(f.value)}});
    }
    json doc = {{"path", d.path},
                {"evidence", d.evidence.empty() ? json(nullptr) : json(d.evidence)},
                {"size", d.size},
                {"sha256", d.sha256},
                {"outcome", doc_outcome_name(d.outcome)},
                {"pages", d.pages},
                {"text", {{"source", d.text_source},
                          {"pages_read", d.pages_read},
                          {"pages_ocr", d.pages_ocr},
                          {"ocr_confidence", d.ocr_confidence >= 0 ? json(d.ocr_confidence) : json(nullptr)},
                          {"limit", d.limit_note.empty() ? json(nullptr) : json(d.limit_note)}}},
                {"date", d.date ? json(*d.date) : json(nullptr)},
                {"date_source", d.date_source.empty() ? json(nullptr) : json(d.date_source)},
                {"declared", d.declared},
                {"declared_date", d.declared_date ? json(*d.declared_date) : json(nullptr)},
                {"valid_until", d.expiry ? json(*d.expiry) : json(nullptr)},
                {"active_content", d.active_content},
                {"is_evidence", d.is_evidence},
                {"facts", facts},
                {"missing_identifying", d.missing_identifying},
                {"missing_supporting", d.missing_supporting},
                {"reads_like", d.reads_like.empty() ? json(nullptr) : json(d.reads_like)},
                {"bsn_like_numbers", d.bsn_like}};
    j["documents"].push_back(std::move(doc));
  }
  j["findings"] = json::array();
  for (const auto& f : r.findings) {
    json notes = json::array();
    for (const auto& n : f.notes) notes.push_back({{"file", n.file}, {"note", n.note}});
    j["findings"].push_back({{"rule", f.rule},
                             {"ground", f.ground},
                             {"kind", rule_kind_name(f.kind)},
                             {"status", status_name(f.status)},
                             {"message", f.message},
                             {"fix", f.fix},
                             {"files", f.files},
                             {"notes", notes}});
  }
  return j;
}

}  // namespace dossier

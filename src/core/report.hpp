// The check report: what the coordinator reads (text) and what machines read (JSON, its
// schema in schemas/check-report.schema.json).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/messages.hpp"
#include "core/model.hpp"

namespace dossier {

struct Report {
  std::string package;  // as the user named it
  std::string profile_id;
  std::string profile_version;
  std::string profile_title;
  std::vector<DocumentFacts> documents;
  std::vector<Finding> findings;
  std::string check_date;  // ISO: the date dates and validity were judged against
  Verdict verdict = Verdict::incomplete;
  bool complete = false;   // verdict == complete
};

// Findings grouped by ground, a fix under every failure, a one-line verdict at the end.
// `words` names the messages of the verdict line (open says "as when it was sealed").
// `show_evidence` adds, per document, the words each fact matched (terminal only: they come
// from the document's text).
struct VerdictWords {
  std::string complete = "report.verdict.complete";
  std::string not_eligible = "report.verdict.not-eligible";
};
// The one-line verdict, as render_text ends with it (no colour).
std::string verdict_line(const Report& report, const Catalogue& messages, const VerdictWords& words = {});
std::string render_text(const Report& report, const Catalogue& messages, bool color,
                        const VerdictWords& words = {}, bool show_evidence = false);
nlohmann::ordered_json to_json(const Report& report, Lang lang);

}  // namespace dossier

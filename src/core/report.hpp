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
  bool complete = false;
};

// Findings grouped by ground, a fix under every failure, a one-line verdict at the end.
std::string render_text(const Report& report, const Catalogue& messages, bool color);
nlohmann::ordered_json to_json(const Report& report, Lang lang);

}  // namespace dossier

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

}  // namespace

std::string render_text(const Report& r, const Catalogue& msg, bool color, const std::string& complete_key) {
  const Style style{color};
  std::string out;
  out += style("1", msg.get("report.title", {{"package", r.package}})) + "\n";
  out += msg.get("report.profile", {{"title", r.profile_title}, {"id", r.profile_id}, {"version", r.profile_version}}) + "\n";
  out += msg.get("report.documents", {{"count", std::to_string(r.documents.size())}}) + "\n";

  std::vector<std::string> grounds = known_grounds();
  for (const auto& f : r.findings) {
    if (std::find(grounds.begin(), grounds.end(), f.ground) == grounds.end()) grounds.push_back(f.ground);
  }
  int failed = 0;
  int warnings = 0;
  int passed = 0;
  std::set<std::string> failed_grounds;
  for (const auto& ground : grounds) {
    bool header = false;
    for (const auto& f : r.findings) {
      if (f.ground != ground) continue;
      if (!header) {
        out += "\n" + style("1", msg.get("ground." + ground)) + " (" + ground + ")\n";
        header = true;
      }
      if (f.status == Status::failed) {
        ++failed;
        failed_grounds.insert(ground);
      } else if (f.status == Status::warning) {
        ++warnings;
      } else if (f.status == Status::passed) {
        ++passed;
      }
      const std::string label = msg.get(std::string("status.") + status_name(f.status));
      out += "  " + style(colour(f.status), std::string(marker(f.status)) + " " + label) + "  " + f.message +
             " [" + f.rule + "]\n";
      for (const auto& n : f.notes) {
        out += "      - " + (n.file.empty() ? n.note : n.file + ": " + n.note) + "\n";
      }
      if (!f.fix.empty()) out += "      " + style("1", msg.get("report.fix")) + ": " + f.fix + "\n";
    }
  }
  out += "\n";
  const std::string verdict =
      r.complete ? msg.get(complete_key, {{"passed", std::to_string(passed)}, {"warnings", std::to_string(warnings)}})
                 : msg.get("report.verdict.incomplete", {{"failed", std::to_string(failed)},
                                                         {"grounds", std::to_string(failed_grounds.size())},
                                                         {"warnings", std::to_string(warnings)}});
  out += style(r.complete ? "1;32" : "1;31", verdict) + "\n";
  return out;
}

nlohmann::ordered_json to_json(const Report& r, Lang lang) {
  using json = nlohmann::ordered_json;
  json j;
  j["verdict"] = r.complete ? "complete" : "incomplete";
  j["language"] = lang_code(lang);
  j["package"] = r.package;
  j["profile"] = {{"id", r.profile_id}, {"version", r.profile_version}, {"title", r.profile_title}};
  j["documents"] = json::array();
  for (const auto& d : r.documents) {
    json doc = {{"path", d.path},
                          {"evidence", d.evidence.empty() ? json(nullptr) : json(d.evidence)},
                          {"size", d.size},
                          {"sha256", d.sha256},
                          {"outcome", doc_outcome_name(d.outcome)},
                          {"pages", d.pages},
                          {"text_layer", d.has_text},
                          {"date", d.date ? json(*d.date) : json(nullptr)},
                          {"declared", d.declared},
                          {"active_content", d.active_content},
                          {"keywords", d.keywords_found}};
    j["documents"].push_back(std::move(doc));
  }
  j["findings"] = json::array();
  for (const auto& f : r.findings) {
    json notes = json::array();
    for (const auto& n : f.notes) notes.push_back({{"file", n.file}, {"note", n.note}});
    j["findings"].push_back({{"rule", f.rule},
                             {"ground", f.ground},
                             {"status", status_name(f.status)},
                             {"message", f.message},
                             {"fix", f.fix},
                             {"files", f.files},
                             {"notes", notes}});
  }
  return j;
}

}  // namespace dossier

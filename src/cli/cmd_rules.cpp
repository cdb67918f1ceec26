// dossier rules: what a profile checks, rule by rule, with the source sentence behind each.
#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "app/data_files.hpp"
#include "core/profile.hpp"

namespace dossier::cli {
namespace {

struct RulesArgs {
  std::string profile = "omm-eerste-fase";
  std::string format = "text";
  std::string lang;
};

const char* severity_name(Severity s) {
  switch (s) {
    case Severity::fail: return "fail";
    case Severity::warn: return "warn";
    case Severity::info: return "info";
  }
  return "fail";
}

template <typename T>
std::string source_of(const T& r) {
  std::string where = r.source_doc;
  if (!r.source_section.empty()) where += " §" + r.source_section;
  return where;
}

// What a fact looks for, in a few words: the matchers' kinds and alternatives.
std::string matchers_of(const Fact& f) {
  std::string out;
  for (const auto& m : f.matchers) {
    if (!out.empty()) out += "; or ";
    switch (m.kind) {
      case Matcher::Kind::words: {
        out += m.head_lines > 0 ? "in the first " + std::to_string(m.head_lines) + " lines: " : "";
        for (std::size_t i = 0; i < m.phrases.size(); ++i) out += (i ? ", " : "") + m.phrases[i].spelled;
        break;
      }
      case Matcher::Kind::date:
      case Matcher::Kind::reference: {
        out += m.kind == Matcher::Kind::date ? "a date" : "a number";
        if (!m.phrases.empty()) {
          out += " after ";
          for (std::size_t i = 0; i < m.phrases.size(); ++i) out += (i ? ", " : "") + m.phrases[i].spelled;
        }
        break;
      }
      case Matcher::Kind::classification: out += "a DSM-5/ICD-10/ICD-11 code"; break;
    }
  }
  return out;
}

std::string md_escape(std::string s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += "\\|";
    else if (c == '\n') out += ' ';
    else out += c;
  }
  return out;
}

int run_rules(const RulesArgs& args) {
  const Lang lang = choose_lang(args.lang);
  auto profile = app::load_profile(app::data_dir(), args.profile);
  if (!profile) return report_error(profile.error(), profiles_hint(lang));
  const Catalogue messages = load_catalogue(lang);
  if (args.format == "markdown") {
    std::cout << "### " << profile->title().get(lang) << " (`" << profile->id() << "` " << profile->version() << ")\n\n";
    std::cout << "| rule | ground | kind | severity | requirement | source |\n|---|---|---|---|---|---|\n";
    for (const auto& r : profile->rules()) {
      std::cout << "| `" << r.id << "` | " << r.ground << " | " << rule_kind_name(r.kind) << " | "
                << severity_name(r.severity) << " | " << md_escape(r.text.get(lang)) << " | " << source_of(r) << ": \""
                << md_escape(r.source_text) << "\" |\n";
    }
    std::cout << "\nEvidence facts: what a document in each folder must show.\n\n"
              << "| folder | fact | role | looks for | source |\n|---|---|---|---|---|\n";
    for (const auto& e : profile->evidence()) {
      for (const auto& f : e.facts) {
        std::cout << "| `" << e.folder << "/` | " << md_escape(f.label(lang == Lang::nl)) << " (`" << f.id << "`) | "
                  << (f.identifying ? "identifying" : "supporting") << (f.document_date ? ", document date" : "")
                  << (f.expiry ? ", validity" : "") << " | " << md_escape(matchers_of(f)) << " | " << source_of(f)
                  << ": \"" << md_escape(f.source_text) << "\" |\n";
      }
    }
    return kExitOk;
  }
  std::cout << profile->title().get(lang) << " (" << profile->id() << " " << profile->version() << ")\n";
  for (const auto& g : known_grounds()) {
    bool header = false;
    for (const auto& r : profile->rules()) {
      if (r.ground != g) continue;
      if (!header) {
        std::cout << "\n" << messages.get("ground." + g) << " (" << g << ")\n";
        header = true;
      }
      std::cout << "  [" << severity_name(r.severity) << ", " << rule_kind_name(r.kind) << "] " << r.id << ": "
                << r.text.get(lang) << "\n"
                << "         " << (lang == Lang::nl ? "bron " : "source ") << source_of(r) << ": \"" << r.source_text << "\"\n";
    }
  }
  std::cout << "\n" << (lang == Lang::nl ? "Wat elk document moet tonen (kenmerken per map)" : "What each document must show (facts per folder)")
            << "\n";
  for (const auto& e : profile->evidence()) {
    std::cout << "\n  " << e.folder << "/  " << e.name.get(lang) << "\n";
    for (const auto& f : e.facts) {
      std::cout << "    " << (f.identifying ? (lang == Lang::nl ? "[kenmerk]  " : "[identifying]") : (lang == Lang::nl ? "[aanvulling]" : "[supporting] "))
                << " " << f.label(lang == Lang::nl) << "\n";
    }
  }
  return kExitOk;
}

}  // namespace

void add_rules(CLI::App& app, Run& run) {
  auto args = std::make_shared<RulesArgs>();
  auto* cmd = app.add_subcommand("rules", "List what a requirement profile checks, with the source of each rule");
  cmd->footer(
      "Examples:\n  dossier rules --lang nl\n  dossier rules --profile omm-tweede-fase --format markdown");
  cmd->add_option("--profile", args->profile, "Requirement profile id or file");
  cmd->add_option("--format", args->format, "Output format")->check(CLI::IsMember({"text", "markdown"}));
  cmd->add_option("--lang", args->lang, "Language (default: from the locale)")->check(CLI::IsMember({"nl", "en"}));
  cmd->callback([&run, args] { run = [args] { return run_rules(*args); }; });
}

}  // namespace dossier::cli

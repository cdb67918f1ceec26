// dossier rules: what a profile checks, rule by rule, with the source sentence behind each.
#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "core/paths.hpp"
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

std::string source_of(const Rule& r) {
  std::string where = r.source_doc;
  if (!r.source_section.empty()) where += " §" + r.source_section;
  return where;
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
  auto profile = Profile::load(data_dir(), args.profile);
  if (!profile) return report_error(profile.error(), profiles_hint(lang));
  const Catalogue messages = load_catalogue(lang);
  if (args.format == "markdown") {
    std::cout << "### " << profile->title().get(lang) << " (`" << profile->id() << "` " << profile->version() << ")\n\n";
    std::cout << "| rule | ground | severity | requirement | source |\n|---|---|---|---|---|\n";
    for (const auto& r : profile->rules()) {
      std::cout << "| `" << r.id << "` | " << r.ground << " | " << severity_name(r.severity) << " | "
                << md_escape(r.text.get(lang)) << " | " << source_of(r) << ": \"" << md_escape(r.source_text) << "\" |\n";
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
      std::cout << "  [" << severity_name(r.severity) << "] " << r.id << ": " << r.text.get(lang) << "\n"
                << "         " << (lang == Lang::nl ? "bron " : "source ") << source_of(r) << ": \"" << r.source_text << "\"\n";
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

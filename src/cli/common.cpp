#include "cli/common.hpp"

#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "app/data_files.hpp"
#include "core/profile.hpp"

namespace dossier::cli {

Lang choose_lang(const std::string& flag) {
  if (flag == "nl") return Lang::nl;
  if (flag == "en") return Lang::en;
  for (const char* var : {"LC_ALL", "LC_MESSAGES", "LANG"}) {
    const char* v = std::getenv(var);
    if (v == nullptr || *v == '\0') continue;
    const std::string s(v);
    return s.rfind("nl", 0) == 0 ? Lang::nl : Lang::en;
  }
  return Lang::en;
}

bool is_terminal(int fd) { return ::isatty(fd) == 1; }

bool use_colour(int fd) {
  const char* no = std::getenv("NO_COLOR");
  if (no != nullptr && *no != '\0') return false;
  const char* term = std::getenv("TERM");
  if (term != nullptr && std::string(term) == "dumb") return false;
  return is_terminal(fd);
}

Catalogue load_catalogue(Lang lang) {
  auto c = app::load_catalogue(app::data_dir(), lang);
  if (!c) {
    std::cerr << "dossier: cannot load messages: " << c.error().message
              << "\nhint: set DOSSIER_DATA_DIR to the folder that holds templates/ and schemas/\n";
    std::exit(kExitUsage);
  }
  return std::move(*c);
}

std::string profiles_hint(Lang lang) {
  std::string list;
  for (const auto& id : app::available_profiles(app::data_dir())) list += (list.empty() ? "" : ", ") + id;
  return (lang == Lang::nl ? "beschikbare profielen: " : "available profiles: ") + list;
}

int refuse_unknown_profile(const std::string& profile, Lang lang) {
  if (profile.empty()) return kExitOk;
  auto p = app::load_profile(app::data_dir(), profile);
  return p ? kExitOk : report_error(p.error(), profiles_hint(lang));
}

void add_output_options(CLI::App& cmd, OutputArgs& out, bool with_quiet) {
  cmd.add_option("--format", out.format, "Output format")->check(CLI::IsMember({"text", "json"}));
  cmd.add_option("--lang", out.lang, "Language (default: from the locale)")->check(CLI::IsMember({"nl", "en"}));
  if (with_quiet) cmd.add_flag("-q,--quiet", out.quiet, "No progress on the terminal");
}

int report_error(const Error& e, const std::string& hint) {
  std::cerr << "dossier: " << e.message << "\n";
  if (!hint.empty()) std::cerr << "hint: " << hint << "\n";
  switch (e.code) {
    case Errc::usage:
    case Errc::not_found:
      return kExitUsage;
    default:
      return kExitNotOk;
  }
}

}  // namespace dossier::cli

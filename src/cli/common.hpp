// What every subcommand shares: the exit-code contract, language and colour choice, and how
// errors are told to people (what happened, then a hint of what to do).
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "core/messages.hpp"
#include "core/model.hpp"
#include "core/result.hpp"

namespace dossier::cli {

// The exit-code contract (docs/cli.md), the same for every subcommand.
inline constexpr int kExitOk = 0;        // complete / valid / done
inline constexpr int kExitNotOk = 1;     // examined and not complete / not valid / failed
inline constexpr int kExitUsage = 2;     // usage error or a named file does not exist

// --lang when given ("nl" | "en"), else the locale (LC_ALL, LC_MESSAGES, LANG: nl* -> Dutch),
// else English.
Lang choose_lang(const std::string& flag);
// Colour on a terminal unless NO_COLOR is set.
bool use_colour(int fd);
bool is_terminal(int fd);

Catalogue load_catalogue(Lang lang);

// "available profiles: omm-eerste-fase, omm-tweede-fase" (from the data folder), in `lang`.
std::string profiles_hint(Lang lang);

// For commands that take --profile before doing other work: 0 when `profile` is empty or loads,
// else the usage exit code after telling the user which profiles there are.
int refuse_unknown_profile(const std::string& profile, Lang lang);

// The options every reporting subcommand shares: --format text|json, --lang nl|en and, for
// commands with long work, -q (no progress line).
struct OutputArgs {
  std::string format = "text";
  std::string lang;
  bool quiet = false;
};
void add_output_options(CLI::App& cmd, OutputArgs& out, bool with_quiet);

// Prints "dossier: <message>" and "hint: <hint>" to stderr; returns the exit code for `e`.
int report_error(const Error& e, const std::string& hint = "");

}  // namespace dossier::cli

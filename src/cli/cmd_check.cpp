// dossier check PACKAGE: is the referral package complete? What is missing, per refusal ground?
#include <unistd.h>

#include <iostream>
#include <memory>

#include "app/check.hpp"
#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "core/paths.hpp"

namespace dossier::cli {
namespace {

struct CheckArgs {
  std::string package;
  std::string profile;
  OutputArgs out;
};

int run_check_command(const CheckArgs& args) {
  const Lang lang = choose_lang(args.out.lang);
  const Catalogue messages = load_catalogue(lang);
  app::CheckOptions options;
  options.profile = args.profile;
  options.data_dir = data_dir();
  const bool show_progress = !args.out.quiet && is_terminal(STDERR_FILENO);
  if (show_progress) {
    options.progress = [](std::size_t i, std::size_t n, const std::string& path) {
      std::cerr << "\r\x1b[K[" << (i + 1) << "/" << n << "] " << path << std::flush;
    };
  }
  auto report = app::run_check(args.package, options, messages);
  if (show_progress) std::cerr << "\r\x1b[K" << std::flush;
  if (!report) {
    if (report.error().code == Errc::not_found) {
      return report_error(report.error(), lang == Lang::nl ? "geef het pad van een pakketmap of .zip; `dossier init MAP` maakt een nieuw pakket"
                                                           : "name a package folder or .zip; `dossier init DIR` makes a new package");
    }
    return report_error(report.error(), profiles_hint(lang));
  }
  if (args.out.format == "json") {
    std::cout << to_json(*report, lang).dump(2) << "\n";
  } else {
    std::cout << render_text(*report, messages, use_colour(STDOUT_FILENO));
  }
  return report->complete ? kExitOk : kExitNotOk;
}

}  // namespace

void add_check(CLI::App& app, Run& run) {
  auto args = std::make_shared<CheckArgs>();
  auto* cmd = app.add_subcommand("check", "Check a referral package against a requirement profile");
  cmd->footer(
      "Reads PACKAGE (a folder, or a .zip of one) without writing anything, inspects every PDF\n"
      "in a sandbox, and reports each requirement per refusal ground with what to add or fix.\n\n"
      "Examples:\n"
      "  dossier check examples/complete\n"
      "  dossier check aanmelding.zip --lang en --format json > report.json\n"
      "  dossier check aanmelding --profile omm-tweede-fase\n\n"
      "Exit codes: 0 complete (warnings allowed), 1 incomplete or unreadable/hostile input,\n"
      "2 usage error or PACKAGE does not exist.");
  cmd->add_option("PACKAGE", args->package, "Package folder or .zip")->required();
  cmd->add_option("--profile", args->profile,
                  "Requirement profile id or file (default: referral.xml's profile, else omm-eerste-fase)");
  add_output_options(*cmd, args->out, /*with_quiet=*/true);
  cmd->callback([&run, args] { run = [args] { return run_check_command(*args); }; });
}

}  // namespace dossier::cli

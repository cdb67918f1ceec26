// dossier check PACKAGE: is the referral package complete? What is missing, per refusal ground?
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <memory>

#include "app/check.hpp"
#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "app/data_files.hpp"

namespace dossier::cli {
namespace {

struct CheckArgs {
  std::string package;
  std::string profile;
  std::string date;
  std::string time_limit;
  bool show_evidence = false;
  OutputArgs out;
};

int run_check_command(const CheckArgs& args) {
  const Lang lang = choose_lang(args.out.lang);
  const Catalogue messages = load_catalogue(lang);
  app::CheckOptions options;
  options.profile = args.profile;
  options.data_dir = app::data_dir();
  if (!args.date.empty() && !app::valid_check_date(args.date)) {
    return report_error(Error{Errc::usage, "--date " + args.date + " is not a date"},
                        lang == Lang::nl ? "geef de datum als JJJJ-MM-DD, bijvoorbeeld --date 2026-10-15"
                                         : "give the date as YYYY-MM-DD, for example --date 2026-10-15");
  }
  options.check_date = args.date;
  // --time-limit, else DOSSIER_TIME_LIMIT, else the default; a value that is not a number of
  // seconds is a usage error rather than silently the default.
  const char* env_limit = std::getenv("DOSSIER_TIME_LIMIT");
  const std::string limit_text = !args.time_limit.empty() ? args.time_limit : env_limit != nullptr ? env_limit : "";
  if (!limit_text.empty()) {
    const auto seconds = app::parse_time_limit(limit_text);
    const std::string what = !args.time_limit.empty() ? "--time-limit " : "DOSSIER_TIME_LIMIT=";
    if (!seconds) {
      return report_error(Error{Errc::usage, what + limit_text + " is not a number of seconds from 1 to " +
                                                 std::to_string(app::kMaxTimeLimitSeconds)},
                          lang == Lang::nl ? "geef de tijdslimiet in hele seconden, bijvoorbeeld --time-limit 1800"
                                           : "give the time limit in whole seconds, for example --time-limit 1800");
    }
    options.time_limit_seconds = *seconds;
  }
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
    std::cout << render_text(*report, messages, use_colour(STDOUT_FILENO), {},
                             args.show_evidence);
  }
  return report->verdict == Verdict::complete ? kExitOk : kExitNotOk;
}

}  // namespace

void add_check(CLI::App& app, Run& run) {
  auto args = std::make_shared<CheckArgs>();
  auto* cmd = app.add_subcommand("check", "Check a referral package against a requirement profile");
  cmd->footer(
      "Reads PACKAGE (a folder, or a .zip of one) without writing anything. Every PDF is read in a\n"
      "sandbox: its text layer, or text recognition (OCR, Dutch and English) for scanned pages. Each\n"
      "document must show the facts its folder's evidence type declares (a police unit and an act,\n"
      "a practitioner and a diagnosis, ...); a blank page or a misfiled letter is not evidence.\n"
      "The report separates what you must fix (completeness) from what CoMensha will weigh\n"
      "(eligibility). The text never touches the disk.\n\n"
      "Verdicts: complete; incomplete (something to add or fix); not-eligible (complete, but a\n"
      "refusal ground applies: seal it only as an advice request, `dossier seal --advice-request`).\n\n"
      "Examples:\n"
      "  dossier check examples/complete\n"
      "  dossier check examples/complete --show-evidence      # which words made each document evidence\n"
      "  dossier check aanmelding.zip --lang en --format json > report.json\n"
      "  dossier check aanmelding --profile omm-tweede-fase --date 2026-10-15\n"
      "  dossier check groot-pakket --time-limit 1800           # many scanned pages: allow 30 minutes\n\n"
      "Documents are read in parallel, one per processor core. The whole check has a time limit\n"
      "(--time-limit, DOSSIER_TIME_LIMIT; default " + std::to_string(app::kDefaultTimeLimitSeconds / 60) +
      " minutes; seal and open use DOSSIER_TIME_LIMIT): documents not\n"
      "read by then are reported as not read, and the package is not complete.\n\n"
      "Exit codes: 0 complete (warnings allowed), 1 incomplete, not eligible, or unreadable/hostile\n"
      "input, 2 usage error or PACKAGE does not exist.");
  cmd->add_option("PACKAGE", args->package, "Package folder or .zip")->required();
  cmd->add_option("--profile", args->profile,
                  "Requirement profile id or file (default: referral.xml's profile, else omm-eerste-fase)");
  cmd->add_option("--time-limit", args->time_limit,
                  "Seconds the whole check may take (default " + std::to_string(app::kDefaultTimeLimitSeconds) +
                      ", or DOSSIER_TIME_LIMIT); documents not read by then make the package incomplete");
  cmd->add_option("--date", args->date,
                  "Check against this date, YYYY-MM-DD (default: today in Europe/Amsterdam), for a reproducible check");
  cmd->add_flag("--show-evidence", args->show_evidence,
                "Print the words each evidence fact matched (terminal only; never in JSON)");
  add_output_options(*cmd, args->out, /*with_quiet=*/true);
  cmd->callback([&run, args] { run = [args] { return run_check_command(*args); }; });
}

}  // namespace dossier::cli

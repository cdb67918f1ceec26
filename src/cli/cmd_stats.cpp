// dossier stats REGISTER: the yearly figures CoMensha reports, from a register of cases
// (docs/stats.md), with small counts suppressed; --chart DIR draws the main ones.
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>

#include "app/data_files.hpp"
#include "app/stats.hpp"
#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "core/stats.hpp"

namespace dossier::cli {
namespace {

struct StatsArgs {
  std::string register_dir;
  std::optional<int> year;
  int min_count = 5;
  std::string chart_dir;
  std::string format = "text";
  std::string lang;
};

int run_stats_command(const StatsArgs& args) {
  const Lang lang = choose_lang(args.lang);
  const Catalogue messages = load_catalogue(lang);
  if (!args.chart_dir.empty()) {
    std::error_code ec;
    if (std::filesystem::exists(std::filesystem::symlink_status(args.chart_dir, ec))) {
      return report_error(Error{Errc::usage, args.chart_dir + ": exists already"}, messages.get("stats.hint.chart_exists"));
    }
  }
  auto read = app::read_register(args.register_dir, app::data_dir());
  if (!read) return report_error(read.error(), messages.get("stats.hint.register"));
  for (const auto& s : read->skipped) {
    std::cerr << "dossier: " << messages.get("stats.skipped", {{"path", s.path}, {"issue", s.issue}}) << "\n";
  }
  const bool any_skipped = !read->skipped.empty();
  auto figures = stats::compute(read->cases, args.year);
  const auto shown = stats::shown(std::move(figures), args.min_count, std::move(read->skipped), args.register_dir);
  if (args.format == "json") {
    std::cout << stats::to_json(shown, lang).dump(2) << "\n";
  } else if (args.format == "csv") {
    std::cout << stats::render_csv(shown);
  } else {
    std::cout << stats::render_text(shown, messages);
  }
  std::cout << std::flush;
  if (!args.chart_dir.empty()) {
    auto written = app::write_charts(args.chart_dir, stats::charts(shown, messages));
    if (!written) return report_error(written.error(), messages.get("stats.hint.chart_exists"));
    std::cerr << messages.get("stats.charts_written", {{"count", std::to_string(written->size())}, {"dir", args.chart_dir}})
              << "\n";
  }
  return any_skipped ? kExitNotOk : kExitOk;
}

}  // namespace

void add_stats(CLI::App& app, Run& run) {
  auto args = std::make_shared<StatsArgs>();
  auto* cmd = app.add_subcommand("stats", "Yearly figures from a register of cases (CoMensha)");
  cmd->footer(
      "Counts, from the referral.xml and decision files of every case folder in REGISTER, the\n"
      "figures CoMensha reports: assessments per year and outcome, refusals per ground and reason,\n"
      "days from the first bundle to the decision, forms of exploitation, repeated victimisation,\n"
      "confirmation, problem areas and diagnoses, situation before referral, residence status,\n"
      "gender, children and regions (docs/stats.md). Nothing is written but --chart's folder.\n\n"
      "Counts from 1 to N-1 (N = --min-count, default 5) are shown as \"<N\" in every output, and\n"
      "\"x\" hides a further count where a total would otherwise give a small one away.\n\n"
      "REGISTER holds one folder per case: referral.xml in it (or in its last subfolder that has\n"
      "one, as `dossier open` writes it) and the case's decisions as *.xml files beside it.\n"
      "A file that cannot be read or is not valid is skipped and listed; the figures are still\n"
      "printed.\n\n"
      "Examples:\n"
      "  dossier stats register\n"
      "  dossier stats register --year 2026 --format csv > cijfers-2026.csv\n"
      "  dossier stats register --year 2026 --chart grafieken-2026     # SVG and PNG charts\n"
      "  dossier stats register --format json --lang en\n\n"
      "Exit codes: 0 every file was read, 1 a file was skipped (figures printed all the same),\n"
      "2 usage error, REGISTER does not exist or the chart folder exists already.");
  cmd->add_option("REGISTER", args->register_dir, "Folder with one folder per case")->required();
  cmd->add_option("--year", args->year, "Only the cases decided in this year (final decision's date)")
      ->check(CLI::Range(1900, 9999));
  cmd->add_option("--min-count", args->min_count, "Show counts below this as \"<N\" (default 5; 1 shows all)")
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--chart", args->chart_dir, "Write the main figures as SVG and PNG charts into this new folder");
  cmd->add_option("--format", args->format, "Output format")->check(CLI::IsMember({"text", "json", "csv"}));
  cmd->add_option("--lang", args->lang, "Language (default: from the locale)")->check(CLI::IsMember({"nl", "en"}));
  cmd->callback([&run, args] { run = [args] { return run_stats_command(*args); }; });
}

}  // namespace dossier::cli

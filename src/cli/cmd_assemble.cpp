// dossier assemble PACKAGE -o DIR: the coordinator's preview of what CoMensha's reviewer reads.
#include <unistd.h>

#include <iostream>
#include <memory>

#include "app/assemble.hpp"
#include "app/data_files.hpp"
#include "cli/bundle_words.hpp"
#include "cli/commands.hpp"
#include "cli/common.hpp"

namespace dossier::cli {
namespace {

struct AssembleArgs {
  std::string package;
  std::string output;
  std::string profile;
  bool advice_request = false;
  OutputArgs out;
};

int run_assemble_command(const AssembleArgs& args) {
  const Lang lang = choose_lang(args.out.lang);
  const bool nl = lang == Lang::nl;
  const Catalogue messages = load_catalogue(lang);
  if (const int refused = refuse_unknown_profile(args.profile, lang); refused != kExitOk) return refused;
  app::CheckOptions check;
  check.profile = args.profile;
  check.data_dir = app::data_dir();
  app::AssemblySettings settings;
  settings.data_dir = check.data_dir;
  settings.purpose = args.advice_request ? "advice-request" : "referral";
  const bool show_progress = !args.out.quiet && is_terminal(STDERR_FILENO);
  if (show_progress) check.progress = terminal_progress(nl ? "controleren" : "checking");
  auto made = app::run_assemble(args.package, args.output, check, settings, messages);
  if (show_progress) clear_progress();
  if (!made) {
    if (made.error().code == Errc::usage)
      return report_error(made.error(), nl ? "kies met -o een nieuwe map (die nog niet bestaat) in een bestaande map"
                                           : "choose with -o a new folder (that does not exist yet) in an existing folder");
    if (made.error().code == Errc::not_found)
      return report_error(made.error(), nl ? "controleer het pad van het pakket en dat de map boven -o bestaat"
                                           : "check the package path, and that the folder above -o exists");
    report_error(made.error(), nl ? "er is niets geschreven; los het probleem op en probeer het opnieuw"
                                  : "nothing was written; fix the problem and try again");
    return kExitNotOk;
  }
  const bool written = made->written;
  const auto& names = made->names;
  if (args.out.format == "json") {
    nlohmann::ordered_json j;
    j["assembled"] = written;
    j["output"] = written ? nlohmann::ordered_json(args.output) : nlohmann::ordered_json(nullptr);
    if (written) {
      j["files"] = {{"dossier", names.dossier}, {"cover", names.cover}, {"report", names.report}};
      j["pages"] = made->assembly.pages;
      j["cover_pages"] = made->assembly.cover_pages;
      nlohmann::ordered_json parts = nlohmann::ordered_json::array();
      // The parts are in the dossier's order; the check report's documents are in the package's.
      for (const auto& p : made->assembly.parts) {
        parts.push_back({{"path", p.name},
                         {"included", p.included},
                         {"first_page", p.first_page + 1},
                         {"pages", p.pages},
                         {"text_layers", p.layers},
                         {"note", p.note}});
      }
      j["parts"] = parts;
      j["seconds"] = {{"check", made->check_seconds}, {"assembly", made->assembly_seconds}};
    }
    j["check"] = to_json(made->report, lang);
    std::cout << j.dump(2) << "\n";
  } else {
    // The whole check report is on the cover sheet; here the verdict and where the files are.
    if (!written) std::cout << render_text(made->report, messages, use_colour(STDOUT_FILENO)) << "\n";
    else std::cout << verdict_line(made->report, messages) << "\n";
    if (written) {
      int documents = 0, layers = 0;
      for (const auto& p : made->assembly.parts) {
        documents += p.included ? 1 : 0;
        layers += p.layers;
      }
      std::cout << messages.get("assemble.written",
                                {{"path", (std::filesystem::path(args.output) / names.dossier).string()},
                                 {"pages", std::to_string(made->assembly.pages)},
                                 {"cover", std::to_string(made->assembly.cover_pages)},
                                 {"documents", std::to_string(documents)},
                                 {"layers", std::to_string(layers)}})
                << "\n";
      std::cout << "  " << (std::filesystem::path(args.output) / names.cover).string() << "\n"
                << "  " << (std::filesystem::path(args.output) / names.report).string() << "\n";
    }
  }
  if (!written) return kExitNotOk;
  return made->report.verdict == Verdict::complete ? kExitOk : kExitNotOk;
}

}  // namespace

void add_assemble(CLI::App& app, Run& run) {
  auto args = std::make_shared<AssembleArgs>();
  auto* cmd = app.add_subcommand("assemble", "Preview the dossier CoMensha will read: one PDF, a cover sheet, a report");
  cmd->footer(
      "Checks PACKAGE (as `dossier check`) and writes DIR with what CoMensha's reviewer will read\n"
      "after `dossier open`:\n"
      "  dossier.pdf                    the cover sheet, then every document in the profile's order\n"
      "                                 (request, police, diagnostics, local care, residence, safety,\n"
      "                                 consent), with bookmarks and page labels (\"politie 1/2\");\n"
      "  voorblad.pdf / cover-sheet.pdf the cover sheet: the referral's facts, the check result per\n"
      "                                 ground with what to do, and the table of documents;\n"
      "  rapport.html / report.html     the same as one web page, with a picture of each document.\n"
      "A document that cannot be read gets a page in dossier.pdf that says why. DIR appears only\n"
      "when all three are written; the documents' text is never written to disk. An incomplete\n"
      "package is assembled too (to look at), but `dossier seal` refuses it.\n\n"
      "Examples:\n"
      "  dossier assemble examples/complete -o voorbeeld\n"
      "  dossier assemble aanmelding.zip -o preview --lang en\n"
      "  dossier assemble aanmelding -o preview --format json\n\n"
      "Exit codes: 0 written and the package is complete, 1 written but the package is not complete,\n"
      "or nothing written (unreadable package, assembly failed), 2 usage error, PACKAGE does not\n"
      "exist, or DIR exists.");
  cmd->add_option("PACKAGE", args->package, "Package folder or .zip")->required();
  cmd->add_option("-o,--output", args->output, "The folder to write (must not exist)")->required();
  cmd->add_option("--profile", args->profile, "Requirement profile id or file");
  cmd->add_flag("--advice-request", args->advice_request, "Show the purpose as a request for CoMensha's advice");
  add_output_options(*cmd, args->out, /*with_quiet=*/true);
  cmd->callback([&run, args] { run = [args] { return run_assemble_command(*args); }; });
}

}  // namespace dossier::cli

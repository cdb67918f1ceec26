// dossier inspect BUNDLE: what a bundle's public manifest says, without verifying it.
#include <iostream>
#include <memory>

#include "app/bundle.hpp"
#include "cli/bundle_words.hpp"
#include "cli/commands.hpp"
#include "cli/common.hpp"

namespace dossier::cli {
namespace {

struct InspectArgs {
  std::string bundle;
  OutputArgs out;
};

int run_inspect(const InspectArgs& args) {
  const Lang lang = choose_lang(args.out.lang);
  const Catalogue messages = load_catalogue(lang);
  auto m = app::read_manifest(args.bundle);
  if (!m) {
    // The error may quote names from an unverified file: shown, never raw.
    return report_error(Error{m.error().code, shown(m.error().message)},
                        lang == Lang::nl ? "is dit een .dossier-bestand? dossier verify zegt wat er mis is"
                                         : "is this a .dossier file? dossier verify tells what is wrong");
  }
  if (args.out.format == "json") {
    nlohmann::ordered_json j;
    j["bundle"] = args.bundle;
    j["verified"] = false;
    j["manifest"] = manifest_json(*m);
    std::cout << j.dump(2) << "\n";
    return kExitOk;
  }
  std::cout << manifest_text(*m, args.bundle, messages);
  for (const auto& e : m->entries) std::cout << "    " << e.path << "  " << e.size << "  " << e.blake2b << "\n";
  std::cout << messages.get("inspect.unverified", {{"bundle", args.bundle}}) << "\n";
  return kExitOk;
}

}  // namespace

void add_inspect(CLI::App& app, Run& run) {
  auto args = std::make_shared<InspectArgs>();
  auto* cmd = app.add_subcommand("inspect", "Show a bundle's public manifest (not verified)");
  cmd->footer(
      "Prints the dossier id, creation time, profile, signer key id and the size and BLAKE2b-512\n"
      "digest of every encrypted entry. Nothing is verified or decrypted: use dossier verify.\n\n"
      "Example:\n  dossier inspect CL-2026-0042.dossier --format json\n\n"
      "Exit codes: 0 the manifest was read, 1 the file is not a readable bundle, 2 usage error or\n"
      "BUNDLE does not exist.");
  cmd->add_option("BUNDLE", args->bundle, "The .dossier file")->required();
  add_output_options(*cmd, args->out, /*with_quiet=*/false);
  cmd->callback([&run, args] { run = [args] { return run_inspect(*args); }; });
}

}  // namespace dossier::cli

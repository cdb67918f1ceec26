// dossier seal PACKAGE -r RECIPIENT -s KEY -o OUT: check, encrypt for CoMensha, sign.
#include <unistd.h>

#include <iostream>
#include <memory>

#include "app/bundle.hpp"
#include "app/keys.hpp"
#include "cli/bundle_words.hpp"
#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "app/data_files.hpp"

namespace dossier::cli {
namespace {

struct SealArgs {
  std::string package;
  std::vector<std::string> recipients;
  std::string signing_key;
  std::string output;
  std::string passphrase_file;
  std::string profile;
  bool advice_request = false;
  bool no_reading_copy = false;
  std::string supplements;
  OutputArgs out;
};

int run_seal(const SealArgs& args) {
  const Lang lang = choose_lang(args.out.lang);
  const bool nl = lang == Lang::nl;
  const Catalogue messages = load_catalogue(lang);
  if (const int refused = refuse_unknown_profile(args.profile, lang); refused != kExitOk) return refused;
  auto recipients = app::load_recipients(args.recipients);
  if (!recipients) {
    return report_error(recipients.error(), nl ? "geef CoMensha's publieke sleutel: -r age1... of -r comensha.pub"
                                               : "name CoMensha's public key: -r age1... or -r comensha.pub");
  }
  auto key = app::load_signing_key(args.signing_key, passphrase_from(args.passphrase_file, messages), print_warning);
  if (!key) {
    if (key.error().code == Errc::bad_passphrase) return report_error(key.error(), passphrase_hint(lang));
    return report_error(key.error(), nl ? "geef uw geheime ondertekensleutel (dossier keygen --signing maakt er een)"
                                        : "name your secret signing key (dossier keygen --signing makes one)");
  }

  app::SealOptions options;
  options.check.profile = args.profile;
  options.check.data_dir = app::data_dir();
  options.recipients = std::move(*recipients);
  options.signer = &*key;
  options.advice_request = args.advice_request;
  options.reading_copy = !args.no_reading_copy;
  if (!args.supplements.empty()) options.supplements = args.supplements;
  const bool show_progress = !args.out.quiet && is_terminal(STDERR_FILENO);
  if (show_progress) {
    // Seal encrypts each document as the check reads it, then writes the bundle.
    options.check.progress = terminal_progress(nl ? "controleren en versleutelen" : "checking and encrypting");
    options.progress = terminal_progress(nl ? "bundel schrijven" : "writing the bundle");
  }
  auto sealed = app::seal_bundle(args.package, args.output, options, messages);
  if (show_progress) clear_progress();
  if (!sealed) {
    if (sealed.error().code == Errc::usage) {
      return report_error(sealed.error(), nl ? "kies met -o een nieuw bestand in een bestaande map"
                                             : "choose with -o a new file in an existing folder");
    }
    if (sealed.error().code == Errc::not_found) {
      return report_error(sealed.error(), nl ? "controleer het pad van het pakket en dat de map van -o bestaat"
                                             : "check the package path, and that the folder of -o exists");
    }
    return report_error(sealed.error(), nl ? "er is niets geschreven; los het probleem op en verzegel opnieuw"
                                           : "nothing was written; fix the problem and seal again");
  }
  if (args.out.format == "json") {
    nlohmann::ordered_json j;
    j["sealed"] = sealed->sealed;
    j["bundle"] = sealed->sealed ? nlohmann::ordered_json(args.output) : nlohmann::ordered_json(nullptr);
    j["manifest"] = sealed->sealed ? manifest_json(sealed->manifest) : nlohmann::ordered_json(nullptr);
    if (sealed->sealed && sealed->reading_copy) {
      nlohmann::ordered_json files = nlohmann::ordered_json::array();
      for (const auto& f : sealed->reading_copy_files)
        files.push_back({{"entry", f.entry}, {"role", f.role}, {"name", f.name}, {"size", f.size}, {"sha256", f.sha256}});
      j["reading_copy"] = {{"files", std::move(files)}, {"pages", sealed->reading_copy->pages}};
    } else {
      j["reading_copy"] = nullptr;
    }
    if (sealed->sealed && !sealed->reading_copy_error.empty()) j["reading_copy_error"] = sealed->reading_copy_error;
    if (sealed->sealed && options.supplements) j["carried"] = sealed->carried;
    j["check"] = to_json(sealed->report, lang);
    std::cout << j.dump(2) << "\n";
  } else if (!sealed->sealed) {
    std::cout << render_text(sealed->report, messages, use_colour(STDOUT_FILENO)) << "\n"
              << messages.get(sealed->report.verdict == Verdict::not_eligible ? "seal.refused-not-eligible" : "seal.refused")
              << "\n";
  } else {
    std::cout << messages.get("seal.done", {{"package", args.package},
                                            {"bundle", args.output},
                                            {"bytes", std::to_string(sealed->bytes)},
                                            {"recipients", std::to_string(options.recipients.size())}})
              << "\n"
              << manifest_text(sealed->manifest, "", messages);
    if (options.supplements) {
      std::cout << messages.get("seal.supplement", {{"base", args.supplements},
                                                    {"sent", std::to_string(sealed->manifest.entries.size() - 1 -
                                                                            sealed->reading_copy_files.size())},
                                                    {"carried", std::to_string(sealed->carried.size())}})
                << "\n";
    }
    if (sealed->reading_copy) {
      std::cout << messages.get("seal.reading-copy", {{"pages", std::to_string(sealed->reading_copy->pages)}}) << "\n";
    } else if (!sealed->reading_copy_error.empty()) {
      std::cout << messages.get("seal.reading-copy-failed", {{"why", sealed->reading_copy_error}}) << "\n";
    }
    std::cout << messages.get("seal.next", {{"bundle", args.output}}) << "\n";
  }
  return sealed->sealed ? kExitOk : kExitNotOk;
}

}  // namespace

void add_seal(CLI::App& app, Run& run) {
  auto args = std::make_shared<SealArgs>();
  auto* cmd = app.add_subcommand("seal", "Check a package, encrypt it for CoMensha and sign it");
  cmd->footer(
      "Runs `dossier check` first and refuses an incomplete package (nothing is written). A complete\n"
      "package becomes OUT: every document encrypted (age) for every recipient, with a public\n"
      "manifest signed (minisign) by your key. No plaintext is written anywhere, and OUT appears\n"
      "only when it is complete.\n\n"
      "The reading copy (what `dossier assemble` previews: dossier.pdf, the cover sheet and the\n"
      "report, in --lang) is made from the same bytes and sealed inside too; CoMensha's\n"
      "`dossier open` writes it out after verifying. --no-reading-copy leaves it out.\n\n"
      "A package that is complete but not eligible (a refusal ground CoMensha weighs applies: acute\n"
      "crisis, no residence right, ...) is sealed only with --advice-request: you ask CoMensha's\n"
      "advice, and the purpose is signed in the manifest for everyone to see.\n\n"
      "Examples:\n"
      "  dossier seal aanmelding -r comensha.pub -s zorgcoordinator.key -o CL-2026-0042.dossier\n"
      "  dossier seal aanmelding -r comensha.pub -s zorgcoordinator.key -o advies.dossier --advice-request\n"
      "  dossier seal aanmelding.zip -r age1... -r age1... -s mijn.key -o uit.dossier --format json\n"
      "  dossier seal aanmelding -r comensha.pub -s zorgcoordinator.key -o CL-2026-0042-2.dossier \\\n"
      "      --supplements CL-2026-0042.dossier     (after \"meer informatie nodig\": only what changed)\n\n"
      "Exit codes: 0 sealed, 1 not sealed (incomplete or unreadable package, or sealing failed),\n"
      "2 usage error, or a named file that does not exist, or OUT exists.");
  cmd->add_option("PACKAGE", args->package, "Package folder or .zip")->required();
  cmd->add_option("-r,--recipient", args->recipients, "CoMensha's public key: age1... or a file of them (repeatable)")
      ->required()
      ->allow_extra_args(false);  // -r KEY PACKAGE: PACKAGE is not a second key
  cmd->add_option("-s,--signing-key", args->signing_key, "Your secret signing key (dossier keygen --signing)")->required();
  cmd->add_option("-o,--output", args->output, "The bundle to write (must not exist)")->required();
  cmd->add_option("--passphrase-file", args->passphrase_file,
                  "Read the signing key's passphrase from the first line of FILE (default: ask)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--profile", args->profile, "Requirement profile id or file");
  cmd->add_flag("--no-reading-copy", args->no_reading_copy,
                "Seal the documents only, without the reading copy (a smaller bundle; CoMensha's open makes one)");
  cmd->add_option("--supplements", args->supplements,
                  "Answer CoMensha's request for more: a supplement to this earlier bundle of yours (.dossier); "
                  "only new or changed documents are sent")
      ->check(CLI::ExistingFile);
  cmd->add_flag("--advice-request", args->advice_request,
                "Ask CoMensha's advice; needed to seal a complete package that is not eligible");
  add_output_options(*cmd, args->out, /*with_quiet=*/true);
  cmd->callback([&run, args] { run = [args] { return run_seal(*args); }; });
}

}  // namespace dossier::cli

// dossier keygen: key pairs for signing (coordinators, minisign format) and for encryption
// (CoMensha, age format).
#include <iostream>
#include <memory>

#include "app/keys.hpp"
#include "cli/bundle_words.hpp"
#include "cli/commands.hpp"
#include "cli/common.hpp"

namespace dossier::cli {
namespace {

struct KeygenArgs {
  bool signing = false;
  bool encryption = false;
  std::string output;
  bool no_passphrase = false;
  std::string passphrase_file;
  std::string lang;
};

int run_keygen(const KeygenArgs& args) {
  const Lang lang = choose_lang(args.lang);
  const Catalogue messages = load_catalogue(lang);
  const bool nl = lang == Lang::nl;
  const std::string base = !args.output.empty() ? args.output : (args.signing ? "dossier-signing" : "dossier-encryption");
  std::optional<crypto::SecretBytes> pass;
  if (!args.no_passphrase) {
    auto p = passphrase_from(args.passphrase_file, messages).get(messages.get("passphrase.new-key"), /*confirm=*/true);
    if (!p)
      return report_error(p.error(), nl ? "of sla de geheime sleutel onbeschermd op met --no-passphrase (af te raden)"
                                        : "or use --no-passphrase to store the secret key unprotected (not recommended)");
    pass = std::move(*p);
  }
  const crypto::SecretBytes* pp = pass ? &*pass : nullptr;
  auto made = args.signing ? app::keygen_signing(base, pp) : app::keygen_encryption(base, pp);
  if (!made) return report_error(made.error(), nl ? "kies met -o NAAM een andere naam" : "choose another name with -o NAME");
  const std::string secret = made->secret_file.string(), pub = made->public_file.string();
  std::cout << messages.get(pp != nullptr ? "keygen.secret-protected" : "keygen.secret-unprotected", {{"file", secret}})
            << "\n"
            << messages.get("keygen.public", {{"file", pub}}) << "\n";
  if (args.signing) {
    std::cout << messages.get("keygen.key-id", {{"id", made->public_text}}) << "\n"
              << messages.get("keygen.give-signing", {{"file", pub}}) << "\n";
  } else {
    std::cout << messages.get("keygen.recipient", {{"recipient", made->public_text}}) << "\n"
              << messages.get("keygen.give-encryption", {{"file", pub}}) << "\n";
  }
  return kExitOk;
}

}  // namespace

void add_keygen(CLI::App& app, Run& run) {
  auto args = std::make_shared<KeygenArgs>();
  auto* cmd = app.add_subcommand("keygen", "Create a key pair: --signing (coordinator) or --encryption (CoMensha)");
  cmd->footer(
      "Writes NAME.key (secret, mode 0600, passphrase-protected unless --no-passphrase) and NAME.pub.\n"
      "Never overwrites a file. Signing keys are minisign keys; encryption keys are age keys, so\n"
      "Debian's minisign and age can use them too.\n\n"
      "Examples:\n"
      "  dossier keygen --signing -o zorgcoordinator      # coordinator: signs bundles\n"
      "  dossier keygen --encryption -o comensha           # CoMensha: opens bundles\n"
      "  dossier keygen --encryption -o test --no-passphrase");
  auto* g = cmd->add_option_group("kind", "Which key pair");
  g->add_flag("--signing", args->signing, "A minisign key pair for signing bundles");
  g->add_flag("--encryption", args->encryption, "An age key pair for receiving bundles");
  g->require_option(1);
  cmd->add_option("-o,--output", args->output, "Base name of the files (default dossier-signing / dossier-encryption)");
  cmd->add_flag("--no-passphrase", args->no_passphrase, "Store the secret key without a passphrase");
  cmd->add_option("--passphrase-file", args->passphrase_file, "Read the passphrase from the first line of FILE")
      ->check(CLI::ExistingFile);
  cmd->add_option("--lang", args->lang, "Language (default: from the locale)")->check(CLI::IsMember({"nl", "en"}));
  cmd->callback([&run, args] { run = [args] { return run_keygen(*args); }; });
}

}  // namespace dossier::cli

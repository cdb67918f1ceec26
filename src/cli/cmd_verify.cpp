// dossier verify BUNDLE -p SIGNER.pub: is this bundle exactly what the signer sealed? No secret key.
#include <unistd.h>

#include <iostream>
#include <memory>

#include "app/bundle.hpp"
#include "app/keys.hpp"
#include "cli/bundle_words.hpp"
#include "cli/commands.hpp"
#include "cli/common.hpp"

namespace dossier::cli {
namespace {

struct VerifyArgs {
  std::string bundle;
  std::vector<std::string> public_keys;
  OutputArgs out;
};

int run_verify(const VerifyArgs& args) {
  const Lang lang = choose_lang(args.out.lang);
  const bool nl = lang == Lang::nl;
  const Catalogue messages = load_catalogue(lang);
  auto keys = app::load_public_keys(args.public_keys);
  if (!keys) {
    return report_error(keys.error(), nl ? "geef de publieke sleutel van de afzender (.pub, minisign-formaat) of een map ervan"
                                         : "name the sender's public key (.pub, minisign format) or a folder of them");
  }
  auto v = app::verify_bundle(args.bundle, *keys);
  if (!v) return report_error(v.error(), nl ? "geef het pad van een .dossier-bestand" : "name a .dossier file");
  if (args.out.format == "json") {
    nlohmann::ordered_json j;
    j["bundle"] = args.bundle;
    j["valid"] = v->valid;
    j["signer_key_id"] = v->signer_key_id.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(v->signer_key_id);
    j["trusted_comment"] =
        v->trusted_comment.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(shown(v->trusted_comment));
    j["manifest"] = v->manifest ? manifest_json(*v->manifest) : nlohmann::ordered_json(nullptr);
    j["problems"] = nlohmann::ordered_json::array();
    for (const auto& p : v->problems) j["problems"].push_back(problem_json(p, messages));
    std::cout << j.dump(2) << "\n";
    return v->valid ? kExitOk : kExitNotOk;
  }
  if (v->manifest) {
    std::cout << manifest_text(*v->manifest, args.bundle, messages);
  } else {
    std::cout << field_line(messages, "bundle", args.bundle);
  }
  for (const auto& p : v->problems) std::cout << "✘ " << problem_text(p, messages) << "\n";
  std::cout << (v->valid ? messages.get("verify.valid", {{"signer", v->signer_key_id}})
                         : messages.get("verify.invalid", {{"count", std::to_string(v->problems.size())}}))
            << "\n";
  return v->valid ? kExitOk : kExitNotOk;
}

}  // namespace

void add_verify(CLI::App& app, Run& run) {
  auto args = std::make_shared<VerifyArgs>();
  auto* cmd = app.add_subcommand("verify", "Check a bundle's signature and integrity (no secret key needed)");
  cmd->footer(
      "Checks that BUNDLE was signed by the holder of SIGNER.pub (or of one of the keys in a folder\n"
      "of .pub files: CoMensha's register of care coordinators), that the signed comment belongs\n"
      "to its manifest, that the ZIP holds exactly the listed entries and that every entry has the\n"
      "signed size and BLAKE2b-512 digest. It decrypts nothing. docs/auditor-guide.md shows how to\n"
      "do the same with unzip, minisign and b2sum.\n\n"
      "Examples:\n"
      "  dossier verify CL-2026-0042.dossier -p zorgcoordinator.pub\n"
      "  dossier verify CL-2026-0042.dossier -p zorgcoordinator.pub --format json\n"
      "  dossier verify CL-2026-0042.dossier -p zorgcoordinatoren/      # any registered coordinator\n\n"
      "Exit codes: 0 valid, 1 not proven valid (any problem, damaged or hostile file),\n"
      "2 usage error or a named file that does not exist.");
  cmd->add_option("BUNDLE", args->bundle, "The .dossier file")->required();
  cmd->add_option("-p,--public-key", args->public_keys,
                  "The sender's public signing key (minisign .pub), or a folder of trusted keys (repeatable)")
      ->required()
      ->allow_extra_args(false);
  add_output_options(*cmd, args->out, /*with_quiet=*/false);
  cmd->callback([&run, args] { run = [args] { return run_verify(*args); }; });
}

}  // namespace dossier::cli

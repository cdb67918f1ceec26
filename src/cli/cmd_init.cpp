// dossier init DIR: scaffold a new referral package (the folders and a referral.xml to fill in).
#include <iostream>
#include <memory>

#include "app/init.hpp"
#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "app/data_files.hpp"
#include "core/profile.hpp"

namespace dossier::cli {
namespace {

struct InitArgs {
  std::string dir;
  std::string profile = "omm-eerste-fase";
  std::string lang;
};

int run_init(const InitArgs& args) {
  const Lang lang = choose_lang(args.lang);
  if (auto profile = app::load_profile(app::data_dir(), args.profile); !profile) {
    return report_error(profile.error(), profiles_hint(lang));
  }
  auto made = app::init_package(args.dir, app::data_dir(), args.profile);
  if (!made) {
    const bool exists = made.error().code == Errc::usage;
    return report_error(made.error(), !exists                ? std::string()
                                      : lang == Lang::nl ? "kies een nieuwe, nog niet bestaande map"
                                                         : "choose a new folder that does not exist yet");
  }
  if (lang == Lang::nl) {
    std::cout << "Nieuw aanmeldingspakket in " << args.dir << " (profiel " << args.profile << "):\n";
  } else {
    std::cout << "New referral package in " << args.dir << " (profile " << args.profile << "):\n";
  }
  for (const auto& line : *made) std::cout << "  " << line << "\n";
  std::cout << (lang == Lang::nl ? "Vul referral.xml in, zet de PDF's in de mappen en voer uit: dossier check "
                                 : "Fill in referral.xml, put the PDFs in the folders and run: dossier check ")
            << args.dir << "\n";
  return kExitOk;
}

}  // namespace

void add_init(CLI::App& app, Run& run) {
  auto args = std::make_shared<InitArgs>();
  auto* cmd = app.add_subcommand("init", "Create a new, empty referral package to fill in");
  cmd->footer(
      "Creates DIR with one folder per kind of evidence the profile asks for and a referral.xml\n"
      "with every field and a Dutch comment explaining it. DIR must not exist yet.\n\n"
      "Example:\n  dossier init aanmelding-CL-2026-0042");
  cmd->add_option("DIR", args->dir, "New package folder")->required();
  cmd->add_option("--profile", args->profile, "Requirement profile id");
  cmd->add_option("--lang", args->lang, "Language of the messages")->check(CLI::IsMember({"nl", "en"}));
  cmd->callback([&run, args] { run = [args] { return run_init(*args); }; });
}

}  // namespace dossier::cli

// dossier: complete, confidential and verifiable referral dossiers.
#include <unistd.h>

#include <iostream>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "app/signals.hpp"

int main(int argc, char** argv) {
  using namespace dossier::cli;
  CLI::App app{
      "dossier: make OMM referral dossiers complete, confidential and verifiable.\n\n"
      "A care coordinator checks a referral package (a folder or ZIP of PDFs plus referral.xml)\n"
      "against CoMensha's requirements before sending it.\n\n"
      "Start with:  dossier init mijn-aanmelding   then   dossier check mijn-aanmelding\n"
      "Then seal it for CoMensha:  dossier seal mijn-aanmelding -r comensha.pub -s mijn.key -o uit.dossier\n"
      "CoMensha opens it with dossier open; anyone verifies it with dossier verify.\n"
      "CoMensha answers with dossier decide (a signed, encrypted .besluit); the coordinator sends\n"
      "what was missing with dossier seal --supplements; dossier stats makes the yearly figures.\n"
      "Exit codes: 0 complete/valid, 1 not complete/not valid, 2 usage error or missing file.",
      "dossier"};
  app.set_version_flag("--version", DOSSIER_VERSION_STRING);
  app.require_subcommand(1);
  app.fallthrough();
  Run run;
  add_check(app, run);
  add_assemble(app, run);
  add_init(app, run);
  add_keygen(app, run);
  add_rules(app, run);
  add_seal(app, run);
  add_verify(app, run);
  add_open(app, run);
  add_inspect(app, run);
  add_serve(app, run);
  add_decide(app, run);
  add_stats(app, run);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }
  if (!run) return kExitUsage;
  // Ctrl-C, SIGTERM or SIGHUP: the unfinished output (decrypted documents, a half-written
  // bundle) is removed before the process ends; see docs/threat-model.md.
  const dossier::Lang lang = choose_lang("");
  dossier::app::remove_unfinished_output_on_signals([lang](int sig, const std::vector<std::string>& removed) {
    std::string line = lang == dossier::Lang::nl ? "\ndossier: onderbroken (signaal " + std::to_string(sig) + ")"
                                        : "\ndossier: interrupted (signal " + std::to_string(sig) + ")";
    if (!removed.empty()) {
      line += lang == dossier::Lang::nl ? "; onvoltooide uitvoer verwijderd: " : "; unfinished output removed: ";
      for (std::size_t i = 0; i < removed.size(); ++i) line += (i > 0 ? ", " : "") + removed[i];
    }
    line += "\n";
    (void)!::write(STDERR_FILENO, line.data(), line.size());
  });
  return run();
}

// dossier serve [WORKSPACE]: the coordinators' local web interface (docs/web.md).
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "app/data_files.hpp"
#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "web/server.hpp"

extern char** environ;

namespace dossier::cli {
namespace {

struct ServeArgs {
  std::string workspace = ".";
  int port = 0;
  bool open = false;
  std::string lang;
  std::vector<std::string> recipients;
  std::string signing_key;
};

// The browser, by xdg-open, when there is one; silent when not (the address is printed anyway).
void open_browser(const std::string& address) {
  std::string program = "xdg-open";
  std::string arg = address;
  char* argv[] = {program.data(), arg.data(), nullptr};
  pid_t pid = -1;
  if (posix_spawnp(&pid, "xdg-open", nullptr, nullptr, argv, environ) == 0) waitpid(pid, nullptr, WNOHANG);
}

int run_serve_command(const ServeArgs& args) {
  const Lang lang = choose_lang(args.lang);
  const bool nl = lang == Lang::nl;
  web::ServeOptions options;
  options.workspace = args.workspace;
  options.data_dir = app::data_dir();
  options.port = args.port;
  options.recipients = args.recipients;
  options.signing_key = args.signing_key;
  auto server = web::Server::create(options);
  if (!server) {
    const bool keys = !args.recipients.empty() || !args.signing_key.empty();
    if (server.error().code == Errc::not_found && server.error().message.ends_with("no such key file"))
      return report_error(server.error(), nl ? "geef met -s uw geheime ondertekensleutel (dossier keygen --signing maakt er een)"
                                             : "name your secret signing key with -s (dossier keygen --signing makes one)");
    if (server.error().code == Errc::not_found && server.error().message.find("recipient") != std::string::npos)
      return report_error(server.error(), nl ? "geef met -r CoMensha's publieke sleutel: age1... of comensha.pub"
                                             : "name CoMensha's public key with -r: age1... or comensha.pub");
    if (server.error().code == Errc::not_found)
      return report_error(server.error(), nl ? "geef een bestaande map met verwijzingspakketten" : "name an existing folder of referral packages");
    if (keys && server.error().code != Errc::io)
      return report_error(server.error(), nl ? "geef -r met CoMensha's publieke sleutel (age1... of comensha.pub) en -s met uw geheime ondertekensleutel"
                                             : "give -r with CoMensha's public key (age1... or comensha.pub) and -s with your secret signing key");
    return report_error(server.error(), nl ? "kies een andere poort met --port, of laat --port weg"
                                           : "choose another port with --port, or leave --port out");
  }
  const std::string address = (*server)->address();
  std::cout << (nl ? "dossier serve: open in uw browser (alleen op deze computer):\n  "
                   : "dossier serve: open in your browser (on this computer only):\n  ")
            << address << "\n"
            << (nl ? "Het adres bevat een sleutel voor deze sessie: deel het niet. Ctrl-C stopt de server.\n"
                   : "The address holds a key for this session: do not share it. Ctrl-C stops the server.\n")
            << std::flush;
  if (args.open) open_browser(address);
  (*server)->run();
  return kExitOk;
}

}  // namespace

void add_serve(CLI::App& app, Run& run) {
  auto args = std::make_shared<ServeArgs>();
  auto* cmd = app.add_subcommand("serve", "Start the local web interface for coordinators");
  cmd->footer(
      "Serves WORKSPACE (a folder of referral packages; default: the current folder) to the browser\n"
      "on this computer only (127.0.0.1), on a free port. Open the address it prints: it carries a\n"
      "key for this session, which the browser keeps as a cookie; without it every request is\n"
      "refused, as is any request from another site. Nothing leaves this computer; dossier reads\n"
      "and writes only inside WORKSPACE.\n\n"
      "Examples:\n"
      "  dossier serve ~/verwijzingen --open\n"
      "  dossier serve examples --port 8765\n"
      "  dossier serve ~/verwijzingen -r comensha.pub -s zorgcoordinator.key   # also seal from the page\n\n"
      "With -r and -s the page can seal a complete package: the passphrase of the signing key is typed\n"
      "in the page for each seal and never stored; the bundle goes into WORKSPACE/verzegeld/, is\n"
      "verified at once and can be downloaded.\n\n"
      "Exit codes: 0 stopped, 1 the server could not start, 2 usage error or WORKSPACE does not exist.");
  cmd->add_option("WORKSPACE", args->workspace, "Folder of referral packages (default: the current folder)");
  cmd->add_option("--port", args->port, "Port on 127.0.0.1 (default: a free one)")->check(CLI::Range(1, 65535));
  cmd->add_flag("--open", args->open, "Open the address in the browser (xdg-open)");
  cmd->add_option("-r,--recipient", args->recipients,
                  "To seal from the page: CoMensha's public key, age1... or a file of them (repeatable)");
  cmd->add_option("-s,--signing-key", args->signing_key,
                  "To seal from the page: your secret signing key (its passphrase is typed in the page)");
  cmd->add_option("--lang", args->lang, "Language of these messages: nl or en (default: from the locale)")
      ->check(CLI::IsMember({"nl", "en"}));
  cmd->callback([&run, args] { run = [args] { return run_serve_command(*args); }; });
}

}  // namespace dossier::cli

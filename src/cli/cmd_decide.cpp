// dossier decide [DECISION.xml] -b BUNDLE -k SENDER.pub -r RECIPIENT -s KEY -o OUT.besluit:
// CoMensha's decision on a referral, bound to its bundle, signed and encrypted for the
// care coordinator (docs/decisions.md).
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "app/check.hpp"
#include "app/data_files.hpp"
#include "app/decide.hpp"
#include "app/keys.hpp"
#include "cli/bundle_words.hpp"
#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "core/xml.hpp"

namespace dossier::cli {
namespace {

struct DecideArgs {
  std::string decision;
  std::string bundle;
  std::vector<std::string> senders;
  std::vector<std::string> recipients;
  std::string signing_key;
  std::string output;
  std::string record;
  std::string passphrase_file;
  bool print_template = false;
  std::string profile = "omm-eerste-fase";
  // Flags for the common cases, instead of a file.
  std::string client;
  std::string outcome;
  std::string provider;
  std::vector<std::string> grounds;   // ID=ASSESSMENT[:REASON]
  std::vector<std::string> missing;   // EVIDENCE[=TEXT]
  std::string explanation;
  std::string role;
  std::string date;
  std::string letter_lang;
  OutputArgs out;
};

// Flags go into attributes and text alike; the attribute escape is right for both.
std::string xml_escape(const std::string& s) { return dossier::xml_escape(s, /*attribute=*/true); }

// decision.xml from the flags; read and checked like any file afterwards.
Result<std::string> decision_from_flags(const DecideArgs& a, const std::string& profile, Lang lang) {
  if (a.client.empty() || a.outcome.empty()) {
    return fail(Errc::usage, "without a DECISION file, --client and --outcome are needed");
  }
  std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<decision version=\"1\" profile=\"" + xml_escape(profile) +
                  "\" lang=\"" + (a.letter_lang.empty() ? std::string(lang == Lang::nl ? "nl" : "en") : xml_escape(a.letter_lang)) +
                  "\">\n";
  x += "  <client pseudonym=\"" + xml_escape(a.client) + "\"/>\n";
  x += "  <date>" + xml_escape(a.date.empty() ? app::today_in_amsterdam() : a.date) + "</date>\n";
  x += "  <reviewer role=\"" + xml_escape(a.role.empty() ? (lang == Lang::nl ? "beoordelaar OMM" : "OMM reviewer") : a.role) +
       "\"/>\n  <grounds>\n";
  for (const auto& g : a.grounds) {
    const auto eq = g.find('=');
    if (eq == std::string::npos) return fail(Errc::usage, "--ground " + g + ": write ID=ASSESSMENT[:REASON], e.g. trafficking=not-met:no-documentation-trafficking");
    const std::string rest = g.substr(eq + 1);
    const auto colon = rest.find(':');
    x += "    <ground id=\"" + xml_escape(g.substr(0, eq)) + "\" assessment=\"" + xml_escape(rest.substr(0, colon)) + "\"";
    if (colon != std::string::npos) x += " reason=\"" + xml_escape(rest.substr(colon + 1)) + "\"";
    x += "/>\n";
  }
  x += "  </grounds>\n  <outcome type=\"" + xml_escape(a.outcome) + "\"";
  if (!a.provider.empty()) x += " provider=\"" + xml_escape(a.provider) + "\"";
  x += ">\n";
  for (const auto& m : a.missing) {
    const auto eq = m.find('=');
    x += "    <missing evidence=\"" + xml_escape(m.substr(0, eq)) + "\">" +
         (eq == std::string::npos ? "" : xml_escape(m.substr(eq + 1))) + "</missing>\n";
  }
  if (!a.explanation.empty()) x += "    <explanation>" + xml_escape(a.explanation) + "</explanation>\n";
  x += "  </outcome>\n</decision>\n";
  return x;
}

int run_template(const DecideArgs& a, Lang lang) {
  auto text = app::decision_template(app::data_dir(), a.letter_lang == "en" || (a.letter_lang.empty() && lang == Lang::en) ? Lang::en : Lang::nl,
                                     a.profile, a.client.empty() ? "CL-0000-0000" : a.client,
                                     a.date.empty() ? app::today_in_amsterdam() : a.date);
  if (!text) return report_error(text.error(), profiles_hint(lang));
  if (a.output.empty()) {
    std::cout << *text;
    return kExitOk;
  }
  if (auto w = app::write_new_file(a.output, *text, 0644); !w) {
    return report_error(w.error(), lang == Lang::nl ? "kies met -o een nieuw bestand" : "choose a new file with -o");
  }
  std::cout << (lang == Lang::nl ? "Sjabloon geschreven: " : "Template written: ") << a.output << "\n";
  return kExitOk;
}

int run_decide(const DecideArgs& args) {
  const Lang lang = choose_lang(args.out.lang);
  const bool nl = lang == Lang::nl;
  if (args.print_template) return run_template(args, lang);
  if (args.bundle.empty() || args.senders.empty() || args.recipients.empty() || args.signing_key.empty() ||
      args.output.empty()) {
    std::cerr << (nl ? "dossier: decide heeft -b, -k, -r, -s en -o nodig (of --template)\n"
                     : "dossier: decide needs -b, -k, -r, -s and -o (or --template)\n");
    return kExitUsage;
  }
  const Catalogue messages = load_catalogue(lang);
  std::string text;
  if (!args.decision.empty()) {
    auto file = app::read_decision_file(args.decision);
    if (!file) return report_error(file.error(), nl ? "geef een bestaand besluitbestand (dossier decide --template maakt er een)"
                                                    : "name an existing decision file (dossier decide --template makes one)");
    text = std::move(*file);
  } else {
    auto manifest = app::read_manifest(args.bundle);
    if (!manifest) return report_error(manifest.error(), nl ? "geef de bundel waarover u besluit" : "name the bundle you decide on");
    auto made = decision_from_flags(args, manifest->profile_id, lang);
    if (!made) return report_error(made.error(), nl ? "zie dossier decide --help" : "see dossier decide --help");
    text = std::move(*made);
  }
  auto senders = app::load_public_keys(args.senders);
  if (!senders) {
    return report_error(senders.error(), nl ? "geef met -k de publieke sleutel van de zorgcoördinator die de bundel verzegelde"
                                            : "name with -k the public key of the care coordinator who sealed the bundle");
  }
  auto recipients = app::load_recipients(args.recipients);
  if (!recipients) {
    return report_error(recipients.error(), nl ? "geef met -r de versleutelsleutel van de zorgcoördinator (age1... of een .pub)"
                                               : "name with -r the care coordinator's encryption key (age1... or a .pub)");
  }
  auto key = app::load_signing_key(args.signing_key, passphrase_from(args.passphrase_file, messages), print_warning);
  if (!key) {
    if (key.error().code == Errc::bad_passphrase) return report_error(key.error(), passphrase_hint(lang));
    return report_error(key.error(), nl ? "geef CoMensha's geheime ondertekensleutel" : "name CoMensha's secret signing key");
  }
  app::DecideOptions options;
  options.data_dir = app::data_dir();
  options.answered = args.bundle;
  options.senders = std::move(*senders);
  options.recipients = std::move(*recipients);
  options.signer = &*key;
  if (!args.record.empty()) options.record = args.record;
  auto decided = app::decide(text, args.output, options, messages);
  if (!decided) {
    if (decided.error().code == Errc::usage || decided.error().code == Errc::not_found) {
      return report_error(decided.error(), nl ? "kies met -o (en --record) nieuwe bestanden in een bestaande map"
                                              : "choose with -o (and --record) new files in an existing folder");
    }
    return report_error(decided.error(), nl ? "er is niets geschreven" : "nothing was written");
  }
  const auto& r = *decided;
  const bool from_flags = args.decision.empty();
  const std::string source = from_flags ? std::string(nl ? "de opties" : "the options") : args.decision;
  if (args.out.format == "json") {
    nlohmann::ordered_json j;
    j["sealed"] = r.sealed;
    j["besluit"] = r.sealed ? nlohmann::ordered_json(args.output) : nlohmann::ordered_json(nullptr);
    j["manifest"] = r.sealed ? manifest_json(r.manifest) : nlohmann::ordered_json(nullptr);
    j["issues"] = nlohmann::ordered_json::array();
    for (const auto& i : r.issues) j["issues"].push_back({{"line", i.line}, {"message", i.message}});
    j["problems"] = r.problems;
    if (r.answered) {
      j["answered"] = {{"bundle", args.bundle}, {"valid", r.answered->valid}};
      j["answered"]["problems"] = nlohmann::ordered_json::array();
      for (const auto& p : r.answered->problems) j["answered"]["problems"].push_back(problem_json(p, messages));
    }
    if (r.decision) j["outcome"] = r.decision->outcome;
    std::cout << j.dump(2) << "\n";
    return r.sealed ? kExitOk : kExitNotOk;
  }
  for (const auto& i : r.issues) {
    // Lines of the XML made from the flags mean nothing to the user: the option is in the message.
    std::cout << "✘ " << shown(source) << (i.line > 0 && !from_flags ? ":" + std::to_string(i.line) : "") << ": "
              << shown(i.message) << "\n";
  }
  if (r.answered && !r.answered->valid) {
    for (const auto& p : r.answered->problems) std::cout << "✘ " << shown(args.bundle) << ": " << problem_text(p, messages) << "\n";
  }
  for (const auto& p : r.problems) std::cout << "✘ " << shown(p) << "\n";
  if (!r.sealed) {
    std::cout << messages.get("decide.not-sealed", {{"file", source}}) << "\n";
    return kExitNotOk;
  }
  std::cout << messages.get("decide.done", {{"besluit", args.output},
                                            {"outcome", messages.get("decide.outcome." + r.decision->outcome)},
                                            {"pages", std::to_string(r.letter_pages)}})
            << "\n"
            << manifest_text(r.manifest, "", messages);
  if (!args.record.empty()) std::cout << messages.get("decide.recorded", {{"record", args.record}}) << "\n";
  std::cout << messages.get("decide.next", {{"besluit", args.output}}) << "\n";
  return kExitOk;
}

}  // namespace

void add_decide(CLI::App& app, Run& run) {
  auto args = std::make_shared<DecideArgs>();
  auto* cmd = app.add_subcommand("decide", "CoMensha: decide on a referral and seal the decision for the coordinator");
  cmd->footer(
      "Reads DECISION (decision.xml: schemas/decision.xsd; start from --template), checks it, binds it\n"
      "to BUNDLE (the referral it answers: its id and the SHA-256 of its signed manifest, verified\n"
      "with the coordinator's public key -k), renders the decision letter (PDF, in the decision's\n"
      "language) and seals both into OUT: encrypted to the coordinator (-r, age), signed with\n"
      "CoMensha's key (-s, minisign). The coordinator opens it with dossier open; anyone verifies\n"
      "it with dossier verify. --record FILE also keeps the bound decision.xml (for the case\n"
      "register that dossier stats reads).\n\n"
      "Instead of a file, flags for the common cases: --client, --outcome, --provider, --ground\n"
      "ID=ASSESSMENT[:REASON] (repeatable), --missing EVIDENCE[=TEXT] (repeatable), --explanation.\n\n"
      "Examples:\n"
      "  dossier decide --template --client CL-2026-0042 -o besluit.xml\n"
      "  dossier decide besluit.xml -b CL-2026-0042.dossier -k zorgcoordinator.pub \\\n"
      "      -r zorgcoordinator-versleuteling.pub -s comensha.key -o CL-2026-0042.besluit --record register/CL-2026-0042/besluit-1.xml\n"
      "  dossier decide -b CL-2026-0042.dossier -k zc.pub -r zc-age.pub -s comensha.key -o uit.besluit \\\n"
      "      --client CL-2026-0042 --outcome placed --provider \"OMM Voorbeeld\" --ground trafficking=met\n\n"
      "Exit codes: 0 sealed, 1 not sealed (the decision or the bundle is not valid), 2 usage error,\n"
      "a named file that does not exist, or OUT exists.");
  cmd->add_option("DECISION", args->decision, "decision.xml (see --template); or use the flags below");
  cmd->add_flag("--template", args->print_template, "Print a decision.xml to fill in (or write it to -o)");
  cmd->add_option("-b,--bundle", args->bundle, "The bundle (.dossier) this decision answers")->check(CLI::ExistingFile);
  cmd->add_option("-k,--sender-key", args->senders,
                  "The coordinator's public signing key (minisign .pub), or a folder of them (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("-r,--recipient", args->recipients,
                  "The coordinator's public encryption key: age1... or a file (repeatable; add CoMensha's own to keep a readable copy)")
      ->allow_extra_args(false);
  cmd->add_option("-s,--signing-key", args->signing_key, "CoMensha's secret signing key");
  cmd->add_option("-o,--output", args->output, "The .besluit to write (must not exist); with --template the XML file");
  cmd->add_option("--record", args->record, "Also write the bound decision.xml here (must not exist)");
  cmd->add_option("--passphrase-file", args->passphrase_file, "Read the signing key's passphrase from FILE")
      ->check(CLI::ExistingFile);
  cmd->add_option("--profile", args->profile, "With --template: the profile (default omm-eerste-fase)");
  cmd->add_option("--client", args->client, "The client's pseudonym");
  cmd->add_option("--outcome", args->outcome, "placed | refused | advice | more-information");
  cmd->add_option("--provider", args->provider, "With placed: the provider");
  cmd->add_option("--ground", args->grounds, "ID=met|not-met|not-assessed[:REASON] (repeatable)");
  cmd->add_option("--missing", args->missing, "With more-information: EVIDENCE[=what exactly] (repeatable)");
  cmd->add_option("--explanation", args->explanation, "Your explanation for the coordinator");
  cmd->add_option("--role", args->role, "The reviewer's role (not a name)");
  cmd->add_option("--date", args->date, "The decision's date, YYYY-MM-DD (default today)");
  cmd->add_option("--letter-lang", args->letter_lang, "The letter's language: nl (default) or en")
      ->check(CLI::IsMember({"nl", "en"}));
  add_output_options(*cmd, args->out, /*with_quiet=*/false);
  cmd->callback([&run, args] { run = [args] { return run_decide(*args); }; });
}

}  // namespace dossier::cli

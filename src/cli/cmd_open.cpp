// dossier open BUNDLE -i IDENTITY -p SIGNER.pub -o DIR: verify, decrypt, extract safely, re-check.
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

struct OpenArgs {
  std::string bundle;
  std::string identity;
  std::vector<std::string> public_keys;
  std::string output;
  std::string passphrase_file;
  std::string profile;
  std::string answers;  // a decision: the coordinator's own bundle it must answer
  std::vector<std::string> bases;  // a supplement: the bundles before it, oldest first
  OutputArgs out;
};

int run_open(const OpenArgs& args) {
  const Lang lang = choose_lang(args.out.lang);
  const bool nl = lang == Lang::nl;
  const Catalogue messages = load_catalogue(lang);
  if (const int refused = refuse_unknown_profile(args.profile, lang); refused != kExitOk) return refused;
  auto signers = app::load_public_keys(args.public_keys);
  if (!signers) {
    return report_error(signers.error(), nl ? "geef de publieke sleutel van de zorgcoördinator die verzegelde, of een map ervan"
                                            : "name the public key of the care coordinator who sealed it, or a folder of them");
  }
  auto ids = app::load_identities(args.identity, passphrase_from(args.passphrase_file, messages), print_warning);
  if (!ids) {
    if (ids.error().code == Errc::bad_passphrase) return report_error(ids.error(), passphrase_hint(lang));
    return report_error(ids.error(), nl ? "geef CoMensha's geheime sleutel (dossier keygen --encryption)"
                                        : "name CoMensha's secret key (dossier keygen --encryption)");
  }
  app::OpenOptions options;
  for (const auto& id : *ids) options.identities.push_back(&id);
  options.signers = std::move(*signers);
  options.check.profile = args.profile;
  options.check.data_dir = app::data_dir();
  if (!args.answers.empty()) {
    // The bundle a decision must answer: its verified manifest is what the decision is bound to.
    auto own = app::read_manifest(args.answers);
    if (!own) {
      return report_error(own.error(), nl ? "geef met --answers de bundel die u zelf verzegelde"
                                          : "name with --answers the bundle you sealed yourself");
    }
    options.expect_answers = bundle::BundleRef{own->dossier_id, app::manifest_sha256(*own)};
  }
  const bool show_progress = !args.out.quiet && is_terminal(STDERR_FILENO);
  if (show_progress) {
    options.progress = terminal_progress(nl ? "ontsleutelen" : "decrypting");
    options.check.progress = terminal_progress(nl ? "controle" : "checking");
  }
  std::vector<std::filesystem::path> bases(args.bases.begin(), args.bases.end());
  auto opened = bases.empty() ? app::open_bundle(args.bundle, args.output, options, messages)
                              : app::open_supplement(args.bundle, bases, args.output, options, messages);
  if (show_progress) clear_progress();
  if (!opened) {
    return report_error(opened.error(), nl ? "geef een bestaand .dossier-bestand en met -o een nieuwe map"
                                           : "name an existing .dossier file and, with -o, a new folder");
  }
  const auto& r = *opened;
  std::vector<app::BundleProblem> problems = r.verify.problems;
  if (r.error) problems.push_back(*r.error);
  // An advice request may have been sealed complete but not eligible: opening it is a success
  // when the re-check still says what was signed.
  const bool advice = r.verify.manifest && r.verify.manifest->purpose == "advice-request";
  const bool ok = (r.opened && r.decision) ||
                  (r.opened && r.report &&
                  (r.report->complete || (advice && r.report->verdict == Verdict::not_eligible &&
                                          r.verify.manifest->verdict == "not-eligible")));
  if (args.out.format == "json") {
    nlohmann::ordered_json j;
    j["bundle"] = args.bundle;
    j["valid"] = r.verify.valid;
    j["opened"] = r.opened;
    j["directory"] = r.opened ? nlohmann::ordered_json(args.output) : nlohmann::ordered_json(nullptr);
    j["manifest"] = r.verify.manifest ? manifest_json(*r.verify.manifest) : nlohmann::ordered_json(nullptr);
    j["files"] = r.files;
    if (!r.assembly_dir.empty()) {
      j["reading_copy"] = {{"directory", r.assembly_dir.string()},
                           {"files", r.assembly_files},
                           {"sealed", r.sealed_copy},
                           {"pages", r.assembly ? nlohmann::ordered_json(r.assembly->pages) : nlohmann::ordered_json(nullptr)}};
    } else {
      j["reading_copy"] = nullptr;
    }
    if (!r.assembly_error.empty()) j["reading_copy_error"] = r.assembly_error;
    j["problems"] = nlohmann::ordered_json::array();
    for (const auto& p : problems) j["problems"].push_back(problem_json(p, messages));
    j["check"] = r.report ? to_json(*r.report, lang) : nlohmann::ordered_json(nullptr);
    if (!bases.empty()) {
      nlohmann::ordered_json h = nlohmann::ordered_json::array();
      for (const auto& v : r.history)
        h.push_back({{"path", v.path}, {"sha256", v.sha256}, {"dossier_id", v.dossier_id}, {"created", v.created}, {"bundle", v.bundle}});
      j["history"] = std::move(h);
      j["removed"] = r.removed;
    }
    if (r.decision) {
      j["decision"] = {{"client", r.decision->client},
                       {"date", r.decision->date},
                       {"outcome", r.decision->outcome},
                       {"provider", r.decision->provider.empty() ? nlohmann::ordered_json(nullptr)
                                                                 : nlohmann::ordered_json(r.decision->provider)},
                       {"answers", {{"dossier_id", r.decision->answers->dossier_id},
                                    {"manifest_sha256", r.decision->answers->manifest_sha256},
                                    {"sealed", r.decision->answers->sealed}}}};
      nlohmann::ordered_json missing = nlohmann::ordered_json::array();
      for (const auto& m : r.decision->missing) missing.push_back({{"evidence", m.evidence}, {"text", m.text}});
      j["decision"]["missing"] = std::move(missing);
    }
    std::cout << j.dump(2) << "\n";
    return ok ? kExitOk : kExitNotOk;
  }
  if (r.verify.manifest) std::cout << manifest_text(*r.verify.manifest, args.bundle, messages);
  for (const auto& p : problems) std::cout << "✘ " << problem_text(p, messages) << "\n";
  if (!r.opened) {
    if (!r.verify.valid) {
      std::cout << messages.get("verify.invalid", {{"count", std::to_string(r.verify.problems.size())}}) << "\n";
    }
    std::cout << messages.get("open.failed", {{"dir", args.output}}) << "\n";
    return kExitNotOk;
  }
  if (r.decision) {
    const Decision& d = *r.decision;
    std::string outcome = messages.get("decide.outcome." + d.outcome);
    if (!d.provider.empty()) outcome += ": " + d.provider;
    std::cout << messages.get("verify.valid", {{"signer", r.verify.signer_key_id}}) << "\n"
              << shown(messages.get("open.decision", {{"client", d.client}, {"date", d.date}, {"outcome", outcome}})) << "\n";
    // What to add, by the profile's name and folder for each evidence type.
    const auto profile = app::load_profile(app::data_dir(), d.profile);
    for (const auto& m : d.missing) {
      const Evidence* e = profile ? profile->evidence_by_id(m.evidence) : nullptr;
      const std::string what = e != nullptr ? e->name.get(lang) + " (" + e->folder + "/)" : m.evidence;
      std::cout << "  - " << shown(what) << (m.text.empty() ? "" : ": " + shown(m.text)) << "\n";
    }
    std::cout << shown(messages.get("open.decision-files", {{"dir", args.output}, {"letter", r.files.at(1)}})) << "\n";
    return kExitOk;
  }
  std::cout << messages.get("verify.valid", {{"signer", r.verify.signer_key_id}}) << "\n"
            << messages.get("open.done", {{"bundle", args.bundle}, {"dir", args.output}, {"count", std::to_string(r.files.size())}})
            << "\n";
  if (!bases.empty()) {
    std::cout << messages.get("open.history", {{"count", std::to_string(bases.size() + 1)}}) << "\n";
    for (const auto& v : r.history) {
      const std::string from = v.bundle == 0 ? args.bases.front() : (v.bundle < bases.size() ? args.bases[v.bundle] : args.bundle);
      std::cout << "  " << shown(v.path) << "  ← " << shown(from) << " (" << v.created << ")\n";
    }
    for (const auto& p : r.removed) std::cout << "  " << shown(p) << "  ✕ " << messages.get("open.history-removed") << "\n";
  }
  const std::filesystem::path& dir = r.assembly_dir;
  const auto file = [&](std::size_t k) { return (dir / r.assembly_files.at(k)).string(); };
  if (r.sealed_copy) {
    // dossier.pdf, the cover sheet and the report as sealed, then open's own report (when made).
    std::cout << messages.get("open.reading-copy-sealed", {{"dossier", file(0)}, {"cover", file(1)}, {"sealed_report", file(2)}})
              << "\n";
    if (r.assembly_files.size() > 3) std::cout << messages.get("open.reading-copy-report", {{"report", file(3)}}) << "\n";
  } else if (r.assembly && !dir.empty()) {
    std::cout << messages.get("open.reading-copy", {{"dossier", file(0)},
                                                    {"pages", std::to_string(r.assembly->pages)},
                                                    {"cover", file(1)},
                                                    {"report", file(2)}})
              << "\n";
  }
  if (!r.assembly_error.empty()) std::cout << messages.get("open.reading-copy-failed", {{"why", r.assembly_error}}) << "\n";
  std::cout << "\n"
            << messages.get("open.recheck") << "\n"
            << render_text(*r.report, messages, use_colour(STDOUT_FILENO),
                           {"open.verdict.complete", advice && r.verify.manifest->verdict == "not-eligible"
                                                         ? "open.verdict.not-eligible"
                                                         : "report.verdict.not-eligible"});
  return ok ? kExitOk : kExitNotOk;
}

}  // namespace

void add_open(CLI::App& app, Run& run) {
  auto args = std::make_shared<OpenArgs>();
  auto* cmd = app.add_subcommand("open", "Verify a bundle, decrypt it into a new folder and check it again");
  cmd->footer(
      "Verifies BUNDLE against the sender's public key (or a folder of the registered coordinators'\n"
      "keys) first, as dossier verify does, then decrypts\n"
      "every document with your key into a private working folder next to DIR, checks each against\n"
      "the signed digests, keeps only safe file names, runs the check on the result and only then\n"
      "renames the working folder to DIR. On any failure nothing is left behind.\n\n"
      "Examples:\n"
      "  dossier open CL-2026-0042.dossier -i comensha.key -p zorgcoordinator.pub -o CL-2026-0042\n"
      "  dossier open CL-2026-0042.dossier -i comensha.key -p zorgcoordinatoren/ -o CL-2026-0042\n"
      "  dossier open uit.dossier -i comensha.key -p zc.pub -o uit --passphrase-file pass.txt --format json\n"
      "  dossier open CL-2026-0042.besluit -i zorgcoordinator-versleuteling.key -p comensha.pub -o besluit \\\n"
      "      --answers CL-2026-0042.dossier      (a decision: decision.xml and the letter)\n\n"
      "Exit codes: 0 opened and complete, 1 not opened (not valid, not sealed for your key,\n"
      "damaged) or opened but no longer complete under the current profile, 2 usage error, a\n"
      "named file that does not exist, or DIR exists.");
  cmd->add_option("BUNDLE", args->bundle, "The .dossier file")->required();
  cmd->add_option("-i,--identity", args->identity, "Your secret key (age identity file)")->required();
  cmd->add_option("-p,--public-key", args->public_keys,
                  "The sender's public signing key (minisign .pub), or a folder of trusted keys (repeatable)")
      ->required()
      ->allow_extra_args(false);
  cmd->add_option("-o,--output", args->output, "New folder to extract into (must not exist)")->required();
  cmd->add_option("--passphrase-file", args->passphrase_file,
                  "Read the identity's passphrase from the first line of FILE (default: ask)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--profile", args->profile, "Requirement profile for the re-check");
  cmd->add_option("--base", args->bases,
                  "A supplement: the bundles before it, the first referral first (repeatable); DIR gets the whole "
                  "current package")
      ->check(CLI::ExistingFile)
      ->allow_extra_args(false);
  cmd->add_option("--answers", args->answers,
                  "A decision (.besluit): open it only if it answers this bundle of yours (the .dossier you sealed)")
      ->check(CLI::ExistingFile);
  add_output_options(*cmd, args->out, /*with_quiet=*/true);
  cmd->callback([&run, args] { run = [args] { return run_open(*args); }; });
}

}  // namespace dossier::cli

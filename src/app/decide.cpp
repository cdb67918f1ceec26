#include "app/decide.hpp"

#include <system_error>

#include "app/data_files.hpp"
#include "app/decision_letter.hpp"
#include "app/keys.hpp"
#include "core/text.hpp"
#include "io/fd.hpp"

namespace dossier::app {

namespace fs = std::filesystem;

Result<std::string> read_decision_file(const fs::path& file) {
  return io::read_named_file(file, bundle::kMaxDecisionBytes);
}

Result<DecideResult> decide(std::string_view decision_xml, const fs::path& out, const DecideOptions& options,
                            const Catalogue& messages) {
  if (options.recipients.empty()) return fail(Errc::usage, "no recipients: name the care coordinator's public key with -r");
  if (options.signer == nullptr) return fail(Errc::usage, "no signing key: name CoMensha's with -s");
  if (options.senders.empty()) return fail(Errc::usage, "no sender key: name the care coordinator's public key with -k");
  std::error_code ec;
  for (const auto& p : {std::optional<fs::path>(out), options.record}) {
    if (p && fs::exists(fs::symlink_status(*p, ec))) {
      return fail(Errc::usage, p->string() + " already exists; dossier never replaces it");
    }
  }
  DecideResult r;
  auto xsd = read_data_file(options.data_dir + "/schemas/decision.xsd");
  if (!xsd) return tl::unexpected(xsd.error());
  const auto schema = XmlSchema::compile(*xsd);
  if (!schema) return fail(Errc::internal, "schemas/decision.xsd does not compile");
  DecisionRead read = read_decision(decision_xml, schema.get());
  r.issues = std::move(read.issues);
  if (!read.decision || !r.issues.empty()) return r;
  Decision d = std::move(*read.decision);

  auto verified = verify_bundle(options.answered, options.senders);
  if (!verified) return tl::unexpected(verified.error());
  r.answered = std::move(*verified);
  if (!r.answered->valid) return r;
  const Manifest& answered = *r.answered->manifest;
  if (answered.purpose == "decision") {
    r.problems.push_back("the bundle " + options.answered.string() +
                         " is itself a decision; a decision answers a referral or an advice request");
  }
  const DecisionBinding binding{answered.dossier_id, manifest_sha256(answered), answered.created};
  if (d.answers && !(*d.answers == binding)) {
    r.problems.push_back("decision.xml already answers bundle " + d.answers->dossier_id + " (or another version of it), not " +
                         options.answered.string() + " (" + answered.dossier_id + "): remove <answers> or decide on that bundle");
  }
  d.answers = binding;
  auto profile = load_profile(options.data_dir, d.profile);
  if (!profile) {
    r.problems.push_back("profile '" + d.profile + "': " + profile.error().message);
    return r;
  }
  if (answered.profile_id != profile->id()) {
    r.problems.push_back("the decision is for profile '" + d.profile + "', the bundle was checked against '" +
                         answered.profile_id + "'");
  }
  for (auto& p : check_decision_against(d, *profile)) r.problems.push_back(std::move(p));
  if (!r.problems.empty()) return r;

  const LetterContext ctx{answered.dossier_id, answered.created, options.signer->key_id_hex()};
  auto letter = render_decision_letter(d, *profile, messages, ctx);
  if (!letter) return tl::unexpected(letter.error());
  r.letter_pages = static_cast<std::uint64_t>(letter->pages);

  DecisionSeal seal;
  seal.decision_xml = d.serialise();
  seal.letter_pdf = std::move(letter->pdf);
  seal.letter_name = d.lang == "en" ? "decision.pdf" : "besluit.pdf";
  seal.profile_id = profile->id();
  seal.profile_version = profile->version();
  seal.answers = bundle::BundleRef{answered.dossier_id, binding.manifest_sha256};
  seal.recipients = options.recipients;
  seal.signer = options.signer;
  auto sealed = seal_decision(out, seal);
  if (!sealed) return tl::unexpected(sealed.error());
  if (options.record) {
    if (auto w = write_new_file(*options.record, seal.decision_xml, 0600); !w) {
      fs::remove(out, ec);  // all or nothing
      return tl::unexpected(w.error());
    }
  }
  r.sealed = true;
  r.manifest = std::move(*sealed);
  r.decision = std::move(d);
  return r;
}

Result<std::string> decision_template(const std::string& data_dir, Lang lang, const std::string& profile_id,
                                      const std::string& pseudonym, const std::string& date) {
  auto profile = load_profile(data_dir, profile_id);
  if (!profile) return tl::unexpected(profile.error());
  auto text = read_data_file(data_dir + (lang == Lang::en ? "/templates/decision-template.en.xml"
                                                           : "/templates/decision-template.xml"));
  if (!text) return tl::unexpected(text.error());
  std::string evidence;
  for (const auto& e : profile->evidence()) evidence += (evidence.empty() ? "" : ", ") + e.id;
  std::string out = *text;
  const std::pair<std::string, std::string> fills[] = {
      {"{profile}", profile->id()}, {"{pseudonym}", pseudonym}, {"{date}", date}, {"{evidence}", evidence}};
  for (const auto& [key, value] : fills) {
    for (auto at = out.find(key); at != std::string::npos; at = out.find(key, at + value.size())) {
      out.replace(at, key.size(), value);
    }
  }
  return out;
}

}  // namespace dossier::app

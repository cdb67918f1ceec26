// dossier decide: CoMensha's decision on one referral, sealed for the care coordinator
// (docs/decisions.md).
//
//   1. decision.xml is read as strictly as referral.xml (core/xml) and checked: the schema,
//      the rules between fields (core/decision), the profile it names;
//   2. the bundle it answers is verified with the senders' public keys (no secret key) and
//      must be a referral or an advice request for the same profile;
//   3. decision.xml is bound to that bundle (its dossier id, the SHA-256 of its signed manifest
//      and the time it was sealed) and written in its canonical form;
//   4. the decision letter is rendered (app/decision_letter), and decision.xml and the letter are
//      sealed into OUT: encrypted to the coordinator (age), signed by CoMensha (minisign), with
//      purpose "decision" and the answered bundle named in the signed manifest.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/bundle.hpp"
#include "core/decision.hpp"
#include "core/messages.hpp"
#include "core/result.hpp"

namespace dossier::app {

struct DecideOptions {
  std::string data_dir;
  std::filesystem::path answered;                           // the bundle decided on
  std::vector<crypto::minisign::PublicKey> senders;         // the coordinators' keys it may be signed with
  std::vector<crypto::age::X25519Recipient> recipients;     // the coordinator's encryption key (and CoMensha's own)
  const crypto::minisign::SecretKey* signer = nullptr;      // CoMensha's signing key
  std::optional<std::filesystem::path> record;              // also write the bound decision.xml here (a new file)
};

struct DecideResult {
  std::vector<XmlIssue> issues;         // decision.xml is not a valid decision (with lines)
  std::vector<std::string> problems;    // it does not fit the profile or the answered bundle
  std::optional<VerifyResult> answered; // the answered bundle's verification
  bool sealed = false;
  std::optional<Decision> decision;     // bound, as sealed
  Manifest manifest;                    // OUT's, when sealed
  std::uint64_t letter_pages = 0;
};

// Errors: usage (OUT or the record exists, no recipients or signer), not_found (the answered
// bundle, OUT's folder), io. A decision that is not valid, or an answered bundle that is not,
// is not an error: sealed == false, with the reasons, and nothing is written.
Result<DecideResult> decide(std::string_view decision_xml, const std::filesystem::path& out,
                            const DecideOptions& options, const Catalogue& messages);

// The template `dossier decide --template` prints: templates/decision-template[.en].xml with
// the profile, pseudonym, date and the profile's evidence types filled in.
Result<std::string> decision_template(const std::string& data_dir, Lang lang, const std::string& profile_id,
                                      const std::string& pseudonym, const std::string& date);

// A decision.xml the user names (at most bundle::kMaxDecisionBytes).
Result<std::string> read_decision_file(const std::filesystem::path& file);


}  // namespace dossier::app

// decision.xml: CoMensha's assessment of one referral (schemas/decision.xsd, docs/decisions.md).
//
// Read with the same hardening as referral.xml (core/xml.hpp), then checked against the
// profile it names: every ground and evidence type must be the profile's, and the outcome must
// agree with the grounds (placed: no ground not met; refused: at least one not met; more
// information: at least one piece of evidence to add). serialise() writes the one canonical form
// dossier seals, so a decision has one meaning wherever it is read.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/profile.hpp"
#include "core/result.hpp"
#include "core/xml.hpp"

namespace dossier {

// The values of decision.xsd, in schema order.
const std::vector<std::string>& decision_assessments();  // met, not-met, not-assessed
const std::vector<std::string>& decision_reasons();      // missing-documents, ..., other
const std::vector<std::string>& decision_outcomes();     // placed, refused, advice, more-information

struct DecisionBinding {
  std::string dossier_id;       // 32 lowercase hex digits
  std::string manifest_sha256;  // of the answered bundle's META-INF/manifest.xml, 64 hex digits
  std::string sealed;           // the answered bundle's creation time, YYYY-MM-DDTHH:MM:SSZ
  bool operator==(const DecisionBinding&) const = default;
};

struct GroundAssessment {
  std::string ground;      // known_grounds()
  std::string assessment;  // decision_assessments()
  std::string reason;      // decision_reasons() or ""
  std::string text;        // the reviewer's words, may be ""
};

struct MissingEvidence {
  std::string evidence;  // the profile's evidence id
  std::string text;      // what exactly, may be ""
};

struct Decision {
  std::string profile;
  std::string lang = "nl";
  std::optional<DecisionBinding> answers;
  std::string client;         // the referral's pseudonym
  std::string date;           // YYYY-MM-DD
  std::string reviewer_role;
  std::vector<GroundAssessment> grounds;  // schema order as written; at most one per ground
  std::string outcome;        // decision_outcomes()
  std::string provider;       // placed only
  std::vector<MissingEvidence> missing;   // more-information only
  std::string explanation;

  // The assessment of `ground` ("not-assessed" when the decision does not name it).
  const GroundAssessment* ground(std::string_view id) const;
  // The canonical decision.xml dossier seals (UTF-8, LF, grounds in known_grounds() order).
  std::string serialise() const;
};

struct DecisionRead {
  std::optional<Decision> decision;  // when the file could be read (it may still have issues)
  std::vector<XmlIssue> issues;      // schema and consistency problems, with lines
  bool valid() const noexcept { return decision.has_value() && issues.empty(); }
};

// Reads decision.xml: the hardened XML read with `schema` (schemas/decision.xsd), then the
// rules between fields that a schema cannot say.
DecisionRead read_decision(std::string_view text, const XmlSchema* schema, const XmlLimits& limits = {});

// Problems of a decision against the profile it is for: the profile's id, evidence types it
// knows. Technical English; an empty list is a decision that fits.
std::vector<std::string> check_decision_against(const Decision& d, const Profile& profile);

}  // namespace dossier

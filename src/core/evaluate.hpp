// The rule engine: profile + referral facts + document facts -> one finding per rule.
// Pure: no I/O, deterministic, in the profile's rule order.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/messages.hpp"
#include "core/model.hpp"
#include "core/profile.hpp"
#include "core/referral.hpp"

namespace dossier {

struct CheckInput {
  const Profile* profile = nullptr;
  const Referral* referral = nullptr;
  std::string referral_text;               // for inspections that read the raw text (no-bsn)
  std::vector<DocumentFacts> documents;    // every file of the package except referral.xml
  std::optional<std::string> package_error;  // set when the package itself could not be read
  std::string check_date;                  // ISO yyyy-mm-dd: "today" for dates and validity ($today in XPath)
  std::string template_text;               // templates/referral-template.xml, for the placeholders inspection
};

std::vector<Finding> evaluate(const CheckInput& input, const Catalogue& messages);

// incomplete when a completeness rule failed, else not-eligible when an eligibility rule
// failed, else complete (warnings and info allowed).
Verdict verdict_of(const std::vector<Finding>& findings);

// Complete when no finding failed (warnings and info allowed).
bool is_complete(const std::vector<Finding>& findings);

// The XPath variables rules may use: $today (the check date as the number yyyymmdd).
pugi::xpath_variable_set xpath_variables(const std::string& check_date);

}  // namespace dossier

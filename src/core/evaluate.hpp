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
};

std::vector<Finding> evaluate(const CheckInput& input, const Catalogue& messages);

// Complete when no finding failed (warnings and info allowed).
bool is_complete(const std::vector<Finding>& findings);

}  // namespace dossier

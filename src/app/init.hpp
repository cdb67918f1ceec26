// `dossier init`: scaffold a package folder for a profile.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace dossier::app {

// Creates `dir` (which must not exist) with the profile's evidence folders and a referral.xml
// from templates/referral-template.xml. Built in a temporary sibling and renamed into place, so
// a failure leaves nothing behind. Returns the paths created, relative to `dir`.
Result<std::vector<std::string>> init_package(const std::filesystem::path& dir, const std::string& data_dir,
                                              const std::string& profile_id);

}  // namespace dossier::app

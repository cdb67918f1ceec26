// `dossier check`: read a package, inspect every document, evaluate the profile.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>

#include "core/messages.hpp"
#include "core/report.hpp"
#include "core/result.hpp"
#include "io/package.hpp"
#include "io/pdf_inspect.hpp"

namespace dossier::app {

inline constexpr const char* kDefaultProfile = "omm-eerste-fase";

struct CheckOptions {
  std::string profile;  // id or path; empty: referral.xml's profile attribute, else the default
  std::string data_dir;
  io::PackageLimits package_limits{};
  io::PdfLimits pdf_limits{};
  // Called before each document is inspected (index from 0); may be empty.
  std::function<void(std::size_t index, std::size_t count, const std::string& path)> progress;
};

// Errors are only for what the user must fix in the command (Errc::not_found for a missing
// package, Errc::usage for an unknown profile). A package that exists but is damaged, hostile
// or incomplete gives a Report whose findings say so.
Result<Report> run_check(const std::filesystem::path& package, const CheckOptions& options,
                         const Catalogue& messages);

// The same on a package that is already open (seal uses this to check what it encrypts).
Result<Report> run_check(const io::Package& package, const std::string& display_name,
                         const CheckOptions& options, const Catalogue& messages);

std::string sha256_hex(std::span<const std::uint8_t> bytes);

}  // namespace dossier::app

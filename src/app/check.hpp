// `dossier check`: read a package, inspect every document, evaluate the profile.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>

#include "core/messages.hpp"
#include "core/profile.hpp"
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
  // The date the check judges against (ISO yyyy-mm-dd); empty: the DOSSIER_DATE environment
  // variable when it holds a valid date, else today in Europe/Amsterdam.
  std::string check_date;
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

// Reads the text of one document as evidence of its type d.evidence (the facts the profile
// declares; d.has_text must be set) and, when it is not evidence, as each other type, to say
// where it seems to belong (d.reads_like). The text stays with the caller; only facts are kept.
void read_evidence(const std::string& text, const Profile& profile, DocumentFacts& d);

// Today's date in Europe/Amsterdam (CET/CEST, EU summer-time rules), ISO yyyy-mm-dd.
std::string today_in_amsterdam();

// True for an ISO yyyy-mm-dd that is a real calendar date.
bool valid_check_date(const std::string& iso);

}  // namespace dossier::app

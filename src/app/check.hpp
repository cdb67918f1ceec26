// `dossier check`: read a package, inspect every document, evaluate the profile.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/messages.hpp"
#include "core/profile.hpp"
#include "core/report.hpp"
#include "core/result.hpp"
#include "io/package.hpp"
#include "io/pdf_inspect.hpp"

namespace dossier::app {

inline constexpr const char* kDefaultProfile = "omm-eerste-fase";
// The time budget of one check of a whole package (docs/limits.md, "Time").
inline constexpr unsigned kDefaultTimeLimitSeconds = 600;

struct CheckOptions {
  std::string profile;  // id or path; empty: referral.xml's profile attribute, else the default
  std::string data_dir;
  io::PackageLimits package_limits{};
  io::PdfLimits pdf_limits{};
  // The date the check judges against (ISO yyyy-mm-dd); empty: the DOSSIER_DATE environment
  // variable when it holds a valid date, else today in Europe/Amsterdam.
  std::string check_date;
  // Seconds the whole check may take; 0: DOSSIER_TIME_LIMIT when it holds a whole number of
  // seconds (1 or more), else kDefaultTimeLimitSeconds. Documents not read when it runs out fail
  // documents.readable as not-read, and running inspections are stopped.
  unsigned time_limit_seconds = 0;
  // Documents inspected at once; 0: the hardware concurrency. With ocr_threads left at 0 in
  // pdf_limits, each inspection then recognises pages with hardware concurrency / this many
  // threads (at least one), so the check keeps about one busy thread per core.
  unsigned parallel = 0;
  // Called on the calling thread before each document is inspected (index from 0) and as its
  // pages are read ("path (done/total)"); documents are inspected in parallel, so the calls of
  // several documents interleave. May be empty.
  std::function<void(std::size_t index, std::size_t count, const std::string& path)> progress;
  // A share in the check's one read of each document (seal encrypts what the check reads, so
  // every byte sealed is a byte judged, and each document is read once). Called on the thread
  // that reads the document, with its index (as in Report::documents): piece() with each piece
  // of its bytes in order, then end() once it was read whole. A document the check does not read
  // (too large, or not reached within the time budget) gets neither; such a package is not
  // complete. An error from either stops the check, and check_package returns it. Calls for
  // different documents may run at the same time. Both empty: no tap.
  struct Tap {
    std::function<Result<void>(std::size_t index, std::span<const std::uint8_t> piece)> piece;
    std::function<Result<void>(std::size_t index)> end;
  } tap;
};

// What one check read: the report, and referral.xml exactly as it was judged (nullopt when the
// package has none or it could not be read), so that seal encrypts the very bytes it checked.
struct CheckedPackage {
  Report report;
  std::optional<std::string> referral_xml;
  // Per document (as Report::documents), the text layers of its pages read by OCR, for the
  // assembly (kept in memory only: they hold the documents' text).
  std::vector<std::vector<io::PdfInfo::TextLayer>> text_layers;
  // Per document, its first page's picture when OCR rendered it (io/thumbnail.hpp), else empty.
  std::vector<std::string> thumbnails;
};

// Errors are only for what the user must fix in the command (Errc::not_found for a missing
// package, Errc::usage for an unknown profile). A package that exists but is damaged, hostile
// or incomplete gives a Report whose findings say so.
Result<Report> run_check(const std::filesystem::path& package, const CheckOptions& options,
                         const Catalogue& messages);

// The same on a package that is already open.
Result<Report> run_check(const io::Package& package, const std::string& display_name,
                         const CheckOptions& options, const Catalogue& messages);

// The same, also returning the referral.xml it judged (seal encrypts that buffer).
Result<CheckedPackage> check_package(const io::Package& package, const std::string& display_name,
                                     const CheckOptions& options, const Catalogue& messages);

// The time budget options resolve to (see CheckOptions::time_limit_seconds).
unsigned time_limit_of(const CheckOptions& options);

// A time limit as given to --time-limit or in DOSSIER_TIME_LIMIT: whole seconds, 1 to a week.
inline constexpr unsigned kMaxTimeLimitSeconds = 7 * 24 * 3600;
std::optional<unsigned> parse_time_limit(std::string_view text);

// Reads the text of one document as evidence of its type d.evidence (the facts the profile
// declares; d.has_text must be set) and, when it is not evidence, as each other type, to say
// where it seems to belong (d.reads_like). The text stays with the caller; only facts are kept.
void read_evidence(const std::string& text, const Profile& profile, DocumentFacts& d);

// Today's date in Europe/Amsterdam (CET/CEST, EU summer-time rules), ISO yyyy-mm-dd.
std::string today_in_amsterdam();

// True for an ISO yyyy-mm-dd that is a real calendar date.
bool valid_check_date(const std::string& iso);

}  // namespace dossier::app

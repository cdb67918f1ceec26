// Pure text helpers for extracted document text: folding of case and common diacritics,
// and finding calendar dates (Dutch, English, ISO). Whole-word matching: core/evidence.hpp.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dossier {

// Lower-cases ASCII and folds common Latin diacritics (UTF-8 U+00C0..U+017F, e.g.
// "É" -> "e", "ë" -> "e", "ß" -> "ss") so that comparisons are accent-insensitive.
// Other bytes are kept as they are.
std::string fold_text(std::string_view text);

// The first date in text, as ISO "yyyy-mm-dd". Recognised forms (years 1900..2099,
// checked against the calendar, so 31-02-2024 is skipped):
//   2024-03-12, 12-03-2024, 12/03/2024, 12.03.2024 (day first, Dutch order),
//   12 maart 2024, 12 mrt. 2024, 1 March 2024, March 12, 2024.
std::optional<std::string> find_first_date(std::string_view text);

// Every date in text, in order, with the byte offset where it starts in fold_text(text)
// (which has the same length as `folded` when text is already folded). Besides the forms of
// find_first_date: 2-10-26 and 02/10/26 (two-digit years: 00-69 -> 20xx, 70-99 -> 19xx).
struct DateHit {
  std::size_t pos = 0;
  std::string iso;
};
std::vector<DateHit> find_dates(std::string_view folded);

// Days since 1970-01-01 of an ISO yyyy-mm-dd date; nullopt when it is not one.
std::optional<long> iso_days(std::string_view iso);

// text without leading and trailing spaces, tabs and line breaks.
std::string trim_space(std::string_view text);

// True if y-m-d is a real calendar date (Gregorian).
bool valid_date(int year, int month, int day) noexcept;

}  // namespace dossier

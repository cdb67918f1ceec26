// Pure text helpers for extracted document text: keyword search that ignores case
// and common diacritics, and finding the first calendar date (Dutch, English, ISO).
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

// Returns those keywords (in the given order, spelled as given, without duplicates)
// that occur in text as a substring after folding both sides with fold_text.
// Substring matching finds Dutch compounds ("arbeidsuitbuiting" matches "uitbuiting").
// Empty keywords never match.
std::vector<std::string> find_keywords(std::string_view text,
                                       const std::vector<std::string>& keywords);

// The first date in text, as ISO "yyyy-mm-dd". Recognised forms (years 1900..2099,
// checked against the calendar, so 31-02-2024 is skipped):
//   2024-03-12, 12-03-2024, 12/03/2024, 12.03.2024 (day first, Dutch order),
//   12 maart 2024, 12 mrt. 2024, 1 March 2024, March 12, 2024.
std::optional<std::string> find_first_date(std::string_view text);

// True if y-m-d is a real calendar date (Gregorian).
bool valid_date(int year, int month, int day) noexcept;

}  // namespace dossier

// Unicode for names that become files and for text shown on a terminal, without a Unicode
// library: a conservative NFC check, simple case folding, and escaping of the code points a
// terminal hides or obeys. The tables come from scripts/make-unicode-tables (Unicode 14.0).
//
// What this does NOT do: normalise. A name that is not certainly NFC is refused, never
// rewritten, so two spellings of one name cannot both be accepted.
#pragma once

#include <string>
#include <string_view>

namespace dossier::unicode {

// True when `text` is valid UTF-8 (no overlong forms, surrogates or values above U+10FFFF)
// and certainly NFC: it holds no code point whose NFC_Quick_Check is No or Maybe and none with
// a non-zero canonical combining class (UAX #15, section 9). So NFD text ("e" + U+0301),
// singletons (U+212B ANGSTROM SIGN) and decomposed Hangul are refused; so is some text that is
// NFC but carries combining marks no precomposed letter has ("q" + U+0303). File names need
// none of those.
bool is_nfc(std::string_view text);

// Simple case folding (Unicode CaseFolding.txt, statuses C and S): "Ä" -> "ä", "Σ" and "ς" ->
// "σ", "ẞ" -> "ß". Bytes that are not valid UTF-8 are kept as they are. With is_nfc() text,
// two names fold alike exactly when a case-insensitive file system (NTFS, APFS, exFAT) may
// take them for one.
std::string fold_case(std::string_view text);

// True for a code point a terminal does not show as itself: C0 and C1 controls and DEL, the
// bidirectional marks, embeddings, overrides and isolates (U+061C, U+200E, U+200F,
// U+202A..U+202E, U+2066..U+2069), the line and paragraph separators (U+2028, U+2029) and
// the invisible joiners and marks U+200B..U+200D, U+2060 and U+FEFF.
bool is_hidden(char32_t c) noexcept;

// `text` with each hidden code point written as "<U+202E>" and each byte that is not valid
// UTF-8 as "<0xFF>": safe to print, and the same as `text` for ordinary text.
std::string escape_for_terminal(std::string_view text);

// True when escape_for_terminal() would leave `text` as it is.
bool is_plain_text(std::string_view text);

}  // namespace dossier::unicode

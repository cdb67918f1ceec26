// Unicode for text shown on a terminal, without a Unicode library: escaping of the code points
// a terminal hides or obeys, for names and labels that come from others. (When two names are
// one file, and whether a name is NFC, is io/safe_path.hpp's, with ICU: one rule for the
// package reader, seal and open.)
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace dossier::unicode {

// One step of UTF-8 decoding (RFC 3629, section 4): the code point at the start of `s` and its
// length in bytes; length 0 when the bytes there are not valid UTF-8 (truncated, a stray
// continuation byte, overlong, a surrogate, above U+10FFFF) or `s` is empty. dossier's one
// UTF-8 decoder: file names, referral.xml, document text and terminal output all go through it.
struct Decoded {
  char32_t cp = 0;
  std::size_t len = 0;
};
Decoded decode_utf8(std::string_view s) noexcept;

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

#include "core/unicode.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <iterator>

namespace dossier::unicode {
namespace {

struct CodeRange {
  char32_t first;
  char32_t last;
};

struct CaseRun {
  char32_t first;
  char32_t last;
  int step;
  int delta;
};

#include "core/unicode_tables.inc"

// One step of UTF-8 decoding (RFC 3629): the code point at the start of `s` and its length in
// bytes, or length 0 when the bytes there are not valid UTF-8.
struct Decoded {
  char32_t cp = 0;
  std::size_t len = 0;
};

Decoded decode_one(std::string_view s) {
  const auto b = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char lead = b(0);
  if (lead < 0x80) return {lead, 1};
  std::size_t len = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if ((lead & 0xE0) == 0xC0) {
    len = 2, cp = lead & 0x1Fu, min = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    len = 3, cp = lead & 0x0Fu, min = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    len = 4, cp = lead & 0x07u, min = 0x10000;
  } else {
    return {};
  }
  if (s.size() < len) return {};
  for (std::size_t i = 1; i < len; ++i) {
    if ((b(i) & 0xC0) != 0x80) return {};
    cp = (cp << 6) | (b(i) & 0x3Fu);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return {};
  return {cp, len};
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

bool nfc_stable(char32_t cp) {
  const auto it = std::upper_bound(std::begin(kNotNfcStable), std::end(kNotNfcStable), cp,
                                   [](char32_t c, const CodeRange& r) { return c < r.first; });
  return it == std::begin(kNotNfcStable) || cp > std::prev(it)->last;
}

char32_t fold_one(char32_t cp) {
  const auto it = std::upper_bound(std::begin(kCaseFold), std::end(kCaseFold), cp,
                                   [](char32_t c, const CaseRun& r) { return c < r.first; });
  if (it == std::begin(kCaseFold)) return cp;
  const CaseRun& r = *std::prev(it);
  if (cp > r.last || (cp - r.first) % static_cast<char32_t>(r.step) != 0) return cp;
  return static_cast<char32_t>(static_cast<std::int64_t>(cp) + r.delta);
}

}  // namespace

bool is_nfc(std::string_view text) {
  while (!text.empty()) {
    const Decoded d = decode_one(text);
    if (d.len == 0 || !nfc_stable(d.cp)) return false;
    text.remove_prefix(d.len);
  }
  return true;
}

std::string fold_case(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    const Decoded d = decode_one(text);
    if (d.len == 0) {
      out += text.front();
      text.remove_prefix(1);
      continue;
    }
    append_utf8(out, fold_one(d.cp));
    text.remove_prefix(d.len);
  }
  return out;
}

bool is_hidden(char32_t c) noexcept {
  return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0x061C || (c >= 0x200B && c <= 0x200F) ||
         c == 0x2028 || c == 0x2029 || (c >= 0x202A && c <= 0x202E) || c == 0x2060 ||
         (c >= 0x2066 && c <= 0x2069) || c == 0xFEFF;
}

std::string escape_for_terminal(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  char buf[16];
  while (!text.empty()) {
    const Decoded d = decode_one(text);
    if (d.len == 0) {
      std::snprintf(buf, sizeof buf, "<0x%02X>", static_cast<unsigned>(static_cast<unsigned char>(text.front())));
      out += buf;
      text.remove_prefix(1);
      continue;
    }
    if (is_hidden(d.cp)) {
      std::snprintf(buf, sizeof buf, "<U+%04X>", static_cast<unsigned>(d.cp));
      out += buf;
    } else {
      out.append(text.substr(0, d.len));
    }
    text.remove_prefix(d.len);
  }
  return out;
}

bool is_plain_text(std::string_view text) { return escape_for_terminal(text) == text; }

}  // namespace dossier::unicode

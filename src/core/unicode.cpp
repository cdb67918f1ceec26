#include "core/unicode.hpp"

#include <cstdint>
#include <cstdio>

namespace dossier::unicode {
Decoded decode_utf8(std::string_view s) noexcept {
  if (s.empty()) return {};
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
    const Decoded d = decode_utf8(text);
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

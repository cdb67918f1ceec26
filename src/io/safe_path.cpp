#include "io/safe_path.hpp"
#include "core/unicode.hpp"

#include <unicode/bytestream.h>
#include <unicode/casemap.h>
#include <unicode/normalizer2.h>
#include <unicode/stringpiece.h>

#include <cstdint>
#include <cstdio>

namespace dossier::io {
namespace {

bool forbidden_code_point(std::uint32_t cp) {
  if (cp < 0x20 || cp == 0x7F) return true;                  // C0 controls, DEL
  if (cp >= 0x80 && cp <= 0x9F) return true;                 // C1 controls
  if (cp >= 0x202A && cp <= 0x202E) return true;             // bidi embeddings/overrides
  if (cp >= 0x2066 && cp <= 0x2069) return true;             // bidi isolates
  if (cp == 0x200E || cp == 0x200F) return true;             // LRM, RLM
  return false;
}

}  // namespace

Result<std::string> normalise_entry_name(std::string_view name, std::size_t max_depth,
                                         std::size_t max_len) {
  if (name.empty()) return fail(Errc::hostile, "empty name");
  if (name.size() > max_len) {
    return fail(Errc::limit, "name is " + std::to_string(name.size()) + " bytes long, limit " +
                                 std::to_string(max_len));
  }
  for (std::size_t i = 0; i < name.size();) {
    const auto [cp, n] = unicode::decode_utf8(name.substr(i));
    if (n == 0) return fail(Errc::hostile, "name is not valid UTF-8 (byte " + std::to_string(i) + ")");
    if (cp == 0) return fail(Errc::hostile, "name contains a NUL byte");
    if (forbidden_code_point(cp)) {
      char buf[16];
      std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(cp));
      return fail(Errc::hostile, std::string("name contains control character ") + buf);
    }
    if (cp == '\\') return fail(Errc::hostile, "name contains a backslash");
    i += n;
  }
  if (name.front() == '/') return fail(Errc::hostile, "absolute path (starts with '/')");
  if (name.size() >= 2 && name[1] == ':' &&
      ((name[0] >= 'A' && name[0] <= 'Z') || (name[0] >= 'a' && name[0] <= 'z'))) {
    return fail(Errc::hostile, "absolute path (drive letter)");
  }
  if (name.find(':') != std::string_view::npos) {
    return fail(Errc::hostile, "name contains ':' (drive or alternate data stream)");
  }

  std::string_view body = name;
  if (body.back() == '/') body.remove_suffix(1);
  if (body.empty()) return fail(Errc::hostile, "name is only '/'");

  std::size_t depth = 0;
  std::size_t start = 0;
  while (true) {
    const std::size_t slash = body.find('/', start);
    const std::string_view seg =
        body.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (seg.empty()) return fail(Errc::hostile, "empty path segment ('//')");
    if (seg == "..") return fail(Errc::hostile, "path traversal ('..' segment)");
    if (seg == ".") return fail(Errc::hostile, "'.' path segment");
    ++depth;
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (depth > max_depth) {
    return fail(Errc::limit, "nested " + std::to_string(depth) + " levels deep, limit " +
                                 std::to_string(max_depth));
  }
  return std::string(body);
}

bool is_safe_relative_path(std::string_view name, std::size_t max_depth, std::size_t max_len,
                           std::string* why) {
  auto r = normalise_entry_name(name, max_depth, max_len);
  if (r) return true;
  if (why != nullptr) *why = r.error().message;
  return false;
}

namespace {

std::string ascii_lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

icu::StringPiece piece(std::string_view s) {
  return icu::StringPiece(s.data(), static_cast<std::int32_t>(s.size()));
}

}  // namespace

std::string collision_key(std::string_view canonical) {
  std::string_view body = canonical;
  if (!body.empty() && body.back() == '/') body.remove_suffix(1);
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(status);
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
  if (U_FAILURE(status) || body.size() > 0x7FFFFFFF) return ascii_lower(std::string(body));
  std::string decomposed, folded, key;
  icu::StringByteSink<std::string> to_decomposed(&decomposed), to_folded(&folded), to_key(&key);
  nfd->normalizeUTF8(0, piece(body), to_decomposed, nullptr, status);
  icu::CaseMap::utf8Fold(U_FOLD_CASE_DEFAULT, piece(decomposed), to_folded, nullptr, status);
  nfc->normalizeUTF8(0, piece(folded), to_key, nullptr, status);
  if (U_FAILURE(status)) return ascii_lower(std::string(body));
  return key;
}

bool is_nfc(std::string_view name) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
  if (U_FAILURE(status) || name.size() > 0x7FFFFFFF) return false;
  const bool normalised = nfc->isNormalizedUTF8(piece(name), status) != 0;
  return U_SUCCESS(status) && normalised;
}

}  // namespace dossier::io

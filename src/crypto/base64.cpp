// Strict base64. Spec: RFC 4648 §3.5 (canonical encoding), §4 (alphabet).
#include "crypto/base64.hpp"

#include <sodium.h>

namespace dossier::crypto::base64 {
namespace {
int variant(bool padded) {
  return padded ? sodium_base64_VARIANT_ORIGINAL : sodium_base64_VARIANT_ORIGINAL_NO_PADDING;
}
}  // namespace

std::string encode(std::span<const std::uint8_t> data, bool padded) {
  const std::size_t len = sodium_base64_encoded_len(data.size(), variant(padded));
  std::string out(len, '\0');  // includes the terminating NUL
  sodium_bin2base64(out.data(), len, data.data(), data.size(), variant(padded));
  out.resize(len - 1);
  return out;
}

std::optional<std::vector<std::uint8_t>> decode(std::string_view text, bool padded) {
  std::vector<std::uint8_t> out(text.size() / 4 * 3 + 3);
  std::size_t n = 0;
  const char* end = nullptr;
  // ignore = nullptr: no character is skipped; b64_end checked so nothing trails.
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &n, &end,
                        variant(padded)) != 0) {
    return std::nullopt;
  }
  if (end != text.data() + text.size()) return std::nullopt;
  out.resize(n);
  return out;
}

}  // namespace dossier::crypto::base64

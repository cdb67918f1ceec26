// Strict base64 (RFC 4648 §4) on libsodium's sodium_bin2base64 / sodium_base642bin.
// Decoding is canonical-only: libsodium rejects characters outside the alphabet and
// non-zero trailing bits (RFC 4648 §3.5); the unpadded variant rejects '='.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace dossier::crypto::base64 {

// padded: '=' padding (sodium_base64_VARIANT_ORIGINAL); otherwise none
// (sodium_base64_VARIANT_ORIGINAL_NO_PADDING, as age.md "Conventions" requires).
std::string encode(std::span<const std::uint8_t> data, bool padded = false);
std::optional<std::vector<std::uint8_t>> decode(std::string_view text, bool padded = false);

}  // namespace dossier::crypto::base64

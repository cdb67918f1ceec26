// HKDF-SHA-256 (RFC 5869) on libsodium's HMAC-SHA-256 (crypto_auth_hmacsha256).
// Spec: RFC 5869, "HMAC-based Extract-and-Expand Key Derivation Function (HKDF)".
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "core/result.hpp"
#include "crypto/secret.hpp"

namespace dossier::crypto {

inline constexpr std::size_t kHkdfHashLen = 32;

// RFC 5869 §2.2: PRK = HMAC-Hash(salt, IKM); an empty salt means HashLen zero bytes.
SecretBytes hkdf_sha256_extract(std::span<const std::uint8_t> salt,
                                std::span<const std::uint8_t> ikm);

// RFC 5869 §2.3: OKM of `length` bytes; fails with Errc::usage if length > 255*HashLen.
Result<SecretBytes> hkdf_sha256_expand(std::span<const std::uint8_t> prk,
                                       std::span<const std::uint8_t> info,
                                       std::size_t length);

// Extract then expand (RFC 5869 §2).
Result<SecretBytes> hkdf_sha256(std::span<const std::uint8_t> ikm,
                                std::span<const std::uint8_t> salt,
                                std::span<const std::uint8_t> info, std::size_t length);

// Convenience: info given as text (age uses ASCII labels such as "header").
Result<SecretBytes> hkdf_sha256(std::span<const std::uint8_t> ikm,
                                std::span<const std::uint8_t> salt, std::string_view info,
                                std::size_t length);

}  // namespace dossier::crypto

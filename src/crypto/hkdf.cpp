// HKDF-SHA-256. Spec: RFC 5869 (sections cited inline).
#include "crypto/hkdf.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <string>

namespace dossier::crypto {

namespace {

// HKDF's intermediate values (PRK, T(i)) live on the stack and are wiped before returning:
// a guarded allocation costs about ten system calls, and hkdf runs several times per age file.
using Block = std::array<std::uint8_t, kHkdfHashLen>;

void extract(std::span<const std::uint8_t> salt, std::span<const std::uint8_t> ikm, Block& prk) {
  // RFC 5869 §2.2: "if not provided, [salt] is set to a string of HashLen zeros".
  static constexpr Block zeros{};
  if (salt.empty()) salt = zeros;
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, salt.data(), salt.size());
  crypto_auth_hmacsha256_update(&st, ikm.data(), ikm.size());
  crypto_auth_hmacsha256_final(&st, prk.data());
  sodium_memzero(&st, sizeof st);
}

}  // namespace

SecretBytes hkdf_sha256_extract(std::span<const std::uint8_t> salt,
                                std::span<const std::uint8_t> ikm) {
  Block prk{};
  extract(salt, ikm, prk);
  SecretBytes out(prk.data(), prk.size());
  sodium_memzero(prk.data(), prk.size());
  return out;
}

Result<SecretBytes> hkdf_sha256_expand(std::span<const std::uint8_t> prk,
                                       std::span<const std::uint8_t> info,
                                       std::size_t length) {
  // RFC 5869 §2.3: L <= 255*HashLen.
  if (length > 255 * kHkdfHashLen) {
    return fail(Errc::usage, "hkdf: output length exceeds 255*HashLen");
  }
  SecretBytes okm(length);
  Block t{};
  std::size_t t_len = 0;
  std::size_t done = 0;
  for (std::uint8_t counter = 1; done < length; ++counter) {
    // T(i) = HMAC-Hash(PRK, T(i-1) | info | i)
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, prk.data(), prk.size());
    crypto_auth_hmacsha256_update(&st, t.data(), t_len);
    crypto_auth_hmacsha256_update(&st, info.data(), info.size());
    crypto_auth_hmacsha256_update(&st, &counter, 1);
    crypto_auth_hmacsha256_final(&st, t.data());
    sodium_memzero(&st, sizeof st);
    t_len = kHkdfHashLen;
    const std::size_t take = std::min(kHkdfHashLen, length - done);
    std::copy_n(t.begin(), take, okm.expose().begin() + static_cast<std::ptrdiff_t>(done));
    done += take;
  }
  sodium_memzero(t.data(), t.size());
  return okm;
}

Result<SecretBytes> hkdf_sha256(std::span<const std::uint8_t> ikm,
                                std::span<const std::uint8_t> salt,
                                std::span<const std::uint8_t> info, std::size_t length) {
  Block prk{};
  extract(salt, ikm, prk);
  auto okm = hkdf_sha256_expand(prk, info, length);
  sodium_memzero(prk.data(), prk.size());
  return okm;
}

Result<SecretBytes> hkdf_sha256(std::span<const std::uint8_t> ikm,
                                std::span<const std::uint8_t> salt, std::string_view info,
                                std::size_t length) {
  const std::span<const std::uint8_t> info_bytes(
      reinterpret_cast<const std::uint8_t*>(info.data()), info.size());
  return hkdf_sha256(ikm, salt, info_bytes, length);
}

}  // namespace dossier::crypto

// Streaming digests on libsodium, printed as lowercase hex (as b2sum and sha256sum print them).
//   Blake2b512: BLAKE2b with a 64-byte output and no key (RFC 7693), what `b2sum` computes.
//   Sha256:     SHA-256 (FIPS 180-4), what `sha256sum` computes.
#pragma once

#include <sodium.h>

#include <cstdint>
#include <span>
#include <string>

namespace dossier::crypto {

class Blake2b512 {
 public:
  Blake2b512();
  void update(std::span<const std::uint8_t> data);
  std::string hex_final();  // once; the hasher is spent afterwards

 private:
  crypto_generichash_state state_;
};

class Sha256 {
 public:
  Sha256();
  void update(std::span<const std::uint8_t> data);
  std::string hex_final();

 private:
  crypto_hash_sha256_state state_;
};

// One-shot SHA-256 of `bytes`, lowercase hex (sha256sum's digest).
std::string sha256_hex(std::span<const std::uint8_t> bytes);

// BLAKE2b with a 32-byte output keyed with `key` (16 to 64 bytes), lowercase hex: a MAC.
std::string keyed_blake2b256_hex(std::span<const std::uint8_t> key, std::span<const std::uint8_t> message);

// True for exactly `digits` lowercase hex digits.
bool is_lower_hex(std::string_view s, std::size_t digits) noexcept;

}  // namespace dossier::crypto

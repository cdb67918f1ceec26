// Bech32 encoding. Spec: BIP-173, "Base32 address format for native v0-16 witness outputs"
// (https://github.com/bitcoin/bips/blob/master/bip-0173.mediawiki), section "Bech32".
// age (C2SP age.md, "The X25519 recipient type") encodes keys as Bech32 without the
// 90-character limit: recipients with HRP "age" (lowercase), identities with HRP
// "AGE-SECRET-KEY-" (uppercase).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "crypto/secret.hpp"

namespace dossier::crypto::bech32 {

// BIP-173's overall length limit; pass 0 as max_length for "no limit" (age).
inline constexpr std::size_t kBip173MaxLength = 90;

struct Decoded {
  std::string hrp;                  // lowercased
  std::vector<std::uint8_t> data5;  // 5-bit groups, checksum removed
  bool uppercase = false;           // the input was all uppercase
};

// Encodes 5-bit groups (each < 32) under `hrp`; the result is lowercase.
Result<std::string> encode5(std::string_view hrp, std::span<const std::uint8_t> data5);

// Decodes and verifies a Bech32 string (BIP-173 "Bech32" rules: HRP chars 33..126,
// separator '1' (last one), no mixed case, checksum valid, data part >= 6 chars).
Result<Decoded> decode5(std::string_view s, std::size_t max_length = kBip173MaxLength);

// Regroups bits (BIP-173 reference convertbits). Padding rules: with pad, the last
// group is zero-padded; without, leftover bits must be fewer than from_bits and zero.
Result<std::vector<std::uint8_t>> convert_bits(std::span<const std::uint8_t> in, int from_bits,
                                               int to_bits, bool pad);

// 8-bit data convenience wrappers (as age uses them). `upper` emits uppercase.
Result<std::string> encode(std::string_view hrp, std::span<const std::uint8_t> data,
                           bool upper = false, std::size_t max_length = 0);
struct Decoded8 {
  std::string hrp;                 // lowercased
  std::vector<std::uint8_t> data;  // 8-bit bytes
  bool uppercase = false;
};
Result<Decoded8> decode(std::string_view s, std::size_t max_length = 0);

// The same for secret data (age identities): the data, every intermediate and the encoded
// string stay in guarded memory.
Result<SecretBytes> encode_secret(std::string_view hrp, std::span<const std::uint8_t> data,
                                  bool upper = false);
struct DecodedSecret {
  std::string hrp;   // lowercased
  SecretBytes data;  // 8-bit bytes
  bool uppercase = false;
};
Result<DecodedSecret> decode_secret(std::string_view s, std::size_t max_length = 0);

}  // namespace dossier::crypto::bech32

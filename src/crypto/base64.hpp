// Strict base64: the alphabet of RFC 4648 §4 and only the canonical encoding (§3.5).
// Our own decoder, not libsodium's: libsodium 1.0.18's sodium_base642bin reads every byte
// 0x80-0xFF as '/', so a signature or header with such a byte would be accepted where
// `minisign` and `age` refuse it ("illegal base64"). Decoding checks byte by byte:
//   - every byte is one of the 64 alphabet characters (no whitespace, no URL-safe "-_");
//   - unpadded (age.md "Conventions"): no '=', length mod 4 is not 1;
//     padded (minisign, age armor): length mod 4 is 0, '=' only as the last one or two;
//   - the bits after the last whole byte are zero.
// The character-to-value step has no table and no branch on the character, as libsodium's,
// since secret key files are decoded here. Encoding uses sodium_bin2base64.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "crypto/secret.hpp"

namespace dossier::crypto::base64 {

// padded: '=' padding (minisign, age armor); otherwise none (age header, age.md "Conventions").
std::string encode(std::span<const std::uint8_t> data, bool padded = false);
// The same into guarded memory, for secret key files.
SecretBytes encode_secret(std::span<const std::uint8_t> data, bool padded = false);

// How many bytes `text` decodes to, after the length and padding checks (not the
// characters). Errc::malformed, message "base64: ...".
Result<std::size_t> decoded_size(std::string_view text, bool padded = false);
// Decodes into `out`, which must be exactly decoded_size(text) bytes (else Errc::malformed).
// Every failure is Errc::malformed with a message "base64: ..." naming the byte and offset.
Result<void> decode_into(std::string_view text, std::span<std::uint8_t> out, bool padded = false);
Result<std::vector<std::uint8_t>> decode(std::string_view text, bool padded = false);

}  // namespace dossier::crypto::base64

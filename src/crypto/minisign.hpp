// minisign key and signature files, implemented on libsodium primitives only.
//
// Format: minisign by Frank Denis — https://jedisct1.github.io/minisign/ and
// src/minisign.{c,h} of https://github.com/jedisct1/minisign; checked against the
// Debian `minisign` 0.11 binary (tests/unit/minisign_interop_test.cpp).
// What we accept, what we reject and why: docs/formats-minisign.md.
//
//   public key:  "untrusted comment: <text>\n" base64("Ed" || key_id[8] || pk[32]) "\n"
//   secret key:  "untrusted comment: <text>\n" base64(sig_alg "Ed" || kdf_alg "Sc" | 00 00 ||
//                chk_alg "B2" || kdf_salt[32] || opslimit u64le || memlimit u64le ||
//                keynum_sk[104]) "\n"; keynum_sk = key_id[8] || sk[64] || chk[32], XORed
//                with scrypt(passphrase) when kdf_alg is "Sc"; chk = BLAKE2b-256("Ed" ||
//                key_id || sk).
//   signature:   "untrusted comment: <text>\n" base64("ED" || key_id[8] || sig[64]) "\n"
//                "trusted comment: <text>\n" base64(global_sig[64]) "\n";
//                sig = Ed25519(BLAKE2b-512(data)), global_sig = Ed25519(sig || text).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <istream>
#include <span>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "crypto/secret.hpp"

namespace dossier::crypto::minisign {

inline constexpr std::size_t kKeyIdBytes = 8;
inline constexpr std::size_t kPublicKeyBytes = 32;
inline constexpr std::size_t kSecretKeyBytes = 64;  // libsodium layout: seed[32] || pk[32]

// Input bounds (reading). Larger input fails with Errc::limit.
inline constexpr std::size_t kKeyFileMaxBytes = 4096;
inline constexpr std::size_t kSignatureFileMaxBytes = 16384;
// An untrusted comment line, prefix and a CR before the LF included, LF excluded: minisign
// 0.11 reads it with fgets() into 1024 bytes and refuses a line whose LF does not fit.
inline constexpr std::size_t kCommentLineMaxBytes = 1022;
// Writing: minisign warns ("breaks compatibility with signify") from 1004 bytes on.
inline constexpr std::size_t kUntrustedCommentMaxBytes = 1003;
// The trusted comment text (without "trusted comment: "): minisign's own bound
// (TRUSTEDCOMMENTMAXBYTES 8192 minus the prefix and terminator), for reading and writing.
inline constexpr std::size_t kTrustedCommentMaxBytes = 8173;

// scrypt (crypto_pwhash_scryptsalsa208sha256) cost of an encrypted secret key.
// Defaults are minisign's (libsodium's *_SENSITIVE): ~1 GiB of RAM and seconds of CPU.
inline constexpr std::uint64_t kDefaultOpsLimit = 33554432;    // 2^25
inline constexpr std::uint64_t kDefaultMemLimit = 1073741824;  // 1 GiB
// Reading refuses more than this (Errc::limit) before asking for a passphrase, so a
// hostile key file cannot make us burn minutes of CPU or many GiB of RAM.
inline constexpr std::uint64_t kMaxOpsLimit = 4 * kDefaultOpsLimit;  // 2^27
inline constexpr std::uint64_t kMaxMemLimit = 2 * kDefaultMemLimit;  // 2 GiB
// libsodium's minimum (smaller values are silently raised to these); writing refuses less.
inline constexpr std::uint64_t kMinOpsLimit = 32768;
inline constexpr std::uint64_t kMinMemLimit = 16777216;

struct KdfParams {
  std::uint64_t opslimit = kDefaultOpsLimit;
  std::uint64_t memlimit = kDefaultMemLimit;

  // The cheapest parameters libsodium allows (~1 MiB, milliseconds). For tests only.
  static constexpr KdfParams light() { return KdfParams{kMinOpsLimit, kMinMemLimit}; }
};

using KeyId = std::array<std::uint8_t, kKeyIdBytes>;

// The key id as minisign 0.11 prints it (public key comment, mismatch message):
// uppercase hex of the key id read as a little-endian u64, without leading zeros
// ("%" PRIX64), i.e. the bytes in reverse order. minisign 0.12 zero-pads to 16 digits.
std::string key_id_hex(const KeyId& key_id);

struct PublicKey {
  KeyId key_id{};
  std::array<std::uint8_t, kPublicKeyBytes> key{};

  // A public key file (a comment line, whatever it says, as `minisign -p` skips it, then the
  // base64 line) or a bare base64 line as given to `minisign -P`. Empty lines at the end are
  // ignored. Errc::malformed, Errc::limit, Errc::unsupported.
  static Result<PublicKey> parse(std::string_view file_text);
  // The file text; an empty comment becomes minisign's "minisign public key <HEX>".
  // Never a broken file: control characters in the comment (except TAB) become '?'
  // and it is cut to kUntrustedCommentMaxBytes.
  std::string to_file(std::string_view untrusted_comment) const;
  std::string key_id_hex() const;

  bool operator==(const PublicKey&) const = default;
};

class SecretKey {
 public:
  static SecretKey generate();
  // Reads a secret key file. `ask_passphrase` is called only if the key is encrypted;
  // its error is passed through. Errc::bad_passphrase when the checksum fails after
  // decryption; Errc::limit when the scrypt cost exceeds kMaxOpsLimit/kMaxMemLimit.
  static Result<SecretKey> parse(std::string_view file_text,
                                 const std::function<Result<SecretBytes>()>& ask_passphrase);

  bool was_encrypted() const noexcept { return encrypted_; }
  const KeyId& key_id() const noexcept { return key_id_; }
  std::string key_id_hex() const;
  PublicKey public_key() const;
  // 32 secret bytes for one purpose, derived from this key (libsodium's crypto_kdf from the
  // Ed25519 seed; `context` is 8 characters): for MACs only its holder can compute (bundle
  // document fingerprints).
  SecretBytes derive_key(std::uint64_t subkey_id, std::string_view context) const;

  // The secret key file. passphrase == nullptr writes an unencrypted key (what
  // `minisign -G -W` writes, readable by `minisign -S` without -W). An empty
  // comment becomes "minisign encrypted secret key" / "minisign unencrypted secret key".
  // Errc::usage for an empty passphrase, one minisign could not read from a terminal
  // (NUL, CR, LF, more than 1023 bytes), KDF parameters outside [min, max], or a
  // comment that is not one line of at most kUntrustedCommentMaxBytes.
  // The text of an unencrypted key is the secret itself, so the file text is returned in
  // guarded memory either way: store it 0600.
  Result<SecretBytes> to_file(const SecretBytes* passphrase, std::string_view untrusted_comment,
                              const KdfParams& kdf = KdfParams{}) const;

 private:
  SecretKey(const KeyId& key_id, SecretBytes sk, bool encrypted);
  Result<std::string> sign_prehashed(std::span<const std::uint8_t, 64> prehash,
                                     std::string_view trusted_comment,
                                     std::string_view untrusted_comment) const;

  friend Result<std::string> sign(const SecretKey&, std::istream&, std::string_view,
                                  std::string_view);
  friend Result<std::string> sign(const SecretKey&, std::span<const std::uint8_t>,
                                  std::string_view, std::string_view);

  KeyId key_id_{};
  SecretBytes sk_;  // kSecretKeyBytes
  bool encrypted_ = false;
};

// Signs `data` (streamed; BLAKE2b-512 prehash, algorithm "ED") and returns the
// .minisig file text. An empty untrusted comment becomes minisign's
// "signature from minisign secret key". Errc::usage when a comment is too long or
// holds a control character other than TAB; Errc::io when the stream fails.
Result<std::string> sign(const SecretKey& key, std::istream& data,
                         std::string_view trusted_comment, std::string_view untrusted_comment);
Result<std::string> sign(const SecretKey& key, std::span<const std::uint8_t> data,
                         std::string_view trusted_comment, std::string_view untrusted_comment);

// The key id a .minisig file names, NOT verified: only for choosing which of several trusted
// public keys to verify with. Errors as verify's parse errors.
Result<KeyId> signature_key_id(std::string_view signature_file_text);

struct Verified {
  std::string trusted_comment;
  std::string key_id_hex;
};

// Verifies a .minisig file for `data` with `key`. Errc::malformed (parse failures,
// control characters in the trusted comment), Errc::limit (oversized input),
// Errc::unsupported (legacy "Ed" signatures, unknown algorithms), Errc::crypto (key id
// mismatch, bad signature, bad trusted-comment signature), Errc::io (stream failure).
Result<Verified> verify(const PublicKey& key, std::istream& data,
                        std::string_view signature_file_text);
Result<Verified> verify(const PublicKey& key, std::span<const std::uint8_t> data,
                        std::string_view signature_file_text);

}  // namespace dossier::crypto::minisign

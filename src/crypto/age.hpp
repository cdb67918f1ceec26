// age v1 file encryption on libsodium primitives.
// Spec: C2SP age.md (https://c2sp.org/age, "age-encryption.org/v1"); section names cited
// below and at each check in age.cpp / age_armor.cpp.
//
// Implemented: header with recipient stanzas and header MAC ("Header"), STREAM payload
// with 64 KiB chunks ("Payload"), the X25519 and scrypt recipient types ("Native
// recipient types"), and ASCII armor ("ASCII armor"). Post-quantum / tagged types
// are outside our scope: their stanzas are ignored, as "Recipient stanza" requires.
//
// Errors. Every decryption error carries the stage that failed (Error::stage: armor, header,
// mac, payload), so callers (and the conformance driver) can tell them apart without reading
// the message, which starts with the stage's name for people:
//   "age: armor: ..."   ASCII armor is malformed                    (Errc::malformed)
//   "age: header: ..."  header does not parse or a stanza addressed to an identity is
//                       invalid (Errc::malformed / unsupported / limit / hostile)
//   "age: hmac: ..."    header MAC does not verify                  (Errc::crypto)
//   "age: payload: ..." STREAM payload fails to authenticate, is truncated or has
//                       trailing data                               (Errc::crypto / malformed)
// and "no identity matched" is Errc::no_identity (Errc::bad_passphrase when the only
// candidate was a scrypt stanza and the passphrase was wrong).
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "crypto/secret.hpp"

namespace dossier::crypto::age {

inline constexpr std::size_t kFileKeySize = 16;       // "File key": 128-bit
inline constexpr std::size_t kChunkSize = 64 * 1024;  // "Payload": 64 KiB chunks
inline constexpr int kDefaultScryptWorkFactor = 18;   // encryption default (log2 N)
inline constexpr int kMaxScryptWorkFactor = 22;       // decryption limit default (log2 N)
// Our limit on recipient stanzas per header (age.md sets none): decryption refuses more
// (Errc::limit, "age: header: ..."), encryption refuses to write more (Errc::usage). Each
// identity tries each stanza, so this bounds the work of opening a hostile file. dossier
// writes one stanza per recipient; CoMensha has a handful of keys.
inline constexpr std::size_t kMaxStanzas = 64;

// One recipient stanza ("Recipient stanza"): `type` is the first argument, `args` the
// remaining ones, `body` the decoded body.
struct Stanza {
  std::string type;
  std::vector<std::string> args;
  std::vector<std::uint8_t> body;
};

class Recipient {
 public:
  virtual ~Recipient();
  // Wraps the 16-byte file key into one or more stanzas.
  virtual Result<std::vector<Stanza>> wrap(const SecretBytes& file_key) const = 0;
};

class Identity {
 public:
  virtual ~Identity();
  // Returns the file key; Errc::no_identity (or bad_passphrase) when no stanza is for
  // this identity. Any other error is fatal for the whole decryption.
  virtual Result<SecretBytes> unwrap(const std::vector<Stanza>& stanzas) const = 0;
};

// "The X25519 recipient type": Bech32, HRP "age".
class X25519Recipient : public Recipient {
 public:
  static Result<X25519Recipient> parse(std::string_view age1);
  std::string to_string() const;
  Result<std::vector<Stanza>> wrap(const SecretBytes& file_key) const override;
  std::span<const std::uint8_t, 32> public_key() const { return std::span<const std::uint8_t, 32>(pk_); }

 private:
  friend class X25519Identity;
  explicit X25519Recipient(const std::uint8_t* pk);
  std::uint8_t pk_[32];
};

// "The X25519 recipient type": Bech32, HRP "AGE-SECRET-KEY-" (uppercase).
class X25519Identity : public Identity {
 public:
  static Result<X25519Identity> parse(std::string_view secret_key);
  static X25519Identity generate();
  X25519Recipient recipient() const;
  SecretBytes to_string() const;  // "AGE-SECRET-KEY-1..." (secret)
  Result<SecretBytes> unwrap(const std::vector<Stanza>& stanzas) const override;

 private:
  explicit X25519Identity(SecretBytes sk);
  SecretBytes sk_;
  std::uint8_t pk_[32];
};

// "The scrypt recipient type". The passphrase is used as given (bytes).
class ScryptRecipient : public Recipient {
 public:
  explicit ScryptRecipient(SecretBytes passphrase, int log2_work_factor = kDefaultScryptWorkFactor);
  Result<std::vector<Stanza>> wrap(const SecretBytes& file_key) const override;

 private:
  SecretBytes passphrase_;
  int log2_work_factor_;
};

class ScryptIdentity : public Identity {
 public:
  explicit ScryptIdentity(SecretBytes passphrase, int max_log2_work_factor = kMaxScryptWorkFactor);
  Result<SecretBytes> unwrap(const std::vector<Stanza>& stanzas) const override;

 private:
  SecretBytes passphrase_;
  int max_log2_work_factor_;
};

// Identity file: one AGE-SECRET-KEY-1... per line; '#' comments and blank lines skipped.
Result<std::vector<X25519Identity>> parse_identities(std::string_view identity_file_text);
// Recipients file: one age1... per line; '#' comments and blank lines skipped.
Result<std::vector<X25519Recipient>> parse_recipients(std::string_view recipients_file_text);

// Encrypts `in` to all recipients; armor=true writes ASCII armor. Constant memory.
// Push-style encryption for callers that receive plaintext in pieces (e.g. from a ZIP entry):
// start() writes the header and payload nonce through `emit`, write() seals every full 64 KiB
// chunk once more data follows, finish() seals the final chunk. Binary format only. Memory is
// one chunk whatever the size of the plaintext.
class Encryptor {
 public:
  using Emit = std::function<Result<void>(const std::uint8_t*, std::size_t)>;
  static Result<Encryptor> start(const std::vector<const Recipient*>& recipients, Emit emit);
  Result<void> write(std::span<const std::uint8_t> data);
  Result<void> finish();

 private:
  Encryptor() = default;
  Result<void> seal_chunk(bool last);
  Emit emit_;
  SecretBytes payload_key_;
  SecretBytes plain_;
  std::size_t filled_ = 0;
  std::uint64_t counter_ = 0;
  bool finished_ = false;
};

// The size of a binary age file of `plaintext_size` bytes whose header (the version line
// through the MAC line) has `header_size` bytes: the header, the 16-byte payload nonce, and every
// 64 KiB chunk with its 16-byte tag ("Payload": an empty plaintext is one empty chunk).
std::uint64_t encrypted_size(std::uint64_t header_size, std::uint64_t plaintext_size) noexcept;

// The header size encryption to `recipients` produces (it does not depend on the file key:
// every stanza of the native types has a fixed length). Errc as Encryptor::start.
Result<std::uint64_t> header_size(const std::vector<const Recipient*>& recipients);

Result<void> encrypt(const std::vector<const Recipient*>& recipients, std::istream& in,
                     std::ostream& out, bool armor = false);

// Decrypts `in` (binary or ASCII-armored, detected automatically) with the first
// identity that unwraps a stanza. Streaming with constant memory: each 64 KiB chunk is
// written to `out` only after it authenticates, but a later chunk may still fail, the
// file may turn out to be truncated, or trailing data may follow the final chunk (all
// detected only after the earlier chunks were written). ON ERROR THE CALLER MUST
// DISCARD EVERYTHING WRITTEN TO `out`: it is an authenticated prefix, not the file.
Result<void> decrypt(const std::vector<const Identity*>& identities, std::istream& in,
                     std::ostream& out);

// Byte-vector conveniences.
Result<std::vector<std::uint8_t>> encrypt(const std::vector<const Recipient*>& recipients,
                                          std::span<const std::uint8_t> plaintext,
                                          bool armor = false);
Result<std::vector<std::uint8_t>> decrypt(const std::vector<const Identity*>& identities,
                                          std::span<const std::uint8_t> ciphertext);
// For a small file whose plaintext is a secret (a passphrase-protected identity file): the
// plaintext goes straight into guarded memory, and is returned only whole and authenticated.
Result<SecretBytes> decrypt_secret(const std::vector<const Identity*>& identities,
                                   std::span<const std::uint8_t> ciphertext);

// The header of a binary age file (version line through the MAC line, without the payload
// nonce) parsed as decryption parses it and written again as encryption writes it. For the
// round-trip fuzz harness (tests/fuzz): the parser accepts only the canonical header, so on
// success the result is a prefix of `file`, byte for byte. Errors as decrypt's "age: header".
Result<std::string> reencode_header(std::span<const std::uint8_t> file);

}  // namespace dossier::crypto::age

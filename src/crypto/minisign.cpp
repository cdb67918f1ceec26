// minisign key and signature files on libsodium primitives.
//
// Spec: https://jedisct1.github.io/minisign/ and src/minisign.{c,h} of
// https://github.com/jedisct1/minisign (layouts SeckeyStruct, PubkeyStruct, SigStruct).
// Behaviour checked against Debian's minisign 0.11; see docs/formats-minisign.md.
// Every check below says which rule it enforces and how minisign behaves there.
#include "crypto/minisign.hpp"

#include <sodium.h>

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "crypto/base64.hpp"
#include "crypto/sodium_init.hpp"

namespace dossier::crypto::minisign {
namespace {

constexpr std::string_view kCommentPrefix = "untrusted comment: ";
constexpr std::string_view kTrustedCommentPrefix = "trusted comment: ";
constexpr std::string_view kSigAlg = "Ed";        // Ed25519 keys; legacy signatures
constexpr std::string_view kSigAlgHashed = "ED";  // signatures over BLAKE2b-512(data)
constexpr std::string_view kKdfAlg = "Sc";        // scrypt
constexpr std::string_view kChkAlg = "B2";        // BLAKE2b-256 checksum
constexpr std::string_view kDefaultSignatureComment = "signature from minisign secret key";
constexpr std::size_t kPasswordMaxBytes = 1023;   // minisign reads 1024-byte buffers (NUL)

constexpr std::size_t kSigBytes = 64;      // crypto_sign_BYTES
constexpr std::size_t kPrehashBytes = 64;  // crypto_generichash_BYTES_MAX
constexpr std::size_t kChkBytes = 32;      // crypto_generichash_BYTES
constexpr std::size_t kSaltBytes = 32;     // crypto_pwhash_scryptsalsa208sha256_SALTBYTES

// Byte layouts (offsets into the decoded base64).
constexpr std::size_t kPubkeyStructBytes = 2 + kKeyIdBytes + kPublicKeyBytes;  // 42
constexpr std::size_t kSigStructBytes = 2 + kKeyIdBytes + kSigBytes;           // 74
constexpr std::size_t kKeynumSkBytes = kKeyIdBytes + kSecretKeyBytes + kChkBytes;  // 104
constexpr std::size_t kSkOffSigAlg = 0;
constexpr std::size_t kSkOffKdfAlg = 2;
constexpr std::size_t kSkOffChkAlg = 4;
constexpr std::size_t kSkOffSalt = 6;
constexpr std::size_t kSkOffOps = kSkOffSalt + kSaltBytes;  // 38
constexpr std::size_t kSkOffMem = kSkOffOps + 8;            // 46
constexpr std::size_t kSkOffKeynum = kSkOffMem + 8;         // 54
constexpr std::size_t kSeckeyStructBytes = kSkOffKeynum + kKeynumSkBytes;  // 158

static_assert(kSigBytes == crypto_sign_BYTES);
static_assert(kSecretKeyBytes == crypto_sign_SECRETKEYBYTES);
static_assert(kPublicKeyBytes == crypto_sign_PUBLICKEYBYTES);
static_assert(kPrehashBytes == crypto_generichash_BYTES_MAX);
static_assert(kChkBytes == crypto_generichash_BYTES);
static_assert(kSaltBytes == crypto_pwhash_scryptsalsa208sha256_SALTBYTES);
static_assert(kMinOpsLimit == crypto_pwhash_scryptsalsa208sha256_OPSLIMIT_MIN);
static_assert(kMinMemLimit == crypto_pwhash_scryptsalsa208sha256_MEMLIMIT_MIN);
static_assert(kDefaultOpsLimit == crypto_pwhash_scryptsalsa208sha256_OPSLIMIT_SENSITIVE);
static_assert(kDefaultMemLimit == crypto_pwhash_scryptsalsa208sha256_MEMLIMIT_SENSITIVE);

const std::uint8_t* bytes_of(std::string_view s) {
  return reinterpret_cast<const std::uint8_t*>(s.data());
}

bool starts_with_bytes(std::span<const std::uint8_t> b, std::string_view tag) {
  return b.size() >= tag.size() && std::equal(tag.begin(), tag.end(), b.begin(),
                                               [](char c, std::uint8_t u) {
                                                 return static_cast<std::uint8_t>(c) == u;
                                               });
}

std::uint64_t le64_load(const std::uint8_t* p) {
  std::uint64_t v = 0;
  for (std::size_t i = 8; i-- > 0;) v = (v << 8) | p[i];
  return v;
}

void le64_store(std::uint8_t* p, std::uint64_t v) {
  for (std::size_t i = 0; i < 8; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

// Strict standard base64 with padding (what minisign writes), exactly out.size() bytes:
// base64::decode_into checks every byte against the alphabet, the padding and the
// trailing bits (minisign: "base64 conversion failed" / "illegal base64").
Result<void> from_base64(std::string_view b64, std::span<std::uint8_t> out, const char* what) {
  const std::size_t want = (out.size() + 2) / 3 * 4;
  // Check: length of the encoded line.
  if (b64.size() != want) {
    return fail(Errc::malformed, std::string(what) + ": base64 line has " +
                                     std::to_string(b64.size()) + " characters, expected " +
                                     std::to_string(want));
  }
  if (auto ok = base64::decode_into(b64, out, true); !ok) {
    return fail(Errc::malformed, std::string(what) + ": " + ok.error().message);
  }
  return {};
}

// One line of a file: its text without the terminator, and its length as minisign's
// fgets() sees it (with a CR before the LF, without the LF).
struct Line {
  std::string_view text;
  std::size_t raw_size = 0;
};

// The lines of a key or signature file, at most `max_lines` of them. Lines end with "\n";
// a "\r" right before it (or at the end of the text) belongs to the terminator (minisign
// trims CR and LF too). Empty lines at the end are dropped, as minisign never reads them;
// any other line after the last expected one is refused (minisign ignores it; we do not, so
// nothing unsigned rides along in a dossier).
Result<std::vector<Line>> split_lines(std::string_view text, std::size_t max_lines,
                                      const std::string& after_last) {
  std::vector<Line> lines;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    Line line{text.substr(0, nl), 0};
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    line.raw_size = line.text.size();
    if (line.text.ends_with('\r')) line.text.remove_suffix(1);
    lines.push_back(line);
  }
  while (!lines.empty() && lines.back().text.empty()) lines.pop_back();
  if (lines.size() > max_lines) return fail(Errc::malformed, after_last);
  return lines;
}

// Common checks on a whole file: size bound and no NUL byte (minisign reads C strings,
// so a NUL would make it see something other than what we see).
Result<void> check_file(std::string_view text, std::size_t max, const char* what) {
  if (text.size() > max) {
    return fail(Errc::limit, std::string(what) + " is larger than " + std::to_string(max) +
                                 " bytes");
  }
  if (text.find('\0') != std::string_view::npos) {
    return fail(Errc::malformed, std::string(what) + " contains a NUL byte");
  }
  return {};
}

// The first line, the untrusted comment: its text is not authenticated and unused. Bounded
// as minisign bounds it: fgets() into 1024 bytes must find the LF, so the line with a CR
// before the LF is at most 1022 bytes. Signature files must start with "untrusted comment: "
// (minisign checks that); in key files minisign skips the first line whatever it says.
Result<void> check_comment_line(const Line& line, const char* what, bool require_prefix) {
  if (line.raw_size > kCommentLineMaxBytes) {
    return fail(Errc::limit, std::string(what) + ": untrusted comment line longer than " +
                                 std::to_string(kCommentLineMaxBytes) + " bytes");
  }
  if (require_prefix && !line.text.starts_with(kCommentPrefix)) {
    return fail(Errc::malformed,
                std::string(what) + ": first line does not start with \"untrusted comment: \"");
  }
  return {};
}

// Why `text` cannot be a comment, or nullopt. TAB is allowed (minisign's own default
// trusted comment is "timestamp:<t>\tfile:<name>\thashed"); every other C0 control
// character and DEL is refused: CR would make minisign (which cuts the line at the
// first CR) and a terminal show something other than what was signed.
std::optional<std::string> comment_problem(std::string_view text, std::size_t max) {
  if (text.size() > max) return "longer than " + std::to_string(max) + " bytes";
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u == '\r') return std::string("contains a carriage return (CR)");
    if ((u < 0x20 && u != '\t') || u == 0x7f) {
      return "contains control character 0x" + std::string(1, "0123456789abcdef"[u >> 4]) +
             std::string(1, "0123456789abcdef"[u & 15]);
    }
  }
  return std::nullopt;
}

std::string sanitize_comment(std::string_view text) {
  std::string out(text.substr(0, std::min(text.size(), kUntrustedCommentMaxBytes)));
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && u != '\t') || u == 0x7f) c = '?';
  }
  return out;
}

void compute_checksum(std::span<std::uint8_t, kChkBytes> out, const KeyId& key_id,
                      std::span<const std::uint8_t> sk) {
  // chk = BLAKE2b-256(sig_alg || key_id || sk), as seckey_compute_chk() in minisign.c.
  crypto_generichash_state st;
  crypto_generichash_init(&st, nullptr, 0, kChkBytes);
  crypto_generichash_update(&st, bytes_of(kSigAlg), kSigAlg.size());
  crypto_generichash_update(&st, key_id.data(), key_id.size());
  crypto_generichash_update(&st, sk.data(), sk.size());
  crypto_generichash_final(&st, out.data(), kChkBytes);
  sodium_memzero(&st, sizeof st);
}

Result<void> derive_stream(std::span<std::uint8_t> stream, const SecretBytes& passphrase,
                           const std::uint8_t* salt, std::uint64_t opslimit,
                           std::uint64_t memlimit) {
  const auto pw = passphrase.expose();
  if (crypto_pwhash_scryptsalsa208sha256(
          stream.data(), stream.size(), reinterpret_cast<const char*>(pw.data()), pw.size(),
          salt, static_cast<unsigned long long>(opslimit), static_cast<std::size_t>(memlimit)) !=
      0) {
    return fail(Errc::limit, "scrypt key derivation failed (not enough memory for memlimit " +
                                 std::to_string(memlimit) + "?)");
  }
  return {};
}

using Prehash = std::array<std::uint8_t, kPrehashBytes>;

Result<Prehash> prehash_stream(std::istream& in) {
  crypto_generichash_state st;
  crypto_generichash_init(&st, nullptr, 0, kPrehashBytes);
  std::vector<char> buf(65536);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    const std::streamsize n = in.gcount();
    if (n > 0) {
      crypto_generichash_update(&st, reinterpret_cast<const std::uint8_t*>(buf.data()),
                                static_cast<unsigned long long>(n));
    }
  }
  // Check: the whole stream was read (stopped at end of file, not at an error).
  if (in.bad() || !in.eof()) return fail(Errc::io, "reading the data to sign/verify failed");
  Prehash h{};
  crypto_generichash_final(&st, h.data(), h.size());
  return h;
}

Prehash prehash_span(std::span<const std::uint8_t> data) {
  Prehash h{};
  crypto_generichash(h.data(), h.size(), data.data(), data.size(), nullptr, 0);
  return h;
}

// A parsed .minisig file.
struct SignatureFile {
  KeyId key_id{};
  std::array<std::uint8_t, kSigBytes> sig{};
  std::string trusted_comment;
  std::array<std::uint8_t, kSigBytes> global_sig{};
};

Result<SignatureFile> parse_signature(std::string_view text) {
  if (auto ok = check_file(text, kSignatureFileMaxBytes, "signature file"); !ok) {
    return tl::unexpected(ok.error());
  }
  // Check: nothing but empty lines after the four lines.
  auto lines = split_lines(text, 4, "signature file: data after the 4th line");
  if (!lines) return tl::unexpected(lines.error());
  auto line = [&](std::size_t i) {
    return i < lines->size() ? std::optional<std::string_view>((*lines)[i].text) : std::nullopt;
  };
  // Line 1: "untrusted comment: ...".
  if (lines->empty()) return fail(Errc::malformed, "signature file: empty file");
  if (auto ok = check_comment_line(lines->front(), "signature file", true); !ok) {
    return tl::unexpected(ok.error());
  }
  // Line 2: base64(sig_alg || key_id || sig), exactly 74 bytes.
  const auto sig_line = line(1);
  if (!sig_line) return fail(Errc::malformed, "signature file: signature line missing");
  std::array<std::uint8_t, kSigStructBytes> sig_struct{};
  if (auto ok = from_base64(*sig_line, sig_struct, "signature file: signature"); !ok) {
    return tl::unexpected(ok.error());
  }
  // Check: algorithm. "ED" is the prehashed signature we accept; "Ed" is the legacy
  // signature over the raw data (minisign -l), which `minisign -V -H` refuses too.
  const std::span<const std::uint8_t> ss(sig_struct);
  if (starts_with_bytes(ss, kSigAlg)) {
    return fail(Errc::unsupported,
                "legacy minisign signature (algorithm \"Ed\", not prehashed) is not accepted; "
                "re-sign with a current minisign (without -l)");
  }
  if (!starts_with_bytes(ss, kSigAlgHashed)) {
    return fail(Errc::unsupported, "signature file: unknown signature algorithm");
  }
  SignatureFile out;
  std::copy_n(sig_struct.begin() + 2, kKeyIdBytes, out.key_id.begin());
  std::copy_n(sig_struct.begin() + 2 + kKeyIdBytes, kSigBytes, out.sig.begin());
  // Line 3: "trusted comment: <text>", text without control characters (except TAB).
  const auto tc_line = line(2);
  if (!tc_line) return fail(Errc::malformed, "signature file: trusted comment line missing");
  if (!tc_line->starts_with(kTrustedCommentPrefix)) {
    return fail(Errc::malformed,
                "signature file: third line does not start with \"trusted comment: \"");
  }
  const std::string_view tc = tc_line->substr(kTrustedCommentPrefix.size());
  if (tc.size() > kTrustedCommentMaxBytes) {
    return fail(Errc::limit, "signature file: trusted comment longer than " +
                                 std::to_string(kTrustedCommentMaxBytes) + " bytes");
  }
  if (auto problem = comment_problem(tc, kTrustedCommentMaxBytes)) {
    return fail(Errc::malformed, "signature file: trusted comment " + *problem);
  }
  out.trusted_comment = std::string(tc);
  // Line 4: base64(global_sig), exactly 64 bytes.
  const auto global_line = line(3);
  if (!global_line) return fail(Errc::malformed, "signature file: global signature line missing");
  if (auto ok = from_base64(*global_line, out.global_sig, "signature file: global signature");
      !ok) {
    return tl::unexpected(ok.error());
  }
  return out;
}

Result<void> check_key_id(const PublicKey& key, const SignatureFile& sf) {
  // Check: key id of the signature matches the public key (wording and hex as minisign's).
  if (sodium_memcmp(sf.key_id.data(), key.key_id.data(), kKeyIdBytes) != 0) {
    return fail(Errc::crypto, "signature key id is " + key_id_hex(sf.key_id) +
                                  " but the key id in the public key is " + key.key_id_hex());
  }
  return {};
}

Result<Verified> verify_prehashed(const PublicKey& key, const SignatureFile& sf,
                                  const Prehash& h) {
  if (auto ok = check_key_id(key, sf); !ok) return tl::unexpected(ok.error());
  // Check: the signature over BLAKE2b-512(data).
  if (crypto_sign_verify_detached(sf.sig.data(), h.data(), h.size(), key.key.data()) != 0) {
    return fail(Errc::crypto, "signature verification failed");
  }
  // Check: the global signature over sig || trusted comment.
  std::vector<std::uint8_t> signed_tc(sf.sig.begin(), sf.sig.end());
  signed_tc.insert(signed_tc.end(), sf.trusted_comment.begin(), sf.trusted_comment.end());
  if (crypto_sign_verify_detached(sf.global_sig.data(), signed_tc.data(), signed_tc.size(),
                                  key.key.data()) != 0) {
    return fail(Errc::crypto, "trusted comment signature verification failed");
  }
  return Verified{sf.trusted_comment, key.key_id_hex()};
}

}  // namespace

std::string key_id_hex(const KeyId& key_id) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(2 * kKeyIdBytes);
  for (std::size_t i = kKeyIdBytes; i-- > 0;) {  // little-endian u64, most significant first
    out += kDigits[key_id[i] >> 4];
    out += kDigits[key_id[i] & 15];
  }
  // minisign 0.11 prints "%" PRIX64: no leading zeros (0.12 pads to 16 digits).
  const auto first = out.find_first_not_of('0');
  return first == std::string::npos ? std::string("0") : out.substr(first);
}

// ---- PublicKey ----------------------------------------------------------------------

Result<PublicKey> PublicKey::parse(std::string_view file_text) {
  init_sodium();
  if (auto ok = check_file(file_text, kKeyFileMaxBytes, "public key"); !ok) {
    return tl::unexpected(ok.error());
  }
  // Check: nothing but empty lines after the key line.
  auto lines = split_lines(file_text, 2, "public key: data after the key line");
  if (!lines) return tl::unexpected(lines.error());
  if (lines->empty()) return fail(Errc::malformed, "public key: empty file");
  // One line: the bare base64 line (what `minisign -P` takes). Two: a comment line, whatever
  // it says (`minisign -p` skips it), then the key.
  if (lines->size() == 2) {
    if (auto ok = check_comment_line(lines->front(), "public key", false); !ok) {
      return tl::unexpected(ok.error());
    }
  }
  std::array<std::uint8_t, kPubkeyStructBytes> raw{};
  if (auto ok = from_base64(lines->back().text, raw, "public key"); !ok) {
    return tl::unexpected(ok.error());
  }
  // Check: algorithm "Ed" (the only one minisign defines for keys).
  if (!starts_with_bytes(raw, kSigAlg)) {
    return fail(Errc::unsupported, "public key: unsupported signature algorithm");
  }
  PublicKey pk;
  std::copy_n(raw.begin() + 2, kKeyIdBytes, pk.key_id.begin());
  std::copy_n(raw.begin() + 2 + kKeyIdBytes, kPublicKeyBytes, pk.key.begin());
  return pk;
}

std::string PublicKey::to_file(std::string_view untrusted_comment) const {
  init_sodium();
  std::array<std::uint8_t, kPubkeyStructBytes> raw{};
  std::copy(kSigAlg.begin(), kSigAlg.end(), raw.begin());
  std::copy(key_id.begin(), key_id.end(), raw.begin() + 2);
  std::copy(key.begin(), key.end(), raw.begin() + 2 + kKeyIdBytes);
  const std::string comment = untrusted_comment.empty()
                                  ? "minisign public key " + key_id_hex()
                                  : sanitize_comment(untrusted_comment);
  return std::string(kCommentPrefix) + comment + "\n" + base64::encode(raw, true) + "\n";
}

std::string PublicKey::key_id_hex() const { return minisign::key_id_hex(key_id); }

// ---- SecretKey ----------------------------------------------------------------------

SecretKey::SecretKey(const KeyId& key_id, SecretBytes sk, bool encrypted)
    : key_id_(key_id), sk_(std::move(sk)), encrypted_(encrypted) {}

SecretKey SecretKey::generate() {
  init_sodium();
  KeyId id{};
  randombytes_buf(id.data(), id.size());
  std::array<std::uint8_t, kPublicKeyBytes> pk{};
  SecretBytes sk(kSecretKeyBytes);
  crypto_sign_keypair(pk.data(), sk.expose().data());
  return SecretKey(id, std::move(sk), false);
}

SecretBytes SecretKey::derive_key(std::uint64_t subkey_id, std::string_view context) const {
  SecretBytes out(crypto_kdf_KEYBYTES);
  std::array<char, crypto_kdf_CONTEXTBYTES> ctx{};
  for (std::size_t i = 0; i < ctx.size() && i < context.size(); ++i) ctx[i] = context[i];
  // The Ed25519 secret key is seed || public key; the seed is the secret.
  crypto_kdf_derive_from_key(out.expose().data(), out.size(), subkey_id, ctx.data(), sk_.expose().data());
  return out;
}

std::string SecretKey::key_id_hex() const { return minisign::key_id_hex(key_id_); }

PublicKey SecretKey::public_key() const {
  PublicKey pk;
  pk.key_id = key_id_;
  const auto sk = sk_.expose();  // libsodium: seed[32] || pk[32]
  std::copy_n(sk.begin() + (kSecretKeyBytes - kPublicKeyBytes), kPublicKeyBytes, pk.key.begin());
  return pk;
}

Result<SecretKey> SecretKey::parse(std::string_view file_text,
                                   const std::function<Result<SecretBytes>()>& ask_passphrase) {
  init_sodium();
  if (auto ok = check_file(file_text, kKeyFileMaxBytes, "secret key"); !ok) {
    return tl::unexpected(ok.error());
  }
  // Check: a comment line, whatever it says (minisign skips it), the key line, then nothing
  // but empty lines.
  auto lines = split_lines(file_text, 2, "secret key: data after the key line");
  if (!lines) return tl::unexpected(lines.error());
  if (lines->empty()) return fail(Errc::malformed, "secret key: empty file");
  if (auto ok = check_comment_line(lines->front(), "secret key", false); !ok) {
    return tl::unexpected(ok.error());
  }
  if (lines->size() < 2) return fail(Errc::malformed, "secret key: base64 line missing");
  // Decoded straight into guarded memory: the key is in there (plain or XORed).
  SecretBytes raw_buf(kSeckeyStructBytes);
  const auto raw = raw_buf.expose();
  if (auto ok = from_base64(lines->back().text, raw, "secret key"); !ok) {
    return tl::unexpected(ok.error());
  }

  // Check: sig_alg "Ed", chk_alg "B2", kdf_alg "Sc" or two zero bytes (minisign's order).
  if (!starts_with_bytes(raw.subspan(kSkOffSigAlg), kSigAlg)) {
    return fail(Errc::unsupported, "secret key: unsupported signature algorithm");
  }
  if (!starts_with_bytes(raw.subspan(kSkOffChkAlg), kChkAlg)) {
    return fail(Errc::unsupported, "secret key: unsupported checksum algorithm");
  }
  const bool encrypted = starts_with_bytes(raw.subspan(kSkOffKdfAlg), kKdfAlg);
  if (!encrypted && (raw[kSkOffKdfAlg] != 0 || raw[kSkOffKdfAlg + 1] != 0)) {
    return fail(Errc::unsupported, "secret key: unsupported key derivation function");
  }
  const auto keynum = raw.subspan(kSkOffKeynum, kKeynumSkBytes);
  if (encrypted) {
    const std::uint64_t ops = le64_load(raw.data() + kSkOffOps);
    const std::uint64_t mem = le64_load(raw.data() + kSkOffMem);
    // Check: scrypt cost within our bounds, before asking anybody for a passphrase.
    if (ops > kMaxOpsLimit || mem > kMaxMemLimit) {
      return fail(Errc::limit, "secret key: scrypt cost (opslimit " + std::to_string(ops) +
                                   ", memlimit " + std::to_string(mem) +
                                   ") exceeds the limit (opslimit " +
                                   std::to_string(kMaxOpsLimit) + ", memlimit " +
                                   std::to_string(kMaxMemLimit) + ")");
    }
    auto pw = ask_passphrase();
    if (!pw) return tl::unexpected(pw.error());
    SecretBytes stream(kKeynumSkBytes);
    if (auto ok = derive_stream(stream.expose(), *pw, raw.data() + kSkOffSalt, ops, mem); !ok) {
      return tl::unexpected(ok.error());
    }
    for (std::size_t i = 0; i < kKeynumSkBytes; ++i) keynum[i] ^= stream.expose()[i];
  }
  KeyId id{};
  std::copy_n(keynum.begin(), kKeyIdBytes, id.begin());
  SecretBytes sk(keynum.data() + kKeyIdBytes, kSecretKeyBytes);
  const auto stored_chk = keynum.subspan(kKeyIdBytes + kSecretKeyBytes, kChkBytes);
  std::array<std::uint8_t, kChkBytes> chk{};
  compute_checksum(chk, id, sk.expose());
  const bool chk_ok = sodium_memcmp(chk.data(), stored_chk.data(), kChkBytes) == 0;
  sodium_memzero(chk.data(), chk.size());
  if (encrypted) {
    // Check: BLAKE2b-256 checksum after decryption ("Wrong password for that key").
    if (!chk_ok) return fail(Errc::bad_passphrase, "wrong passphrase for this secret key");
  } else {
    // Check: unencrypted keys. `minisign -G -W` (0.11) leaves the checksum all zero and
    // minisign never checks it for such keys; `minisign -C -W` writes a real one. We
    // accept zeros and otherwise require a correct checksum.
    if (!chk_ok && !sodium_is_zero(stored_chk.data(), kChkBytes)) {
      return fail(Errc::malformed, "secret key: checksum mismatch (corrupt key file)");
    }
  }
  // Check: the public half stored in sk matches its seed (catches corruption that the
  // all-zero checksum of unencrypted keys cannot).
  std::array<std::uint8_t, kPublicKeyBytes> pk{};
  SecretBytes sk2(kSecretKeyBytes);
  crypto_sign_seed_keypair(pk.data(), sk2.expose().data(), sk.expose().data());
  if (sodium_memcmp(sk2.expose().data(), sk.expose().data(), kSecretKeyBytes) != 0) {
    return fail(Errc::malformed, "secret key: inconsistent key material (corrupt key file)");
  }
  return SecretKey(id, std::move(sk), encrypted);
}

Result<SecretBytes> SecretKey::to_file(const SecretBytes* passphrase,
                                       std::string_view untrusted_comment,
                                       const KdfParams& kdf) const {
  init_sodium();
  if (auto problem = comment_problem(untrusted_comment, kUntrustedCommentMaxBytes)) {
    return fail(Errc::usage, "secret key comment " + *problem);
  }
  if (passphrase != nullptr) {
    const auto pw = passphrase->expose();
    if (pw.empty()) {
      return fail(Errc::usage, "empty passphrase; write an unencrypted key instead");
    }
    // minisign reads the passphrase with fgets() into 1024 bytes and cuts it at CR/LF.
    if (pw.size() > kPasswordMaxBytes ||
        std::any_of(pw.begin(), pw.end(), [](std::uint8_t b) {
          return b == 0 || b == '\r' || b == '\n';
        })) {
      return fail(Errc::usage,
                  "passphrase minisign could not read (NUL, CR, LF or more than 1023 bytes)");
    }
    if (kdf.opslimit < kMinOpsLimit || kdf.opslimit > kMaxOpsLimit ||
        kdf.memlimit < kMinMemLimit || kdf.memlimit > kMaxMemLimit) {
      return fail(Errc::usage, "scrypt parameters outside [min, max]");
    }
  }
  SecretBytes raw_buf(kSeckeyStructBytes);
  const auto raw = raw_buf.expose();
  std::copy(kSigAlg.begin(), kSigAlg.end(), raw.begin() + kSkOffSigAlg);
  std::copy(kChkAlg.begin(), kChkAlg.end(), raw.begin() + kSkOffChkAlg);
  const auto keynum = raw.subspan(kSkOffKeynum, kKeynumSkBytes);
  std::copy(key_id_.begin(), key_id_.end(), keynum.begin());
  std::copy(sk_.expose().begin(), sk_.expose().end(), keynum.begin() + kKeyIdBytes);
  std::array<std::uint8_t, kChkBytes> chk{};
  compute_checksum(chk, key_id_, sk_.expose());
  std::copy(chk.begin(), chk.end(), keynum.begin() + kKeyIdBytes + kSecretKeyBytes);
  sodium_memzero(chk.data(), chk.size());
  if (passphrase != nullptr) {
    std::copy(kKdfAlg.begin(), kKdfAlg.end(), raw.begin() + kSkOffKdfAlg);
    randombytes_buf(raw.data() + kSkOffSalt, kSaltBytes);
    le64_store(raw.data() + kSkOffOps, kdf.opslimit);
    le64_store(raw.data() + kSkOffMem, kdf.memlimit);
    SecretBytes stream(kKeynumSkBytes);
    if (auto ok = derive_stream(stream.expose(), *passphrase, raw.data() + kSkOffSalt,
                                kdf.opslimit, kdf.memlimit);
        !ok) {
      return tl::unexpected(ok.error());
    }
    for (std::size_t i = 0; i < kKeynumSkBytes; ++i) keynum[i] ^= stream.expose()[i];
  }
  // Unencrypted: kdf_alg, salt and limits stay zero, as `minisign -G -W` writes them.
  const std::string comment =
      !untrusted_comment.empty() ? std::string(untrusted_comment)
      : passphrase != nullptr    ? std::string("minisign encrypted secret key")
                                 : std::string("minisign unencrypted secret key");
  const SecretBytes b64 = base64::encode_secret(raw, true);
  return join_secret({kCommentPrefix, comment, "\n", as_text(b64.expose()), "\n"});
}

Result<std::string> SecretKey::sign_prehashed(std::span<const std::uint8_t, 64> prehash,
                                              std::string_view trusted_comment,
                                              std::string_view untrusted_comment) const {
  std::array<std::uint8_t, kSigStructBytes> sig_struct{};
  std::copy(kSigAlgHashed.begin(), kSigAlgHashed.end(), sig_struct.begin());
  std::copy(key_id_.begin(), key_id_.end(), sig_struct.begin() + 2);
  const auto sig = std::span(sig_struct).subspan(2 + kKeyIdBytes, kSigBytes);
  crypto_sign_detached(sig.data(), nullptr, prehash.data(), prehash.size(), sk_.expose().data());

  std::vector<std::uint8_t> signed_tc(sig.begin(), sig.end());
  signed_tc.insert(signed_tc.end(), trusted_comment.begin(), trusted_comment.end());
  std::array<std::uint8_t, kSigBytes> global_sig{};
  crypto_sign_detached(global_sig.data(), nullptr, signed_tc.data(), signed_tc.size(),
                       sk_.expose().data());
  // Check: verify what we produced with the public key (as minisign does when given
  // one) — guards against faults corrupting an Ed25519 signature.
  const PublicKey pk = public_key();
  if (crypto_sign_verify_detached(sig.data(), prehash.data(), prehash.size(), pk.key.data()) !=
          0 ||
      crypto_sign_verify_detached(global_sig.data(), signed_tc.data(), signed_tc.size(),
                                  pk.key.data()) != 0) {
    return fail(Errc::internal, "freshly made minisign signature does not verify");
  }
  const std::string comment = untrusted_comment.empty() ? std::string(kDefaultSignatureComment)
                                                        : std::string(untrusted_comment);
  return std::string(kCommentPrefix) + comment + "\n" + base64::encode(sig_struct, true) + "\n" +
         std::string(kTrustedCommentPrefix) + std::string(trusted_comment) + "\n" +
         base64::encode(global_sig, true) + "\n";
}

namespace {
Result<void> check_sign_comments(std::string_view trusted, std::string_view untrusted) {
  if (auto problem = comment_problem(trusted, kTrustedCommentMaxBytes)) {
    return fail(Errc::usage, "trusted comment " + *problem);
  }
  if (auto problem = comment_problem(untrusted, kUntrustedCommentMaxBytes)) {
    return fail(Errc::usage, "untrusted comment " + *problem);
  }
  return {};
}
}  // namespace

Result<std::string> sign(const SecretKey& key, std::istream& data,
                         std::string_view trusted_comment, std::string_view untrusted_comment) {
  init_sodium();
  if (auto ok = check_sign_comments(trusted_comment, untrusted_comment); !ok) {
    return tl::unexpected(ok.error());
  }
  auto h = prehash_stream(data);
  if (!h) return tl::unexpected(h.error());
  return key.sign_prehashed(*h, trusted_comment, untrusted_comment);
}

Result<std::string> sign(const SecretKey& key, std::span<const std::uint8_t> data,
                         std::string_view trusted_comment, std::string_view untrusted_comment) {
  init_sodium();
  if (auto ok = check_sign_comments(trusted_comment, untrusted_comment); !ok) {
    return tl::unexpected(ok.error());
  }
  return key.sign_prehashed(prehash_span(data), trusted_comment, untrusted_comment);
}

Result<Verified> verify(const PublicKey& key, std::istream& data,
                        std::string_view signature_file_text) {
  init_sodium();
  auto sf = parse_signature(signature_file_text);  // parse first: no reading for junk
  if (!sf) return tl::unexpected(sf.error());
  if (auto ok = check_key_id(key, *sf); !ok) return tl::unexpected(ok.error());  // before reading
  auto h = prehash_stream(data);
  if (!h) return tl::unexpected(h.error());
  return verify_prehashed(key, *sf, *h);
}

Result<KeyId> signature_key_id(std::string_view signature_file_text) {
  auto sf = parse_signature(signature_file_text);
  if (!sf) return tl::unexpected(sf.error());
  return sf->key_id;
}

Result<Verified> verify(const PublicKey& key, std::span<const std::uint8_t> data,
                        std::string_view signature_file_text) {
  init_sodium();
  auto sf = parse_signature(signature_file_text);
  if (!sf) return tl::unexpected(sf.error());
  return verify_prehashed(key, *sf, prehash_span(data));
}

}  // namespace dossier::crypto::minisign

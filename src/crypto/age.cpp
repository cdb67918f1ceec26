// age v1 file format. Spec: C2SP age.md (https://c2sp.org/age); the section of the
// spec behind each check is named in quotes next to it.
#include "crypto/age.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <istream>
#include <memory>
#include <optional>
#include <ostream>
#include <sstream>

#include "crypto/age_armor.hpp"
#include "crypto/base64.hpp"
#include "crypto/bech32.hpp"
#include "crypto/hkdf.hpp"
#include "crypto/sodium_init.hpp"

namespace dossier::crypto::age {
namespace {

constexpr std::string_view kVersionPrefix = "age-encryption.org/";
constexpr std::string_view kVersionLine = "age-encryption.org/v1";
constexpr std::string_view kX25519Label = "age-encryption.org/v1/X25519";
constexpr std::string_view kScryptLabel = "age-encryption.org/v1/scrypt";
constexpr std::string_view kRecipientHrp = "age";
constexpr std::string_view kIdentityHrp = "AGE-SECRET-KEY-";
constexpr std::size_t kTagSize = crypto_aead_chacha20poly1305_ietf_ABYTES;  // 16
constexpr std::size_t kEncChunkSize = kChunkSize + kTagSize;
constexpr std::size_t kPayloadNonceSize = 16;                // "Payload": 16-byte nonce
constexpr std::size_t kMaxHeaderSize = 1024 * 1024;          // our limit, Errc::limit
constexpr std::size_t kMaxHeaderLine = 64 * 1024;            // our limit, Errc::limit
constexpr int kMaxSupportedWorkFactor = 40;

tl::unexpected<Error> header_error(Errc code, const std::string& what) {
  return fail(code, Stage::header, "age: header: " + what);
}
tl::unexpected<Error> payload_error(Errc code, const std::string& what) {
  return fail(code, Stage::payload, "age: payload: " + what);
}

// "Recipient stanza" / ABNF: argument = 1*VCHAR. Why `a` is not one, or "" when it is.
std::string argument_problem(std::string_view a) {
  if (a.empty()) return "empty stanza argument";
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto u = static_cast<unsigned char>(a[i]);
    if (u < 0x21 || u > 0x7e) {
      static constexpr char kDigits[] = "0123456789ABCDEF";
      return std::string("stanza argument holds byte 0x") + kDigits[u >> 4] + kDigits[u & 15] +
             " at offset " + std::to_string(i) + " (only visible ASCII is allowed)";
    }
  }
  return {};
}
bool is_valid_argument(std::string_view a) { return argument_problem(a).empty(); }

// ChaCha20-Poly1305 with the all-zero nonce, as both native recipient types use.
std::vector<std::uint8_t> seal_zero_nonce(const SecretBytes& key, const SecretBytes& plain) {
  std::vector<std::uint8_t> out(plain.size() + kTagSize);
  const std::array<std::uint8_t, crypto_aead_chacha20poly1305_ietf_NPUBBYTES> nonce{};
  unsigned long long clen = 0;
  crypto_aead_chacha20poly1305_ietf_encrypt(out.data(), &clen, plain.expose().data(),
                                            plain.size(), nullptr, 0, nullptr, nonce.data(),
                                            key.expose().data());
  return out;
}

std::optional<SecretBytes> open_zero_nonce(const SecretBytes& key,
                                           const std::vector<std::uint8_t>& body) {
  if (body.size() < kTagSize) return std::nullopt;
  SecretBytes out(body.size() - kTagSize);
  const std::array<std::uint8_t, crypto_aead_chacha20poly1305_ietf_NPUBBYTES> nonce{};
  unsigned long long mlen = 0;
  if (crypto_aead_chacha20poly1305_ietf_decrypt(out.expose().data(), &mlen, nullptr,
                                                body.data(), body.size(), nullptr, 0,
                                                nonce.data(), key.expose().data()) != 0) {
    return std::nullopt;
  }
  return out;
}

// ---------------------------------------------------------------------------------
// Byte sources for decryption: binary or armored, behind one buffered reader.

class Source {
 public:
  virtual ~Source() = default;
  // Reads up to n bytes; 0 means end of input.
  virtual Result<std::size_t> read(std::uint8_t* buf, std::size_t n) = 0;
};

class RawSource final : public Source {
 public:
  RawSource(std::istream& in, std::string prefix) : in_(in), prefix_(std::move(prefix)) {}
  Result<std::size_t> read(std::uint8_t* buf, std::size_t n) override {
    std::size_t got = 0;
    while (got < n && pos_ < prefix_.size()) buf[got++] = static_cast<std::uint8_t>(prefix_[pos_++]);
    if (got < n) {
      in_.read(reinterpret_cast<char*>(buf + got), static_cast<std::streamsize>(n - got));
      if (in_.bad()) return fail(Errc::io, "age: read failed");
      got += static_cast<std::size_t>(in_.gcount());
    }
    return got;
  }

 private:
  std::istream& in_;
  std::string prefix_;
  std::size_t pos_ = 0;
};

class ArmorSource final : public Source {
 public:
  ArmorSource(std::istream& in, std::string prefix) : reader_(in, std::move(prefix)) {}
  Result<std::size_t> read(std::uint8_t* buf, std::size_t n) override { return reader_.read(buf, n); }

 private:
  ArmorReader reader_;
};

class BufReader {
 public:
  explicit BufReader(Source& src) : src_(src), buf_(kEncChunkSize) {}

  Result<bool> fill() {
    if (pos_ < len_) return true;
    if (eof_) return false;
    auto n = src_.read(buf_.data(), buf_.size());
    if (!n) return tl::unexpected(n.error());
    pos_ = 0;
    len_ = *n;
    if (len_ == 0) eof_ = true;
    return len_ > 0;
  }

  // Reads a line without its LF into `line`. Returns false if the input ended first.
  Result<bool> read_line(std::string& line, std::size_t max) {
    line.clear();
    for (;;) {
      auto more = fill();
      if (!more) return tl::unexpected(more.error());
      if (!*more) return false;
      const auto begin = buf_.begin() + static_cast<std::ptrdiff_t>(pos_);
      const auto end = buf_.begin() + static_cast<std::ptrdiff_t>(len_);
      const auto nl = std::find(begin, end, std::uint8_t{'\n'});
      line.append(begin, nl);
      if (line.size() > max) return header_error(Errc::limit, "line too long");
      pos_ = static_cast<std::size_t>(nl - buf_.begin());
      if (nl != end) {
        ++pos_;
        return true;
      }
    }
  }

  // Reads until n bytes or end of input.
  Result<std::size_t> read_full(std::uint8_t* dst, std::size_t n) {
    std::size_t got = 0;
    while (got < n) {
      auto more = fill();
      if (!more) return tl::unexpected(more.error());
      if (!*more) break;
      const std::size_t take = std::min(n - got, len_ - pos_);
      std::copy_n(buf_.begin() + static_cast<std::ptrdiff_t>(pos_), take, dst + got);
      pos_ += take;
      got += take;
    }
    return got;
  }

  Result<bool> at_eof() {
    auto more = fill();
    if (!more) return tl::unexpected(more.error());
    return !*more;
  }

 private:
  Source& src_;
  std::vector<std::uint8_t> buf_;
  std::size_t pos_ = 0;
  std::size_t len_ = 0;
  bool eof_ = false;
};

// ---------------------------------------------------------------------------------
// Header ("Header", "ABNF definition of file header").

struct Header {
  std::vector<Stanza> stanzas;
  std::string mac_input;  // header up to and including "---"
  std::vector<std::uint8_t> mac;
};

Result<Header> parse_header(BufReader& r) {
  Header h;
  std::string line;
  auto next = [&]() -> Result<void> {
    auto ok = r.read_line(line, kMaxHeaderLine);
    if (!ok) return tl::unexpected(ok.error());
    if (!*ok) return header_error(Errc::malformed, "unexpected end of file");
    if (h.mac_input.size() + line.size() > kMaxHeaderSize) {
      return header_error(Errc::limit, "header larger than 1 MiB");
    }
    return {};
  };
  // "Version line": exactly "age-encryption.org/v1" LF.
  if (auto ok = next(); !ok) return tl::unexpected(ok.error());
  if (line != kVersionLine) {
    if (line.starts_with(kVersionPrefix)) return header_error(Errc::unsupported, "unsupported version");
    return header_error(Errc::malformed, "missing version line");
  }
  h.mac_input.append(line).push_back('\n');
  for (;;) {
    if (auto ok = next(); !ok) return tl::unexpected(ok.error());
    if (line.starts_with("-> ")) {
      // Our limit: every identity tries every stanza (an X25519 scalar multiplication each),
      // so a header of thousands of dummy stanzas would cost seconds per file.
      if (h.stanzas.size() == kMaxStanzas) {
        return header_error(Errc::limit, "more than " + std::to_string(kMaxStanzas) + " recipient stanzas");
      }
      // "ABNF": arg-line = "-> " argument *(SP argument) LF
      h.mac_input.append(line).push_back('\n');
      Stanza s;
      std::vector<std::string> args;
      std::string_view rest = std::string_view(line).substr(3);
      for (;;) {
        const std::size_t sp = rest.find(' ');
        const std::string_view a = rest.substr(0, sp);
        if (auto problem = argument_problem(a); !problem.empty()) return header_error(Errc::malformed, problem);
        args.emplace_back(a);
        if (sp == std::string_view::npos) break;
        rest = rest.substr(sp + 1);
      }
      s.type = std::move(args.front());
      s.args.assign(std::make_move_iterator(args.begin() + 1), std::make_move_iterator(args.end()));
      // "Recipient stanza": body wrapped at 64 columns, ending with a line shorter than 64
      // (possibly empty). full-line = 64base64char LF; final-line = *63base64char LF.
      std::string b64;
      for (;;) {
        if (auto ok = next(); !ok) return tl::unexpected(ok.error());
        h.mac_input.append(line).push_back('\n');
        // The next header line where the final body line should be (neither "-> " nor "---"
        // is base64): say what is missing rather than that it is not base64.
        if (line.starts_with("-> ") || line.starts_with("---")) {
          return header_error(Errc::malformed, b64.empty() ? "stanza without a body line (an empty final line is required)"
                                                           : "stanza body ends with a full 64-column line; a shorter "
                                                             "final line (possibly empty) must follow");
        }
        if (line.size() > 64) return header_error(Errc::malformed, "stanza body line longer than 64 columns");
        b64 += line;
        if (line.size() < 64) break;
      }
      // "Conventions": canonical unpadded base64 only.
      auto body = base64::decode(b64);
      if (!body) return header_error(Errc::malformed, "stanza body: " + body.error().message);
      s.body = std::move(*body);
      h.stanzas.push_back(std::move(s));
    } else if (line.starts_with("---")) {
      // "ABNF": end = "--- " 43base64char LF; "Header MAC": MAC over the header up to
      // and including "---".
      if (line.size() != 4 + 43 || line[3] != ' ') return header_error(Errc::malformed, "malformed MAC line");
      auto mac = base64::decode(std::string_view(line).substr(4));
      if (!mac) return header_error(Errc::malformed, "MAC: " + mac.error().message);
      if (mac->size() != 32) return header_error(Errc::malformed, "MAC is not 32 bytes");
      h.mac = std::move(*mac);
      h.mac_input += "---";
      break;
    } else {
      return header_error(Errc::malformed, "unexpected line in header");
    }
  }
  // "ABNF": header = v1-line 1*stanza end
  if (h.stanzas.empty()) return header_error(Errc::malformed, "no recipient stanzas");
  return h;
}

Result<std::string> encode_header_without_mac(const std::vector<Stanza>& stanzas) {
  std::string out(kVersionLine);
  out.push_back('\n');
  for (const Stanza& s : stanzas) {
    if (!is_valid_argument(s.type)) return fail(Errc::internal, "age: invalid stanza type");
    out += "-> " + s.type;
    for (const std::string& a : s.args) {
      if (!is_valid_argument(a)) return fail(Errc::internal, "age: invalid stanza argument");
      out += ' ' + a;
    }
    out.push_back('\n');
    const std::string b64 = base64::encode(s.body);
    // "Recipient stanza": 64-column lines, final line shorter (possibly empty).
    for (std::size_t i = 0;; i += 64) {
      const std::string_view part = std::string_view(b64).substr(std::min(i, b64.size()), 64);
      out.append(part).push_back('\n');
      if (part.size() < 64) break;
    }
  }
  out += "---";
  return out;
}

Result<std::array<std::uint8_t, 32>> header_mac(const SecretBytes& file_key, std::string_view mac_input) {
  // "Header MAC": HMAC key = HKDF-SHA-256(ikm = file key, salt = empty, info = "header").
  auto key = hkdf_sha256(file_key.expose(), {}, "header", 32);
  if (!key) return tl::unexpected(key.error());
  std::array<std::uint8_t, 32> mac{};
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, key->expose().data(), key->size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(mac_input.data()),
                                mac_input.size());
  crypto_auth_hmacsha256_final(&st, mac.data());
  sodium_memzero(&st, sizeof st);
  return mac;
}

// "Payload": 12-byte nonce = 11-byte big-endian counter || last-chunk flag.
void set_chunk_nonce(std::array<std::uint8_t, 12>& nonce, std::uint64_t counter, bool last) {
  nonce.fill(0);
  for (std::size_t i = 0; i < 8; ++i) nonce[10 - i] = static_cast<std::uint8_t>(counter >> (8 * i));
  nonce[11] = last ? 1 : 0;
}

// Decimal with no leading zeros: "%x31-39 *DIGIT" ("scrypt recipient stanza").
// Values too long to matter are clamped to 1000 so the caller reports them over the limit.
std::optional<int> parse_work_factor(std::string_view s) {
  if (s.empty() || s[0] < '1' || s[0] > '9') return std::nullopt;
  if (!std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) return std::nullopt;
  if (s.size() > 3) return 1000;
  int v = 0;
  for (const char c : s) v = v * 10 + (c - '0');
  return v;
}

}  // namespace

Recipient::~Recipient() = default;
Identity::~Identity() = default;

// ---------------------------------------------------------------------------------
// X25519 ("The X25519 recipient type").

X25519Recipient::X25519Recipient(const std::uint8_t* pk) : pk_{} { std::copy_n(pk, 32, pk_); }

Result<X25519Recipient> X25519Recipient::parse(std::string_view s) {
  // Kinds of recipient that age knows but dossier does not encrypt to: say so by name, rather
  // than report their encoding as broken.
  if (s.rfind("ssh-", 0) == 0 || s.rfind("ecdsa-", 0) == 0 || s.rfind("sk-ssh-", 0) == 0) {
    return fail(Errc::unsupported,
                "age: an SSH public key is not supported; dossier encrypts only to age X25519 recipients (age1...)");
  }
  if (s.rfind("age1", 0) == 0) {
    const auto sep = s.rfind('1');
    if (sep != std::string_view::npos && sep > 3) {  // HRP "age1NAME": an age plugin recipient
      return fail(Errc::unsupported, "age: plugin recipients (" + std::string(s.substr(0, sep)) +
                                         "...) are not supported; dossier encrypts only to age X25519 recipients (age1...)");
    }
  }
  auto d = bech32::decode(s, 0);
  // Encoded as Bech32 with HRP "age" (lowercase).
  if (!d) return fail(Errc::malformed, "age: invalid recipient: " + d.error().message);
  if (d->hrp != kRecipientHrp || d->uppercase) return fail(Errc::malformed, "age: invalid recipient: not an age1 X25519 recipient");
  if (d->data.size() != 32) return fail(Errc::malformed, "age: invalid recipient: wrong key length");
  return X25519Recipient(d->data.data());
}

std::string X25519Recipient::to_string() const {
  auto s = bech32::encode(kRecipientHrp, std::span<const std::uint8_t>(pk_, 32));
  return s ? *s : std::string();
}

Result<std::vector<Stanza>> X25519Recipient::wrap(const SecretBytes& file_key) const {
  init_sodium();
  // "X25519 recipient stanza": fresh ephemeral secret per stanza.
  SecretBytes eph(32);
  randombytes_buf(eph.expose().data(), 32);
  std::array<std::uint8_t, 32> share{};
  crypto_scalarmult_base(share.data(), eph.expose().data());
  SecretBytes shared(32);
  if (crypto_scalarmult(shared.expose().data(), eph.expose().data(), pk_) != 0) {
    return fail(Errc::hostile, "age: X25519 recipient is a low-order point");
  }
  std::array<std::uint8_t, 64> salt{};  // ephemeral share || recipient
  std::copy(share.begin(), share.end(), salt.begin());
  std::copy_n(pk_, 32, salt.begin() + 32);
  auto wrap_key = hkdf_sha256(shared.expose(), salt, kX25519Label, 32);
  if (!wrap_key) return tl::unexpected(wrap_key.error());
  Stanza s{"X25519", {base64::encode(share)}, seal_zero_nonce(*wrap_key, file_key)};
  return std::vector<Stanza>{std::move(s)};
}

X25519Identity::X25519Identity(SecretBytes sk) : sk_(std::move(sk)), pk_{} {
  crypto_scalarmult_base(pk_, sk_.expose().data());
}

Result<X25519Identity> X25519Identity::parse(std::string_view s) {
  // Encoded as Bech32 with HRP "AGE-SECRET-KEY-" (uppercase). Error messages never
  // echo the input: it is secret.
  if (s.rfind("AGE-PLUGIN-", 0) == 0) {
    return fail(Errc::unsupported, "age: plugin identities are not supported; use an age X25519 identity (AGE-SECRET-KEY-1...)");
  }
  if (s.rfind("-----BEGIN", 0) == 0) {
    return fail(Errc::unsupported, "age: SSH or PEM private keys are not supported; use an age X25519 identity (AGE-SECRET-KEY-1...)");
  }
  auto d = bech32::decode_secret(s, 0);
  if (!d) return fail(Errc::malformed, "age: invalid identity: " + d.error().message);
  if (d->hrp != "age-secret-key-" || !d->uppercase) {
    return fail(Errc::malformed, "age: invalid identity: not an AGE-SECRET-KEY-1 X25519 identity");
  }
  if (d->data.size() != 32) return fail(Errc::malformed, "age: invalid identity: wrong key length");
  return X25519Identity(std::move(d->data));
}

X25519Identity X25519Identity::generate() {
  init_sodium();
  SecretBytes sk(32);
  randombytes_buf(sk.expose().data(), 32);
  return X25519Identity(std::move(sk));
}

X25519Recipient X25519Identity::recipient() const { return X25519Recipient(pk_); }

SecretBytes X25519Identity::to_string() const {
  auto s = bech32::encode_secret(kIdentityHrp, sk_.expose(), true);
  return s ? std::move(*s) : SecretBytes();
}

Result<SecretBytes> X25519Identity::unwrap(const std::vector<Stanza>& stanzas) const {
  init_sodium();
  for (const Stanza& s : stanzas) {
    // "X25519 recipient stanza": ignore stanzas whose first argument is not "X25519".
    if (s.type != "X25519") continue;
    // ...reject any with more or less than two arguments,
    if (s.args.size() != 1) return header_error(Errc::malformed, "X25519 stanza must have two arguments");
    // ...or whose share is not canonical base64 of 32 bytes,
    auto share = base64::decode(s.args[0]);
    if (!share) return header_error(Errc::malformed, "X25519 share: " + share.error().message);
    if (share->size() != 32) return header_error(Errc::malformed, "X25519 share is not 32 bytes");
    // ...and check the body length is exactly 32 bytes before decrypting.
    if (s.body.size() != kFileKeySize + kTagSize) {
      return header_error(Errc::malformed, "X25519 stanza body is not 32 bytes");
    }
    SecretBytes shared(32);
    // "If the shared secret is all 0x00 bytes, the identity implementation MUST abort."
    // (crypto_scalarmult fails exactly then.)
    if (crypto_scalarmult(shared.expose().data(), sk_.expose().data(), share->data()) != 0 ||
        sodium_is_zero(shared.expose().data(), 32) != 0) {
      return header_error(Errc::hostile, "X25519 shared secret is all zero (low-order share)");
    }
    std::array<std::uint8_t, 64> salt{};
    std::copy(share->begin(), share->end(), salt.begin());
    std::copy_n(pk_, 32, salt.begin() + 32);
    auto wrap_key = hkdf_sha256(shared.expose(), salt, kX25519Label, 32);
    if (!wrap_key) return tl::unexpected(wrap_key.error());
    auto file_key = open_zero_nonce(*wrap_key, s.body);
    if (file_key) return std::move(*file_key);
  }
  return fail(Errc::no_identity, "age: no X25519 stanza matched the identity");
}

// ---------------------------------------------------------------------------------
// scrypt ("The scrypt recipient type").

ScryptRecipient::ScryptRecipient(SecretBytes passphrase, int log2_work_factor)
    : passphrase_(std::move(passphrase)), log2_work_factor_(log2_work_factor) {}

namespace {
Result<SecretBytes> scrypt_wrap_key(const SecretBytes& passphrase,
                                    std::span<const std::uint8_t> salt16, int log2_n) {
  // wrap key = scrypt(N = work factor, r = 8, p = 1, dkLen = 32,
  //                   S = "age-encryption.org/v1/scrypt" || salt, P = passphrase)
  std::vector<std::uint8_t> salt(kScryptLabel.begin(), kScryptLabel.end());
  salt.insert(salt.end(), salt16.begin(), salt16.end());
  SecretBytes key(32);
  if (crypto_pwhash_scryptsalsa208sha256_ll(passphrase.expose().data(), passphrase.size(),
                                            salt.data(), salt.size(),
                                            std::uint64_t{1} << log2_n, 8, 1,
                                            key.expose().data(), key.size()) != 0) {
    return header_error(Errc::limit, "scrypt failed (out of memory?)");
  }
  return key;
}
}  // namespace

Result<std::vector<Stanza>> ScryptRecipient::wrap(const SecretBytes& file_key) const {
  init_sodium();
  if (log2_work_factor_ < 1 || log2_work_factor_ > kMaxSupportedWorkFactor) {
    return fail(Errc::usage, "age: scrypt work factor out of range");
  }
  std::array<std::uint8_t, 16> salt{};
  randombytes_buf(salt.data(), salt.size());  // fresh salt per stanza and file
  auto key = scrypt_wrap_key(passphrase_, salt, log2_work_factor_);
  if (!key) return tl::unexpected(key.error());
  Stanza s{"scrypt", {base64::encode(salt), std::to_string(log2_work_factor_)},
           seal_zero_nonce(*key, file_key)};
  return std::vector<Stanza>{std::move(s)};
}

ScryptIdentity::ScryptIdentity(SecretBytes passphrase, int max_log2_work_factor)
    : passphrase_(std::move(passphrase)),
      max_log2_work_factor_(std::clamp(max_log2_work_factor, 1, kMaxSupportedWorkFactor)) {}

Result<SecretBytes> ScryptIdentity::unwrap(const std::vector<Stanza>& stanzas) const {
  init_sodium();
  const bool any = std::any_of(stanzas.begin(), stanzas.end(),
                               [](const Stanza& s) { return s.type == "scrypt"; });
  if (!any) return fail(Errc::no_identity, "age: no scrypt stanza (file not passphrase-encrypted)");
  // "scrypt recipient stanza": an scrypt stanza MUST be the only stanza.
  if (stanzas.size() != 1) return header_error(Errc::malformed, "scrypt stanza must be the only stanza");
  const Stanza& s = stanzas.front();
  // ...reject any scrypt stanza with more or less than three arguments,
  if (s.args.size() != 2) return header_error(Errc::malformed, "scrypt stanza must have three arguments");
  // ...where the salt is not canonical base64 of 16 bytes,
  auto salt = base64::decode(s.args[0]);
  if (!salt) return header_error(Errc::malformed, "scrypt salt: " + salt.error().message);
  if (salt->size() != 16) return header_error(Errc::malformed, "scrypt salt is not 16 bytes");
  // ...or the work factor is not ^[1-9][0-9]*$; SHOULD apply an upper limit.
  const auto log2_n = parse_work_factor(s.args[1]);
  if (!log2_n) return header_error(Errc::malformed, "scrypt work factor is not a canonical decimal");
  if (*log2_n > max_log2_work_factor_) {
    return header_error(Errc::limit, "scrypt work factor exceeds the limit of 2^" +
                                         std::to_string(max_log2_work_factor_));
  }
  // ...and MUST check the body length is exactly 32 bytes before decrypting.
  if (s.body.size() != kFileKeySize + kTagSize) return header_error(Errc::malformed, "scrypt stanza body is not 32 bytes");
  auto key = scrypt_wrap_key(passphrase_, *salt, *log2_n);
  if (!key) return tl::unexpected(key.error());
  auto file_key = open_zero_nonce(*key, s.body);
  if (!file_key) return fail(Errc::bad_passphrase, "age: incorrect passphrase");
  return std::move(*file_key);
}

// ---------------------------------------------------------------------------------
// Key files.

namespace {
template <typename T, typename Parse>
Result<std::vector<T>> parse_lines(std::string_view text, std::string_view what, Parse parse) {
  std::vector<T> out;
  std::size_t lineno = 0;
  while (!text.empty()) {
    ++lineno;
    const std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (line.empty() || line.front() == '#') continue;
    auto v = parse(line);
    if (!v) {
      return fail(v.error().code, std::string(what) + " line " + std::to_string(lineno) + ": " + v.error().message);
    }
    out.push_back(std::move(*v));
  }
  if (out.empty()) return fail(Errc::not_found, std::string(what) + ": no keys found");
  return out;
}
}  // namespace

Result<std::vector<X25519Identity>> parse_identities(std::string_view text) {
  return parse_lines<X25519Identity>(text, "identity file", &X25519Identity::parse);
}

Result<std::vector<X25519Recipient>> parse_recipients(std::string_view text) {
  return parse_lines<X25519Recipient>(text, "recipients file", &X25519Recipient::parse);
}

// ---------------------------------------------------------------------------------
// Encrypt / decrypt.

Result<Encryptor> Encryptor::start(const std::vector<const Recipient*>& recipients, Emit emit) {
  init_sodium();
  if (recipients.empty()) return fail(Errc::usage, "age: no recipients");
  // "File key": 16 bytes from a CSPRNG, fresh per file.
  SecretBytes file_key(kFileKeySize);
  randombytes_buf(file_key.expose().data(), file_key.size());
  std::vector<Stanza> stanzas;
  for (const Recipient* r : recipients) {
    if (r == nullptr) return fail(Errc::usage, "age: null recipient");
    auto s = r->wrap(file_key);
    if (!s) return tl::unexpected(s.error());
    stanzas.insert(stanzas.end(), s->begin(), s->end());
  }
  // Never write a header that decryption refuses (kMaxStanzas).
  if (stanzas.size() > kMaxStanzas) {
    return fail(Errc::usage, "age: more than " + std::to_string(kMaxStanzas) + " recipients");
  }
  // "scrypt recipient stanza": an scrypt stanza must be alone.
  if (stanzas.size() > 1 && std::any_of(stanzas.begin(), stanzas.end(),
                                        [](const Stanza& s) { return s.type == "scrypt"; })) {
    return fail(Errc::usage, "age: a passphrase recipient cannot be combined with others");
  }
  auto header = encode_header_without_mac(stanzas);
  if (!header) return tl::unexpected(header.error());
  auto mac = header_mac(file_key, *header);
  if (!mac) return tl::unexpected(mac.error());
  *header += ' ' + base64::encode(*mac) + '\n';
  if (auto r = emit(reinterpret_cast<const std::uint8_t*>(header->data()), header->size()); !r) {
    return tl::unexpected(r.error());
  }
  // "Payload": 16-byte nonce, payload key = HKDF(file key, salt = nonce, "payload").
  std::array<std::uint8_t, kPayloadNonceSize> nonce{};
  randombytes_buf(nonce.data(), nonce.size());
  if (auto r = emit(nonce.data(), nonce.size()); !r) return tl::unexpected(r.error());
  auto payload_key = hkdf_sha256(file_key.expose(), nonce, "payload", 32);
  if (!payload_key) return tl::unexpected(payload_key.error());
  Encryptor e;
  e.emit_ = std::move(emit);
  e.payload_key_ = std::move(*payload_key);
  e.plain_ = SecretBytes(kChunkSize);
  return e;
}

Result<void> Encryptor::seal_chunk(bool last) {
  std::vector<std::uint8_t> enc(kEncChunkSize);
  std::array<std::uint8_t, 12> chunk_nonce{};
  set_chunk_nonce(chunk_nonce, counter_++, last);
  unsigned long long clen = 0;
  crypto_aead_chacha20poly1305_ietf_encrypt(enc.data(), &clen, plain_.expose().data(), filled_, nullptr, 0,
                                            nullptr, chunk_nonce.data(), payload_key_.expose().data());
  filled_ = 0;
  return emit_(enc.data(), static_cast<std::size_t>(clen));
}

Result<void> Encryptor::write(std::span<const std::uint8_t> data) {
  if (finished_) return fail(Errc::internal, "age: write after finish");
  while (!data.empty()) {
    // A full buffer is sealed as a non-final chunk only once more data arrives, so the final
    // chunk is never empty unless the whole payload is ("Payload").
    if (filled_ == kChunkSize) {
      if (auto r = seal_chunk(false); !r) return r;
    }
    const auto n = std::min(data.size(), kChunkSize - filled_);
    std::memcpy(plain_.expose().data() + filled_, data.data(), n);
    filled_ += n;
    data = data.subspan(n);
  }
  return {};
}

Result<void> Encryptor::finish() {
  if (finished_) return fail(Errc::internal, "age: finish twice");
  finished_ = true;
  return seal_chunk(true);
}

namespace {

// Reads a byte span as an istream, without copying it (the span may be secret).
class SpanBuf final : public std::streambuf {
 public:
  explicit SpanBuf(std::span<const std::uint8_t> bytes) {
    // The get area is only read: underflow/pbackfail are not overridden, so nothing writes.
    char* p = const_cast<char*>(reinterpret_cast<const char*>(bytes.data()));
    setg(p, p, p + bytes.size());
  }
};

// Encrypts what `feed` writes into the Encryptor, to `out` (armored or binary).
Result<void> encrypt_with(const std::vector<const Recipient*>& recipients, std::ostream& out, bool armor,
                          const std::function<Result<void>(Encryptor&)>& feed) {
  std::unique_ptr<ArmorWriter> armored;
  if (armor) armored = std::make_unique<ArmorWriter>(out);
  auto emit = [&](const std::uint8_t* p, std::size_t n) -> Result<void> {
    if (armored) return armored->write(p, n);
    out.write(reinterpret_cast<const char*>(p), static_cast<std::streamsize>(n));
    if (!out) return fail(Errc::io, "age: write failed");
    return {};
  };
  auto enc = Encryptor::start(recipients, emit);
  if (!enc) return tl::unexpected(enc.error());
  if (auto r = feed(*enc); !r) return r;
  if (auto r = enc->finish(); !r) return r;
  if (armored) {
    if (auto r = armored->finish(); !r) return r;
  }
  out.flush();
  if (!out) return fail(Errc::io, "age: write failed");
  return {};
}

}  // namespace

Result<void> encrypt(const std::vector<const Recipient*>& recipients, std::istream& in,
                     std::ostream& out, bool armor) {
  return encrypt_with(recipients, out, armor, [&](Encryptor& enc) -> Result<void> {
    SecretBytes buf(kChunkSize);  // plaintext passes through guarded memory only
    for (;;) {
      in.read(reinterpret_cast<char*>(buf.expose().data()), static_cast<std::streamsize>(buf.size()));
      if (in.bad()) return fail(Errc::io, "age: read failed");
      const auto n = static_cast<std::size_t>(in.gcount());
      if (auto r = enc.write(buf.expose().first(n)); !r) return r;
      if (n < buf.size()) return {};
    }
  });
}

namespace {

using Sink = std::function<Result<void>(std::span<const std::uint8_t>)>;

// Decryption reads as the spec's sections, one named step each (as age's Go Decrypt does):
// detect the format, parse the header, unwrap the file key, check the header MAC, stream the
// payload.

// Format detection: a binary file starts with the version prefix ("Version line"); anything
// else is taken as ASCII armor ("ASCII armor") and parsed strictly. Empty or partial-prefix
// input is reported as a (binary) header error.
Result<std::unique_ptr<Source>> open_source(std::istream& in) {
  std::string prefix(kVersionPrefix.size(), '\0');
  in.read(prefix.data(), static_cast<std::streamsize>(prefix.size()));
  if (in.bad()) return fail(Errc::io, "age: read failed");
  prefix.resize(static_cast<std::size_t>(in.gcount()));
  if (kVersionPrefix.starts_with(prefix)) return std::unique_ptr<Source>(std::make_unique<RawSource>(in, std::move(prefix)));
  return std::unique_ptr<Source>(std::make_unique<ArmorSource>(in, std::move(prefix)));
}

// "Recipient stanza": each identity sees all stanzas and picks its own. A stanza addressed to
// an identity but invalid stops here (a header error); no match is Errc::no_identity, or
// Errc::bad_passphrase when a passphrase was tried and was wrong.
Result<SecretBytes> unwrap_file_key(const std::vector<const Identity*>& identities, const Header& hdr) {
  // "scrypt recipient stanza": reject headers mixing an scrypt stanza with any other.
  if (hdr.stanzas.size() > 1 &&
      std::any_of(hdr.stanzas.begin(), hdr.stanzas.end(), [](const Stanza& s) { return s.type == "scrypt"; })) {
    return header_error(Errc::malformed, "scrypt stanza must be the only stanza");
  }
  Errc miss = Errc::no_identity;
  for (const Identity* id : identities) {
    if (id == nullptr) continue;
    auto k = id->unwrap(hdr.stanzas);
    if (k) {
      if (k->size() != kFileKeySize) return header_error(Errc::malformed, "unwrapped file key is not 16 bytes");
      return k;
    }
    if (k.error().code == Errc::no_identity) continue;
    if (k.error().code == Errc::bad_passphrase) {
      miss = Errc::bad_passphrase;
      continue;
    }
    if (k.error().stage != Stage::unspecified) return tl::unexpected(k.error());
    return header_error(k.error().code, k.error().message);
  }
  return fail(miss, miss == Errc::bad_passphrase ? "age: incorrect passphrase"
                                                 : "age: no identity matched any of the recipients");
}

// "Header MAC": HMAC-SHA-256 under a key derived from the file key, over the header up to "---".
Result<void> check_header_mac(const SecretBytes& file_key, const Header& hdr) {
  auto mac = header_mac(file_key, hdr.mac_input);
  if (!mac) return tl::unexpected(mac.error());
  if (crypto_verify_32(mac->data(), hdr.mac.data()) != 0) {
    return fail(Errc::crypto, Stage::mac, "age: hmac: header MAC does not match (tampered header)");
  }
  return {};
}

// "Payload": the nonce, then STREAM chunks of 64 KiB, each released to `sink` only after it
// authenticated; the last one must be marked final and nothing may follow it.
Result<void> stream_payload(BufReader& r, const SecretBytes& file_key, const Sink& sink) {
  std::array<std::uint8_t, kPayloadNonceSize> nonce{};
  auto got = r.read_full(nonce.data(), nonce.size());
  if (!got) return tl::unexpected(got.error());
  // The nonce is read together with the header (Go reference behaviour, CCTV vectors).
  if (*got != nonce.size()) return header_error(Errc::malformed, "payload nonce truncated");
  auto payload_key = hkdf_sha256(file_key.expose(), nonce, "payload", 32);
  if (!payload_key) return tl::unexpected(payload_key.error());

  std::vector<std::uint8_t> enc(kEncChunkSize);
  SecretBytes plain(kChunkSize);
  std::array<std::uint8_t, 12> chunk_nonce{};
  auto open = [&](std::size_t n, std::uint64_t counter, bool last) {
    set_chunk_nonce(chunk_nonce, counter, last);
    unsigned long long mlen = 0;
    return crypto_aead_chacha20poly1305_ietf_decrypt(plain.expose().data(), &mlen, nullptr, enc.data(), n,
                                                     nullptr, 0, chunk_nonce.data(),
                                                     payload_key->expose().data()) == 0;
  };
  for (std::uint64_t counter = 0;; ++counter) {
    auto n = r.read_full(enc.data(), enc.size());
    if (!n) return tl::unexpected(n.error());
    // "Streaming decryption MUST signal an error if the end of file is reached without
    // successfully decrypting a final chunk."
    if (*n == 0) return payload_error(Errc::malformed, "missing final chunk (truncated file)");
    if (*n < kTagSize) return payload_error(Errc::malformed, "truncated chunk");
    bool last = *n < enc.size();  // a short chunk can only be the final one
    // "The final chunk ... MUST NOT be empty unless the whole payload is empty."
    if (last && *n == kTagSize && counter != 0) return payload_error(Errc::malformed, "final chunk is empty");
    // Chunk order and finality are authenticated through the counter nonce. A full
    // chunk may be a non-final one or a full final one: try both.
    bool ok = open(*n, counter, last);
    if (!ok && !last) {
      last = true;
      ok = open(*n, counter, true);
    }
    if (!ok) return payload_error(Errc::crypto, "chunk " + std::to_string(counter) + " failed to authenticate");
    // Released only after it authenticated; later errors still void the whole output.
    if (auto w = sink(plain.expose().first(*n - kTagSize)); !w) return w;
    if (last) {
      auto eof = r.at_eof();
      if (!eof) return tl::unexpected(eof.error());
      if (!*eof) return payload_error(Errc::malformed, "trailing data after the final chunk");
      return {};
    }
  }
}

Result<void> decrypt_to(const std::vector<const Identity*>& identities, std::istream& in, const Sink& sink) {
  init_sodium();
  auto src = open_source(in);
  if (!src) return tl::unexpected(src.error());
  BufReader r(**src);
  auto hdr = parse_header(r);
  if (!hdr) return tl::unexpected(hdr.error());
  auto file_key = unwrap_file_key(identities, *hdr);
  if (!file_key) return tl::unexpected(file_key.error());
  if (auto mac = check_header_mac(*file_key, *hdr); !mac) return mac;
  return stream_payload(r, *file_key, sink);
}

}  // namespace

Result<void> decrypt(const std::vector<const Identity*>& identities, std::istream& in,
                     std::ostream& out) {
  return decrypt_to(identities, in, [&](std::span<const std::uint8_t> part) -> Result<void> {
    out.write(reinterpret_cast<const char*>(part.data()), static_cast<std::streamsize>(part.size()));
    if (!out) return fail(Errc::io, "age: write failed");
    return {};
  });
}

std::uint64_t encrypted_size(std::uint64_t header_size, std::uint64_t plaintext_size) noexcept {
  const std::uint64_t chunks = plaintext_size == 0 ? 1 : (plaintext_size + kChunkSize - 1) / kChunkSize;
  return header_size + 16 + plaintext_size + 16 * chunks;
}

Result<std::uint64_t> header_size(const std::vector<const Recipient*>& recipients) {
  auto empty = encrypt(recipients, std::span<const std::uint8_t>{});
  if (!empty) return tl::unexpected(empty.error());
  return empty->size() - encrypted_size(0, 0);
}

Result<std::vector<std::uint8_t>> encrypt(const std::vector<const Recipient*>& recipients,
                                          std::span<const std::uint8_t> plaintext, bool armor) {
  std::ostringstream out;
  auto r = encrypt_with(recipients, out, armor, [&](Encryptor& enc) { return enc.write(plaintext); });
  if (!r) return tl::unexpected(r.error());
  const std::string s = std::move(out).str();
  return std::vector<std::uint8_t>(s.begin(), s.end());
}

Result<std::vector<std::uint8_t>> decrypt(const std::vector<const Identity*>& identities,
                                          std::span<const std::uint8_t> ciphertext) {
  SpanBuf buf(ciphertext);
  std::istream in(&buf);
  std::vector<std::uint8_t> out;
  auto r = decrypt_to(identities, in, [&](std::span<const std::uint8_t> part) -> Result<void> {
    out.insert(out.end(), part.begin(), part.end());
    return {};
  });
  if (!r) return tl::unexpected(r.error());
  return out;
}

Result<std::string> reencode_header(std::span<const std::uint8_t> file) {
  SpanBuf buf(file);
  std::istream in(&buf);
  RawSource src(in, "");
  BufReader r(src);
  auto hdr = parse_header(r);
  if (!hdr) return tl::unexpected(hdr.error());
  auto out = encode_header_without_mac(hdr->stanzas);
  if (!out) return out;
  *out += ' ' + base64::encode(hdr->mac) + '\n';
  return out;
}

Result<SecretBytes> decrypt_secret(const std::vector<const Identity*>& identities,
                                   std::span<const std::uint8_t> ciphertext) {
  SpanBuf buf(ciphertext);
  std::istream in(&buf);
  // The plaintext is shorter than the ciphertext (header, nonce and tags), armored or not.
  SecretBytes out(ciphertext.size());
  std::size_t filled = 0;
  auto r = decrypt_to(identities, in, [&](std::span<const std::uint8_t> part) -> Result<void> {
    if (part.size() > out.size() - filled) return fail(Errc::internal, "age: plaintext longer than ciphertext");
    std::copy(part.begin(), part.end(), out.expose().begin() + static_cast<std::ptrdiff_t>(filled));
    filled += part.size();
    return {};
  });
  if (!r) return tl::unexpected(r.error());
  out.shrink(filled);
  return out;
}

}  // namespace dossier::crypto::age

// Strict base64 (src/crypto/base64.hpp) on its own, and at every place a format carries
// base64: each test puts all 256 byte values, one after another, at one position of a valid
// encoding and checks that the parser takes exactly the alphabet characters that keep the
// encoding canonical, and refuses every other byte with an error that names it.
// libsodium 1.0.18's decoder read 0x80-0xFF as '/', so a high byte used to pass.
#include "crypto/base64.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/age.hpp"
#include "crypto/minisign.hpp"

namespace dossier::crypto {
namespace {

using Bytes = std::vector<std::uint8_t>;
constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

Bytes bytes(std::string_view s) { return Bytes(s.begin(), s.end()); }

std::string hex(int b) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02X", b);
  return buf;
}

// What the parser made of one substituted byte.
struct Outcome {
  bool ok = true;
  Errc code = Errc::internal;
  std::string message;
};

template <typename T>
Outcome outcome(const Result<T>& r) {
  if (r) return {};
  return {false, r.error().code, r.error().message};
}

struct Position {
  std::string valid;       // a valid file holding the base64
  std::size_t pos;         // the byte to replace
  int zero_bits;           // low bits the character must have zero there (canonical form)
  std::string stage;       // prefix of every refusal ("age: header:", "public key:", ...)
  std::string refusal;     // what the base64 refusal of this position says ("... base64: ")
  std::string structural;  // bytes that break the line structure first: refused, not as base64
  bool vchar_first = false;  // age stanza arguments: bytes outside VCHAR are refused before base64
};

// Runs the sweep: 256 values at p.pos, each parsed by `parse`.
void sweep(const Position& p, const std::function<Outcome(const std::string&)>& parse) {
  ASSERT_LT(p.pos, p.valid.size());
  ASSERT_FALSE(parse(p.valid).message.find(p.refusal) != std::string::npos) << "the valid file must pass";
  const std::uint32_t mask = (1U << p.zero_bits) - 1;
  int accepted = 0;
  for (int b = 0; b < 256; ++b) {
    std::string s = p.valid;
    s[p.pos] = static_cast<char>(b);
    const Outcome o = parse(s);
    const auto in_alphabet = kAlphabet.find(static_cast<char>(b));
    const bool canonical = in_alphabet != std::string_view::npos && (in_alphabet & mask) == 0;
    const bool base64_refusal = !o.ok && o.message.find(p.refusal) != std::string::npos;
    const std::string what = "byte " + hex(b) + " at " + std::to_string(p.pos) + ": " + o.message;
    if (canonical) {
      // The base64 layer takes it; what fails later (a key, a MAC, a payload) is not a parse error.
      EXPECT_FALSE(base64_refusal) << what;
      accepted += base64_refusal ? 0 : 1;
      continue;
    }
    ASSERT_FALSE(o.ok) << what;
    EXPECT_EQ(o.code, Errc::malformed) << what;
    EXPECT_TRUE(o.message.starts_with(p.stage)) << what;
    if (p.structural.find(static_cast<char>(b)) != std::string::npos) continue;
    const bool not_vchar = b < 0x21 || b > 0x7e;
    if (in_alphabet != std::string_view::npos) {
      EXPECT_TRUE(base64_refusal) << what;
      EXPECT_NE(o.message.find("not canonical"), std::string::npos) << what;
    } else if (b == '=') {
      EXPECT_TRUE(base64_refusal) << what;
    } else {
      EXPECT_TRUE(base64_refusal || (p.vchar_first && not_vchar)) << what;
      EXPECT_NE(o.message.find(hex(b)), std::string::npos) << "the error names the byte: " << what;
    }
  }
  EXPECT_EQ(accepted, 64 >> p.zero_bits) << "exactly the canonical alphabet characters";
}

// ---- The decoder on its own ------------------------------------------------------------

TEST(Base64, DecodesRfc4648Vectors) {
  // RFC 4648 §10.
  const std::pair<const char*, const char*> v[] = {{"", ""},         {"f", "Zg"},       {"fo", "Zm8"},
                                                   {"foo", "Zm9v"},  {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"},
                                                   {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, unpadded] : v) {
    EXPECT_EQ(base64::encode(bytes(plain)), unpadded);
    EXPECT_EQ(*base64::decode(unpadded), bytes(plain)) << unpadded;
    const std::string padded = base64::encode(bytes(plain), true);
    EXPECT_EQ(padded.size() % 4, 0u);
    EXPECT_EQ(*base64::decode(padded, true), bytes(plain)) << padded;
  }
}

TEST(Base64, RefusesNonCanonicalForms) {
  auto refused = [](std::string_view s, bool padded, std::string_view why) {
    auto r = base64::decode(s, padded);
    if (r) return testing::AssertionFailure() << "accepted \"" << s << "\"";
    if (r.error().code != Errc::malformed || r.error().message.find(why) == std::string::npos) {
      return testing::AssertionFailure() << "\"" << s << "\": " << r.error().message;
    }
    return testing::AssertionSuccess();
  };
  EXPECT_TRUE(refused("AB", false, "not canonical"));        // trailing bits 0001
  EXPECT_TRUE(refused("AAB", false, "not canonical"));       // trailing bits 01
  EXPECT_TRUE(refused("AB==", true, "not canonical"));
  EXPECT_TRUE(refused("AAB=", true, "not canonical"));
  EXPECT_TRUE(refused("A", false, "lone character"));
  EXPECT_TRUE(refused("AAAAA", false, "lone character"));
  EXPECT_TRUE(refused("AA==", false, "no padding allowed"));  // age: never padded
  EXPECT_TRUE(refused("AA", true, "multiple of 4"));          // minisign, armor: always padded
  EXPECT_TRUE(refused("AA=", true, "multiple of 4"));
  EXPECT_TRUE(refused("A===", true, "padding is allowed only at the end"));
  EXPECT_TRUE(refused("AA=A", true, "padding is allowed only at the end"));
  EXPECT_TRUE(refused("AA\n", false, "0x0A"));
  EXPECT_TRUE(refused(" AA", false, "byte 0x20 at offset 0"));
  EXPECT_TRUE(refused("A-A_", false, "'-' (0x2D) at offset 1"));  // URL-safe alphabet
  EXPECT_TRUE(refused("AAA\xAF", false, "0xAF at offset 3"));     // libsodium read this as '/'
  EXPECT_TRUE(refused("AA\x80\x41", true, "0x80 at offset 2"));
  // decode_into wants exactly the decoded size.
  std::uint8_t out[2];
  EXPECT_FALSE(base64::decode_into("AAAA", out));
  EXPECT_TRUE(base64::decode_into("AAA", out));
}

TEST(Base64, EncodeSecretMatchesEncode) {
  const Bytes data = {0xff, 0xfe, 0x00, 0x10};
  EXPECT_EQ(as_text(base64::encode_secret(data).expose()), base64::encode(data));
  EXPECT_EQ(as_text(base64::encode_secret(data, true).expose()), base64::encode(data, true));
}

// ---- age (C2SP age.md "Conventions": canonical unpadded base64 in the header) ----------

class AgeBase64Positions : public ::testing::Test {
 protected:
  age::X25519Identity id = age::X25519Identity::generate();
  age::X25519Recipient rcpt = id.recipient();
  std::string file = encrypted(false);

  std::string encrypted(bool armor) {
    const age::Recipient* r = &rcpt;
    auto f = age::encrypt({r}, bytes("referral dossier, a few bytes of payload."), armor);
    EXPECT_TRUE(f.has_value());
    return std::string(f->begin(), f->end());
  }
  Outcome decrypt(const std::string& f) { return outcome(age::decrypt({&id}, bytes(f))); }
  // Offset of the first byte after `marker` in the file.
  std::size_t after(std::string_view marker) const {
    const auto at = file.find(marker);
    EXPECT_NE(at, std::string::npos) << marker;
    return at + marker.size();
  }
};

TEST_F(AgeBase64Positions, StanzaArgument) {
  const std::size_t share = after("-> X25519 ");  // 43 characters: 32 bytes
  const auto parse = [&](const std::string& f) { return decrypt(f); };
  const std::string refusal = "age: header: X25519 share: base64: ";
  sweep({file, share + 20, 0, "age: header:", refusal, "\n ", true}, parse);
  sweep({file, share + 42, 2, "age: header:", refusal, "\n ", true}, parse);  // 32 bytes: 2 pad bits
}

TEST_F(AgeBase64Positions, StanzaBodyLine) {
  const std::size_t body = file.find('\n', after("-> X25519 ")) + 1;  // 43 characters: 32 bytes
  const auto parse = [&](const std::string& f) { return decrypt(f); };
  const std::string refusal = "age: header: stanza body: base64: ";
  sweep({file, body + 5, 0, "age: header:", refusal, "\n"}, parse);
  sweep({file, body + 42, 2, "age: header:", refusal, "\n"}, parse);
}

TEST_F(AgeBase64Positions, HeaderMac) {
  const std::size_t mac = after("\n--- ");  // 43 characters: 32 bytes
  const auto parse = [&](const std::string& f) { return decrypt(f); };
  const std::string refusal = "age: header: MAC: base64: ";
  sweep({file, mac + 30, 0, "age: header:", refusal, "\n"}, parse);
  sweep({file, mac + 42, 2, "age: header:", refusal, "\n"}, parse);
}

TEST_F(AgeBase64Positions, ArmorLine) {
  const std::string armored = encrypted(true);
  // The last full 64-column line (it encodes payload bytes), and the last data character of
  // the last line. The file is 241 bytes (168 header, 16 nonce, 41 + 16 payload), so the
  // armor ends in "==": a '=' there cannot make a shorter valid encoding.
  const std::size_t end_line = armored.find("-----END");
  const std::size_t last_line = armored.rfind('\n', end_line - 2) + 1;
  const std::size_t full_line = armored.rfind('\n', last_line - 2) + 1;
  ASSERT_EQ(last_line - full_line, 65u);
  ASSERT_EQ(armored.substr(end_line - 3, 2), "==");
  const auto parse = [&](const std::string& f) { return decrypt(f); };
  const std::string refusal = "age: armor: base64: ";
  sweep({armored, full_line + 10, 0, "age: armor:", refusal, "\n"}, parse);
  sweep({armored, end_line - 4, 4, "age: armor:", refusal, "\n"}, parse);
}

// age.md "Recipient stanza": the body is wrapped at 64 columns; every line but the last is
// full, and the last is shorter (possibly empty), so a body of 48k bytes ends with an empty line.
TEST(AgeStanzaBody, SixtyFourColumnsThenAShortFinalLine) {
  const age::X25519Identity id = age::X25519Identity::generate();
  const std::string mac = "--- " + std::string(43, 'A') + "\n";
  auto run = [&](const std::string& body_lines) {
    return outcome(age::decrypt({&id}, bytes("age-encryption.org/v1\n-> grease\n" + body_lines + mac)));
  };
  const std::string full(64, 'A');  // 48 bytes
  // Well-formed: parsed, then no stanza is for this identity.
  for (const std::string& ok : {std::string("\n"), std::string(43, 'A') + "\n", full + "\n\n",
                                full + "\n" + full + "\n\n", full + "\n" + std::string(63, 'A') + "\n"}) {
    const Outcome o = run(ok);
    EXPECT_EQ(o.code, Errc::no_identity) << o.message;
  }
  // A full line without the short final line: clear error.
  Outcome o = run(full + "\n");
  EXPECT_EQ(o.code, Errc::malformed);
  EXPECT_NE(o.message.find("shorter final line"), std::string::npos) << o.message;
  o = run(full + "\n" + full + "\n");
  EXPECT_NE(o.message.find("shorter final line"), std::string::npos) << o.message;
  // Longer than 64 columns.
  o = run(std::string(68, 'A') + "\n\n");
  EXPECT_NE(o.message.find("longer than 64 columns"), std::string::npos) << o.message;
  // Wrapped short: a 32-column line ends the body, the next line is not a header line.
  o = run(std::string(32, 'A') + "\n" + std::string(32, 'A') + "\n");
  EXPECT_EQ(o.code, Errc::malformed);
  EXPECT_TRUE(o.message.starts_with("age: header:")) << o.message;
}

// ---- minisign (padded base64, one line per struct) -------------------------------------

class MinisignBase64Positions : public ::testing::Test {
 protected:
  minisign::SecretKey key = minisign::SecretKey::generate();
  minisign::PublicKey pub = key.public_key();
  Bytes data = bytes("referral dossier\n");
  std::string signature = *minisign::sign(key, data, "trusted", "");

  // Offset of the first character of line `n` (0-based) of `text`.
  static std::size_t line_start(const std::string& text, int n) {
    std::size_t at = 0;
    for (int i = 0; i < n; ++i) at = text.find('\n', at) + 1;
    return at;
  }
  Outcome verify(const std::string& sig) { return outcome(minisign::verify(pub, data, sig)); }
};

TEST_F(MinisignBase64Positions, PublicKeyLine) {
  const std::string file = pub.to_file("");
  const std::size_t line = line_start(file, 1);  // 56 characters: 42 bytes, no padding
  const auto parse = [](const std::string& f) { return outcome(minisign::PublicKey::parse(f)); };
  sweep({file, line + 30, 0, "public key", "public key: base64: ", std::string("\n\0", 2)}, parse);
  // A CR as the last character ends the line: refused for its length.
  sweep({file, line + 55, 0, "public key", "public key: base64: ", std::string("\n\r\0", 3)}, parse);
}

TEST_F(MinisignBase64Positions, SecretKeyLine) {
  const auto sk_file = key.to_file(nullptr, "");
  ASSERT_TRUE(sk_file.has_value());
  const std::string file(as_text(sk_file->expose()));
  const std::size_t line = line_start(file, 1);  // 212 characters: 158 bytes, one '='
  ASSERT_EQ(file[line + 211], '=');
  const auto parse = [](const std::string& f) {
    return outcome(minisign::SecretKey::parse(f, []() -> Result<SecretBytes> { return fail(Errc::usage, "no"); }));
  };
  const std::string structural("\n\0", 2);  // NUL: "contains a NUL byte"
  sweep({file, line + 150, 0, "secret key", "secret key: base64: ", structural}, parse);
  sweep({file, line + 210, 2, "secret key", "secret key: base64: ", structural}, parse);
}

TEST_F(MinisignBase64Positions, SignatureLine) {
  const std::size_t line = line_start(signature, 1);  // 100 characters: 74 bytes, one '='
  ASSERT_EQ(signature[line + 99], '=');
  const auto parse = [&](const std::string& s) { return verify(s); };
  const std::string refusal = "signature file: signature: base64: ";
  sweep({signature, line + 40, 0, "signature file", refusal, std::string("\n\0", 2)}, parse);
  sweep({signature, line + 98, 2, "signature file", refusal, std::string("\n\0", 2)}, parse);
}

TEST_F(MinisignBase64Positions, GlobalSignatureLine) {
  const std::size_t line = line_start(signature, 3);  // 88 characters: 64 bytes, "=="
  ASSERT_EQ(signature.substr(line + 86, 2), "==");
  const auto parse = [&](const std::string& s) { return verify(s); };
  const std::string refusal = "signature file: global signature: base64: ";
  sweep({signature, line + 7, 0, "signature file", refusal, std::string("\n\0", 2)}, parse);
  sweep({signature, line + 85, 4, "signature file", refusal, std::string("\n\0", 2)}, parse);
}

}  // namespace
}  // namespace dossier::crypto

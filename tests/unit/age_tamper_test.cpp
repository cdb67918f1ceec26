// age v1 (C2SP age.md): tampering, truncation, reordering and malformed inputs fail.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "crypto/age.hpp"

namespace dossier::crypto::age {
namespace {

using Bytes = std::vector<std::uint8_t>;
constexpr std::size_t kEnc = kChunkSize + 16;

Bytes pattern(std::size_t n) {
  Bytes v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>(i % 253);
  return v;
}

std::size_t header_len(const Bytes& f) {
  const std::string s(f.begin(), f.end());
  const std::size_t mac = s.find("\n--- ");
  return s.find('\n', mac + 1) + 1;
}

Bytes text(std::string_view s) { return Bytes(s.begin(), s.end()); }

class Tamper : public ::testing::Test {
 protected:
  X25519Identity id = X25519Identity::generate();
  X25519Recipient rcpt = id.recipient();
  Bytes plain = pattern(3 * kChunkSize + 100);  // 4 chunks
  Bytes file = *encrypt({&rcpt}, plain);
  std::size_t payload = header_len(file) + 16;  // first chunk offset

  Result<void> run(const Bytes& f, std::string* released = nullptr) {
    std::istringstream in(std::string(f.begin(), f.end()));
    std::ostringstream out;
    auto r = decrypt({&id}, in, out);
    if (released != nullptr) *released = out.str();
    return r;
  }
  // The typed stage, and the message that says it to people.
  static bool stage(const Result<void>& r, std::string_view prefix) {
    if (r.has_value() || !r.error().message.starts_with(prefix)) return false;
    const Stage expected = prefix == "age: hmac:"      ? Stage::mac
                           : prefix == "age: payload:" ? Stage::payload
                           : prefix == "age: header:"  ? Stage::header
                           : prefix == "age: armor:"   ? Stage::armor
                                                       : Stage::unspecified;
    return r.error().stage == expected;
  }
};

TEST_F(Tamper, Untouched) { EXPECT_TRUE(run(file).has_value()); }

TEST_F(Tamper, FlipEveryHeaderRegionFails) {
  // Version line, stanza line, body, MAC line: every single-byte flip is rejected.
  const std::size_t hl = header_len(file);
  for (std::size_t i = 0; i < hl; i += 3) {
    Bytes f = file;
    f[i] ^= 0x01;
    EXPECT_FALSE(run(f).has_value()) << "flip at header offset " << i;
  }
}

TEST_F(Tamper, RandomSingleByteMutationsAllFail) {
  // Every byte of a binary age file is authenticated (header by MAC or parsing, payload
  // by the AEAD), so any single-byte change must be rejected.
  std::uint32_t seed = 12345;
  auto next = [&seed] { return seed = seed * 1664525U + 1013904223U; };
  for (int i = 0; i < 300; ++i) {
    Bytes f = file;
    const std::size_t off = next() % f.size();
    const auto x = static_cast<std::uint8_t>(1 + next() % 255);
    f[off] ^= x;
    EXPECT_FALSE(run(f).has_value()) << "offset " << off << " xor " << int{x};
  }
}

TEST_F(Tamper, ExtraStanzaBreaksMac) {
  const std::string s(file.begin(), file.end());
  const std::size_t mac = s.find("\n--- ") + 1;
  Bytes f = file;
  const std::string grease = "-> grease x y\nAAAA\n";
  f.insert(f.begin() + static_cast<std::ptrdiff_t>(mac), grease.begin(), grease.end());
  auto r = run(f);
  ASSERT_TRUE(stage(r, "age: hmac:")) << (r ? "ok" : r.error().message);
  EXPECT_EQ(r.error().code, Errc::crypto);
}

TEST_F(Tamper, FlipPayloadByteFailsBeforeRelease) {
  for (const std::size_t off : {payload - 1 /* nonce */, payload + 5, payload + kEnc - 1}) {
    Bytes f = file;
    f[off] ^= 0x80;
    std::string released;
    auto r = run(f, &released);
    ASSERT_TRUE(stage(r, "age: payload:")) << off;
    EXPECT_EQ(r.error().code, Errc::crypto);
    EXPECT_TRUE(released.empty());  // chunk 0 never authenticated
  }
}

TEST_F(Tamper, FlipInLaterChunkReleasesOnlyAuthenticatedPrefix) {
  Bytes f = file;
  f[payload + 2 * kEnc + 10] ^= 1;
  std::string released;
  auto r = run(f, &released);
  ASSERT_TRUE(stage(r, "age: payload:"));
  EXPECT_EQ(released.size(), 2 * kChunkSize);  // caller must discard it (see age.hpp)
}

TEST_F(Tamper, TruncatedFinalChunk) {
  Bytes f(file.begin(), file.begin() + static_cast<std::ptrdiff_t>(payload + 3 * kEnc));
  EXPECT_TRUE(stage(run(f), "age: payload:"));  // ends on a non-final chunk
  Bytes g(file.begin(), file.end() - 1);
  EXPECT_TRUE(stage(run(g), "age: payload:"));  // final chunk cut short
  Bytes h(file.begin(), file.begin() + static_cast<std::ptrdiff_t>(payload));
  EXPECT_TRUE(stage(run(h), "age: payload:"));  // no chunks at all
  Bytes n(file.begin(), file.begin() + static_cast<std::ptrdiff_t>(payload - 3));
  EXPECT_TRUE(stage(run(n), "age: header:"));  // nonce cut short
}

TEST_F(Tamper, ReorderedChunks) {
  Bytes f = file;
  std::swap_ranges(f.begin() + static_cast<std::ptrdiff_t>(payload),
                   f.begin() + static_cast<std::ptrdiff_t>(payload + kEnc),
                   f.begin() + static_cast<std::ptrdiff_t>(payload + kEnc));
  EXPECT_TRUE(stage(run(f), "age: payload:"));
  // Dropping a middle chunk is also detected (counter mismatch).
  Bytes g = file;
  g.erase(g.begin() + static_cast<std::ptrdiff_t>(payload + kEnc),
          g.begin() + static_cast<std::ptrdiff_t>(payload + 2 * kEnc));
  EXPECT_TRUE(stage(run(g), "age: payload:"));
}

TEST_F(Tamper, TrailingDataAfterFinalChunk) {
  Bytes f = file;
  f.push_back(0);
  EXPECT_TRUE(stage(run(f), "age: payload:"));
}

TEST_F(Tamper, ExactChunkMultipleHasNoEmptyFinalChunk) {
  // "Payload": the final chunk is never empty (except for an empty payload), so one
  // full chunk is encoded as a full final chunk. Rejection of an empty final chunk is
  // covered by the CCTV vector stream_last_chunk_empty (tests/age_conformance.cmake).
  const Bytes p = pattern(kChunkSize);
  auto f = encrypt({&rcpt}, p);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->size(), header_len(*f) + 16 + kEnc);
  EXPECT_TRUE(run(*f).has_value());
}

TEST(AgeMalformed, HeaderRules) {
  const X25519Identity id = X25519Identity::generate();
  auto run = [&](std::string_view s) { return decrypt({&id}, text(s)); };
  const std::string a43(43, 'A');
  const std::string mac = "--- " + a43 + "\n";
  // Version line must be exactly "age-encryption.org/v1".
  auto v2 = run("age-encryption.org/v2\n-> X25519 " + a43 + "\n" + a43 + "\n" + mac);
  ASSERT_FALSE(v2.has_value());
  EXPECT_EQ(v2.error().code, Errc::unsupported);
  // All-zero shared secret (share = identity point) must abort.
  auto zero = run("age-encryption.org/v1\n-> X25519 " + a43 + "\n" + a43 + "\n" + mac);
  ASSERT_FALSE(zero.has_value());
  EXPECT_EQ(zero.error().code, Errc::hostile);
  // No stanzas.
  EXPECT_FALSE(run("age-encryption.org/v1\n" + mac).has_value());
  // Stanza body line of 64 columns must be followed by a shorter one.
  auto full = run("age-encryption.org/v1\n-> grease\n" + std::string(64, 'A') + "\n" + mac);
  ASSERT_FALSE(full.has_value());
  EXPECT_TRUE(full.error().message.starts_with("age: header:"));
  // Empty argument, CRLF, padding in body, non-canonical MAC.
  EXPECT_FALSE(run("age-encryption.org/v1\n-> a  b\n\n" + mac).has_value());
  EXPECT_FALSE(run("age-encryption.org/v1\r\n-> a\n\n" + mac).has_value());
  EXPECT_FALSE(run("age-encryption.org/v1\n-> a\nAA==\n" + mac).has_value());
  auto nc = run("age-encryption.org/v1\n-> a\n\n--- " + std::string(42, 'A') + "B\n");
  ASSERT_FALSE(nc.has_value());
  EXPECT_TRUE(nc.error().message.starts_with("age: header:"));
  // Unknown stanza only: parses, but nothing matches.
  auto nm = run("age-encryption.org/v1\n-> grease a\n\n" + mac);
  ASSERT_FALSE(nm.has_value());
  EXPECT_EQ(nm.error().code, Errc::no_identity);
}

// Our bound (age.md sets none): every identity tries every stanza, so a header of thousands
// of dummy X25519 stanzas cost seconds per file. At most kMaxStanzas, on both sides.
TEST(AgeMalformed, StanzaCountIsBounded) {
  ASSERT_EQ(kMaxStanzas, 64u);
  std::vector<X25519Identity> ids;
  std::vector<X25519Recipient> rcpts;
  for (std::size_t i = 0; i <= kMaxStanzas; ++i) {
    ids.push_back(X25519Identity::generate());
    rcpts.push_back(ids.back().recipient());
  }
  std::vector<const Recipient*> all;
  for (const auto& r : rcpts) all.push_back(&r);
  // 65 recipients: encryption refuses to write a header that decryption would refuse.
  auto too_many = encrypt(all, text("x"));
  ASSERT_FALSE(too_many.has_value());
  EXPECT_EQ(too_many.error().code, Errc::usage);
  EXPECT_NE(too_many.error().message.find("more than 64 recipients"), std::string::npos);
  // 64: fine, and the last recipient's identity opens it.
  all.pop_back();
  auto full = encrypt(all, text("x"));
  ASSERT_TRUE(full.has_value()) << full.error().message;
  EXPECT_EQ(*decrypt({&ids[kMaxStanzas - 1]}, *full), text("x"));
  // A 65th stanza in the header (any type: grease too) is refused before any is tried.
  std::string f(full->begin(), full->end());
  f.insert(f.find("\n-> ") + 1, "-> grease\n\n");
  auto r = decrypt({&ids[0]}, text(f));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::limit);
  EXPECT_EQ(r.error().message, "age: header: more than 64 recipient stanzas");
  // Thousands of dummy X25519 stanzas: the same refusal, no scalar multiplication.
  std::string hostile = "age-encryption.org/v1\n";
  for (int i = 0; i < 5000; ++i) hostile += "-> X25519 " + std::string(43, 'A') + "\n" + std::string(43, 'A') + "\n";
  hostile += "--- " + std::string(43, 'A') + "\n";
  r = decrypt({&ids[0]}, text(hostile));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::limit) << r.error().message;
}

TEST(AgeMalformed, ScryptStanzaRules) {
  const ScryptIdentity p(SecretBytes(reinterpret_cast<const std::uint8_t*>("pw"), 2));
  const std::string salt(22, 'A');  // 16 zero bytes
  const std::string body(43, 'A');  // 32 zero bytes
  const std::string mac = "--- " + std::string(43, 'A') + "\n";
  auto run = [&](const std::string& wf) {
    return decrypt({&p}, text("age-encryption.org/v1\n-> scrypt " + salt + " " + wf + "\n" + body + "\n" + mac));
  };
  for (const char* wf : {"010", "0x10", "+10", "-10", "1e1", "10 ", "0"}) {
    auto r = run(wf);
    ASSERT_FALSE(r.has_value()) << wf;
    EXPECT_TRUE(r.error().message.starts_with("age: header:")) << wf << ": " << r.error().message;
  }
  for (const char* wf : {"23", "99999999999999999999"}) {
    auto r = run(wf);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, Errc::limit) << wf;
  }
  // Wrong passphrase with a valid stanza: bad_passphrase.
  auto r = run("10");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::bad_passphrase);
}

TEST(AgeMalformed, ArmorRules) {
  const X25519Identity id = X25519Identity::generate();
  const X25519Recipient rcpt = id.recipient();
  auto enc = encrypt({&rcpt}, pattern(200), true);
  ASSERT_TRUE(enc.has_value());
  const std::string good(enc->begin(), enc->end());
  auto run = [&](const std::string& s) { return decrypt({&id}, text(s)); };
  EXPECT_TRUE(run(good).has_value());
  EXPECT_TRUE(run(" \r\n\t" + good + "\n \n").has_value());  // whitespace outside is fine
  std::string crlf;
  for (const char c : good) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  EXPECT_TRUE(run(crlf).has_value());
  auto armor_fail = [&](const std::string& s) {
    auto r = run(s);
    return !r.has_value() && r.error().message.starts_with("age: armor:");
  };
  EXPECT_TRUE(armor_fail("junk\n" + good));
  EXPECT_TRUE(armor_fail(good + "junk\n"));
  EXPECT_TRUE(armor_fail(good.substr(0, good.size() - 10)));  // no END line
  std::string blank = good;
  blank.insert(blank.find('\n') + 1, "\n");
  EXPECT_TRUE(armor_fail(blank));
  std::string trailing_space = good;
  trailing_space.insert(trailing_space.find('\n', trailing_space.find('\n') + 1), " ");
  EXPECT_TRUE(armor_fail(trailing_space));
  std::string lower = good;
  lower.replace(0, 10, "-----begin");
  EXPECT_TRUE(armor_fail(lower));
  // Re-wrapping to 60 columns breaks the strict 64-column rule.
  const std::size_t b = good.find('\n') + 1;
  std::string body = good.substr(b, good.find("-----END") - b);
  body.erase(std::remove(body.begin(), body.end(), '\n'), body.end());
  std::string rewrapped = good.substr(0, b);
  for (std::size_t i = 0; i < body.size(); i += 60) rewrapped += body.substr(i, 60) + "\n";
  rewrapped += "-----END AGE ENCRYPTED FILE-----\n";
  EXPECT_TRUE(armor_fail(rewrapped));
}

}  // namespace
}  // namespace dossier::crypto::age

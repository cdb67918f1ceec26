// age v1 (C2SP age.md): round-trips, key encodings, identity handling, base64 strictness.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "crypto/age.hpp"
#include "crypto/base64.hpp"

namespace dossier::crypto::age {
namespace {

std::vector<std::uint8_t> pattern(std::size_t n) {
  std::vector<std::uint8_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>((i * 31 + i / 251) & 0xff);
  return v;
}

SecretBytes pass(std::string_view s) {
  return SecretBytes(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
}

class RoundTrip : public ::testing::TestWithParam<std::size_t> {};

TEST_P(RoundTrip, X25519BinaryAndArmor) {
  const X25519Identity id = X25519Identity::generate();
  const X25519Recipient rcpt = id.recipient();
  const auto plain = pattern(GetParam());
  for (const bool armor : {false, true}) {
    auto enc = encrypt({&rcpt}, plain, armor);
    ASSERT_TRUE(enc.has_value()) << enc.error().message;
    const std::string_view text(reinterpret_cast<const char*>(enc->data()), enc->size());
    EXPECT_EQ(text.starts_with("-----BEGIN AGE ENCRYPTED FILE-----\n"), armor);
    EXPECT_EQ(text.starts_with("age-encryption.org/v1\n-> X25519 "), !armor);
    auto dec = decrypt({&id}, *enc);
    ASSERT_TRUE(dec.has_value()) << dec.error().message;
    EXPECT_EQ(*dec, plain);
  }
}

INSTANTIATE_TEST_SUITE_P(Sizes, RoundTrip,
                         ::testing::Values(0, 1, kChunkSize - 1, kChunkSize, kChunkSize + 1,
                                           3 * kChunkSize, 3 * kChunkSize + 12345));

TEST(AgeRoundTrip, CiphertextSizeMatchesChunking) {
  // header + 16-byte nonce + per chunk 16-byte tag; exact multiple => no empty last chunk.
  const X25519Identity id = X25519Identity::generate();
  const X25519Recipient rcpt = id.recipient();
  auto e0 = encrypt({&rcpt}, pattern(0));
  auto e64 = encrypt({&rcpt}, pattern(kChunkSize));
  auto e64p1 = encrypt({&rcpt}, pattern(kChunkSize + 1));
  ASSERT_TRUE(e0 && e64 && e64p1);
  EXPECT_EQ(e64->size() - e0->size(), kChunkSize);             // one chunk, one tag
  EXPECT_EQ(e64p1->size() - e0->size(), kChunkSize + 1 + 16);  // two chunks, two tags
}

// encrypted_size and header_size predict every ciphertext's size before it is written (seal
// places each document's ciphertext in the bundle before encrypting it), for one and for three
// recipients, at every chunk boundary.
TEST(AgeRoundTrip, SizesArePredictedExactly) {
  const X25519Identity a = X25519Identity::generate(), b = X25519Identity::generate(), c = X25519Identity::generate();
  const X25519Recipient ra = a.recipient(), rb = b.recipient(), rc = c.recipient();
  for (const std::vector<const Recipient*>& rs :
       {std::vector<const Recipient*>{&ra}, std::vector<const Recipient*>{&ra, &rb, &rc}}) {
    auto header = header_size(rs);
    ASSERT_TRUE(header) << header.error().message;
    for (const std::size_t n : {std::size_t{0}, std::size_t{1}, kChunkSize - 1, kChunkSize, kChunkSize + 1,
                                2 * kChunkSize, 2 * kChunkSize + 7}) {
      auto enc = encrypt(rs, pattern(n));
      ASSERT_TRUE(enc);
      EXPECT_EQ(encrypted_size(*header, n), enc->size()) << n << " bytes, " << rs.size() << " recipient(s)";
    }
  }
  // Crossing a chunk boundary costs a tag: sizes between are never produced.
  EXPECT_EQ(encrypted_size(100, kChunkSize + 1) - encrypted_size(100, kChunkSize), 17u);
}

TEST(AgeRoundTrip, MultipleRecipients) {
  const X25519Identity a = X25519Identity::generate();
  const X25519Identity b = X25519Identity::generate();
  const X25519Recipient ra = a.recipient(), rb = b.recipient();
  const auto plain = pattern(1000);
  auto enc = encrypt({&ra, &rb}, plain);
  ASSERT_TRUE(enc.has_value());
  for (const X25519Identity* id : {&a, &b}) {
    auto dec = decrypt({id}, *enc);
    ASSERT_TRUE(dec.has_value()) << dec.error().message;
    EXPECT_EQ(*dec, plain);
  }
}

TEST(AgeRoundTrip, ScryptPassphrase) {
  const ScryptRecipient r(pass("correct horse"), 10);
  const auto plain = pattern(70000);
  auto enc = encrypt({&r}, plain, true);
  ASSERT_TRUE(enc.has_value()) << enc.error().message;
  const ScryptIdentity good(pass("correct horse"));
  auto dec = decrypt({&good}, *enc);
  ASSERT_TRUE(dec.has_value()) << dec.error().message;
  EXPECT_EQ(*dec, plain);

  const ScryptIdentity bad(pass("wrong horse"));
  auto err = decrypt({&bad}, *enc);
  ASSERT_FALSE(err.has_value());
  EXPECT_EQ(err.error().code, Errc::bad_passphrase);
}

TEST(AgeRoundTrip, ScryptWorkFactorLimit) {
  const ScryptRecipient r(pass("pw"), 12);
  auto enc = encrypt({&r}, pattern(10));
  ASSERT_TRUE(enc.has_value());
  const ScryptIdentity limited(pass("pw"), 11);
  auto err = decrypt({&limited}, *enc);
  ASSERT_FALSE(err.has_value());
  EXPECT_EQ(err.error().code, Errc::limit);
  EXPECT_TRUE(err.error().message.starts_with("age: header:"));
}

TEST(AgeRoundTrip, ScryptMustBeAlone) {
  const ScryptRecipient s(pass("pw"), 10);
  const X25519Identity id = X25519Identity::generate();
  const X25519Recipient x = id.recipient();
  auto enc = encrypt({&s, &x}, pattern(10));
  ASSERT_FALSE(enc.has_value());
  EXPECT_EQ(enc.error().code, Errc::usage);
}

TEST(AgeRoundTrip, WrongIdentityIsNoIdentity) {
  const X25519Identity id = X25519Identity::generate();
  const X25519Identity other = X25519Identity::generate();
  const X25519Recipient rcpt = id.recipient();
  auto enc = encrypt({&rcpt}, pattern(100));
  ASSERT_TRUE(enc.has_value());
  auto err = decrypt({&other}, *enc);
  ASSERT_FALSE(err.has_value());
  EXPECT_EQ(err.error().code, Errc::no_identity);
  // A passphrase identity does not match an X25519 file either.
  const ScryptIdentity p(pass("x"));
  auto err2 = decrypt({&p}, *enc);
  ASSERT_FALSE(err2.has_value());
  EXPECT_EQ(err2.error().code, Errc::no_identity);
  // The right identity anywhere in the list works.
  auto ok = decrypt({&p, &other, &id}, *enc);
  EXPECT_TRUE(ok.has_value());
}

TEST(AgeKeys, EncodingsRoundTrip) {
  const X25519Identity id = X25519Identity::generate();
  const SecretBytes sk = id.to_string();
  const std::string sk_text(reinterpret_cast<const char*>(sk.expose().data()), sk.size());
  EXPECT_TRUE(sk_text.starts_with("AGE-SECRET-KEY-1"));
  EXPECT_EQ(sk_text.size(), 74u);
  auto parsed = X25519Identity::parse(sk_text);
  ASSERT_TRUE(parsed.has_value());
  const std::string r = id.recipient().to_string();
  EXPECT_TRUE(r.starts_with("age1"));
  EXPECT_EQ(r.size(), 62u);
  EXPECT_EQ(parsed->recipient().to_string(), r);
  auto pr = X25519Recipient::parse(r);
  ASSERT_TRUE(pr.has_value());
  EXPECT_EQ(pr->to_string(), r);
}

TEST(AgeKeys, SpecExampleKeys) {
  // C2SP age.md, "The X25519 recipient type": the example identity and recipient.
  auto id = X25519Identity::parse("AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX");
  ASSERT_TRUE(id.has_value()) << id.error().message;
  EXPECT_EQ(id->recipient().to_string(), "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj");
}

TEST(AgeKeys, WrongCaseOrTypeRejected) {
  const X25519Identity id = X25519Identity::generate();
  const SecretBytes sk = id.to_string();
  std::string lower(reinterpret_cast<const char*>(sk.expose().data()), sk.size());
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_FALSE(X25519Identity::parse(lower).has_value());
  std::string upper = id.recipient().to_string();
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_FALSE(X25519Recipient::parse(upper).has_value());
  EXPECT_FALSE(X25519Recipient::parse(lower).has_value());  // identity is not a recipient
  EXPECT_FALSE(X25519Recipient::parse("age1qqqq").has_value());
}

TEST(AgeKeys, KeyFiles) {
  const X25519Identity a = X25519Identity::generate();
  const X25519Identity b = X25519Identity::generate();
  const SecretBytes sa = a.to_string(), sb = b.to_string();
  const std::string text = "# created: now\n# public key: " + a.recipient().to_string() + "\n" +
                           std::string(reinterpret_cast<const char*>(sa.expose().data()), sa.size()) +
                           "\r\n\n   \n" +
                           std::string(reinterpret_cast<const char*>(sb.expose().data()), sb.size());
  auto ids = parse_identities(text);
  ASSERT_TRUE(ids.has_value()) << ids.error().message;
  ASSERT_EQ(ids->size(), 2u);
  EXPECT_EQ((*ids)[1].recipient().to_string(), b.recipient().to_string());
  auto bad = parse_identities("# only comments\nnot-a-key\n");
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message.find("line 2"), std::string::npos);
  EXPECT_EQ(bad.error().message.find("not-a-key"), std::string::npos);  // never echo secrets

  auto rs = parse_recipients("# team\n" + a.recipient().to_string() + "\n" + b.recipient().to_string() + "\n");
  ASSERT_TRUE(rs.has_value());
  EXPECT_EQ(rs->size(), 2u);
}

TEST(AgeBase64, StrictCanonical) {
  // age.md "Conventions": canonical, unpadded; base64::decode enforces RFC 4648 §3.5
  // (more in base64_test.cpp).
  EXPECT_TRUE(base64::decode("AA").has_value());
  EXPECT_FALSE(base64::decode("AB").has_value());    // non-zero trailing bits
  EXPECT_FALSE(base64::decode("AA==").has_value());  // padding in unpadded variant
  EXPECT_FALSE(base64::decode("A").has_value());
  EXPECT_FALSE(base64::decode("AA\n").has_value());
  EXPECT_FALSE(base64::decode("A-A_").has_value());  // URL-safe alphabet
  // Padded variant (armor).
  EXPECT_TRUE(base64::decode("AA==", true).has_value());
  EXPECT_FALSE(base64::decode("AB==", true).has_value());
  EXPECT_FALSE(base64::decode("AA", true).has_value());
  EXPECT_FALSE(base64::decode("AA=", true).has_value());
  const std::vector<std::uint8_t> data = {0xff, 0xfe, 0x00};
  EXPECT_EQ(base64::encode(data), "//4A");
  EXPECT_EQ(base64::encode(std::vector<std::uint8_t>{0xff}), "/w");
  EXPECT_EQ(base64::encode(std::vector<std::uint8_t>{0xff}, true), "/w==");
}

TEST(AgeStreaming, IstreamOstreamApi) {
  const X25519Identity id = X25519Identity::generate();
  const X25519Recipient rcpt = id.recipient();
  const auto plain = pattern(2 * kChunkSize + 7);
  std::istringstream in(std::string(plain.begin(), plain.end()));
  std::stringstream enc;
  ASSERT_TRUE(encrypt({&rcpt}, in, enc, true).has_value());
  std::ostringstream out;
  auto r = decrypt({&id}, enc, out);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  const std::string s = out.str();
  EXPECT_EQ(std::vector<std::uint8_t>(s.begin(), s.end()), plain);
}

}  // namespace
}  // namespace dossier::crypto::age

// Bech32 against the BIP-173 test vectors ("Test vectors", Bech32 valid/invalid).
#include "crypto/bech32.hpp"

#include <gtest/gtest.h>

#include <string>

namespace dossier::crypto::bech32 {
namespace {

TEST(Bech32, Bip173ValidStrings) {
  const std::string q82 = "11" + std::string(82, 'q') + "c8247j";  // 90 characters
  const std::string valid[] = {
      "A12UEL5L",
      "a12uel5l",
      "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
      "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
      q82,
      "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
      "?1ezyfcl",
  };
  for (const std::string& s : valid) {
    auto d = decode5(s);
    ASSERT_TRUE(d.has_value()) << s << ": " << d.error().message;
    // Re-encoding gives the lowercase form back.
    auto e = encode5(d->hrp, d->data5);
    ASSERT_TRUE(e.has_value());
    std::string lower(s);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_EQ(*e, lower);
  }
}

TEST(Bech32, Bip173InvalidStrings) {
  const std::string invalid[] = {
      std::string("\x20") + "1nwldj5",   // HRP character out of range
      std::string("\x7f") + "1axkwrx",   // HRP character out of range
      std::string("\x80") + "1eym55h",   // HRP character out of range
      "an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1569pvx",  // > 90
      "pzry9x0s0muk",                     // no separator
      "1pzry9x0s0muk",                    // empty HRP
      "x1b4n0q5v",                        // invalid data character
      "li1dgmt3",                         // too short checksum
      std::string("de1lg7wt") + "\xff",   // invalid character in checksum
      "A1G7SGD8",                         // checksum computed with uppercase HRP
      "10a06t8",                          // empty HRP
      "1qzzfhee",                         // empty HRP
  };
  for (const std::string& s : invalid) {
    EXPECT_FALSE(decode5(s).has_value()) << s;
  }
}

TEST(Bech32, MixedCaseRejected) { EXPECT_FALSE(decode5("A12uEL5L").has_value()); }

TEST(Bech32, LengthLimitIsOptional) {
  // age keys exceed 90 characters for some types; 0 lifts the BIP-173 limit.
  const std::string s = "an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1569pvx";
  EXPECT_FALSE(decode5(s).has_value());
  EXPECT_TRUE(decode5(s, 0).has_value());
}

TEST(Bech32, ByteRoundTripAndUppercase) {
  std::vector<std::uint8_t> data(32);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i * 7);
  auto s = encode("AGE-SECRET-KEY-", data, true);
  ASSERT_TRUE(s.has_value());
  EXPECT_TRUE(s->starts_with("AGE-SECRET-KEY-1"));
  auto d = decode(*s);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->hrp, "age-secret-key-");
  EXPECT_TRUE(d->uppercase);
  EXPECT_EQ(d->data, data);
}

// The path for secrets (age identities) gives what the public one gives, in guarded memory.
TEST(Bech32, SecretPathMatchesPublicPath) {
  std::vector<std::uint8_t> data(32);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(255 - i * 5);
  for (const bool upper : {false, true}) {
    auto s = encode_secret("AGE-SECRET-KEY-", data, upper);
    ASSERT_TRUE(s.has_value()) << s.error().message;
    const std::string text(as_text(s->expose()));
    EXPECT_EQ(text, *encode("AGE-SECRET-KEY-", data, upper));
    auto d = decode_secret(text);
    ASSERT_TRUE(d.has_value()) << d.error().message;
    EXPECT_EQ(d->hrp, "age-secret-key-");
    EXPECT_EQ(d->uppercase, upper);
    EXPECT_EQ(std::vector<std::uint8_t>(d->data.expose().begin(), d->data.expose().end()), data);
  }
  // Same refusals as decode(): checksum, padding bits, mixed case.
  const std::string good = *encode("age-secret-key-", data);
  std::string bad = good;
  bad[20] = bad[20] == 'q' ? 'p' : 'q';
  EXPECT_EQ(decode_secret(bad).error().message, decode(bad).error().message);
  EXPECT_FALSE(decode_secret("A12uEL5L").has_value());
  EXPECT_FALSE(decode_secret(*encode5("a", std::vector<std::uint8_t>{31})).has_value());  // leftover bits
  EXPECT_FALSE(encode_secret("", data).has_value());
}

TEST(Bech32, ConvertBitsRejectsBadPadding) {
  // 5-bit groups whose leftover bits are non-zero cannot be 8-bit data.
  const std::vector<std::uint8_t> g = {31};
  EXPECT_FALSE(convert_bits(g, 5, 8, false).has_value());
}

}  // namespace
}  // namespace dossier::crypto::bech32

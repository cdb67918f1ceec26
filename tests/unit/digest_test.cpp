// crypto/digest: the SHA-256 and BLAKE2b-512 helpers against published vectors.
#include "crypto/digest.hpp"

#include <gtest/gtest.h>

#include <string_view>

namespace dossier::crypto {
namespace {

std::span<const std::uint8_t> bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

TEST(Digest, Sha256HexMatchesFips180Vectors) {
  // FIPS 180-4 examples (NIST CSRC "SHA256.pdf"): "abc" and the empty message.
  EXPECT_EQ(sha256_hex(bytes("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex(bytes("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  // The streaming hasher gives the same in pieces.
  Sha256 h;
  h.update(bytes("a"));
  h.update(bytes("bc"));
  EXPECT_EQ(h.hex_final(), sha256_hex(bytes("abc")));
  EXPECT_TRUE(is_lower_hex(sha256_hex(bytes("x")), 64));
}

TEST(Digest, Blake2b512MatchesRfc7693) {
  // RFC 7693 Appendix A: BLAKE2b-512("abc").
  Blake2b512 h;
  h.update(bytes("abc"));
  EXPECT_EQ(h.hex_final(),
            "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
            "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923");
}

}  // namespace
}  // namespace dossier::crypto

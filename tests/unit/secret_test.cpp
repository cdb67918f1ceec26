#include "crypto/secret.hpp"

#include <gtest/gtest.h>

namespace dossier::crypto {

TEST(SecretBytes, CopiesAndMovesKeepContent) {
  const std::uint8_t raw[3] = {1, 2, 3};
  SecretBytes a(raw, 3);
  SecretBytes b = a;
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(b.expose()[2], 3);
  SecretBytes c = std::move(a);
  EXPECT_EQ(c.size(), 3u);
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): moved-from is empty by contract
}

}  // namespace dossier::crypto

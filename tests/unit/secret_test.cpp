// SecretBytes (src/crypto/secret.hpp): content, moves, wiping, and that the bytes live in
// libsodium's guarded memory with core dumps off.
#include "crypto/secret.hpp"

#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace dossier::crypto {
namespace {

std::vector<std::uint8_t> pattern(std::size_t n) {
  std::vector<std::uint8_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>(i * 31 + 7);
  return v;
}

std::vector<std::uint8_t> bytes_of(const SecretBytes& s) { return {s.expose().begin(), s.expose().end()}; }

TEST(SecretBytes, ContentRoundTripAndClone) {
  for (const std::size_t n : {std::size_t{1}, std::size_t{3}, std::size_t{32}, std::size_t{4096}, std::size_t{70000}}) {
    const auto raw = pattern(n);
    const SecretBytes a(raw.data(), raw.size());
    ASSERT_EQ(a.size(), n);
    EXPECT_EQ(bytes_of(a), raw);
    const SecretBytes b = a.clone();
    EXPECT_EQ(bytes_of(b), raw);
    EXPECT_NE(b.expose().data(), a.expose().data()) << "a clone is a second allocation";
  }
  const SecretBytes zeros(40);
  EXPECT_TRUE(std::all_of(zeros.expose().begin(), zeros.expose().end(), [](auto b) { return b == 0; }))
      << "sodium_malloc fills with 0xdb; SecretBytes(n) must zero";
}

TEST(SecretBytes, MovedFromIsEmpty) {
  const auto raw = pattern(3);
  SecretBytes a(raw.data(), raw.size());
  const std::uint8_t* where = a.expose().data();
  SecretBytes c = std::move(a);
  EXPECT_EQ(bytes_of(c), raw);
  EXPECT_EQ(c.expose().data(), where) << "a move hands over the allocation, it does not copy";
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): moved-from is empty by contract
  EXPECT_EQ(a.expose().data(), nullptr);  // NOLINT(bugprone-use-after-move)
  SecretBytes d(pattern(5).data(), 5);
  d = std::move(c);
  EXPECT_EQ(bytes_of(d), raw);
  EXPECT_TRUE(c.empty());  // NOLINT(bugprone-use-after-move)
}

TEST(SecretBytes, EmptyHoldsNoAllocation) {
  const SecretBytes a;
  const SecretBytes b(0);
  EXPECT_TRUE(a.empty());
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(b.expose().data(), nullptr);
  EXPECT_TRUE(b.clone().empty());
}

TEST(SecretBytes, ShrinkWipesTheTailAtOnce) {
  const auto raw = pattern(16);
  SecretBytes a(raw.data(), raw.size());
  const std::uint8_t* const p = a.expose().data();
  a.shrink(4);
  ASSERT_EQ(a.size(), 4u);
  EXPECT_TRUE(std::equal(raw.begin(), raw.begin() + 4, a.expose().begin()));
  // The allocation is still the one sodium_malloc gave (16 bytes); its cut tail is zero.
  EXPECT_TRUE(std::all_of(p + 4, p + 16, [](std::uint8_t b) { return b == 0; }));
  a.shrink(10);  // growing is not shrinking: nothing happens
  EXPECT_EQ(a.size(), 4u);
}

// sodium_malloc places the bytes so that they end exactly where a guard page (PROT_NONE)
// begins: the end of the buffer is page-aligned for every size. A std::vector or plain
// malloc gives that only by chance.
TEST(SecretBytes, LivesRightBeforeAGuardPage) {
  const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  ASSERT_GT(page, 0u);
  for (const std::size_t n : {std::size_t{1}, std::size_t{17}, std::size_t{32}, std::size_t{100}, std::size_t{5000}}) {
    const SecretBytes s(n);
    const auto end = reinterpret_cast<std::uintptr_t>(s.expose().data()) + n;
    EXPECT_EQ(end % page, 0u) << "size " << n;
  }
}

TEST(SecretBytes, CoreDumpsAreOffOnceASecretExists) {
  const SecretBytes s(8);
  EXPECT_EQ(::prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
}

TEST(SecretBytes, JoinSecretConcatenates) {
  const SecretBytes j = join_secret({"AGE-", "", "SECRET", "\n"});
  EXPECT_EQ(as_text(j.expose()), "AGE-SECRET\n");
  EXPECT_TRUE(join_secret({}).empty());
}

}  // namespace
}  // namespace dossier::crypto

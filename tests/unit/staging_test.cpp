// Staging folders (src/io/staging.*): nothing partial is left, stale folders of a killed run are
// removed by the next run, live ones (held by a flock) never.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

#include "io/staging.hpp"

namespace dossier::io {
namespace {

namespace fs = std::filesystem;

class StagingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string templ = (fs::temp_directory_path() / "dossier-staging-XXXXXX").string();
    ASSERT_NE(::mkdtemp(templ.data()), nullptr);
    dir_ = templ;
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::vector<std::string> entries() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir_)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }
  static void touch(const fs::path& p) { std::ofstream(p) << "plaintext"; }
  fs::path dir_;
};

TEST_F(StagingTest, UncommittedFolderIsRemovedAndUnregistered) {
  {
    auto s = Staging::create(dir_ / "out");
    ASSERT_TRUE(s) << s.error().message;
    touch(s->path() / "referral.xml");
    const auto live = live_staging_folders();
    EXPECT_NE(std::find(live.begin(), live.end(), s->path()), live.end());
    EXPECT_EQ(s->path().filename().string().rfind(".out.partial-", 0), 0u) << s->path();
  }
  EXPECT_TRUE(entries().empty());
  EXPECT_TRUE(live_staging_folders().empty());
}

TEST_F(StagingTest, CommitRenamesAndUnregisters) {
  auto s = Staging::create(dir_ / "out");
  ASSERT_TRUE(s);
  touch(s->path() / "a.pdf");
  ASSERT_TRUE(s->commit());
  EXPECT_TRUE(live_staging_folders().empty());
  EXPECT_EQ(entries(), std::vector<std::string>{"out"});
  EXPECT_TRUE(fs::exists(dir_ / "out" / "a.pdf"));
}

TEST_F(StagingTest, StaleFolderOfAKilledRunIsRemovedLiveOneKept) {
  // A run killed by SIGKILL left ".out.partial-AbC123" with plaintext in it; nobody holds it.
  fs::create_directory(dir_ / ".out.partial-AbC123");
  touch(dir_ / ".out.partial-AbC123" / "referral.xml");
  // A run still going holds its folder with a flock: it must survive.
  fs::create_directory(dir_ / ".out.partial-Live99");
  const int held = ::open((dir_ / ".out.partial-Live99").c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_GE(held, 0);
  ASSERT_EQ(::flock(held, LOCK_EX), 0);
  // Not ours to touch: other destinations, and names that only look alike.
  fs::create_directory(dir_ / ".other.partial-AbC123");
  fs::create_directory(dir_ / ".out.partial-AbC1234");
  {
    auto s = Staging::create(dir_ / "out");
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_FALSE(fs::exists(dir_ / ".out.partial-AbC123"));
    EXPECT_TRUE(fs::exists(dir_ / ".out.partial-Live99"));
    EXPECT_TRUE(fs::exists(dir_ / ".other.partial-AbC123"));
    EXPECT_TRUE(fs::exists(dir_ / ".out.partial-AbC1234"));
    // Our own live folder is locked: a second run for the same destination keeps it.
    auto second = Staging::create(dir_ / "out");
    ASSERT_TRUE(second);
    EXPECT_TRUE(fs::exists(s->path()));
  }
  ::close(held);
  // Now the formerly live folder is stale too.
  auto third = Staging::create(dir_ / "out");
  ASSERT_TRUE(third);
  EXPECT_FALSE(fs::exists(dir_ / ".out.partial-Live99"));
}

TEST_F(StagingTest, ExistingDestinationIsAUsageError) {
  fs::create_directory(dir_ / "out");
  auto s = Staging::create(dir_ / "out");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, Errc::usage);
}

}  // namespace
}  // namespace dossier::io

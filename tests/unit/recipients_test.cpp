// app::load_recipients: -r arguments are age1... keys or files of them.
#include <gtest/gtest.h>

#include <fstream>

#include "app/keys.hpp"
#include "test_support.hpp"

namespace dossier {
namespace {

namespace fs = std::filesystem;
using crypto::age::X25519Identity;

class Recipients : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::scratch_path("recipients-test");
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
    return dir_ / name;
  }
  fs::path dir_;
};

TEST_F(Recipients, KeysAndFilesTogetherWithoutDuplicates) {
  const auto a = X25519Identity::generate().recipient().to_string();
  const auto b = X25519Identity::generate().recipient().to_string();
  const auto file = write("comensha.pub", "# CoMensha reviewers\n" + a + "\n\n" + b + "\n");
  auto rs = app::load_recipients({a, file.string(), b});
  ASSERT_TRUE(rs) << rs.error().message;
  ASSERT_EQ(rs->size(), 2u);  // a and b once each, in the order first named
  EXPECT_EQ((*rs)[0].to_string(), a);
  EXPECT_EQ((*rs)[1].to_string(), b);
}

TEST_F(Recipients, MissingFileIsNotFoundAndNamesIt) {
  auto rs = app::load_recipients({(dir_ / "nope.pub").string()});
  ASSERT_FALSE(rs);
  EXPECT_EQ(rs.error().code, Errc::not_found);
  EXPECT_NE(rs.error().message.find("nope.pub"), std::string::npos);
}

TEST_F(Recipients, BadKeyAndBadFileAreUsageErrors) {
  auto bad = app::load_recipients({"age1notakey"});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::usage);
  const auto file = write("broken.pub", "AGE-SECRET-KEY-1 is not a recipient\n");
  auto broken = app::load_recipients({file.string()});
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().code, Errc::usage);
  EXPECT_NE(broken.error().message.find("broken.pub"), std::string::npos);
  auto none = app::load_recipients({write("empty.pub", "# nobody\n").string()});
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, Errc::usage);
}

// Each recipient is one stanza in every age header, and opening refuses more than
// crypto::age::kMaxStanzas of them: seal must not accept more (duplicates count once).
TEST_F(Recipients, AtMostAsManyAsAnAgeHeaderHolds) {
  std::string many;
  for (std::size_t i = 0; i < crypto::age::kMaxStanzas; ++i) {
    many += X25519Identity::generate().recipient().to_string() + "\n";
  }
  const auto file = write("many.pub", many);
  const auto first = many.substr(0, many.find('\n'));
  auto full = app::load_recipients({file.string(), first});
  ASSERT_TRUE(full) << full.error().message;
  EXPECT_EQ(full->size(), crypto::age::kMaxStanzas);
  auto over = app::load_recipients({file.string(), X25519Identity::generate().recipient().to_string()});
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().code, Errc::usage);
  EXPECT_EQ(over.error().message, "65 recipients: at most 64 fit in an age header");
}

}  // namespace
}  // namespace dossier

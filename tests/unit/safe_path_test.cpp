#include "io/safe_path.hpp"

#include <gtest/gtest.h>

namespace dossier::io {
namespace {

Errc code_of(std::string_view name, std::size_t depth = 8, std::size_t len = 240) {
  auto r = normalise_entry_name(name, depth, len);
  EXPECT_FALSE(r.has_value()) << name;
  return r ? Errc::internal : r.error().code;
}

TEST(SafePath, AcceptsPlainRelativePaths) {
  EXPECT_EQ(*normalise_entry_name("referral.xml"), "referral.xml");
  EXPECT_EQ(*normalise_entry_name("documents/"), "documents");
  EXPECT_EQ(*normalise_entry_name("documents/Пасспорт scan (1).pdf"), "documents/Пасспорт scan (1).pdf");
  EXPECT_EQ(*normalise_entry_name(".hidden/..x/x.."), ".hidden/..x/x..");
}

TEST(SafePath, RejectsTraversalAndAbsolutePaths) {
  for (const char* bad : {"../evil", "a/../../evil", "a/..", "..", "/etc/x", "//host/share",
                          "C:/x", "c:x", "a\\b", "\\x", "a//b", "./a", "a/./b", "/", "a:b"}) {
    EXPECT_EQ(code_of(bad), Errc::hostile) << bad;
  }
}

TEST(SafePath, RejectsControlCharactersAndBadUtf8) {
  EXPECT_EQ(code_of(std::string_view("a\0b", 3)), Errc::hostile);
  EXPECT_EQ(code_of("a\nb"), Errc::hostile);
  EXPECT_EQ(code_of("a\x7f"), Errc::hostile);
  EXPECT_EQ(code_of("a\xc2\x85"), Errc::hostile);          // U+0085 NEL
  EXPECT_EQ(code_of("gpj.\xe2\x80\xaepdf"), Errc::hostile);  // U+202E RIGHT-TO-LEFT OVERRIDE
  EXPECT_EQ(code_of("\xc0\xaf"), Errc::hostile);            // overlong '/'
  EXPECT_EQ(code_of("\xff"), Errc::hostile);
  EXPECT_EQ(code_of("\xed\xa0\x80"), Errc::hostile);        // surrogate
  EXPECT_EQ(code_of(""), Errc::hostile);
}

TEST(SafePath, EnforcesLengthAndDepth) {
  EXPECT_TRUE(normalise_entry_name("a/b/c/d/e/f/g/h"));
  EXPECT_EQ(code_of("a/b/c/d/e/f/g/h/i"), Errc::limit);
  EXPECT_EQ(code_of("a/b/c", 2), Errc::limit);
  EXPECT_TRUE(normalise_entry_name(std::string(240, 'n')));
  EXPECT_EQ(code_of(std::string(241, 'n')), Errc::limit);
}

TEST(SafePath, PredicateGivesReason) {
  std::string why;
  EXPECT_TRUE(is_safe_relative_path("a/b.pdf", 8, 240, &why));
  EXPECT_FALSE(is_safe_relative_path("../b.pdf", 8, 240, &why));
  EXPECT_NE(why.find(".."), std::string::npos) << why;
  EXPECT_FALSE(is_safe_relative_path("../b.pdf", 8, 240, nullptr));
}

TEST(SafePath, CollisionKeyFoldsAsciiCaseAndTrailingSlash) {
  EXPECT_EQ(collision_key("Docs/Report.PDF"), collision_key("docs/report.pdf"));
  EXPECT_EQ(collision_key("a/b/"), collision_key("a/b"));
  EXPECT_NE(collision_key("\xc3\x84"), collision_key("\xc3\xa4"));  // not guaranteed: non-ASCII
}

}  // namespace
}  // namespace dossier::io

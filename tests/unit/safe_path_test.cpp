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
  EXPECT_NE(collision_key("a/b"), collision_key("a/c"));
}

// Issue 8: names that are one file on Windows or macOS share one key, whatever the case or the
// Unicode form (full case folding, so also "ß"/"ss"); compatibility forms such as fullwidth
// letters do not.
TEST(SafePath, CollisionKeyFoldsUnicodeCaseAndNormalisation) {
  const std::string composed = "cli\xc3\xabnt.pdf";     // e with diaeresis, U+00EB
  const std::string decomposed = "clie\xcc\x88nt.pdf";  // e + combining diaeresis U+0308
  EXPECT_NE(composed, decomposed);
  EXPECT_EQ(collision_key(composed), collision_key(decomposed));
  EXPECT_EQ(collision_key("CLI\xc3\x8bNT.PDF"), collision_key(decomposed));  // U+00CB upper case
  EXPECT_EQ(collision_key("\xc3\x84"), collision_key("\xc3\xa4"));            // A/a with diaeresis
  EXPECT_EQ(collision_key("Stra\xc3\x9f" "e"), collision_key("STRASSE"));     // full folding: sharp s
  EXPECT_EQ(collision_key("\xef\xac\x81le"), collision_key("FILE"));          // full folding: ligature fi U+FB01
  EXPECT_NE(collision_key("\xef\xbc\xa1.pdf"), collision_key("a.pdf"));        // fullwidth A U+FF21: its own
  EXPECT_EQ(collision_key("politie/"), collision_key("POLITIE"));
  // Beyond Latin (these once had a table of their own in core/unicode; now this one rule serves
  // the package reader, seal and open).
  EXPECT_EQ(collision_key("\xCE\xA3"), collision_key("\xCF\x83"));              // Greek capital and small sigma
  EXPECT_EQ(collision_key("\xCF\x82"), collision_key("\xCF\x83"));              // final sigma
  EXPECT_EQ(collision_key("\xD0\x96"), collision_key("\xD0\xB6"));              // Cyrillic Zhe
  EXPECT_EQ(collision_key("\xE1\xBA\x9E"), collision_key("ss"));                 // capital sharp s
  EXPECT_EQ(collision_key("\xF0\x90\x90\x80"), collision_key("\xF0\x90\x90\xA8"));  // Deseret, outside the BMP
  EXPECT_NE(collision_key("\xC3\xA9"), collision_key("e"));                       // accents are not folded away
}

TEST(SafePath, IsNfcTellsComposedFromDecomposed) {
  EXPECT_TRUE(is_nfc("politie/intake-avim.pdf"));
  EXPECT_TRUE(is_nfc("cli\xc3\xabnt.pdf"));
  EXPECT_FALSE(is_nfc("clie\xcc\x88nt.pdf"));
  EXPECT_TRUE(is_nfc(""));
  EXPECT_TRUE(is_nfc("\xED\x95\x9C.pdf"));             // Hangul syllable U+D55C
  EXPECT_FALSE(is_nfc("\xE2\x84\xAB.pdf"));            // U+212B ANGSTROM SIGN: NFC is U+00C5
  EXPECT_FALSE(is_nfc("\xE1\x84\x92\xE1\x85\xA1.pdf"));  // decomposed Hangul U+1112 U+1161
}

}  // namespace
}  // namespace dossier::io

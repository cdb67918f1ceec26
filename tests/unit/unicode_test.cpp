// core/unicode.hpp: the conservative NFC check, simple case folding and terminal escaping that
// the bundle uses for document names and for what it prints.
#include "core/unicode.hpp"

#include <gtest/gtest.h>

namespace dossier::unicode {
namespace {

TEST(Unicode, NfcNamesPassAndEveryOtherSpellingIsRefused) {
  for (const char* nfc : {"verslag.pdf", "politie/aangifte 2026.pdf", "caf\xC3\xA9.pdf" /* U+00E9 */,
                          "\xC3\x85ngstr\xC3\xB6m.pdf" /* U+00C5 */, "\xED\x95\x9C.pdf" /* U+D55C */,
                          "\xCE\xA3\xCE\xB1.pdf" /* Greek */, ""}) {
    EXPECT_TRUE(is_nfc(nfc)) << nfc;
  }
  for (const char* other : {
           "cafe\xCC\x81.pdf",              // e + U+0301: NFD of café
           "\xE2\x84\xAB.pdf",              // U+212B ANGSTROM SIGN: NFC is U+00C5
           "\xE1\x84\x92\xE1\x85\xA1.pdf",  // U+1112 U+1161: decomposed Hangul
           "\xCD\xB4",                       // U+0374 GREEK NUMERAL SIGN: NFC is U+02B9
           "q\xCC\x83",                      // q + U+0303: NFC, but refused (documented)
           "\xC3",                           // cut UTF-8
           "\xC0\xAF",                       // overlong "/"
           "\xED\xA0\x80",                   // a surrogate
           "\xF4\x90\x80\x80",               // above U+10FFFF
       }) {
    EXPECT_FALSE(is_nfc(other)) << other;
  }
}

TEST(Unicode, FoldCaseMatchesWhatCaseInsensitiveFileSystemsConfuse) {
  EXPECT_EQ(fold_case("Verslag.PDF"), "verslag.pdf");
  EXPECT_EQ(fold_case("\xC3\x84rztlich.pdf"), fold_case("\xC3\xA4rztlich.pdf"));  // Ä, ä
  EXPECT_EQ(fold_case("\xC3\x84"), "\xC3\xA4");
  EXPECT_EQ(fold_case("\xC4\xB2"), "\xC4\xB3");          // IJ -> ij (Latin Extended-A, step 2)
  EXPECT_EQ(fold_case("\xCE\xA3"), "\xCF\x83");          // Σ -> σ
  EXPECT_EQ(fold_case("\xCF\x82"), "\xCF\x83");          // final ς -> σ
  EXPECT_EQ(fold_case("\xD0\x96"), "\xD0\xB6");          // Ж -> ж
  EXPECT_EQ(fold_case("\xE1\xBA\x9E"), "\xC3\x9F");      // ẞ -> ß (simple, not "ss")
  EXPECT_EQ(fold_case("\xF0\x90\x90\x80"), "\xF0\x90\x90\xA8");  // Deseret, outside the BMP
  EXPECT_NE(fold_case("\xC3\xA9"), fold_case("e"));      // é is not e: accents are not folded
  EXPECT_EQ(fold_case("a\xFF" "B"), "a\xFF" "b");        // invalid bytes kept
}

TEST(Unicode, EscapesWhatATerminalHidesOrObeys) {
  EXPECT_EQ(escape_for_terminal("omm-eerste-fase 1.0.0"), "omm-eerste-fase 1.0.0");
  EXPECT_EQ(escape_for_terminal("caf\xC3\xA9"), "caf\xC3\xA9");
  EXPECT_EQ(escape_for_terminal("evil\xE2\x80\xAE" "fdp.exe"), "evil<U+202E>fdp.exe");
  EXPECT_EQ(escape_for_terminal("\x1B[31mred"), "<U+001B>[31mred");
  EXPECT_EQ(escape_for_terminal("a\nb\tc"), "a<U+000A>b<U+0009>c");
  EXPECT_EQ(escape_for_terminal("\xC2\x85"), "<U+0085>");  // C1 NEL
  EXPECT_EQ(escape_for_terminal("\xE2\x81\xA6x\xE2\x81\xA9"), "<U+2066>x<U+2069>");
  EXPECT_EQ(escape_for_terminal("\xE2\x80\x8E\xE2\x80\x8F"), "<U+200E><U+200F>");
  EXPECT_EQ(escape_for_terminal("\xEF\xBB\xBFx"), "<U+FEFF>x");
  EXPECT_EQ(escape_for_terminal("a\xFF\xC3"), "a<0xFF><0xC3>");
  EXPECT_TRUE(is_plain_text("2026-11-24T17:55:01Z"));
  EXPECT_FALSE(is_plain_text("x\xE2\x80\xAE"));
  EXPECT_FALSE(is_plain_text("x\x7F"));
}

}  // namespace
}  // namespace dossier::unicode

// core/unicode.hpp: the terminal escaping the bundle and the CLI use for what they print.
#include "core/unicode.hpp"

#include <gtest/gtest.h>

namespace dossier::unicode {
namespace {

// The one UTF-8 decoder (RFC 3629): every valid length, and each kind of invalid input gives
// length 0.
TEST(Unicode, DecodesUtf8AndRefusesEveryInvalidForm) {
  EXPECT_EQ(decode_utf8("a").cp, U'a');
  EXPECT_EQ(decode_utf8("a").len, 1u);
  EXPECT_EQ(decode_utf8("\xC3\xAB!").cp, U'\u00EB');  // only the first code point
  EXPECT_EQ(decode_utf8("\xC3\xAB!").len, 2u);
  EXPECT_EQ(decode_utf8("\xE2\x80\xAE").cp, U'\u202E');
  EXPECT_EQ(decode_utf8("\xF0\x90\x90\x80").cp, U'\U00010400');
  EXPECT_EQ(decode_utf8("\xF0\x90\x90\x80").len, 4u);
  for (const char* bad : {"", "\x80", "\xC3", "\xC3(", "\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80",
                          "\xF4\x90\x80\x80", "\xF8\x88\x80\x80\x80", "\xFF"}) {
    EXPECT_EQ(decode_utf8(bad).len, 0u) << testing::PrintToString(std::string(bad));
  }
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

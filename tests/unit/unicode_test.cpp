// core/unicode.hpp: the terminal escaping the bundle and the CLI use for what they print.
#include "core/unicode.hpp"

#include <gtest/gtest.h>

namespace dossier::unicode {
namespace {

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

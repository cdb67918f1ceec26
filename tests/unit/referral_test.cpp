#include "core/referral.hpp"

#include <gtest/gtest.h>

#include "app/data_files.hpp"
#include "test_support.hpp"

namespace dossier {
namespace {

const std::string kXsd = *app::read_referral_schema(DOSSIER_SOURCE_DIR);  // the schema's text

Referral parse(const std::string& text) { return Referral::parse(text, kXsd); }

std::string all_issues(const Referral& r) {
  std::string s;
  for (const auto& i : r.issues()) s += std::to_string(i.line) + ": " + i.message + "\n";
  return s;
}

TEST(Referral, ExampleIsValid) {
  const auto r = parse(test::example_referral());
  EXPECT_TRUE(r.valid()) << all_issues(r);
  EXPECT_EQ(r.documents().size(), 7u);
  EXPECT_EQ(r.documents()[2].path, "politie/intake-avim.pdf");
  EXPECT_EQ(r.documents()[2].date, "2026-10-02");
  EXPECT_EQ(r.profile_hint(), "omm-eerste-fase");
}

TEST(Referral, MissingRequiredFieldIsReportedWithLine) {
  const auto text = test::replace_once(test::example_referral(), "<client pseudonym=\"CL-2026-0042\" gender=\"female\"/>", "");
  const auto r = parse(text);
  EXPECT_FALSE(r.valid());
  ASSERT_FALSE(r.issues().empty());
  EXPECT_GT(r.issues().front().line, 1);
  EXPECT_NE(all_issues(r).find("client"), std::string::npos) << all_issues(r);
}

TEST(Referral, UnknownElementIsAnIssue) {
  const auto text = test::replace_once(test::example_referral(), "<motivation>", "<favourite-colour>x</favourite-colour><motivation>");
  const auto r = parse(text);
  EXPECT_FALSE(r.valid());
  EXPECT_NE(all_issues(r).find("favourite-colour"), std::string::npos) << all_issues(r);
}

TEST(Referral, DuplicateAttributeIsAnIssue) {
  const auto text = test::replace_once(test::example_referral(), "<residence status=\"lawful\"/>",
                                       "<residence status=\"lawful\" status=\"none\"/>");
  const auto r = parse(text);
  EXPECT_FALSE(r.valid());
  EXPECT_FALSE(r.usable());
}

TEST(Referral, BadEnumValueIsAnIssue) {
  const auto text = test::replace_once(test::example_referral(), "status=\"lawful\"", "status=\"maybe\"");
  EXPECT_FALSE(parse(text).valid());
}

TEST(Referral, HostileInputsAreRejectedWithoutExpansion) {
  const std::string laughs =
      "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">]>"
      "<referral version=\"1\">&lol2;</referral>";
  const std::string xxe =
      "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><referral version=\"1\">&x;</referral>";
  const std::string utf16 = std::string("\xFF\xFE<\0r\0", 6);
  const std::string bad_utf8 = "<referral version=\"1\">\xC3\x28</referral>";
  const std::string nul_ref = "<referral version=\"1\"><motivation>a&#0;b</motivation></referral>";
  const std::string two_roots = "<referral version=\"1\"/><referral version=\"1\"/>";
  const std::string latin1 = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><referral version=\"1\"/>";
  std::string deep_build = "<referral version=\"1\">";
  for (int i = 0; i < 5000; ++i) deep_build += "<a>";
  const std::string deep = deep_build;
  const std::string huge_attr = "<referral version=\"1\" profile=\"" + std::string(100000, 'x') + "\"/>";
  for (const auto* text : {&laughs, &xxe, &utf16, &bad_utf8, &nul_ref, &two_roots, &latin1, &deep, &huge_attr}) {
    const auto r = parse(*text);
    EXPECT_FALSE(r.valid()) << text->substr(0, 60);
    EXPECT_FALSE(r.issues().empty());
  }
}

TEST(Referral, TooLargeIsRejected) {
  ReferralLimits limits;
  limits.max_bytes = 100;
  const auto r = Referral::parse(test::example_referral(), kXsd, limits);
  EXPECT_FALSE(r.usable());
  EXPECT_NE(r.issues().front().message.find("larger"), std::string::npos);
}

TEST(Referral, BsnLikeNumbersAreFound) {
  // 111222333 passes the elfproef (9*1+8*1+7*1+6*2+5*2+4*2+3*3+2*3-1*3 = 66 = 6*11).
  const auto hits = find_bsn_like_numbers("a\nBSN 111222333 here\n2026-10-12 0612345678");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].line, 2);
  EXPECT_TRUE(find_bsn_like_numbers("123456789").empty());  // fails the elfproef
  EXPECT_EQ(find_bsn_like_numbers("111.222.333").size(), 1u);
}

}  // namespace
}  // namespace dossier

#include "core/profile.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "test_support.hpp"
#include "app/data_files.hpp"

namespace dossier {
namespace {

TEST(Profile, FirstPhaseLoads) {
  auto p = app::load_profile(test::source_dir(), "omm-eerste-fase");
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->id(), "omm-eerste-fase");
  EXPECT_EQ(p->version(), "1.0.0");
  EXPECT_EQ(p->evidence().size(), 7u);
  ASSERT_NE(p->evidence_by_folder("politie"), nullptr);
  EXPECT_EQ(p->evidence_by_folder("politie")->id, "police");
  // Every ground has at least one rule, every rule has a source and both languages.
  for (const auto& ground : known_grounds()) {
    bool any = false;
    for (const auto& r : p->rules()) any = any || r.ground == ground;
    EXPECT_TRUE(any) << ground;
  }
}

TEST(Profile, SecondPhaseExtendsAndOverrides) {
  auto first = app::load_profile(test::source_dir(), "omm-eerste-fase");
  auto second = app::load_profile(test::source_dir(), "omm-tweede-fase");
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->id(), "omm-tweede-fase");
  EXPECT_EQ(second->rules().size(), first->rules().size() + 2);
  const auto it = std::find_if(second->rules().begin(), second->rules().end(),
                               [](const Rule& r) { return r.id == "trafficking.police-preferred"; });
  ASSERT_NE(it, second->rules().end());
  // Police confirmation is common in the second phase, not a condition (domain brief).
  EXPECT_EQ(it->severity, Severity::warn);
  EXPECT_EQ(it->when, nullptr);
}

TEST(Profile, UnknownIdIsAUsageError) {
  auto p = app::load_profile(test::source_dir(), "no-such-profile");
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, Errc::usage);
  EXPECT_FALSE(app::load_profile(test::source_dir(), "../etc/passwd"));
}

class BadProfile : public ::testing::TestWithParam<std::pair<const char*, const char*>> {};

TEST_P(BadProfile, IsRejectedWithAReason) {
  const auto dir = test::scratch_path("dossier-profile-test");
  std::filesystem::create_directories(dir);
  const auto path = dir / "bad.xml";
  {
    std::ofstream out(path);
    out << "<profile id=\"x\" version=\"1\" format=\"1\">"
           "<evidence id=\"police\" folder=\"politie\"><name lang=\"nl\">p</name></evidence>"
        << GetParam().first << "</profile>";
  }
  auto p = app::load_profile(test::source_dir(), path.string());
  std::filesystem::remove_all(dir);
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().message.find(GetParam().second), std::string::npos) << p.error().message;
}

constexpr const char* kTexts =
    "<text lang=\"nl\">t</text><text lang=\"en\">t</text><fix lang=\"nl\">f</fix><fix lang=\"en\">f</fix>"
    "<source doc=\"003\">s</source>";

INSTANTIATE_TEST_SUITE_P(
    Cases, BadProfile,
    ::testing::Values(
        std::make_pair("<rule id=\"a\" ground=\"weather\" severity=\"fail\"><require><xpath test=\"1\"/></require></rule>", "unknown ground"),
        std::make_pair("<rule id=\"a\" ground=\"incomplete\" severity=\"maybe\"><require><xpath test=\"1\"/></require></rule>", "severity"),
        std::make_pair("<rule id=\"a\" ground=\"incomplete\" severity=\"fail\"><require><xpath test=\"((\"/></require></rule>", "bad XPath"),
        std::make_pair("<rule id=\"a\" ground=\"incomplete\" severity=\"fail\" kind=\"completeness\"><require><documents evidence=\"nope\"/></require>"
                       "<text lang=\"nl\">t</text><text lang=\"en\">t</text><fix lang=\"nl\">f</fix><fix lang=\"en\">f</fix><source>s</source></rule>", "unknown evidence"),
        std::make_pair("<rule id=\"a\" ground=\"incomplete\" severity=\"fail\"><inspect what=\"magic\"/></rule>", "unknown inspection"),
        std::make_pair("<rule id=\"a\" ground=\"incomplete\" severity=\"fail\"><require><xpath test=\"1\"/></require></rule>", "needs <text>"),
        std::make_pair("<rule id=\"a\" ground=\"incomplete\" severity=\"fail\"><require><xpath test=\"1\"/></require>"
                       "<text lang=\"nl\">t</text><text lang=\"en\">t</text><fix lang=\"nl\">f</fix><fix lang=\"en\">f</fix><source>s</source></rule>", "kind must be"),
        std::make_pair("<evidence id=\"d\" folder=\"d\"><fact id=\"f\" role=\"maybe\"/></evidence>", "role must be"),
        std::make_pair("<evidence id=\"d\" folder=\"d\"><fact id=\"f\" role=\"identifying\"><label lang=\"nl\">l</label>"
                       "<label lang=\"en\">l</label><words>x</words></fact></evidence>", "needs a <source>"),
        std::make_pair("<evidence id=\"d\" folder=\"d\"><fact id=\"f\" role=\"identifying\"><label lang=\"nl\">l</label>"
                       "<label lang=\"en\">l</label><source>s</source><regex>.*</regex></fact></evidence>", "unknown matcher"),
        std::make_pair("<evidence id=\"d\" folder=\"d\"><fact id=\"f\" role=\"supporting\"><label lang=\"nl\">l</label>"
                       "<label lang=\"en\">l</label><source>s</source><reference/></fact></evidence>", "needs after="),
        std::make_pair("<evidence id=\"d\" folder=\"d\"><keywords>a b</keywords></evidence>", "unknown element <keywords>"),
        std::make_pair("<gadget/>", "unknown element")),
    [](const ::testing::TestParamInfo<BadProfile::ParamType>& param_info) {
      std::string name;
      for (const char* c = param_info.param.second; *c != '\0'; ++c) name += std::isalnum(static_cast<unsigned char>(*c)) ? *c : '_';
      return name;
    });

}  // namespace
}  // namespace dossier

#include "core/report.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "app/check.hpp"
#include "json_schema.hpp"
#include "test_support.hpp"
#include "app/data_files.hpp"

namespace dossier {
namespace {

using json = nlohmann::json;

TEST(Report, JsonOfBothExamplesMatchesTheSchema) {
  const auto schema = json::parse(test::read_text(test::source_dir() + "/schemas/check-report.schema.json"));
  for (const char* example : {"complete", "incomplete"}) {
    for (const Lang lang : {Lang::nl, Lang::en}) {
      auto messages = app::load_catalogue(test::source_dir(), lang);
      ASSERT_TRUE(messages);
      app::CheckOptions options;
      options.data_dir = test::source_dir();
      auto report = app::run_check(test::source_dir() + "/examples/" + example, options, *messages);
      ASSERT_TRUE(report) << report.error().message;
      const auto j = json::parse(to_json(*report, lang).dump());
      const auto errors = test::schema_errors(j, schema, schema, example);
      EXPECT_TRUE(errors.empty()) << errors.size() << " schema errors, first: " << errors.front();
      EXPECT_EQ(j["verdict"], std::string(example));
      EXPECT_EQ(j["findings"].size(), report->findings.size());
    }
  }
}

TEST(Report, TextEndsWithOneVerdictLineAndHasNoColourWhenOff) {
  auto messages = app::load_catalogue(test::source_dir(), Lang::en);
  ASSERT_TRUE(messages);
  Report r;
  r.package = "p";
  r.findings.push_back({"x.rule", "trafficking", RuleKind::completeness, Status::failed, "Police confirmation", "Add it", {"politie/a.pdf"}, {}});
  r.complete = false;
  const auto text = render_text(r, *messages, false);
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
  EXPECT_NE(text.find("What to do: Add it"), std::string::npos);
  EXPECT_EQ(text.substr(text.rfind('\n', text.size() - 2) + 1, 19), "Verdict: INCOMPLETE");
  EXPECT_NE(render_text(r, *messages, true).find('\x1b'), std::string::npos);
}

}  // namespace
}  // namespace dossier

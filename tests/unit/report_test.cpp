#include "core/report.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "app/check.hpp"
#include "test_support.hpp"

namespace dossier {
namespace {

using json = nlohmann::json;

// A small structural validator for the subset of JSON Schema that
// schemas/check-report.schema.json uses (type, enum, required, additionalProperties: false,
// properties, items, pattern presence is not evaluated).
void validate(const json& value, const json& schema, const std::string& where) {
  if (schema.contains("enum")) {
    bool found = false;
    for (const auto& e : schema["enum"]) found = found || e == value;
    EXPECT_TRUE(found) << where << ": " << value.dump() << " not in " << schema["enum"].dump();
  }
  if (schema.contains("type")) {
    std::vector<std::string> types;
    if (schema["type"].is_array()) {
      for (const auto& t : schema["type"]) types.push_back(t);
    } else {
      types.push_back(schema["type"]);
    }
    bool ok = false;
    for (const auto& t : types) {
      ok = ok || (t == "object" && value.is_object()) || (t == "array" && value.is_array()) ||
           (t == "string" && value.is_string()) || (t == "integer" && value.is_number_integer()) ||
           (t == "boolean" && value.is_boolean()) || (t == "null" && value.is_null());
    }
    EXPECT_TRUE(ok) << where << ": " << value.dump() << " is not " << schema["type"].dump();
  }
  if (value.is_object() && schema.contains("properties")) {
    for (const auto& r : schema.value("required", json::array())) {
      EXPECT_TRUE(value.contains(r.get<std::string>())) << where << " lacks " << r;
    }
    for (const auto& [k, v] : value.items()) {
      ASSERT_TRUE(schema["properties"].contains(k)) << where << " has unexpected " << k;
      validate(v, schema["properties"][k], where + "." + k);
    }
  }
  if (value.is_array() && schema.contains("items")) {
    for (std::size_t i = 0; i < value.size(); ++i) validate(value[i], schema["items"], where + "[" + std::to_string(i) + "]");
  }
}

TEST(Report, JsonOfBothExamplesMatchesTheSchema) {
  const auto schema = json::parse(test::read_text(test::source_dir() + "/schemas/check-report.schema.json"));
  for (const char* example : {"complete", "incomplete"}) {
    for (const Lang lang : {Lang::nl, Lang::en}) {
      auto messages = Catalogue::load(test::source_dir(), lang);
      ASSERT_TRUE(messages);
      app::CheckOptions options;
      options.data_dir = test::source_dir();
      auto report = app::run_check(test::source_dir() + "/examples/" + example, options, *messages);
      ASSERT_TRUE(report) << report.error().message;
      const auto j = json::parse(to_json(*report, lang).dump());
      validate(j, schema, example);
      EXPECT_EQ(j["verdict"], std::string(example));
      EXPECT_EQ(j["findings"].size(), report->findings.size());
    }
  }
}

TEST(Report, TextEndsWithOneVerdictLineAndHasNoColourWhenOff) {
  auto messages = Catalogue::load(test::source_dir(), Lang::en);
  ASSERT_TRUE(messages);
  Report r;
  r.package = "p";
  r.findings.push_back({"x.rule", "trafficking", Status::failed, "Police confirmation", "Add it", {"politie/a.pdf"}, {}});
  r.complete = false;
  const auto text = render_text(r, *messages, false);
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
  EXPECT_NE(text.find("What to do: Add it"), std::string::npos);
  EXPECT_EQ(text.substr(text.rfind('\n', text.size() - 2) + 1, 19), "Verdict: INCOMPLETE");
  EXPECT_NE(render_text(r, *messages, true).find('\x1b'), std::string::npos);
}

}  // namespace
}  // namespace dossier

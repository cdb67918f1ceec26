// The JSON that seal, verify, open and inspect print (pinned by the CLI golden cases in
// tests/cli/cases/*-json*.out) follows schemas/bundle-report.schema.json, and the check
// reports inside it follow schemas/check-report.schema.json.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "app/bundle.hpp"
#include "core/messages.hpp"
#include "json_schema.hpp"
#include "test_support.hpp"
#include "app/data_files.hpp"

namespace dossier {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

// The JSON object of a golden output that starts with one: up to the first "}" line (a case
// may print more after it), with the masks of numbers ("<size>") and digests ("<sha256>") put
// back as numbers and digests.
json golden_json(const fs::path& out) {
  const std::string text = test::read_text(out);
  const auto begin = text.find("{\n");
  const auto end = text.find("\n}\n", begin);
  EXPECT_NE(begin, std::string::npos) << out;
  EXPECT_NE(end, std::string::npos) << out;
  std::string body = text.substr(begin, end + 2 - begin);
  for (std::size_t at; (at = body.find(": <size>")) != std::string::npos;) body.replace(at, 8, ": 0");
  for (std::size_t at; (at = body.find("<sha256>")) != std::string::npos;) body.replace(at, 8, std::string(64, '0'));
  return json::parse(body);
}

TEST(BundleJson, GoldenOutputsOfEveryBundleCommandMatchTheSchema) {
  const auto schema = json::parse(test::read_text(test::source_dir() + "/schemas/bundle-report.schema.json"));
  const auto check_schema = json::parse(test::read_text(test::source_dir() + "/schemas/check-report.schema.json"));
  std::map<std::string, int> seen;
  for (const auto& e : fs::directory_iterator(test::source_dir() + "/tests/cli/cases")) {
    const std::string name = e.path().filename().string();
    if (e.path().extension() != ".out" || name.find("-json") == std::string::npos) continue;
    const std::string command = name.substr(0, name.find('-'));
    if (command == "check" || command == "stats") continue;  // report_test.cpp, stats_test.cpp (schemas of their own)
    // Some cases print only selected lines of the JSON (seal-incomplete-json-nl): not a document.
    if (test::read_text(e.path()).rfind("{\n", 0) != 0) continue;
    ASSERT_TRUE(schema["$defs"].contains(command)) << name << ": no $defs/" << command;
    const json j = golden_json(e.path());
    const json ref = {{"$ref", "#/$defs/" + command}};
    for (const auto& [what, s] : {std::pair{std::string("$defs/") + command, ref}, std::pair{std::string("the schema"), schema}}) {
      const auto errors = test::schema_errors(j, s, schema, name);
      EXPECT_TRUE(errors.empty()) << name << " against " << what << ": " << errors.size() << " errors, first: " << errors.front();
    }
    if (j.contains("check") && j["check"].is_object()) {
      const auto errors = test::schema_errors(j["check"], check_schema, check_schema, name + ".check");
      EXPECT_TRUE(errors.empty()) << errors.size() << " errors, first: " << errors.front();
    }
    ++seen[command];
  }
  for (const char* command : {"seal", "verify", "open", "inspect"}) {
    EXPECT_GE(seen[command], 1) << "no golden JSON output of " << command;
  }
}

TEST(BundleJson, TheSchemaRejectsWhatTheCommandsNeverPrint) {
  const auto schema = json::parse(test::read_text(test::source_dir() + "/schemas/bundle-report.schema.json"));
  const json ok = golden_json(test::source_dir() + "/tests/cli/cases/verify-json-en.out");
  ASSERT_TRUE(test::schema_errors(ok, schema, schema).empty());
  json extra = ok;
  extra["secret"] = "x";
  EXPECT_FALSE(test::schema_errors(extra, schema, schema).empty());
  json missing = ok;
  missing.erase("problems");
  EXPECT_FALSE(test::schema_errors(missing, schema, schema).empty());
  json wrong = ok;
  wrong["problems"] = json::array({{{"check", "nonsense"}, {"entry", ""}, {"detail", ""}, {"message", ""}}});
  EXPECT_FALSE(test::schema_errors(wrong, schema, schema).empty());
  json manifest = ok;
  manifest["manifest"]["verdict"] = "incomplete";
  EXPECT_FALSE(test::schema_errors(manifest, schema, schema).empty());
}


// Every kind of problem is worded in both languages and allowed by the schema.
TEST(BundleJson, EveryCheckIsWordedAndInTheSchema) {
  using app::BundleCheck;
  const auto schema = json::parse(test::read_text(test::source_dir() + "/schemas/bundle-report.schema.json"));
  const auto& allowed = schema["$defs"]["problem"]["properties"]["check"]["enum"];
  const auto en = app::load_catalogue(test::source_dir(), Lang::en);
  const auto nl = app::load_catalogue(test::source_dir(), Lang::nl);
  ASSERT_TRUE(en && nl);
  std::size_t n = 0;
  for (const auto c : {BundleCheck::container, BundleCheck::mimetype, BundleCheck::entries, BundleCheck::signature,
                       BundleCheck::trusted_comment, BundleCheck::signer, BundleCheck::manifest, BundleCheck::digest,
                       BundleCheck::index, BundleCheck::path, BundleCheck::names, BundleCheck::document,
                       BundleCheck::identity, BundleCheck::binding}) {
    const std::string name = app::check_name(c);
    EXPECT_TRUE(en->has("bundle.problem." + name)) << name;
    EXPECT_TRUE(nl->has("bundle.problem." + name)) << name;
    EXPECT_NE(std::find(allowed.begin(), allowed.end(), name), allowed.end()) << name;
    ++n;
  }
  EXPECT_EQ(allowed.size(), n);
}

}  // namespace
}  // namespace dossier

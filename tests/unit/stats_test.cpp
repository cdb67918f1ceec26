// dossier stats: the figures of hand-built cases (every figure), suppression in every output,
// and a generated register (tools/make-register) read from disk, held against the generator's
// own counts.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "app/data_files.hpp"
#include "app/stats.hpp"
#include "core/stats.hpp"
#include "json_schema.hpp"
#include "make_register.hpp"
#include "test_support.hpp"

namespace dossier {
namespace {

namespace fs = std::filesystem;
using stats::CaseRecord;
using stats::DecisionFacts;
using stats::ReferralFacts;

DecisionFacts decision(std::string file, std::string date, std::string sealed, std::string outcome,
                       std::vector<GroundAssessment> grounds = {}) {
  return {std::move(file), std::move(date), std::move(sealed), std::move(outcome), std::move(grounds)};
}

ReferralFacts referral(std::string region, std::string gender, std::vector<std::string> forms,
                       std::vector<std::string> areas, int diagnoses, long children) {
  ReferralFacts r;
  r.region = std::move(region);
  r.gender = std::move(gender);
  r.residence = "lawful";
  r.care = "shelter";
  r.confirmed_by = "police";
  r.repeated = "yes";
  r.forms = std::move(forms);
  r.areas = std::move(areas);
  r.diagnoses = diagnoses;
  r.children = children;
  return r;
}

// Five cases: placed (2025), refused on two grounds (2025), pending after more information
// (2026), no decision yet, and one refused in 2026 without a referral; each figure known.
std::vector<CaseRecord> five_cases() {
  std::vector<CaseRecord> v(5);
  v[0] = {"a", referral("Noord", "female", {"sexual", "criminal"}, {"psychiatric", "trauma"}, 2, 0),
          {decision("d1.xml", "2025-03-10", "2025-03-01", "placed")}};
  v[1] = {"b", referral("Oost", "male", {}, {}, 0, 2),
          {decision("d1.xml", "2025-02-01", "2025-01-01", "more-information"),
           // same day: the file name decides which is final
           decision("d2.xml", "2025-06-15", "2025-06-01", "advice"),
           decision("d3.xml", "2025-06-15", "", "refused",
                    {{"incomplete", "not-met", "missing-documents", ""}, {"trafficking", "not-met", "", ""},
                     {"multiproblem", "met", "", ""}})}};
  v[2] = {"c", referral("Noord", "unknown", {"labour"}, {"addiction"}, 6, 4),
          {decision("d1.xml", "2026-01-05", "2025-12-20", "more-information")}};
  v[3] = {"d", referral("Zuid", "female", {"sexual"}, {"psychiatric"}, 1, 1), {}};
  v[4] = {"e", std::nullopt, {decision("x.xml", "2026-02-01", "", "refused", {{"residence", "not-met", "other", ""}})}};
  return v;
}

TEST(StatsCore, FiguresOfHandBuiltCasesAllYears) {
  const auto f = stats::compute(five_cases(), std::nullopt);
  EXPECT_EQ(f.cases_in_register, 5);
  EXPECT_EQ(f.cases_in_scope, 5);
  EXPECT_EQ(f.awaiting_first_decision, 1);
  ASSERT_EQ(f.outcomes_per_year.size(), 2u);
  EXPECT_EQ(f.outcomes_per_year[0].year, 2025);
  EXPECT_EQ(f.outcomes_per_year[0].placed, 1);
  EXPECT_EQ(f.outcomes_per_year[0].refused, 1);
  EXPECT_EQ(f.outcomes_per_year[0].advice, 0);
  EXPECT_EQ(f.outcomes_per_year[0].pending, 0);
  EXPECT_EQ(f.outcomes_per_year[1].year, 2026);
  EXPECT_EQ(f.outcomes_per_year[1].refused, 1);
  EXPECT_EQ(f.outcomes_per_year[1].pending, 1);
  EXPECT_EQ(f.outcomes_per_year[1].total(), 2);
  EXPECT_EQ(f.refusal_grounds.get("incomplete"), 1);
  EXPECT_EQ(f.refusal_grounds.get("trafficking"), 1);
  EXPECT_EQ(f.refusal_grounds.get("residence"), 1);
  EXPECT_EQ(f.refusal_grounds.get("multiproblem"), 0);
  EXPECT_EQ(f.refusal_reasons.get("missing-documents"), 1);
  EXPECT_EQ(f.refusal_reasons.get("unspecified"), 1);
  EXPECT_EQ(f.refusal_reasons.get("other"), 1);
  // decided: a (9 days), b (2025-01-01 .. 2025-06-15 = 165 days), e (no bundle date)
  EXPECT_EQ(f.decided, 3);
  EXPECT_EQ(f.not_measurable, 1);
  EXPECT_EQ(f.days, (std::vector<long>{9, 165}));
  EXPECT_EQ(f.time_bands.get("8-14"), 1);
  EXPECT_EQ(f.time_bands.get("over-30"), 1);
  EXPECT_EQ(f.time_bands.get("0-7"), 0);
  EXPECT_EQ(f.forms.get("sexual"), 2);
  EXPECT_EQ(f.forms.get("criminal"), 1);
  EXPECT_EQ(f.forms.get("labour"), 1);
  EXPECT_EQ(f.forms.get("none"), 1);
  EXPECT_EQ(f.forms.get("unknown"), 1);
  EXPECT_EQ(f.repeated.get("yes"), 4);
  EXPECT_EQ(f.repeated.get("unknown"), 1);
  EXPECT_EQ(f.confirmed_by.get("police"), 4);
  EXPECT_EQ(f.areas.get("psychiatric"), 2);
  EXPECT_EQ(f.areas.get("trauma"), 1);
  EXPECT_EQ(f.areas.get("addiction"), 1);
  EXPECT_EQ(f.areas.get("none"), 1);
  EXPECT_EQ(f.diagnoses.get("0"), 1);
  EXPECT_EQ(f.diagnoses.get("1"), 1);
  EXPECT_EQ(f.diagnoses.get("2"), 1);
  EXPECT_EQ(f.diagnoses.get("5+"), 1);
  EXPECT_EQ(f.diagnoses.get("unknown"), 1);
  EXPECT_EQ(f.situation.get("shelter"), 4);
  EXPECT_EQ(f.residence.get("lawful"), 4);
  EXPECT_EQ(f.gender.get("female"), 2);
  EXPECT_EQ(f.gender.get("male"), 1);
  EXPECT_EQ(f.gender.get("unknown"), 2);
  EXPECT_EQ(f.children.get("0"), 1);
  EXPECT_EQ(f.children.get("1"), 1);
  EXPECT_EQ(f.children.get("2"), 1);
  EXPECT_EQ(f.children.get("3+"), 1);
  EXPECT_EQ(f.children.get("unknown"), 1);
  EXPECT_EQ(f.children_total, 7);
  ASSERT_EQ(f.regions.rows.size(), 4u);
  EXPECT_EQ(f.regions.rows[0], (std::pair<std::string, long>{"Noord", 2}));
  EXPECT_EQ(f.regions.rows[1], (std::pair<std::string, long>{"Oost", 1}));
  EXPECT_EQ(f.regions.rows[2], (std::pair<std::string, long>{"Zuid", 1}));
  EXPECT_EQ(f.regions.rows[3], (std::pair<std::string, long>{"unknown", 1}));
}

TEST(StatsCore, OneYearCountsOnlyItsCases) {
  const auto f = stats::compute(five_cases(), 2026);
  EXPECT_EQ(f.cases_in_register, 5);
  EXPECT_EQ(f.cases_in_scope, 2);  // c (pending) and e
  EXPECT_EQ(f.awaiting_first_decision, 1);
  ASSERT_EQ(f.outcomes_per_year.size(), 1u);
  EXPECT_EQ(f.outcomes_per_year[0].year, 2026);
  EXPECT_EQ(f.decided, 1);
  EXPECT_EQ(f.not_measurable, 1);
  EXPECT_EQ(f.refusal_grounds.get("residence"), 1);
  EXPECT_EQ(f.refusal_grounds.get("incomplete"), 0);
  EXPECT_EQ(f.forms.get("labour"), 1);
  EXPECT_EQ(f.forms.get("unknown"), 1);
  EXPECT_EQ(f.children_total, 4);
}

TEST(StatsCore, FinalDecisionByDateThenFileName) {
  CaseRecord c{"x", std::nullopt,
               {decision("b.xml", "2025-05-01", "", "placed"), decision("a.xml", "2025-05-01", "", "refused"),
                decision("z.xml", "2024-12-31", "", "advice")}};
  EXPECT_EQ(stats::final_outcome(c), "placed");
  EXPECT_EQ(stats::case_year(c), 2025);
  c.decisions.push_back(decision("c.xml", "2025-05-01", "", "more-information"));
  EXPECT_EQ(stats::final_outcome(c), "pending");
  EXPECT_EQ(stats::final_outcome(CaseRecord{"y", std::nullopt, {}}), "pending");
  EXPECT_EQ(stats::case_year(CaseRecord{"y", std::nullopt, {}}), std::nullopt);
}

TEST(StatsCore, SmallCountsAreSuppressedAndTotalsCannotRevealThem) {
  stats::Table t{"gender", "", {}};
  for (const auto& [k, v] : std::vector<std::pair<std::string, long>>{{"female", 20}, {"male", 3}, {"transgender", 0},
                                                                        {"non-binary", 7}, {"unknown", 9}}) {
    t.rows.emplace_back(k, stats::Cell{v, stats::Cell::Mark::shown});
  }
  stats::Table additive = t;
  stats::suppress(additive, 5, true);
  EXPECT_EQ(additive.find("male")->mark, stats::Cell::Mark::small);
  EXPECT_EQ(additive.find("male")->text(5), "<5");
  EXPECT_EQ(additive.find("transgender")->text(5), "0");        // 0 is shown as 0
  EXPECT_EQ(additive.find("non-binary")->mark, stats::Cell::Mark::hidden);  // the smallest other one
  EXPECT_EQ(additive.find("non-binary")->text(5), "x");
  EXPECT_EQ(additive.find("unknown")->text(5), "9");
  EXPECT_EQ(additive.find("female")->text(5), "20");
  stats::Table multi = t;
  stats::suppress(multi, 5, false);  // several per case: no total gives a cell away
  EXPECT_EQ(multi.find("non-binary")->text(5), "7");
  stats::Table none = t;
  stats::suppress(none, 1, true);
  for (const auto& [k, c] : none.rows) EXPECT_EQ(c.mark, stats::Cell::Mark::shown) << k;
  // Two small cells of 1 add up to 2 (< 5): one more is hidden.
  stats::Table ones{"confirmed_by", "", {{"police", {1, {}}}, {"coordinator", {1, {}}}, {"none", {30, {}}}, {"unknown", {6, {}}}}};
  stats::suppress(ones, 5, true);
  EXPECT_EQ(ones.find("unknown")->text(5), "x");
  EXPECT_EQ(ones.find("none")->text(5), "30");
}

TEST(StatsCore, EveryOutputSuppressesTheSameCells) {
  auto messages = app::load_catalogue(test::source_dir(), Lang::en);
  ASSERT_TRUE(messages);
  const auto s = stats::shown(stats::compute(five_cases(), std::nullopt), 5, {{"e/bad.xml", "line 1: broken"}}, "reg");
  EXPECT_FALSE(s.summary_shown);  // 2 measurable cases < 5: no median, mean, min, max
  const auto j = stats::to_json(s, Lang::en);
  EXPECT_EQ(j["cases"]["in_register"], 5);
  EXPECT_EQ(j["cases"]["awaiting_first_decision"], "<5");
  EXPECT_EQ(j["outcomes_per_year"][0]["placed"], "<5");
  EXPECT_EQ(j["gender"]["transgender"], 0);
  EXPECT_TRUE(j["time_to_decision"]["median_days"].is_null());
  EXPECT_EQ(j["skipped"][0]["path"], "e/bad.xml");
  const auto text = stats::render_text(s, *messages);
  const auto csv = stats::render_csv(s);
  EXPECT_NE(text.find("awaiting a first decision (whole register)  <5\n"), std::string::npos) << text;
  EXPECT_NE(text.find("e/bad.xml: line 1: broken"), std::string::npos);
  EXPECT_NE(csv.find("cases,,awaiting_first_decision,<5\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find("outcomes_per_year,2025,placed,<5\n"), std::string::npos);
  EXPECT_EQ(text.find(" 1\n"), std::string::npos) << text;  // no count of 1 anywhere
  EXPECT_EQ(csv.find(",1\n"), std::string::npos) << csv;
  for (const auto& chart : stats::charts(s, *messages)) {
    for (const auto& series : chart.bars) {
      for (const auto& bar : series) {
        EXPECT_TRUE(bar.label == "<5" || bar.label == "0" || bar.label == "x") << chart.name << " " << bar.label;
        EXPECT_EQ(bar.value, 0) << chart.name;
      }
    }
  }
}

TEST(StatsCore, EveryLabelIsInBothCatalogues) {
  for (Lang lang : {Lang::nl, Lang::en}) {
    auto messages = app::load_catalogue(test::source_dir(), lang);
    ASSERT_TRUE(messages);
    const auto s = stats::shown(stats::compute(five_cases(), std::nullopt), 1, {}, "reg");
    for (const auto& t : s.tables) {
      if (t.id == "diagnoses" || t.id == "children" || t.id == "regions") continue;
      for (const auto& [k, c] : t.rows) {
        const auto l = stats::label(*messages, t.id, k);
        EXPECT_EQ(l.find("stats."), std::string::npos) << t.id << " " << k;
        if (lang == Lang::nl && k != "transgender" && k != "trauma" && k != "azc") {
          EXPECT_NE(l, k) << t.id << " " << k;
        }
      }
    }
    const auto text = stats::render_text(s, *messages);
    EXPECT_EQ(text.find("stats."), std::string::npos) << text;
    for (const auto& chart : stats::charts(s, *messages)) {
      EXPECT_EQ(chart.title.find("stats."), std::string::npos);
      EXPECT_EQ(chart.value_axis.find("stats."), std::string::npos);
    }
  }
}

TEST(StatsCore, RootElement) {
  EXPECT_EQ(stats::root_element("<?xml version=\"1.0\"?>\n<!-- c -->\n<decision version=\"1\">"), "decision");
  EXPECT_EQ(stats::root_element("\xEF\xBB\xBF<notes/>"), "notes");
  EXPECT_EQ(stats::root_element("not xml"), "");
  EXPECT_EQ(stats::root_element("<!-- unterminated"), "");
}

class StatsRegister : public ::testing::Test {
 protected:
  void SetUp() override { fs::remove_all(dir_); }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_ = test::scratch_path("dossier-stats-test");
};

// The figures stats computes from files equal the generator's own counts, for all years and
// for each year, with suppression off (--min-count 1); the JSON fits its schema.
TEST_F(StatsRegister, GeneratedRegisterMatchesTheGeneratorsCounts) {
  mkreg::Options options;
  options.cases = 400;
  options.seed = 7;
  options.broken = 3;
  const auto totals = mkreg::make_register(dir_ / "reg", options);
  auto read = app::read_register((dir_ / "reg").string(), test::source_dir());
  ASSERT_TRUE(read) << read.error().message;
  ASSERT_EQ(read->skipped.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(read->skipped[i].path, totals["skipped"][i]);
  const auto schema = nlohmann::json::parse(test::read_text(test::source_dir() + "/schemas/stats.schema.json"));
  std::vector<std::pair<std::optional<int>, nlohmann::ordered_json>> scopes = {{std::nullopt, totals["all"]}};
  for (const auto& [y, figures] : totals["years"].items()) scopes.emplace_back(std::stoi(y), figures);
  ASSERT_GE(scopes.size(), 4u);
  for (const auto& [year, want] : scopes) {
    SCOPED_TRACE(year ? std::to_string(*year) : "all years");
    const auto s = stats::shown(stats::compute(read->cases, year), 1, read->skipped, "reg");
    const auto got = stats::to_json(s, Lang::nl);
    EXPECT_TRUE(test::schema_errors(nlohmann::json::parse(got.dump()), schema, schema).empty());
    EXPECT_EQ(got["cases"]["in_register"], totals["cases"]);
    EXPECT_EQ(got["cases"]["awaiting_first_decision"], totals["awaiting_first_decision"]);
    EXPECT_EQ(got["cases"]["in_scope"], want["cases_in_scope"]);
    EXPECT_EQ(got["outcomes_per_year"], want["outcomes_per_year"]);
    // Every key of every table: the generator's count, 0 where it made none.
    for (const char* table : {"refusal_grounds", "refusal_reasons", "exploitation_forms", "repeated_victimisation",
                              "confirmed_by", "problem_areas", "diagnoses", "situation_before", "residence_status",
                              "gender", "regions"}) {
      long sum_want = 0;
      for (const auto& [k, v] : want[table].items()) sum_want += v.get<long>();
      long sum_got = 0;
      for (const auto& [k, v] : got[table].items()) {
        EXPECT_EQ(v, want[table].value(k, 0L)) << table << "." << k;
        sum_got += v.get<long>();
      }
      EXPECT_EQ(sum_got, sum_want) << table;  // no key of the generator's is missing
    }
    const auto& t = got["time_to_decision"];
    const auto& w = want["time_to_decision"];
    EXPECT_EQ(t["decided"], w["decided"]);
    EXPECT_EQ(t["not_measurable"], w["not_measurable"]);
    for (const auto& [k, v] : t["bands"].items()) EXPECT_EQ(v, w["bands"].value(k, 0L)) << k;
    EXPECT_DOUBLE_EQ(t["median_days"].get<double>(), w["median_days"].get<double>());
    EXPECT_NEAR(t["mean_days"].get<double>(), w["mean_days"].get<double>(), 0.05);
    EXPECT_EQ(t["min_days"], w["min_days"]);
    EXPECT_EQ(t["max_days"], w["max_days"]);
    for (const auto& [k, v] : got["children"]["cases"].items()) {
      EXPECT_EQ(v, want["children"]["cases"].value(k, 0L)) << "children." << k;
    }
    EXPECT_EQ(got["children"]["total"], want["children"]["total"]);
  }
  // One worker or several: the same cases in the same order.
  auto one = app::read_register((dir_ / "reg").string(), test::source_dir(), {}, 1);
  ASSERT_TRUE(one);
  EXPECT_EQ(stats::to_json(stats::shown(stats::compute(one->cases, std::nullopt), 5, one->skipped, "r"), Lang::en),
            stats::to_json(stats::shown(stats::compute(read->cases, std::nullopt), 5, read->skipped, "r"), Lang::en));
}

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

TEST_F(StatsRegister, BadFilesAreSkippedAndListedTheRestCounted) {
  const fs::path reg = dir_ / "reg";
  const std::string good = test::read_text(test::source_dir() + "/examples/complete/referral.xml");
  write(reg / "a" / "referral.xml", test::replace_once(good, "<residence status=\"lawful\"/>", "<residence/>"));
  write(reg / "b" / "dossier" / "referral.xml", good);
  write(reg / "b" / "besluit.xml", "this is not XML");
  write(reg / "b" / "notes.xml", "<?xml version=\"1.0\"?><notes/>");  // ignored
  write(reg / "c" / "readme.txt", "no referral here");
  write(reg / "loose-file.xml", "<decision/>");  // not a case folder: ignored
  auto read = app::read_register(reg.string(), test::source_dir());
  ASSERT_TRUE(read) << read.error().message;
  ASSERT_EQ(read->cases.size(), 3u);
  ASSERT_EQ(read->skipped.size(), 3u);
  EXPECT_EQ(read->skipped[0].path, "a/referral.xml");
  EXPECT_NE(read->skipped[0].issue.find("line 10"), std::string::npos) << read->skipped[0].issue;
  EXPECT_EQ(read->skipped[1].path, "b/besluit.xml");
  EXPECT_EQ(read->skipped[2].path, "c");
  EXPECT_EQ(read->skipped[2].issue, "no referral.xml");
  EXPECT_FALSE(read->cases[0].referral);
  ASSERT_TRUE(read->cases[1].referral);
  EXPECT_EQ(read->cases[1].referral->region, "Voorbeeld-Oost");
  EXPECT_EQ(read->cases[1].referral->forms, (std::vector<std::string>{"sexual", "criminal"}));
  EXPECT_EQ(read->cases[1].referral->diagnoses, 2);
  EXPECT_EQ(read->cases[1].referral->repeated, "yes");
  EXPECT_TRUE(read->cases[1].decisions.empty());
}

TEST_F(StatsRegister, MissingRegisterAndFileAsRegister) {
  auto missing = app::read_register((dir_ / "none").string(), test::source_dir());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::not_found);
  write(dir_ / "file", "x");
  auto file = app::read_register((dir_ / "file").string(), test::source_dir());
  ASSERT_FALSE(file);
  EXPECT_EQ(file.error().code, Errc::usage);
}

TEST_F(StatsRegister, ChartsAreWrittenWholeIntoANewFolder) {
  auto messages = app::load_catalogue(test::source_dir(), Lang::nl);
  ASSERT_TRUE(messages);
  const auto s = stats::shown(stats::compute(five_cases(), std::nullopt), 1, {}, "reg");
  fs::create_directories(dir_);
  auto written = app::write_charts((dir_ / "charts").string(), stats::charts(s, *messages));
  ASSERT_TRUE(written) << written.error().message;
  EXPECT_EQ(written->size(), 12u);
  std::size_t files = 0;
  for (const auto& e : fs::directory_iterator(dir_ / "charts")) {
    ++files;
    const auto bytes = test::read_text(e.path());
    if (e.path().extension() == ".png") {
      EXPECT_EQ(bytes.substr(0, 8), "\x89PNG\r\n\x1a\n");
    } else {
      EXPECT_NE(bytes.find("<svg"), std::string::npos);
    }
  }
  EXPECT_EQ(files, 12u);
  auto again = app::write_charts((dir_ / "charts").string(), stats::charts(s, *messages));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::usage);
  for (const auto& e : fs::directory_iterator(dir_)) EXPECT_EQ(e.path().filename().string().rfind(".charts", 0), std::string::npos);
}

}  // namespace
}  // namespace dossier

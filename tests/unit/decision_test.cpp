// decision.xml (core/decision, schemas/decision.xsd, docs/decisions.md): reading, the rules
// between fields, the hardening, the canonical form, the fit to the profile, the templates.
#include "core/decision.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "app/data_files.hpp"
#include "test_support.hpp"

namespace dossier {
namespace {

const std::shared_ptr<const XmlSchema>& schema() {
  static const auto s = XmlSchema::compile(test::read_text(test::source_dir() + "/schemas/decision.xsd"));
  return s;
}

const Profile& first_phase() {
  static const Profile p = *app::load_profile(test::source_dir(), "omm-eerste-fase");
  return p;
}

DecisionRead read(const std::string& text, const XmlLimits& limits = {}) {
  return read_decision(text, schema().get(), limits);
}

std::string all_issues(const DecisionRead& r) {
  std::string s;
  for (const auto& i : r.issues) s += std::to_string(i.line) + ": " + i.message + "\n";
  return s;
}

bool has_issue(const DecisionRead& r, const std::string& words) {
  for (const auto& i : r.issues) {
    if (i.message.find(words) != std::string::npos) return true;
  }
  return false;
}

// The 1-based line of the first occurrence of `needle` in `text`.
int line_of(const std::string& text, const std::string& needle) {
  const auto pos = text.find(needle);
  if (pos == std::string::npos) throw std::runtime_error("test fixture lacks: " + needle);
  return line_at(text, pos);
}

const std::string kAnswers = "  <answers dossier-id=\"0123456789abcdef0123456789abcdef\" manifest-sha256=\"" +
                             std::string(64, 'a') + "\" sealed=\"2026-10-28T14:02:11Z\"/>\n";

// A decision of the first-phase profile: `grounds` and `outcome` are the XML of <grounds>'
// children and the whole <outcome> element.
std::string decision_xml(const std::string& grounds, const std::string& outcome, const std::string& lang = "nl") {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<decision version=\"1\" profile=\"omm-eerste-fase\" lang=\"" + lang + "\">\n"
         + kAnswers +
         "  <client pseudonym=\"CL-2026-0042\"/>\n"
         "  <date>2026-11-03</date>\n"
         "  <reviewer role=\"beoordelaar OMM\"/>\n"
         "  <grounds>\n" + grounds + "  </grounds>\n" + outcome + "</decision>\n";
}

const std::string kAllMet =
    "    <ground id=\"incomplete\" assessment=\"met\"/>\n"
    "    <ground id=\"multiproblem\" assessment=\"met\">Diagnostiek van de GGZ.</ground>\n"
    "    <ground id=\"trafficking\" assessment=\"met\"/>\n";
const std::string kTraffickingNotMet =
    "    <ground id=\"incomplete\" assessment=\"met\"/>\n"
    "    <ground id=\"trafficking\" assessment=\"not-met\" reason=\"no-documentation-trafficking\">Geen intake bij AVIM.</ground>\n";

std::string placed() {
  return decision_xml(kAllMet, "  <outcome type=\"placed\" provider=\"Fier Fryslân\">\n"
                               "    <explanation>Intake volgt.</explanation>\n  </outcome>\n");
}
std::string refused() {
  return decision_xml(kTraffickingNotMet, "  <outcome type=\"refused\">\n"
                                          "    <explanation>Zie de grond mensenhandel.</explanation>\n  </outcome>\n");
}
std::string advice() { return decision_xml(kAllMet, "  <outcome type=\"advice\"/>\n"); }
std::string more_information() {
  return decision_xml(kTraffickingNotMet, "  <outcome type=\"more-information\">\n"
                                          "    <missing evidence=\"police\">Het proces-verbaal van de intake.</missing>\n"
                                          "    <missing evidence=\"diagnostics\"/>\n"
                                          "  </outcome>\n");
}

TEST(Decision, PlacedIsRead) {
  const auto r = read(placed());
  ASSERT_TRUE(r.valid()) << all_issues(r);
  const Decision& d = *r.decision;
  EXPECT_EQ(d.profile, "omm-eerste-fase");
  EXPECT_EQ(d.lang, "nl");
  ASSERT_TRUE(d.answers.has_value());
  EXPECT_EQ(d.answers->dossier_id, "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(d.answers->manifest_sha256, std::string(64, 'a'));
  EXPECT_EQ(d.answers->sealed, "2026-10-28T14:02:11Z");
  EXPECT_EQ(d.client, "CL-2026-0042");
  EXPECT_EQ(d.date, "2026-11-03");
  EXPECT_EQ(d.reviewer_role, "beoordelaar OMM");
  ASSERT_EQ(d.grounds.size(), 3u);
  EXPECT_EQ(d.grounds[1].ground, "multiproblem");
  EXPECT_EQ(d.grounds[1].assessment, "met");
  EXPECT_EQ(d.grounds[1].text, "Diagnostiek van de GGZ.");
  EXPECT_EQ(d.outcome, "placed");
  EXPECT_EQ(d.provider, "Fier Fryslân");
  EXPECT_TRUE(d.missing.empty());
  EXPECT_EQ(d.explanation, "Intake volgt.");
  // A ground the decision does not name is not assessed.
  EXPECT_EQ(d.ground("residence"), nullptr);
  ASSERT_NE(d.ground("trafficking"), nullptr);
  EXPECT_EQ(d.ground("trafficking")->assessment, "met");
}

TEST(Decision, RefusedIsRead) {
  const auto r = read(refused());
  ASSERT_TRUE(r.valid()) << all_issues(r);
  const auto* g = r.decision->ground("trafficking");
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->assessment, "not-met");
  EXPECT_EQ(g->reason, "no-documentation-trafficking");
  EXPECT_EQ(g->text, "Geen intake bij AVIM.");
  EXPECT_EQ(r.decision->outcome, "refused");
  EXPECT_TRUE(r.decision->provider.empty());
}

TEST(Decision, AdviceIsReadWithoutExplanationOrAnswers) {
  const auto r = read(advice());
  ASSERT_TRUE(r.valid()) << all_issues(r);
  EXPECT_EQ(r.decision->outcome, "advice");
  EXPECT_TRUE(r.decision->explanation.empty());
  // <answers> is optional: decide fills it in.
  const auto unbound = read(test::replace_once(advice(), kAnswers, ""));
  ASSERT_TRUE(unbound.valid()) << all_issues(unbound);
  EXPECT_FALSE(unbound.decision->answers.has_value());
}

TEST(Decision, MoreInformationIsRead) {
  const auto r = read(more_information());
  ASSERT_TRUE(r.valid()) << all_issues(r);
  ASSERT_EQ(r.decision->missing.size(), 2u);
  EXPECT_EQ(r.decision->missing[0].evidence, "police");
  EXPECT_EQ(r.decision->missing[0].text, "Het proces-verbaal van de intake.");
  EXPECT_EQ(r.decision->missing[1].evidence, "diagnostics");
  EXPECT_EQ(r.decision->missing[1].text, "");
}

TEST(Decision, EnglishIsRead) {
  const auto r = read(decision_xml(kAllMet, "  <outcome type=\"advice\"/>\n", "en"));
  ASSERT_TRUE(r.valid()) << all_issues(r);
  EXPECT_EQ(r.decision->lang, "en");
}

// The rules between fields that the schema cannot say, each with the outcome's line.
struct Inconsistent {
  const char* name;
  std::string text;
  const char* says;
  const char* at;  // the text whose line the issue names
};

std::vector<Inconsistent> inconsistent() {
  return {
      {"PlacedWithoutProvider", decision_xml(kAllMet, "  <outcome type=\"placed\"/>\n"), "needs provider", "<outcome"},
      {"PlacedWithANotMetGround", decision_xml(kTraffickingNotMet, "  <outcome type=\"placed\" provider=\"Fier\"/>\n"),
       "a ground is not met", "<outcome"},
      {"RefusedWithoutNotMet", decision_xml(kAllMet, "  <outcome type=\"refused\"/>\n"), "at least one ground",
       "<outcome"},
      {"MoreInformationWithoutMissing", decision_xml(kAllMet, "  <outcome type=\"more-information\"/>\n"),
       "needs at least one <missing", "<outcome"},
      {"MissingOnRefused",
       decision_xml(kTraffickingNotMet,
                    "  <outcome type=\"refused\">\n    <missing evidence=\"police\"/>\n  </outcome>\n"),
       "<missing> belongs only", "<outcome"},
      {"MissingOnAdvice",
       decision_xml(kAllMet, "  <outcome type=\"advice\">\n    <missing evidence=\"police\"/>\n  </outcome>\n"),
       "<missing> belongs only", "<outcome"},
      {"ReasonOnAMetGround",
       decision_xml("    <ground id=\"multiproblem\" assessment=\"met\" reason=\"other\"/>\n",
                    "  <outcome type=\"advice\"/>\n"),
       "a reason belongs only", "<grounds>"},
      {"ReasonOnANotAssessedGround",
       decision_xml("    <ground id=\"residence\" assessment=\"not-assessed\" reason=\"no-lawful-residence\"/>\n",
                    "  <outcome type=\"advice\"/>\n"),
       "a reason belongs only", "<grounds>"},
      {"ProviderOnRefused",
       decision_xml(kTraffickingNotMet, "  <outcome type=\"refused\" provider=\"Fier\"/>\n"),
       "belongs only to outcome placed", "<outcome"},
      {"ProviderOnAdvice", decision_xml(kAllMet, "  <outcome type=\"advice\" provider=\"Fier\"/>\n"),
       "belongs only to outcome placed", "<outcome"},
      {"AGroundTwice",
       decision_xml(kAllMet + "    <ground id=\"incomplete\" assessment=\"not-met\"/>\n",
                    "  <outcome type=\"advice\"/>\n"),
       "", "assessment=\"not-met\"/>"},
  };
}

class DecisionInconsistent : public testing::TestWithParam<Inconsistent> {};

TEST_P(DecisionInconsistent, IsAnIssueWithItsLine) {
  const auto& c = GetParam();
  const auto r = read(c.text);
  EXPECT_FALSE(r.valid());
  ASSERT_FALSE(r.issues.empty()) << c.text;
  EXPECT_TRUE(has_issue(r, c.says)) << all_issues(r);
  bool at_line = false;
  for (const auto& i : r.issues) at_line = at_line || i.line == line_of(c.text, c.at);
  EXPECT_TRUE(at_line) << "expected line " << line_of(c.text, c.at) << ":\n" << all_issues(r);
}

INSTANTIATE_TEST_SUITE_P(Rules, DecisionInconsistent, testing::ValuesIn(inconsistent()),
                         [](const testing::TestParamInfo<Inconsistent>& i) { return std::string(i.param.name); });

TEST(Decision, AGroundTwiceIsReadOnce) {
  // The schema's unique constraint says it, and the reader keeps the first assessment.
  const auto text = decision_xml(kAllMet + "    <ground id=\"incomplete\" assessment=\"not-met\"/>\n",
                                 "  <outcome type=\"advice\"/>\n");
  const auto r = read(text);
  ASSERT_TRUE(r.decision.has_value());
  EXPECT_TRUE(has_issue(r, "assessed twice")) << all_issues(r);
  EXPECT_EQ(r.decision->ground("incomplete")->assessment, "met");
  EXPECT_EQ(r.decision->grounds.size(), 3u);
}

// Values the schema refuses, each at its own line.
struct SchemaError {
  const char* name;
  const char* from;
  const char* to;
};

class DecisionSchemaError : public testing::TestWithParam<SchemaError> {};

TEST_P(DecisionSchemaError, IsAnIssueAtItsLine) {
  const auto& c = GetParam();
  const auto text = test::replace_once(refused(), c.from, c.to);
  const auto r = read(text);
  EXPECT_FALSE(r.valid());
  ASSERT_FALSE(r.issues.empty());
  bool at_line = false;
  for (const auto& i : r.issues) at_line = at_line || i.line == line_of(text, c.to);
  EXPECT_TRUE(at_line) << "expected line " << line_of(text, c.to) << ":\n" << all_issues(r);
}

INSTANTIATE_TEST_SUITE_P(
    Values, DecisionSchemaError,
    testing::Values(SchemaError{"UnknownGround", "id=\"trafficking\"", "id=\"nationality\""},
                    SchemaError{"BadDate", "<date>2026-11-03</date>", "<date>3 november 2026</date>"},
                    SchemaError{"ImpossibleDate", "<date>2026-11-03</date>", "<date>2026-02-30</date>"},
                    SchemaError{"BadPseudonym", "pseudonym=\"CL-2026-0042\"", "pseudonym=\"Jan de Vries\""},
                    SchemaError{"UnknownOutcome", "type=\"refused\"", "type=\"postponed\""},
                    SchemaError{"UnknownAssessment", "assessment=\"not-met\"", "assessment=\"maybe\""},
                    SchemaError{"UnknownReason", "reason=\"no-documentation-trafficking\"", "reason=\"tired\""},
                    SchemaError{"UnknownElement", "<reviewer ", "<name>Jan</name><reviewer "},
                    SchemaError{"BadDossierId", "dossier-id=\"0123456789abcdef0123456789abcdef\"",
                                "dossier-id=\"0123456789ABCDEF0123456789ABCDEF\""},
                    SchemaError{"BadLanguage", "lang=\"nl\"", "lang=\"de\""}),
    [](const testing::TestParamInfo<SchemaError>& i) { return std::string(i.param.name); });

TEST(Decision, HostileInputsAreRefusedWithoutExpansion) {
  const std::string doctype =
      "<?xml version=\"1.0\"?>\n<!DOCTYPE decision [<!ENTITY x \"xxxxxxxx\"><!ENTITY y \"&x;&x;&x;&x;\">]>\n" +
      refused().substr(refused().find("<decision"));
  const auto r = read(doctype);
  EXPECT_FALSE(r.valid());
  EXPECT_FALSE(r.decision.has_value());
  EXPECT_TRUE(has_issue(r, "DTDs and entity declarations are not allowed")) << all_issues(r);

  const std::string xxe = test::replace_once(
      refused(), "<decision ", "<!DOCTYPE d [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>\n<decision ");
  EXPECT_TRUE(has_issue(read(xxe), "DTDs and entity declarations")) << all_issues(read(xxe));

  const std::string utf16 = std::string("\xFF\xFE<\0d\0", 6);
  const auto u = read(utf16);
  EXPECT_FALSE(u.decision.has_value());
  EXPECT_TRUE(has_issue(u, "UTF-16")) << all_issues(u);

  std::string nul = refused();
  nul.insert(nul.find("Geen intake"), 1, '\0');
  const auto n = read(nul);
  EXPECT_FALSE(n.decision.has_value());
  EXPECT_TRUE(has_issue(n, "NUL byte")) << all_issues(n);
  EXPECT_EQ(n.issues.front().line, line_of(nul, "Geen intake"));

  const auto nul_ref = read(test::replace_once(refused(), "Geen intake", "Geen&#0;intake"));
  EXPECT_FALSE(nul_ref.valid());
  EXPECT_TRUE(has_issue(nul_ref, "&#0;")) << all_issues(nul_ref);

  const auto bad_utf8 = read(test::replace_once(refused(), "Geen intake", "Geen \xC3\x28 intake"));
  EXPECT_FALSE(bad_utf8.decision.has_value());
  EXPECT_TRUE(has_issue(bad_utf8, "invalid UTF-8")) << all_issues(bad_utf8);
}

TEST(Decision, OversizedIsRefused) {
  XmlLimits limits;
  limits.max_bytes = 200;
  const auto r = read(refused(), limits);
  EXPECT_FALSE(r.decision.has_value());
  EXPECT_TRUE(has_issue(r, "larger than 200 bytes")) << all_issues(r);
  // The default limit (1 MiB) refuses a file padded past it.
  const std::string padded = test::replace_once(refused(), "<client", "<!--" + std::string(1u << 20, 'x') + "-->\n<client");
  EXPECT_TRUE(has_issue(read(padded), "larger than")) << all_issues(read(padded));
}

// A decision whose root holds elements nested `depth` deep.
std::string nested(int depth) {
  std::string x = "<decision version=\"1\" profile=\"omm-eerste-fase\" lang=\"nl\">";
  for (int i = 0; i < depth; ++i) x += "<a>";
  for (int i = 0; i < depth; ++i) x += "</a>";
  return x + "</decision>";
}

TEST(Decision, TooDeepIsRefused) {
  const auto r = read(nested(5000));
  EXPECT_FALSE(r.valid());
  EXPECT_FALSE(r.issues.empty());
  // Within libxml2's own limit, ours (32 levels) still refuses.
  const auto n = read(nested(40));
  EXPECT_FALSE(n.valid());
  EXPECT_FALSE(n.decision.has_value()) << all_issues(n);
}

// Every field of a decision, one a line, for comparing two field by field.
std::string fields(const Decision& d) {
  std::string out = "profile=" + d.profile + "\nlang=" + d.lang + "\n";
  if (d.answers) out += "answers=" + d.answers->dossier_id + " " + d.answers->manifest_sha256 + " " + d.answers->sealed + "\n";
  out += "client=" + d.client + "\ndate=" + d.date + "\nreviewer=" + d.reviewer_role + "\n";
  for (const auto& g : d.grounds) out += "ground=" + g.ground + "|" + g.assessment + "|" + g.reason + "|" + g.text + "\n";
  out += "outcome=" + d.outcome + "\nprovider=" + d.provider + "\n";
  for (const auto& m : d.missing) out += "missing=" + m.evidence + "|" + m.text + "\n";
  return out + "explanation=" + d.explanation + "\n";
}

TEST(Decision, SerialiseRoundTripsEveryOutcome) {
  for (const auto& text : {placed(), refused(), advice(), more_information()}) {
    const auto r = read(text);
    ASSERT_TRUE(r.valid()) << all_issues(r);
    const std::string once = r.decision->serialise();
    const auto again = read(once);
    ASSERT_TRUE(again.valid()) << all_issues(again) << once;
    EXPECT_EQ(fields(*again.decision), fields(*r.decision));
    const Decision& b = *again.decision;
    // Byte-stable: the canonical form of the canonical form is itself.
    EXPECT_EQ(b.serialise(), once);
  }
}

TEST(Decision, SerialiseEscapesAndOrdersGrounds) {
  // Grounds written out of order come out in known_grounds() order; markup in the reviewer's
  // words, quotes in attributes and line breaks survive the round trip.
  const auto text = decision_xml(
      "    <ground id=\"trafficking\" assessment=\"not-met\" reason=\"other\">a &lt;b&gt; &amp; \"c\"\nd</ground>\n"
      "    <ground id=\"incomplete\" assessment=\"met\"/>\n",
      "  <outcome type=\"refused\">\n    <explanation>x &amp; y</explanation>\n  </outcome>\n");
  const auto r = read(text);
  ASSERT_TRUE(r.valid()) << all_issues(r);
  Decision d = *r.decision;
  d.reviewer_role = "rol \"OMM\" & <team>";
  const std::string out = d.serialise();
  EXPECT_LT(out.find("id=\"incomplete\""), out.find("id=\"trafficking\""));
  EXPECT_NE(out.find("role=\"rol &quot;OMM&quot; &amp; &lt;team&gt;\""), std::string::npos) << out;
  const auto again = read(out);
  ASSERT_TRUE(again.valid()) << all_issues(again) << out;
  EXPECT_EQ(again.decision->reviewer_role, d.reviewer_role);
  EXPECT_EQ(again.decision->ground("trafficking")->text, "a <b> & \"c\"\nd");
  EXPECT_EQ(again.decision->explanation, "x & y");
  EXPECT_EQ(again.decision->serialise(), out);
}

TEST(Decision, FitsItsProfile) {
  for (const auto& text : {placed(), refused(), advice(), more_information()}) {
    const auto r = read(text);
    ASSERT_TRUE(r.valid()) << all_issues(r);
    EXPECT_TRUE(check_decision_against(*r.decision, first_phase()).empty());
  }
}

TEST(Decision, UnknownEvidenceTypeDoesNotFit) {
  const auto r = read(test::replace_once(more_information(), "evidence=\"diagnostics\"", "evidence=\"horoscope\""));
  ASSERT_TRUE(r.valid()) << all_issues(r);  // the schema knows no profile
  const auto problems = check_decision_against(*r.decision, first_phase());
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("'horoscope' is not an evidence type of profile omm-eerste-fase"), std::string::npos)
      << problems[0];
  EXPECT_NE(problems[0].find("police"), std::string::npos) << problems[0];  // names the known ones
}

TEST(Decision, OtherProfileDoesNotFit) {
  const auto r = read(test::replace_once(refused(), "profile=\"omm-eerste-fase\"", "profile=\"omm-tweede-fase\""));
  ASSERT_TRUE(r.valid()) << all_issues(r);
  const auto problems = check_decision_against(*r.decision, first_phase());
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("'omm-tweede-fase'"), std::string::npos) << problems[0];
  const auto second = app::load_profile(test::source_dir(), "omm-tweede-fase");
  ASSERT_TRUE(second.has_value());
  EXPECT_TRUE(check_decision_against(*r.decision, *second).empty());
}

// The templates `dossier decide --template` writes, filled in as a reviewer would start.
std::string filled(const std::string& file) {
  std::string text = test::read_text(test::source_dir() + "/templates/" + file);
  std::string evidence;
  for (const auto& e : first_phase().evidence()) evidence += (evidence.empty() ? "" : ", ") + e.id;
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"{profile}", "omm-eerste-fase"}, {"{pseudonym}", "CL-2026-0042"}, {"{date}", "2026-11-03"},
           {"{evidence}", evidence}}) {
    for (auto pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size()))
      text.replace(pos, from.size(), to);
  }
  return text;
}

TEST(Decision, TemplatesFilledInAreValidDecisions) {
  for (const auto& [file, lang] : {std::pair<std::string, std::string>{"decision-template.xml", "nl"},
                                   std::pair<std::string, std::string>{"decision-template.en.xml", "en"}}) {
    const std::string text = filled(file);
    EXPECT_EQ(text.find('{'), std::string::npos) << file << ": a placeholder left";
    const auto r = read(text);
    ASSERT_TRUE(r.valid()) << file << "\n" << all_issues(r);
    EXPECT_EQ(r.decision->lang, lang);
    EXPECT_EQ(r.decision->outcome, "more-information");
    EXPECT_EQ(r.decision->grounds.size(), known_grounds().size());
    EXPECT_TRUE(check_decision_against(*r.decision, first_phase()).empty());
  }
}

}  // namespace
}  // namespace dossier

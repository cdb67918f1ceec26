// The evidence reader: whole-word matching after normalisation, typed facts, the letterhead.
#include "core/evidence.hpp"

#include <gtest/gtest.h>

#include "core/profile.hpp"
#include "test_support.hpp"
#include "app/data_files.hpp"

namespace dossier {
namespace {

Fact words_fact(const std::string& id, const std::string& alternatives, bool identifying = true) {
  Fact f;
  f.id = id;
  f.identifying = identifying;
  Matcher m;
  m.kind = Matcher::Kind::words;
  m.phrases = parse_phrases(alternatives);
  f.matchers.push_back(m);
  return f;
}

Matcher date_matcher(const std::string& labels = "", int window = 6) {
  Matcher m;
  m.kind = Matcher::Kind::date;
  m.phrases = parse_phrases(labels);
  m.window = window;
  return m;
}

TEST(Tokenize, FoldsCaseDiacriticsLigaturesAndLineEndHyphens) {
  EXPECT_EQ(tokenize("Cliënt  KRIJGT behan-\n  deling"), (std::vector<std::string>{"client", "krijgt", "behandeling"}));
  EXPECT_EQ(tokenize("ﬁnancieel\u00a0ﬂink"), (std::vector<std::string>{"financieel", "flink"}));
  EXPECT_EQ(tokenize("GZ-psycholoog"), (std::vector<std::string>{"gz", "psycholoog"}));
  EXPECT_EQ(tokenize("zorg\u00ADcoördinator"), (std::vector<std::string>{"zorgcoordinator"}));
  // A hyphen between digits (a date, a number) is not a broken word.
  EXPECT_EQ(tokenize("02-\n10"), (std::vector<std::string>{"02", "10"}));
}

TEST(ReadFacts, WholeWordsOnly) {
  const std::vector<Fact> facts = {words_fact("issuer", "IND | B8")};
  // "ind" inside "Sinds", "kinderen", "individuele" is not the IND.
  EXPECT_FALSE(read_facts("Sinds de kinderen individuele begeleiding krijgen", facts).evidence());
  EXPECT_TRUE(read_facts("Besluit van de IND, Den Haag", facts).evidence());
  EXPECT_TRUE(read_facts("verblijf op grond van B8.", facts).evidence());
}

TEST(ReadFacts, PhrasesAcrossLinesAndWildcards) {
  const std::vector<Fact> facts = {words_fact("measure", "Europees beschermingsbevel | *stoornis")};
  EXPECT_TRUE(read_facts("een EUROPEES\n   beschermingsbevel", facts).evidence());
  const auto r = read_facts("posttraumatische stressstoornis", facts);
  ASSERT_TRUE(r.evidence());
  EXPECT_EQ(r.found.at(0).value, "*stoornis");
  EXPECT_EQ(r.found.at(0).matched, "stressstoornis");
  EXPECT_FALSE(read_facts("stoornissen", facts).evidence());  // a plural is a different word
}

TEST(ReadFacts, IdentifyingAndSupportingAreCountedApart) {
  std::vector<Fact> facts = {words_fact("unit", "politie"), words_fact("act", "aangifte | intake"),
                             words_fact("extra", "registratienummer", false)};
  const auto r = read_facts("Politie: intake gedaan", facts);
  EXPECT_TRUE(r.evidence());
  EXPECT_EQ(r.missing_supporting, std::vector<std::string>{"extra"});
  const auto blank = read_facts("", facts);
  EXPECT_FALSE(blank.evidence());
  EXPECT_EQ(blank.missing_identifying, (std::vector<std::string>{"unit", "act"}));
}

TEST(ReadFacts, TheLetterheadLimitsWhereTheSenderMayStand) {
  Fact unit = words_fact("unit", "politie");
  unit.matchers[0].head_lines = 2;
  const std::vector<Fact> facts = {unit};
  EXPECT_TRUE(read_facts("Politie Eenheid Noord\nBevestiging", facts).evidence());
  EXPECT_FALSE(read_facts("GGZ Voorbeeld\n\nDiagnostisch verslag\nCliënt deed aangifte bij de politie", facts).evidence());
}

TEST(ReadFacts, DatesAfterALabelAndTheDocumentDate) {
  Fact date;
  date.id = "date";
  date.document_date = true;
  date.matchers = {date_matcher("datum | d.d."), date_matcher()};
  Fact valid;
  valid.id = "valid-until";
  valid.expiry = true;
  valid.matchers = {date_matcher("geldig tot | geldig t/m", 3)};
  const auto r = read_facts("Geboren 1-1-1990. Datum: 2 okt. 2026. Verblijfsvergunning geldig t/m 2-10-27.", {date, valid});
  EXPECT_EQ(r.date, "2026-10-02");
  EXPECT_EQ(r.expiry, "2027-10-02");
  const auto unlabelled = read_facts("Amsterdam, 2026-10-02", {date, valid});
  EXPECT_EQ(unlabelled.date, "2026-10-02");
  EXPECT_FALSE(unlabelled.expiry);
}

TEST(ReadFacts, ClassificationsNeedTheirContext) {
  Fact f;
  f.id = "finding";
  f.identifying = true;
  Matcher m;
  m.kind = Matcher::Kind::classification;
  f.matchers = {m};
  EXPECT_EQ(read_facts("Classificatie: F43.10", {f}).found.at(0).value, "F43.10");
  EXPECT_EQ(read_facts("DSM-5: 309.81 (PTSS)", {f}).found.at(0).value, "309.81");
  EXPECT_FALSE(read_facts("Prijs 309.81 euro", {f}).evidence());  // a number without DSM
  EXPECT_FALSE(read_facts("de A12 richting Utrecht", {f}).evidence());
  EXPECT_EQ(read_facts("ICD-11 6B40", {f}).found.at(0).value, "6B40");
  EXPECT_TRUE(looks_like_classification("F10.2"));
  EXPECT_FALSE(looks_like_classification("F1"));
}

TEST(ReadFacts, ReferencesAreFoundButNeverReported) {
  Fact f;
  f.id = "registration";
  Matcher m;
  m.kind = Matcher::Kind::reference;
  m.phrases = parse_phrases("registratienummer | BVH");
  f.matchers = {m};
  const auto r = read_facts("Registratienummer: PL0900-2026123456", {f});
  ASSERT_EQ(r.found.size(), 1u);
  EXPECT_EQ(r.found[0].value, "");
  EXPECT_TRUE(read_facts("registratienummer volgt", {f}).found.empty());
}

TEST(ReadFacts, TheShippedProfileTellsEvidenceFromOtherPaper) {
  auto p = app::load_profile(test::source_dir(), "omm-eerste-fase");
  ASSERT_TRUE(p) << p.error().message;
  const auto& police = p->evidence_by_id("police")->facts;
  EXPECT_TRUE(read_facts("Politie Eenheid Rotterdam\nAVIM\nBevestiging intake mensenhandel op 3 maart 2026", police).evidence());
  EXPECT_FALSE(read_facts("Boodschappenlijst: brood, kaas, appels", police).evidence());
  EXPECT_FALSE(read_facts("Politie Eenheid Rotterdam\nBekeuring: foutparkeren, proces-verbaal 12 euro", police).evidence());
  const auto& residence = p->evidence_by_id("residence")->facts;
  const auto r = read_facts("IND\nBeschikking verblijfsvergunning mensenhandel (B8)\nHouder: CL-2026-0042\nGeldig tot: 31-01-2027", residence);
  EXPECT_TRUE(r.evidence());
  EXPECT_EQ(r.expiry, "2027-01-31");
  // A brochure about residence permits concerns no one: not evidence of anyone's residence.
  EXPECT_FALSE(read_facts("Brochure van de IND\nBent u slachtoffer? Dan kunt u een verblijfsvergunning krijgen.", residence)
                   .evidence());
}

}  // namespace
}  // namespace dossier

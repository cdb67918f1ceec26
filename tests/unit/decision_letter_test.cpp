// The decision letter (app/decision_letter, docs/decisions.md): rendered for each outcome in
// Dutch and English, read back with Poppler, and checked for what it must say.
#include "app/decision_letter.hpp"

#include <gtest/gtest.h>

#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-page.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "app/data_files.hpp"
#include "test_support.hpp"

namespace dossier {
namespace {

const Profile& first_phase() {
  static const Profile p = *app::load_profile(test::source_dir(), "omm-eerste-fase");
  return p;
}

const Catalogue& catalogue(Lang lang) {
  static const Catalogue nl = *app::load_catalogue(test::source_dir(), Lang::nl);
  static const Catalogue en = *app::load_catalogue(test::source_dir(), Lang::en);
  return lang == Lang::nl ? nl : en;
}

const app::LetterContext kContext{"0123456789abcdef0123456789abcdef", "2026-10-28T14:02:11Z", "RWQf6LRCGA9i53ml"};

Decision base(const std::string& lang, const std::string& outcome) {
  Decision d;
  d.profile = "omm-eerste-fase";
  d.lang = lang;
  d.client = "CL-2026-0042";
  d.date = "2026-11-03";
  d.reviewer_role = lang == "nl" ? "beoordelaar OMM" : "OMM reviewer";
  d.outcome = outcome;
  d.grounds = {{"incomplete", "met", "", ""}, {"multiproblem", "met", "", "Diagnostiek van de GGZ is bijgevoegd."}};
  return d;
}

Decision placed(const std::string& lang) {
  Decision d = base(lang, "placed");
  d.grounds.push_back({"trafficking", "met", "", ""});
  d.provider = "Fier Fryslân";
  d.explanation = "De aanbieder neemt contact op voor de intake.";
  return d;
}

Decision refused(const std::string& lang) {
  Decision d = base(lang, "refused");
  d.grounds.push_back({"trafficking", "not-met", "no-documentation-trafficking", "Er is geen intake bij AVIM."});
  d.explanation = "Wij adviseren een melding bij AVIM.";
  return d;
}

Decision advice(const std::string& lang) {
  Decision d = base(lang, "advice");
  d.grounds.push_back({"preceding-field", "not-met", "regular-shelter-possible", "Reguliere opvang kan."});
  d.explanation = "Neem contact op met de vrouwenopvang in de regio.";
  return d;
}

Decision more_information(const std::string& lang) {
  Decision d = base(lang, "more-information");
  d.grounds.push_back({"trafficking", "not-met", "missing-documents", ""});
  d.missing = {{"police", "Het proces-verbaal van de intake van 2 oktober."}, {"diagnostics", ""}};
  d.explanation = "Wij beoordelen de aanmelding opnieuw zodra de aanvulling binnen is.";
  return d;
}

// The letter's text as Poppler reads it, every run of white space one space.
std::string letter_text(const io::PagedPdf& pdf) {
  std::unique_ptr<poppler::document> doc(poppler::document::load_from_raw_data(pdf.pdf.data(), static_cast<int>(pdf.pdf.size())));
  if (!doc) return "(not a PDF)";
  std::string raw;
  for (int i = 0; i < doc->pages(); ++i) {
    std::unique_ptr<poppler::page> page(doc->create_page(i));
    if (!page) continue;
    const auto bytes = page->text().to_utf8();
    raw.append(bytes.begin(), bytes.end());
    raw += '\n';
  }
  std::istringstream words(raw);
  std::string out;
  for (std::string w; words >> w;) out += (out.empty() ? "" : " ") + w;
  return out;
}

// The letter of `d`; with DOSSIER_LETTER_DIR set, also written there as besluit-OUTCOME-LANG.pdf
// (how docs/img/besluit-brief.png is made: docs/decisions.md).
std::string render(const Decision& d, Lang lang, int* pages = nullptr) {
  auto pdf = app::render_decision_letter(d, first_phase(), catalogue(lang), kContext);
  if (!pdf) return "(error: " + pdf.error().message + ")";
  if (pages != nullptr) *pages = pdf->pages;
  if (const char* dir = std::getenv("DOSSIER_LETTER_DIR"); dir != nullptr && *dir != '\0') {
    std::ofstream(std::filesystem::path(dir) / ("besluit-" + d.outcome + "-" + d.lang + ".pdf"), std::ios::binary)
        << pdf->pdf;
  }
  return letter_text(*pdf);
}

// `s` without white space: Poppler reads a line that wraps at a hyphen as "omm-eerste- fase".
std::string solid(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c != ' ' && c != '\n' && c != '\t') out += c;
  }
  return out;
}

void expect_says(const std::string& text, const std::vector<std::string>& phrases) {
  for (const auto& p : phrases) {
    EXPECT_NE(solid(text).find(solid(p)), std::string::npos) << "missing: " << p << "\nin: " << text;
  }
}

void expect_not(const std::string& text, const std::vector<std::string>& phrases) {
  for (const auto& p : phrases) EXPECT_EQ(text.find(p), std::string::npos) << "should not say: " << p << "\nin: " << text;
}

// Whether the words of `phrase` stand in `text` in their order (other words may sit between:
// cells of one table row that wrap are read line by line across the row).
bool says_in_order(const std::string& text, const std::string& phrase) {
  std::istringstream words(phrase);
  std::size_t at = 0;
  for (std::string w; words >> w;) {
    at = text.find(w, at);
    if (at == std::string::npos) return false;
    at += w.size();
  }
  return true;
}

// What the letter says about `ground` in the table of grounds: from the first word of its name
// to the first word of the next ground's name (a name that wraps in its cell is read by Poppler
// line by line across the row, so its words are apart).
std::string ground_part(const std::string& text, const std::string& ground, Lang lang) {
  const Catalogue& m = catalogue(lang);
  auto first_word = [&](const std::string& id) {
    const std::string name = m.get("ground." + id);
    return name.substr(0, name.find(' '));
  };
  const auto table = text.find(m.get("letter.col-ground"));
  if (table == std::string::npos) return "(no table)";
  const auto& grounds = known_grounds();
  const auto it = std::find(grounds.begin(), grounds.end(), ground);
  if (it == grounds.end()) return "(unknown ground)";
  const auto from = text.find(first_word(ground), table);
  if (from == std::string::npos) return "(ground not found)";
  const auto to = it + 1 == grounds.end() ? text.size() : text.find(first_word(*(it + 1)), from);
  return text.substr(from, to == std::string::npos ? std::string::npos : to - from);
}

// Each ground's part names it whole and says `expected` (nl: voldaan, niet voldaan, niet
// beoordeeld; en: met, not met, not assessed).
void expect_assessments(const std::string& text, Lang lang, const std::vector<std::string>& expected) {
  ASSERT_EQ(expected.size(), known_grounds().size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const std::string& id = known_grounds()[i];
    const std::string part = ground_part(text, id, lang);
    EXPECT_TRUE(says_in_order(part, catalogue(lang).get("ground." + id))) << id << " in " << part;
    const std::string said = catalogue(lang).get("letter.assessment." + expected[i]);
    EXPECT_TRUE(says_in_order(part, said)) << id << ": " << said << " in " << part;
    for (const auto& other : decision_assessments()) {
      const std::string word = catalogue(lang).get("letter.assessment." + other);
      if (other == expected[i] || said.find(word) != std::string::npos) continue;
      EXPECT_EQ(part.find(" " + word + " "), std::string::npos) << id << ": " << word << " in " << part;
    }
  }
}

TEST(DecisionLetter, PlacedInDutch) {
  int pages = 0;
  const std::string t = render(placed("nl"), Lang::nl, &pages);
  EXPECT_GE(pages, 1);
  expect_says(t, {"Besluit over de aanmelding", "CL-2026-0042", "3 november 2026", "beoordelaar OMM",
                  "0123456789abcdef0123456789abcdef", "28 oktober 2026, 14:02:11 UTC",
                  "OMM eerste fase (intramurale opvangplek) (omm-eerste-fase 1.0.0)", "Geplaatst bij Fier Fryslân",
                  "De aanbieder neemt contact op voor de intake.", "Diagnostiek van de GGZ is bijgevoegd."});
  // Every ground, in known_grounds() order, with its assessment; those not named are not assessed.
  expect_assessments(t, Lang::nl, {"met", "met", "not-assessed", "not-assessed", "met", "not-assessed", "not-assessed"});
  // A ground that is met gets a short line, not the profile's wording.
  expect_not(t, {"bron:", "Wat u moet aanvullen", "--supplements"});
  expect_says(t, {"RWQf6LRCGA9i53ml", "dossier verify BESLUIT.besluit -p comensha-ondertekening.pub"});
}

TEST(DecisionLetter, PlacedInEnglish) {
  const std::string t = render(placed("en"), Lang::en);
  expect_says(t, {"Decision on the referral", "CL-2026-0042", "3 November 2026", "OMM reviewer",
                  "28 October 2026, 14:02:11 UTC", "OMM first phase (residential shelter place)",
                  "Placed with Fier Fryslân", "RWQf6LRCGA9i53ml", "dossier verify DECISION.besluit -p comensha-ondertekening.pub"});
  expect_assessments(t, Lang::en, {"met", "met", "not-assessed", "not-assessed", "met", "not-assessed", "not-assessed"});
  expect_not(t, {"Geplaatst", "voldaan", "source:"});
}

// The profile's requirements for `ground` (its rules that fail a referral) in their own words
// in `lang`, each with its source.
void expect_rules_of(const std::string& text, const std::string& ground, Lang lang) {
  const std::string source_word = lang == Lang::nl ? "bron: " : "source: ";
  int rules = 0;
  for (const auto& r : first_phase().rules()) {
    if (r.ground != ground || r.severity != Severity::fail) continue;
    ++rules;
    expect_says(text, {r.text.get(lang).substr(0, 40)});
    expect_says(text, {source_word + r.source_doc + (r.source_section.empty() ? "" : ", " + r.source_section) + ": “" +
                       r.source_text.substr(0, 30)});
  }
  EXPECT_GT(rules, 0) << ground;
}

TEST(DecisionLetter, RefusedShowsTheProfilesWordingAndSources) {
  const std::string t = render(refused("nl"), Lang::nl);
  expect_says(t, {"Geweigerd", "mensenhandel niet onderbouwd", "Er is geen intake bij AVIM.",
                  "Wij adviseren een melding bij AVIM.", "bron: 003, 4.1: “"});
  expect_assessments(t, Lang::nl, {"met", "met", "not-assessed", "not-assessed", "not-met", "not-assessed", "not-assessed"});
  EXPECT_NE(ground_part(t, "trafficking", Lang::nl).find("mensenhandel niet onderbouwd"), std::string::npos);
  expect_rules_of(ground_part(t, "trafficking", Lang::nl), "trafficking", Lang::nl);
  expect_not(t, {"Wat u moet aanvullen"});

  const std::string en = render(refused("en"), Lang::en);
  expect_says(en, {"Refused", "trafficking not documented", "What the profile requires for this ground"});
  expect_assessments(en, Lang::en, {"met", "met", "not-assessed", "not-assessed", "not-met", "not-assessed", "not-assessed"});
  expect_rules_of(ground_part(en, "trafficking", Lang::en), "trafficking", Lang::en);
}

TEST(DecisionLetter, AdviceInBothLanguages) {
  const std::string nl = render(advice("nl"), Lang::nl);
  expect_says(nl, {"Advies gegeven", "reguliere opvang is mogelijk", "Neem contact op met de vrouwenopvang in de regio.",
                   "bron: 003, 4.1"});
  expect_assessments(nl, Lang::nl, {"met", "met", "not-met", "not-assessed", "not-assessed", "not-assessed", "not-assessed"});
  // The ground's own sources: the profile's rules for preceding-field quote 003 and 000.
  expect_rules_of(ground_part(nl, "preceding-field", Lang::nl), "preceding-field", Lang::nl);
  EXPECT_NE(ground_part(nl, "preceding-field", Lang::nl).find("bron: 000: “"), std::string::npos);
  const std::string en = render(advice("en"), Lang::en);
  expect_says(en, {"Advice given", "regular shelter is possible"});
  expect_assessments(en, Lang::en, {"met", "met", "not-met", "not-assessed", "not-assessed", "not-assessed", "not-assessed"});
}

TEST(DecisionLetter, MoreInformationSaysExactlyWhatToAdd) {
  const std::string t = render(more_information("nl"), Lang::nl);
  const Evidence* police = first_phase().evidence_by_id("police");
  const Evidence* diagnostics = first_phase().evidence_by_id("diagnostics");
  ASSERT_NE(police, nullptr);
  ASSERT_NE(diagnostics, nullptr);
  expect_says(t, {"Meer informatie nodig", "Wat u moet aanvullen", "1. " + police->name.nl, "in de map politie/",
                  "Het proces-verbaal van de intake van 2 oktober.", "2. " + diagnostics->name.nl,
                  "in de map diagnostiek/", "stukken ontbreken",
                  "Wij beoordelen de aanmelding opnieuw zodra de aanvulling binnen is.",
                  "dossier seal PAKKET --supplements AANMELDING.dossier ...", "met dezelfde sleutels (-r, -s)"});
  for (const auto& f : police->facts) {
    if (f.identifying) expect_says(t, {f.label_nl});
  }
  const std::string en = render(more_information("en"), Lang::en);
  expect_says(en, {"More information needed", "What to add", "1. " + police->name.en, "in the folder politie/",
                   "documents missing", "dossier seal PACKAGE --supplements REFERRAL.dossier ..."});
  for (const auto& f : diagnostics->facts) {
    if (f.identifying) expect_says(en, {f.label_en});
  }
}

TEST(DecisionLetter, TheDocsExampleIsValidCanonicalAndItsPicture) {
  // docs/decisions.md shows a decision.xml in the canonical form and the letter drawn from it
  // (written to DOSSIER_LETTER_DIR as besluit-brief.pdf for the pictures).
  const std::string doc = test::read_text(test::source_dir() + "/docs/decisions.md");
  const auto from = doc.find("```xml\n");
  ASSERT_NE(from, std::string::npos);
  const auto to = doc.find("```", from + 7);
  ASSERT_NE(to, std::string::npos);
  const std::string xml = doc.substr(from + 7, to - from - 7);
  const auto schema = XmlSchema::compile(test::read_text(test::source_dir() + "/schemas/decision.xsd"));
  ASSERT_NE(schema, nullptr);
  const auto r = read_decision(xml, schema.get());
  ASSERT_TRUE(r.valid()) << (r.issues.empty() ? "" : r.issues.front().message);
  EXPECT_EQ(r.decision->serialise(), xml);
  EXPECT_TRUE(check_decision_against(*r.decision, first_phase()).empty());
  // The pictures show what more_information("nl") says; the example is that decision.
  Decision d = more_information("nl");
  d.answers = r.decision->answers;
  EXPECT_EQ(d.serialise(), xml);
  const app::LetterContext ctx{r.decision->answers->dossier_id, r.decision->answers->sealed, kContext.signer_key_id};
  auto pdf = app::render_decision_letter(*r.decision, first_phase(), catalogue(Lang::nl), ctx);
  ASSERT_TRUE(pdf.has_value()) << pdf.error().message;
  expect_says(letter_text(*pdf), {"Meer informatie nodig", "in de map politie/", "28 oktober 2026, 14:02:11 UTC"});
  if (const char* dir = std::getenv("DOSSIER_LETTER_DIR"); dir != nullptr && *dir != '\0') {
    std::ofstream(std::filesystem::path(dir) / "besluit-brief.pdf", std::ios::binary) << pdf->pdf;
  }
}

TEST(DecisionLetter, IsInTheDecisionsLanguageWhateverTheCatalogue) {
  // A Dutch decision with the English catalogue at hand is still a Dutch letter.
  auto pdf = app::render_decision_letter(refused("nl"), first_phase(), catalogue(Lang::en), kContext);
  ASSERT_TRUE(pdf.has_value()) << pdf.error().message;
  expect_says(letter_text(*pdf), {"Besluit over de aanmelding", "Geweigerd"});
  Decision german = refused("nl");
  german.lang = "de";
  EXPECT_FALSE(app::render_decision_letter(german, first_phase(), catalogue(Lang::nl), kContext).has_value());
}

TEST(DecisionLetter, MarkupInValuesIsShownLiterally) {
  Decision d = more_information("nl");
  d.grounds[1].text = "<b>&amp; vet</b> <span foreground=\"red\">rood</span>";
  d.missing[0].text = "<i>schuin</i> & 'x'";
  d.explanation = "Regel één\nregel twee <u>\n\nTweede alinea &lt;";
  d.reviewer_role = "beoordelaar <OMM> & co";
  d.client = "CL-<b>";
  const app::LetterContext ctx{"<dossier & id>", "2026-10-28T14:02:11Z", "<key>"};
  auto pdf = app::render_decision_letter(d, first_phase(), catalogue(Lang::nl), ctx);
  ASSERT_TRUE(pdf.has_value()) << pdf.error().message;
  const std::string t = letter_text(*pdf);
  expect_says(t, {"<b>&amp; vet</b> <span foreground=\"red\">rood</span>", "<i>schuin</i> & 'x'",
                  "Regel één regel twee <u>", "Tweede alinea &lt;", "beoordelaar <OMM> & co", "CL-<b>",
                  "<dossier & id>", "<key>"});
}

TEST(DecisionLetter, LongReviewerTextIsShownWhole) {
  // The schema allows 4,000 characters in one place: more than one value of the cover sheet,
  // and more than one table cell shows (io::kMaxCellLines).
  Decision d = refused("en");
  std::string words;
  for (int i = 0; i < 450; ++i) words += "word" + std::to_string(i) + " ";
  ASSERT_LE(words.size(), 4000u);
  d.explanation = words;
  d.grounds.back().text = words;
  d.grounds.back().text.replace(0, 4, "text");
  auto pdf = app::render_decision_letter(d, first_phase(), catalogue(Lang::en), kContext);
  ASSERT_TRUE(pdf.has_value()) << pdf.error().message;
  const std::string t = letter_text(*pdf);
  expect_says(t, {"word0 word1", "word448 word449", "text0 word1"});
  EXPECT_EQ(t.find("…"), std::string::npos);
  // Both whole: every word twice.
  for (const std::string w : {"word100", "word200", "word300", "word449"}) {
    const auto first = t.find(w + " ");
    ASSERT_NE(first, std::string::npos) << w;
    EXPECT_NE(t.find(w + " ", first + 1), std::string::npos) << w;
  }
}

}  // namespace
}  // namespace dossier

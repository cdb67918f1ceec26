// Reading a document as evidence: does its text show the facts its evidence type declares?
//
// The facts are data (schemas/profiles/*.xml, docs/profiles.md): each is a set of matchers
// (words or phrases, a date, a DSM-5/ICD-10 classification, a reference number after a label)
// and is either *identifying* (what makes a document that kind of document) or *supporting*
// (a date, a registration number, a validity). Matching is on whole words after normalisation:
// case, diacritics, ligatures, hyphenation at line ends and runs of white space do not matter.
// Pure: text in, facts out; the text is never copied into the result except the few words
// that matched (for --show-evidence on the terminal), never into JSON.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dossier {

// One alternative of a <words> list, normalised to tokens. A leading or trailing '*' on the
// alternative lets its first/last token match as a suffix/prefix ("*uitbuiting" matches
// "arbeidsuitbuiting"); otherwise every token matches a whole word.
struct Phrase {
  std::vector<std::string> tokens;
  bool open_start = false;
  bool open_end = false;
  std::string spelled;  // as written in the profile
};

struct Matcher {
  enum class Kind { words, date, classification, reference };
  Kind kind = Kind::words;
  std::vector<Phrase> phrases;  // words: the alternatives; date/reference: the labels it must follow
  // For date/reference with labels: how many tokens may sit between the label and the value.
  int window = 6;
  // > 0: only within the first `head_lines` non-empty lines (the letterhead: who sent it).
  int head_lines = 0;
};

struct Fact {
  std::string id;
  bool identifying = false;
  bool document_date = false;  // this fact's date is the document's date
  bool expiry = false;         // this fact's date is a validity end (past it: expired)
  std::string label_nl, label_en;
  std::string source_doc, source_section, source_text;
  std::vector<Matcher> matchers;  // the fact is found when any matcher matches (first wins)
  const std::string& label(bool nl) const { return nl || label_en.empty() ? label_nl : label_en; }
};

struct FoundFact {
  std::string id;
  std::string value;    // normalised: ISO date, classification code, the profile's alternative; "" for a reference
  std::string matched;  // the words as they stand in the text (terminal only, never JSON)
};

struct Reading {
  std::vector<FoundFact> found;
  std::vector<std::string> missing_identifying;  // fact ids
  std::vector<std::string> missing_supporting;   // fact ids
  bool evidence() const noexcept { return missing_identifying.empty(); }
  int identifying_found = 0;
  int identifying_total = 0;
  std::optional<std::string> date;    // from the document_date fact
  std::optional<std::string> expiry;  // from an expiry fact
};

// Tokens of text: lower-case, diacritics folded, words split at everything that is not a
// letter or digit, a word hyphenated at a line end joined again.
std::vector<std::string> tokenize(std::string_view text);

// Parses a '|'-separated list of alternatives into phrases.
std::vector<Phrase> parse_phrases(std::string_view alternatives);

// Reads `text` against `facts`.
Reading read_facts(std::string_view text, const std::vector<Fact>& facts);

// ICD-10 (F00-F99, Z00-Z99 and other chapters with a dot) and DSM-5 numeric codes (e.g. 309.81).
bool looks_like_classification(std::string_view token_with_dots);

}  // namespace dossier

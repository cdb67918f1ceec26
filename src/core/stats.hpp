// dossier stats: the yearly figures CoMensha reports, computed from a case register's
// referral.xml and decision.xml files (docs/stats.md). Pure: the app layer reads the files
// (app/stats) and hands over what they say; this file counts, suppresses small counts and
// renders the figures as text, JSON (schemas/stats.schema.json) and CSV, and lays out the charts
// io/chart draws.
//
// Statistical disclosure control: every count from 1 to min_count - 1 is shown as "<N" (N the
// threshold) in every output; where a table's cells add up to a total that is shown elsewhere,
// further cells are hidden ("x") until the hidden cells cannot be recovered from the total
// (suppress()).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/decision.hpp"
#include "core/messages.hpp"
#include "core/referral.hpp"

namespace dossier::stats {

// The facts of one referral.xml that the figures count.
struct ReferralFacts {
  std::string region;                   // referrer/region, "" when empty
  std::string gender = "unknown";       // client/@gender, "unknown" when absent
  std::string residence = "unknown";    // residence/@status
  std::string care = "unknown";         // situation/current-care/@type
  std::string confirmed_by = "unknown"; // trafficking-confirmation/@by
  std::string repeated = "unknown";     // exploitation/@repeated: yes | no | unknown
  std::vector<std::string> forms;       // distinct exploitation forms
  std::vector<std::string> areas;       // distinct problem areas
  int diagnoses = 0;                    // problems with status="diagnosed"
  long children = 0;                    // placement/children/@count, 0 when absent
};
// The facts of a referral that is usable (Referral::usable()).
ReferralFacts facts_of(const Referral& referral);

// The facts of one decision.xml that the figures count.
struct DecisionFacts {
  std::string file;    // the file's name in the case folder: orders decisions of one date
  std::string date;    // YYYY-MM-DD
  std::string sealed;  // the answered bundle's sealing date, YYYY-MM-DD (UTC), or ""
  std::string outcome; // placed | refused | advice | more-information
  std::vector<GroundAssessment> grounds;
};
DecisionFacts facts_of(const Decision& decision, std::string file);

// The name of an XML text's root element (after the declaration, comments, processing
// instructions and a DOCTYPE), "" when the text does not start like XML. The register takes the
// files whose root is <decision> for decisions and ignores other XML.
std::string root_element(std::string_view xml);

// One case folder of the register, as read.
struct CaseRecord {
  std::string name;
  std::optional<ReferralFacts> referral;  // none: no readable referral.xml (listed as skipped)
  std::vector<DecisionFacts> decisions;   // the valid decisions, any order
};

// A file that was not counted, with its first problem.
struct Skipped {
  std::string path;
  std::string issue;
};

// Counts under keys, in a fixed order (every key present, also when 0).
struct Tally {
  std::vector<std::pair<std::string, long>> rows;
  long& at(std::string_view key);  // adds the key when new
  long get(std::string_view key) const;
};

struct YearRow {
  int year = 0;
  long placed = 0, refused = 0, advice = 0, pending = 0;
  long total() const { return placed + refused + advice + pending; }
};

// The figures, unsuppressed. Case figures count the cases in scope: those whose year is
// `year`, or every case of the register when no year is chosen.
struct Figures {
  std::optional<int> year;
  long cases_in_register = 0;
  long cases_in_scope = 0;
  long awaiting_first_decision = 0;  // register-wide: cases without any decision
  std::vector<YearRow> outcomes_per_year;  // ascending; only `year` when one is chosen
  Tally refusal_grounds;   // refused cases per ground not met (a case may name several)
  Tally refusal_reasons;   // grounds not met in refused cases, per reason ("unspecified" none)
  long decided = 0;        // final outcome placed, refused or advice
  long not_measurable = 0; // decided, but no bundle date (or one after the decision)
  std::vector<long> days;  // first bundle to final decision, per measurable case, ascending
  Tally time_bands;        // 0-7, 8-14, 15-30, over-30
  Tally forms;             // cases per form of exploitation (several per case), "none", "unknown"
  Tally repeated;          // yes, no, unknown
  Tally confirmed_by;      // police, coordinator, none, unknown
  Tally areas;             // cases per problem area (several per case), "none", "unknown"
  Tally diagnoses;         // cases per number of diagnoses: 0 .. 4, 5+, unknown
  Tally situation;         // cases per care before referral (careType), unknown
  Tally residence;         // cases per residence status, unknown
  Tally gender;            // cases per gender, unknown
  Tally children;          // cases per number of children: 0, 1, 2, 3+, unknown
  long children_total = 0; // children coming along, all cases in scope
  Tally regions;           // cases per referrer region (sorted by name), unknown
};

// The year of a case (its final decision's), nullopt when it has no decision.
std::optional<int> case_year(const CaseRecord& c);
// placed | refused | advice | pending (more-information last, or no decision).
std::string final_outcome(const CaseRecord& c);

Figures compute(const std::vector<CaseRecord>& cases, std::optional<int> year);

// One count as shown: the number, "<N" (small) or "x" (hidden so that a total cannot reveal a
// small cell).
struct Cell {
  enum class Mark { shown, small, hidden };
  long count = 0;
  Mark mark = Mark::shown;
  std::string text(int min_count) const;
  nlohmann::ordered_json json(int min_count) const;
};

// A table of cells as every output shows it.
struct Table {
  std::string id;                      // figure name, as in JSON and CSV
  std::string group;                   // outcomes per year: the year; else ""
  std::vector<std::pair<std::string, Cell>> rows;
  const Cell* find(std::string_view key) const;
};

// Marks cells 1 .. min_count - 1 small. With `additive` (the cells add up to a total shown
// elsewhere) it then hides the smallest shown non-zero cells until the hidden and small cells
// together are at least two and at least min_count, so that the total minus the shown cells
// does not give a small cell.
void suppress(Table& table, int min_count, bool additive);

struct Shown {
  Figures figures;
  int min_count = 5;
  Cell in_register, in_scope, awaiting, decided, not_measurable, children_total;
  std::vector<Table> tables;  // outcomes (one per year), then the other figures in docs order
  bool summary_shown = false; // median etc.: only when decided >= min_count
  double median = 0, mean = 0;
  long min = 0, max = 0;
  std::vector<Skipped> skipped;
  std::string register_path;
};

Shown shown(Figures figures, int min_count, std::vector<Skipped> skipped, std::string register_path);

// The label of a table's key in `messages`' language (ground names from ground.*).
std::string label(const Catalogue& messages, std::string_view table, std::string_view key);

std::string render_text(const Shown& s, const Catalogue& messages);
nlohmann::ordered_json to_json(const Shown& s, Lang lang);  // schemas/stats.schema.json
std::string render_csv(const Shown& s);

// A bar chart's contents, for io/chart to draw: bars of categories, one per series (grouped),
// each with the height it is drawn at and the label written on it ("<5": drawn at no height).
struct Bar {
  double value = 0;
  std::string label;
};
struct BarChart {
  std::string name;     // file name without extension: "outcomes-per-year"
  std::string title;
  std::string subtitle; // scope and threshold
  std::string value_axis;
  std::string category_axis;
  bool horizontal = false;  // categories down the left (long names), bars to the right
  std::vector<std::string> categories;
  std::vector<std::string> series;            // legend; one entry: no legend
  std::vector<std::vector<Bar>> bars;         // [series][category]
};

// The six charts of docs/stats.md, in the user's language.
std::vector<BarChart> charts(const Shown& s, const Catalogue& messages);

}  // namespace dossier::stats

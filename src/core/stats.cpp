#include "core/stats.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "core/profile.hpp"
#include "core/text.hpp"

namespace dossier::stats {
namespace {

using Keys = std::vector<std::string>;

const Keys kOutcomes = {"placed", "refused", "advice", "pending"};
const Keys kBands = {"0-7", "8-14", "15-30", "over-30"};
const Keys kForms = {"sexual", "labour", "criminal", "forced-begging", "organ-removal", "other", "none", "unknown"};
const Keys kRepeated = {"yes", "no", "unknown"};
const Keys kConfirmers = {"police", "coordinator", "none", "unknown"};
const Keys kAreas = {"psychiatric", "addiction", "intellectual-disability", "trauma", "somatic", "other", "none", "unknown"};
const Keys kDiagnoses = {"0", "1", "2", "3", "4", "5+", "unknown"};
const Keys kCare = {"shelter", "protected-living", "crisis-placement", "azc", "ambulatory-care", "cosm", "omm",
                    "living-with-others", "own-home", "none", "unknown"};
const Keys kResidence = {"lawful", "eu-national", "b8", "none", "unknown"};
const Keys kGender = {"female", "male", "transgender", "non-binary", "unknown"};
const Keys kChildren = {"0", "1", "2", "3+", "unknown"};

Tally tally_of(const Keys& keys) {
  Tally t;
  for (const auto& k : keys) t.rows.emplace_back(k, 0);
  return t;
}

void add_distinct(std::vector<std::string>& v, std::string s) {
  if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(std::move(s));
}

// Decisions in the order they were taken: by date, then by file name.
std::vector<const DecisionFacts*> in_order(const CaseRecord& c) {
  std::vector<const DecisionFacts*> v;
  for (const auto& d : c.decisions) v.push_back(&d);
  std::sort(v.begin(), v.end(), [](const DecisionFacts* a, const DecisionFacts* b) {
    return a->date != b->date ? a->date < b->date : a->file < b->file;
  });
  return v;
}

const DecisionFacts* final_decision(const CaseRecord& c) {
  const auto v = in_order(c);
  return v.empty() ? nullptr : v.back();
}

std::string one_decimal(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// Display width in code points (labels carry é, ö, –).
std::size_t width(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0u) != 0x80u ? 1 : 0;
  return n;
}

std::string pad_right(std::string s, std::size_t w) {
  const std::size_t have = width(s);
  if (have < w) s.append(w - have, ' ');
  return s;
}

std::string pad_left(const std::string& s, std::size_t w) {
  const std::size_t have = width(s);
  return have < w ? std::string(w - have, ' ') + s : s;
}

Table table_of(std::string id, const Tally& t, int min_count, bool additive) {
  Table table{std::move(id), "", {}};
  for (const auto& [k, v] : t.rows) table.rows.emplace_back(k, Cell{v, Cell::Mark::shown});
  suppress(table, min_count, additive);
  return table;
}

Cell small_only(long v, int min_count) {
  return Cell{v, v > 0 && v < min_count ? Cell::Mark::small : Cell::Mark::shown};
}

// The tables below the outcomes, in docs order: their name, the figure, whether each case is
// in exactly one row (the cells add up to a total shown elsewhere), and their heading.
struct Section {
  const char* id;
  Tally Figures::*tally;
  bool additive;
  const char* heading;
};
const std::vector<Section> kSections = {
    {"refusal_grounds", &Figures::refusal_grounds, false, "stats.section.refusal_grounds"},
    {"refusal_reasons", &Figures::refusal_reasons, false, "stats.section.refusal_reasons"},
    {"time_bands", &Figures::time_bands, true, "stats.section.time_to_decision"},
    {"exploitation_forms", &Figures::forms, false, "stats.section.forms"},
    {"repeated_victimisation", &Figures::repeated, true, "stats.section.repeated"},
    {"confirmed_by", &Figures::confirmed_by, true, "stats.section.confirmed_by"},
    {"problem_areas", &Figures::areas, false, "stats.section.areas"},
    {"diagnoses", &Figures::diagnoses, true, "stats.section.diagnoses"},
    {"situation_before", &Figures::situation, true, "stats.section.situation"},
    {"residence_status", &Figures::residence, true, "stats.section.residence"},
    {"gender", &Figures::gender, true, "stats.section.gender"},
    {"children", &Figures::children, true, "stats.section.children"},
    {"regions", &Figures::regions, true, "stats.section.regions"}};

const Table* table_named(const Shown& s, std::string_view id) {
  for (const auto& t : s.tables) {
    if (t.id == id) return &t;
  }
  return nullptr;
}

std::string period_text(const Shown& s, const Catalogue& m) {
  return s.figures.year ? m.get("stats.period", {{"year", std::to_string(*s.figures.year)}}) : m.get("stats.period.all");
}

std::string csv_field(std::string_view s) {
  if (s.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

long& Tally::at(std::string_view key) {
  for (auto& [k, v] : rows) {
    if (k == key) return v;
  }
  rows.emplace_back(std::string(key), 0);
  return rows.back().second;
}

long Tally::get(std::string_view key) const {
  for (const auto& [k, v] : rows) {
    if (k == key) return v;
  }
  return 0;
}

ReferralFacts facts_of(const Referral& referral) {
  ReferralFacts f;
  const auto root = referral.root();
  if (!root) return f;
  f.region = trim_space(root.child("referrer").child("region").text().get());
  if (const auto g = root.child("client").attribute("gender")) f.gender = g.value();
  if (const auto r = root.child("residence").attribute("status")) f.residence = r.value();
  if (const auto c = root.child("situation").child("current-care").attribute("type")) f.care = c.value();
  if (const auto b = root.child("trafficking-confirmation").attribute("by")) f.confirmed_by = b.value();
  const auto exploitation = root.child("exploitation");
  if (const auto rep = exploitation.attribute("repeated")) f.repeated = rep.as_bool() ? "yes" : "no";
  for (const auto form : exploitation.children("form")) add_distinct(f.forms, trim_space(form.text().get()));
  for (const auto p : root.child("problems").children("problem")) {
    add_distinct(f.areas, p.attribute("area").value());
    if (std::string_view(p.attribute("status").value()) == "diagnosed") ++f.diagnoses;
  }
  f.children = static_cast<long>(root.child("placement").child("children").attribute("count").as_llong(0));
  return f;
}

DecisionFacts facts_of(const Decision& decision, std::string file) {
  DecisionFacts f;
  f.file = std::move(file);
  f.date = decision.date;
  if (decision.answers && decision.answers->sealed.size() >= 10) f.sealed = decision.answers->sealed.substr(0, 10);
  f.outcome = decision.outcome;
  f.grounds = decision.grounds;
  return f;
}

std::string root_element(std::string_view xml) {
  std::size_t p = 0;
  if (xml.substr(0, 3) == "\xEF\xBB\xBF") p = 3;
  while (p < xml.size()) {
    const char c = xml[p];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++p;
      continue;
    }
    if (c != '<') return "";
    const auto rest = xml.substr(p);
    std::size_t end = std::string_view::npos;
    if (rest.substr(0, 4) == "<!--") {
      end = xml.find("-->", p + 4);
      if (end != std::string_view::npos) end += 3;
    } else if (rest.substr(0, 2) == "<?" || rest.substr(0, 2) == "<!") {
      end = xml.find('>', p + 2);
      if (end != std::string_view::npos) end += 1;
    } else {
      std::size_t q = p + 1;
      while (q < xml.size() && xml[q] != '>' && xml[q] != '/' && xml[q] != ' ' && xml[q] != '\t' && xml[q] != '\n' &&
             xml[q] != '\r') {
        ++q;
      }
      return std::string(xml.substr(p + 1, q - p - 1));
    }
    if (end == std::string_view::npos) return "";
    p = end;
  }
  return "";
}

std::optional<int> case_year(const CaseRecord& c) {
  const auto* d = final_decision(c);
  if (d == nullptr || d->date.size() < 4) return std::nullopt;
  return std::stoi(d->date.substr(0, 4));
}

std::string final_outcome(const CaseRecord& c) {
  const auto* d = final_decision(c);
  if (d == nullptr || d->outcome == "more-information") return "pending";
  return d->outcome;
}

Figures compute(const std::vector<CaseRecord>& cases, std::optional<int> year) {
  Figures f;
  f.year = year;
  f.cases_in_register = static_cast<long>(cases.size());
  Keys reasons = decision_reasons();
  reasons.push_back("unspecified");
  f.refusal_grounds = tally_of(known_grounds());
  f.refusal_reasons = tally_of(reasons);
  f.time_bands = tally_of(kBands);
  f.forms = tally_of(kForms);
  f.repeated = tally_of(kRepeated);
  f.confirmed_by = tally_of(kConfirmers);
  f.areas = tally_of(kAreas);
  f.diagnoses = tally_of(kDiagnoses);
  f.situation = tally_of(kCare);
  f.residence = tally_of(kResidence);
  f.gender = tally_of(kGender);
  f.children = tally_of(kChildren);
  std::map<int, YearRow> years;
  std::set<std::string> region_names;
  for (const auto& c : cases) {
    const auto y = case_year(c);
    if (!y) ++f.awaiting_first_decision;
    if (year && y != year) continue;
    ++f.cases_in_scope;
    const std::string outcome = final_outcome(c);
    if (y) {
      auto& row = years[*y];
      row.year = *y;
      (outcome == "placed" ? row.placed : outcome == "refused" ? row.refused : outcome == "advice" ? row.advice : row.pending)++;
    }
    const auto* last = final_decision(c);
    if (outcome == "refused") {
      for (const auto& g : last->grounds) {
        if (g.assessment != "not-met") continue;
        ++f.refusal_grounds.at(g.ground);
        ++f.refusal_reasons.at(g.reason.empty() ? "unspecified" : g.reason);
      }
    }
    if (outcome != "pending") {
      ++f.decided;
      std::optional<long> first;
      for (const auto& d : c.decisions) {
        const auto sealed = iso_days(d.sealed);
        if (sealed && (!first || *sealed < *first)) first = sealed;
      }
      const auto decided = iso_days(last->date);
      if (!first || !decided || *decided < *first) {
        ++f.not_measurable;
      } else {
        const long days = *decided - *first;
        f.days.push_back(days);
        ++f.time_bands.at(days <= 7 ? "0-7" : days <= 14 ? "8-14" : days <= 30 ? "15-30" : "over-30");
      }
    }
    if (!c.referral) {
      for (auto* t : {&f.forms, &f.repeated, &f.confirmed_by, &f.areas, &f.diagnoses, &f.situation, &f.residence,
                      &f.gender, &f.children}) {
        ++t->at("unknown");
      }
      region_names.insert("");
      ++f.regions.at("");
      continue;
    }
    const auto& r = *c.referral;
    for (const auto& form : r.forms) ++f.forms.at(form);
    if (r.forms.empty()) ++f.forms.at("none");
    ++f.repeated.at(r.repeated);
    ++f.confirmed_by.at(r.confirmed_by);
    for (const auto& area : r.areas) ++f.areas.at(area);
    if (r.areas.empty()) ++f.areas.at("none");
    ++f.diagnoses.at(r.diagnoses >= 5 ? "5+" : std::to_string(r.diagnoses));
    ++f.situation.at(r.care);
    ++f.residence.at(r.residence);
    ++f.gender.at(r.gender);
    ++f.children.at(r.children >= 3 ? "3+" : std::to_string(r.children));
    f.children_total += r.children;
    region_names.insert(r.region);
    ++f.regions.at(r.region);
  }
  for (const auto& [y, row] : years) f.outcomes_per_year.push_back(row);
  std::sort(f.days.begin(), f.days.end());
  // Regions by name, the unknown ("" : no referral facts) last.
  Tally regions;
  for (const auto& name : region_names) {
    if (!name.empty()) regions.rows.emplace_back(name, f.regions.get(name));
  }
  regions.rows.emplace_back("unknown", f.regions.get(""));
  f.regions = std::move(regions);
  return f;
}

std::string Cell::text(int min_count) const {
  switch (mark) {
    case Mark::small: return "<" + std::to_string(min_count);
    case Mark::hidden: return "x";
    case Mark::shown: break;
  }
  return std::to_string(count);
}

nlohmann::ordered_json Cell::json(int min_count) const {
  if (mark == Mark::shown) return count;
  return text(min_count);
}

const Cell* Table::find(std::string_view key) const {
  for (const auto& [k, c] : rows) {
    if (k == key) return &c;
  }
  return nullptr;
}

void suppress(Table& table, int min_count, bool additive) {
  long hidden_sum = 0;
  int hidden_cells = 0;
  for (auto& [k, c] : table.rows) {
    if (c.count > 0 && c.count < min_count) {
      c.mark = Cell::Mark::small;
      hidden_sum += c.count;
      ++hidden_cells;
    }
  }
  if (!additive || hidden_cells == 0) return;
  while (hidden_cells < 2 || hidden_sum < min_count) {
    Cell* smallest = nullptr;
    for (auto& [k, c] : table.rows) {
      if (c.mark == Cell::Mark::shown && c.count > 0 && (smallest == nullptr || c.count < smallest->count)) smallest = &c;
    }
    if (smallest == nullptr) return;
    smallest->mark = Cell::Mark::hidden;
    hidden_sum += smallest->count;
    ++hidden_cells;
  }
}

Shown shown(Figures figures, int min_count, std::vector<Skipped> skipped, std::string register_path) {
  Shown s;
  s.min_count = min_count;
  s.skipped = std::move(skipped);
  s.register_path = std::move(register_path);
  s.in_register = small_only(figures.cases_in_register, min_count);
  s.in_scope = small_only(figures.cases_in_scope, min_count);
  s.awaiting = small_only(figures.awaiting_first_decision, min_count);
  s.decided = small_only(figures.decided, min_count);
  s.not_measurable = small_only(figures.not_measurable, min_count);
  s.children_total = small_only(figures.children_total, min_count);
  for (const auto& row : figures.outcomes_per_year) {
    Tally t = tally_of(kOutcomes);
    t.at("placed") = row.placed;
    t.at("refused") = row.refused;
    t.at("advice") = row.advice;
    t.at("pending") = row.pending;
    Table table = table_of("outcomes_per_year", t, min_count, true);
    table.group = std::to_string(row.year);
    table.rows.emplace_back("total", small_only(row.total(), min_count));
    s.tables.push_back(std::move(table));
  }
  const auto& f = figures;
  for (const auto& sec : kSections) s.tables.push_back(table_of(sec.id, f.*(sec.tally), min_count, sec.additive));
  if (!f.days.empty() && static_cast<long>(f.days.size()) >= min_count) {
    s.summary_shown = true;
    const std::size_t n = f.days.size();
    s.median = n % 2 == 1 ? static_cast<double>(f.days[n / 2])
                          : (static_cast<double>(f.days[n / 2 - 1]) + static_cast<double>(f.days[n / 2])) / 2.0;
    double sum = 0;
    for (long d : f.days) sum += static_cast<double>(d);
    s.mean = sum / static_cast<double>(n);
    s.min = f.days.front();
    s.max = f.days.back();
  }
  s.figures = std::move(figures);
  return s;
}

std::string label(const Catalogue& messages, std::string_view table, std::string_view key) {
  static const std::map<std::string, std::string, std::less<>> prefixes = {
      {"outcomes_per_year", "stats.outcome."}, {"refusal_grounds", "ground."},
      {"refusal_reasons", "stats.reason."},    {"time_bands", "stats.band."},
      {"exploitation_forms", "stats.form."},   {"repeated_victimisation", "stats."},
      {"confirmed_by", "stats.by."},           {"problem_areas", "stats.area."},
      {"situation_before", "stats.care."},     {"residence_status", "stats.residence."},
      {"gender", "stats.gender."}};
  if (const auto p = prefixes.find(table); p != prefixes.end()) {
    const std::string k = p->second + std::string(key);
    if (messages.has(k)) return messages.get(k);
  }
  if (key == "unknown" || key == "none" || key == "total") return messages.get("stats." + std::string(key));
  return std::string(key);
}

std::string render_text(const Shown& s, const Catalogue& m) {
  const int mc = s.min_count;
  std::string out;
  out += m.get("stats.title", {{"register", s.register_path}}) + "\n";
  out += period_text(s, m) + "\n";
  out += m.get("stats.threshold", {{"max", std::to_string(mc - 1)}, {"small", "<" + std::to_string(mc)}}) + "\n";

  // A section of label / value lines, the values right-aligned in one column.
  auto section = [&](const std::string& heading, const std::vector<std::pair<std::string, std::string>>& lines) {
    std::size_t lw = 0, vw = 0;
    for (const auto& [l, v] : lines) {
      lw = std::max(lw, width(l));
      vw = std::max(vw, width(v));
    }
    out += "\n" + heading + "\n";
    for (const auto& [l, v] : lines) out += "  " + pad_right(l, lw) + "  " + pad_left(v, vw) + "\n";
  };
  section(m.get("stats.section.cases"), {{m.get("stats.cases.in_register"), s.in_register.text(mc)},
                                         {m.get("stats.cases.in_scope"), s.in_scope.text(mc)},
                                         {m.get("stats.cases.awaiting"), s.awaiting.text(mc)}});

  // Outcomes per year: one line a year, a column per outcome.
  out += "\n" + m.get("stats.section.outcomes_per_year") + "\n";
  std::vector<std::string> head = {m.get("stats.year")};
  for (const auto& k : kOutcomes) head.push_back(label(m, "outcomes_per_year", k));
  head.push_back(m.get("stats.total"));
  std::vector<std::vector<std::string>> grid = {head};
  for (const auto& t : s.tables) {
    if (t.id != "outcomes_per_year") continue;
    std::vector<std::string> line = {t.group};
    for (const auto& [k, c] : t.rows) line.push_back(c.text(mc));
    grid.push_back(std::move(line));
  }
  if (grid.size() == 1) {
    out += "  " + m.get("stats.no_decisions") + "\n";
  } else {
    std::vector<std::size_t> w(head.size(), 0);
    for (const auto& line : grid) {
      for (std::size_t i = 0; i < line.size(); ++i) w[i] = std::max(w[i], width(line[i]));
    }
    for (const auto& line : grid) {
      std::string l = "  " + pad_right(line[0], w[0]);
      for (std::size_t i = 1; i < line.size(); ++i) l += "  " + pad_left(line[i], w[i]);
      out += l + "\n";
    }
  }

  for (const auto& sec : kSections) {
    const Table* t = table_named(s, sec.id);
    std::vector<std::pair<std::string, std::string>> lines;
    if (std::string_view(sec.id) == "time_bands") {
      lines.emplace_back(m.get("stats.time.decided"), s.decided.text(mc));
      lines.emplace_back(m.get("stats.time.not_measurable"), s.not_measurable.text(mc));
      const std::string none = m.get("stats.time.too_few");
      lines.emplace_back(m.get("stats.time.median"), s.summary_shown ? one_decimal(s.median) : none);
      lines.emplace_back(m.get("stats.time.mean"), s.summary_shown ? one_decimal(s.mean) : none);
      lines.emplace_back(m.get("stats.time.min"), s.summary_shown ? std::to_string(s.min) : none);
      lines.emplace_back(m.get("stats.time.max"), s.summary_shown ? std::to_string(s.max) : none);
    }
    for (const auto& [k, c] : t->rows) lines.emplace_back(label(m, sec.id, k), c.text(mc));
    if (std::string_view(sec.id) == "children") lines.emplace_back(m.get("stats.children.total"), s.children_total.text(mc));
    section(m.get(sec.heading), lines);
  }
  if (!s.skipped.empty()) {
    out += "\n" + m.get("stats.section.skipped", {{"count", std::to_string(s.skipped.size())}}) + "\n";
    for (const auto& k : s.skipped) out += "  " + k.path + ": " + k.issue + "\n";
  }
  return out;
}

nlohmann::ordered_json to_json(const Shown& s, Lang lang) {
  using J = nlohmann::ordered_json;
  const int mc = s.min_count;
  J j;
  j["format"] = "dossier-stats/1";
  j["language"] = lang_code(lang);
  j["register"] = s.register_path;
  j["year"] = s.figures.year ? J(*s.figures.year) : J(nullptr);
  j["min_count"] = mc;
  j["cases"] = {{"in_register", s.in_register.json(mc)},
                {"in_scope", s.in_scope.json(mc)},
                {"awaiting_first_decision", s.awaiting.json(mc)}};
  J years = J::array();
  for (const auto& t : s.tables) {
    if (t.id != "outcomes_per_year") continue;
    J row;
    row["year"] = std::stoi(t.group);
    for (const auto& [k, c] : t.rows) row[k] = c.json(mc);
    years.push_back(std::move(row));
  }
  j["outcomes_per_year"] = std::move(years);
  auto object = [&](std::string_view id) {
    J o = J::object();
    for (const auto& [k, c] : table_named(s, id)->rows) o[k] = c.json(mc);
    return o;
  };
  j["refusal_grounds"] = object("refusal_grounds");
  j["refusal_reasons"] = object("refusal_reasons");
  J time;
  time["decided"] = s.decided.json(mc);
  time["not_measurable"] = s.not_measurable.json(mc);
  time["median_days"] = s.summary_shown ? J(s.median) : J(nullptr);
  time["mean_days"] = s.summary_shown ? J(std::round(s.mean * 10.0) / 10.0) : J(nullptr);
  time["min_days"] = s.summary_shown ? J(s.min) : J(nullptr);
  time["max_days"] = s.summary_shown ? J(s.max) : J(nullptr);
  time["bands"] = object("time_bands");
  j["time_to_decision"] = std::move(time);
  for (const auto* id : {"exploitation_forms", "repeated_victimisation", "confirmed_by", "problem_areas", "diagnoses",
                         "situation_before", "residence_status", "gender"}) {
    j[id] = object(id);
  }
  j["children"] = {{"cases", object("children")}, {"total", s.children_total.json(mc)}};
  j["regions"] = object("regions");
  J skipped = J::array();
  for (const auto& k : s.skipped) skipped.push_back({{"path", k.path}, {"issue", k.issue}});
  j["skipped"] = std::move(skipped);
  return j;
}

std::string render_csv(const Shown& s) {
  const int mc = s.min_count;
  std::string out = "figure,group,category,value\n";
  auto line = [&](std::string_view figure, std::string_view group, std::string_view category, const std::string& v) {
    out += csv_field(figure) + "," + csv_field(group) + "," + csv_field(category) + "," + csv_field(v) + "\n";
  };
  line("cases", "", "in_register", s.in_register.text(mc));
  line("cases", "", "in_scope", s.in_scope.text(mc));
  line("cases", "", "awaiting_first_decision", s.awaiting.text(mc));
  for (const auto& t : s.tables) {
    if (t.id == "time_bands") {
      line("time_to_decision", "", "decided", s.decided.text(mc));
      line("time_to_decision", "", "not_measurable", s.not_measurable.text(mc));
      line("time_to_decision", "", "median_days", s.summary_shown ? one_decimal(s.median) : "");
      line("time_to_decision", "", "mean_days", s.summary_shown ? one_decimal(s.mean) : "");
      line("time_to_decision", "", "min_days", s.summary_shown ? std::to_string(s.min) : "");
      line("time_to_decision", "", "max_days", s.summary_shown ? std::to_string(s.max) : "");
    }
    for (const auto& [k, c] : t.rows) line(t.id, t.group, k, c.text(mc));
    if (t.id == "children") line("children", "", "total", s.children_total.text(mc));
  }
  return out;
}

std::vector<BarChart> charts(const Shown& s, const Catalogue& m) {
  const int mc = s.min_count;
  const std::string subtitle =
      period_text(s, m) + " · " + m.get("stats.chart.threshold", {{"max", std::to_string(mc - 1)}, {"small", "<" + std::to_string(mc)}});
  auto bar = [&](const Cell& c) { return Bar{c.mark == Cell::Mark::shown ? static_cast<double>(c.count) : 0.0, c.text(mc)}; };
  std::vector<BarChart> out;

  BarChart years{"outcomes-per-year", m.get("stats.section.outcomes_per_year"), subtitle, m.get("stats.chart.cases"),
                 m.get("stats.year"), false, {}, {}, {}};
  for (const auto& k : kOutcomes) {
    years.series.push_back(label(m, "outcomes_per_year", k));
    years.bars.emplace_back();
  }
  for (const auto& t : s.tables) {
    if (t.id != "outcomes_per_year") continue;
    years.categories.push_back(t.group);
    for (std::size_t i = 0; i < kOutcomes.size(); ++i) years.bars[i].push_back(bar(*t.find(kOutcomes[i])));
  }
  out.push_back(std::move(years));

  // One series of categories; `skip_zero_unknown`: leave out an "unknown"/"none" row that is 0.
  auto simple = [&](const char* name, std::string_view id, const std::string& title, const std::string& value_axis,
                    bool horizontal) {
    BarChart c{name, title, subtitle, value_axis, "", horizontal, {}, {""}, {{}}};
    for (const auto& [k, cell] : table_named(s, id)->rows) {
      if ((k == "unknown" || k == "none" || k == "unspecified") && cell.count == 0) continue;
      c.categories.push_back(label(m, id, k));
      c.bars[0].push_back(bar(cell));
    }
    out.push_back(std::move(c));
  };
  const std::string cases = m.get("stats.chart.cases");
  simple("refusal-grounds", "refusal_grounds", m.get("stats.section.refusal_grounds"), m.get("stats.chart.refusals"), true);
  simple("exploitation-forms", "exploitation_forms", m.get("stats.section.forms"), cases, true);
  simple("confirmed-by", "confirmed_by", m.get("stats.section.confirmed_by"), cases, true);
  simple("problem-areas", "problem_areas", m.get("stats.section.areas"), cases, true);
  simple("time-to-decision", "time_bands", m.get("stats.section.time_to_decision"), cases, false);
  out.back().category_axis = m.get("stats.chart.days");
  return out;
}

}  // namespace dossier::stats

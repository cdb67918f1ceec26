#include "make_register.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <tuple>
#include <stdexcept>
#include <vector>

namespace mkreg {
namespace {

namespace fs = std::filesystem;
using J = nlohmann::ordered_json;

// splitmix64: the same numbers on every machine and compiler (std::uniform_int_distribution
// is not).
struct Rng {
  std::uint64_t s;
  std::uint64_t next() {
    std::uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  int below(int n) { return static_cast<int>(next() % static_cast<std::uint64_t>(n)); }
  bool chance(int percent) { return below(100) < percent; }
  template <typename T>
  const T& pick(const std::vector<T>& v) { return v[static_cast<std::size_t>(below(static_cast<int>(v.size())))]; }
};

long days_from_civil(int y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<long>(era) * 146097L + doe - 719468L;
}

std::string civil(long z) {
  z += 719468;
  const long era = (z >= 0 ? z : z - 146096) / 146097;
  const long doe = z - era * 146097;
  const long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const long mp = (5 * doy + 2) / 153;
  const long d = doy - (153 * mp + 2) / 5 + 1;
  const long m = mp < 10 ? mp + 3 : mp - 9;
  const long y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04ld-%02ld-%02ld", y, m, d);
  return buf;
}

void write(const fs::path& p, const std::string& text) {
  std::ofstream f(p, std::ios::binary);
  f << text;
  if (!f) throw std::runtime_error(p.string() + ": cannot write");
}

const std::vector<std::string> kRegions = {"Noord", "Oost", "Zuid", "West", "Midden", "Rijnmond", "Haaglanden",
                                           "Limburg"};
const std::vector<std::string> kResidence = {"lawful", "lawful", "lawful", "eu-national", "b8", "b8", "none", "unknown"};
const std::vector<std::string> kCare = {"shelter", "protected-living", "crisis-placement", "azc", "ambulatory-care",
                                        "cosm", "omm", "living-with-others", "own-home", "none"};
const std::vector<std::string> kForms = {"sexual", "labour", "criminal", "forced-begging", "organ-removal", "other"};
const std::vector<std::string> kAreas = {"psychiatric", "addiction", "intellectual-disability", "trauma", "somatic",
                                         "other"};
const std::vector<std::string> kGrounds = {"incomplete", "multiproblem", "preceding-field", "psychiatric-crisis",
                                           "trafficking", "residence", "referrer"};
const std::vector<std::string> kReasons = {"missing-documents", "no-documentation-trafficking",
                                           "no-documentation-problems", "regular-shelter-possible",
                                           "mother-child-place", "wlz-indication", "detox-first", "crisis-care-first",
                                           "reflection-period-expired", "no-lawful-residence",
                                           "referrer-not-authorised", "other"};

// What one case is, as chosen: the facts its figures count.
struct Case {
  std::string region, gender, residence, care, confirmed_by, repeated;
  std::vector<std::string> forms, areas;
  int diagnoses = 0;
  int children = 0;
  std::optional<int> year;      // of the final decision
  std::string outcome;          // placed, refused, advice, pending
  std::vector<std::pair<std::string, std::string>> refused;  // ground, reason ("unspecified")
  std::optional<long> days;     // decided and measurable
};

std::string referral_xml(const Case& c, const std::string& pseudonym, bool gender_attr, bool repeated_attr,
                         bool with_placement, const std::vector<std::pair<std::string, bool>>& problems) {
  std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- Synthetic: made by dossier-make-register. -->\n";
  x += "<referral version=\"1\" profile=\"omm-eerste-fase\">\n";
  x += "  <referrer role=\"care-coordinator\">\n    <coordinator>Z. Synthetisch</coordinator>\n";
  x += "    <organisation>Zorgcoördinatie " + c.region + "</organisation>\n    <region>" + c.region + "</region>\n  </referrer>\n";
  x += "  <client pseudonym=\"" + pseudonym + "\"" + (gender_attr ? " gender=\"" + c.gender + "\"" : "") + "/>\n";
  x += "  <residence status=\"" + c.residence + "\"/>\n";
  x += "  <situation urgent=\"false\" psychiatric-crisis=\"false\">\n";
  x += "    <current-care type=\"" + c.care + "\">Synthetisch.</current-care>\n";
  x += "    <local-attempts>Synthetisch.</local-attempts>\n  </situation>\n";
  if (with_placement) x += "  <placement>\n    <children count=\"" + std::to_string(c.children) + "\"/>\n  </placement>\n";
  x += std::string("  <exploitation") + (repeated_attr ? " repeated=\"" + std::string(c.repeated == "yes" ? "true" : "false") + "\"" : "") + ">\n";
  for (const auto& f : c.forms) x += "    <form>" + f + "</form>\n";
  x += "  </exploitation>\n  <problems>\n";
  for (const auto& [area, diagnosed] : problems) {
    x += "    <problem area=\"" + area + "\" status=\"" + (diagnosed ? "diagnosed" : "suspected") + "\">Synthetisch.</problem>\n";
  }
  x += "  </problems>\n";
  x += "  <trafficking-confirmation by=\"" + c.confirmed_by + "\">Synthetisch.</trafficking-confirmation>\n";
  x += "  <consent basis=\"written-consent\">Synthetisch.</consent>\n  <motivation>Synthetisch.</motivation>\n</referral>\n";
  return x;
}

struct Grounds {
  std::vector<std::tuple<std::string, std::string, std::string>> v;  // id, assessment, reason
};

std::string decision_xml(const std::string& pseudonym, const std::string& date, const std::string& sealed,
                         const std::string& outcome, const Grounds& g) {
  std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  x += "<decision version=\"1\" profile=\"omm-eerste-fase\" lang=\"nl\">\n";
  if (!sealed.empty()) {
    x += "  <answers dossier-id=\"" + std::string(32, 'a') + "\" manifest-sha256=\"" + std::string(64, 'b') +
         "\" sealed=\"" + sealed + "T10:00:00Z\"/>\n";
  }
  x += "  <client pseudonym=\"" + pseudonym + "\"/>\n  <date>" + date + "</date>\n";
  x += "  <reviewer role=\"beoordelaar OMM\"/>\n  <grounds>\n";
  for (const auto& [id, a, r] : g.v) {
    x += "    <ground id=\"" + id + "\" assessment=\"" + a + "\"" + (r.empty() ? "" : " reason=\"" + r + "\"") + "/>\n";
  }
  x += "  </grounds>\n";
  if (outcome == "placed") {
    x += "  <outcome type=\"placed\" provider=\"Aanbieder Synthetisch\"/>\n";
  } else if (outcome == "more-information") {
    x += "  <outcome type=\"more-information\">\n    <missing evidence=\"diagnostics\">Synthetisch.</missing>\n  </outcome>\n";
  } else {
    x += "  <outcome type=\"" + outcome + "\"/>\n";
  }
  return x + "</decision>\n";
}

void add(J& o, const std::string& key, long n = 1) {
  if (!o.contains(key)) o[key] = 0;
  o[key] = o[key].get<long>() + n;
}

J figures_of(const std::vector<const Case*>& cases) {
  J f;
  std::map<int, std::map<std::string, long>> years;
  for (const char* t : {"refusal_grounds", "refusal_reasons", "exploitation_forms", "repeated_victimisation",
                        "confirmed_by", "problem_areas", "diagnoses", "situation_before", "residence_status", "gender",
                        "regions"}) {
    f[t] = J::object();
  }
  J time = {{"decided", 0}, {"not_measurable", 0}, {"bands", J::object()}};
  J children = {{"cases", J::object()}, {"total", 0}};
  std::vector<long> days;
  for (const Case* c : cases) {
    if (c->year) ++years[*c->year][c->outcome];
    for (const auto& [g, r] : c->refused) {
      add(f["refusal_grounds"], g);
      add(f["refusal_reasons"], r);
    }
    if (c->outcome != "pending") {
      add(time, "decided");
      if (!c->days) {
        add(time, "not_measurable");
      } else {
        days.push_back(*c->days);
        const long d = *c->days;
        add(time["bands"], d <= 7 ? "0-7" : d <= 14 ? "8-14" : d <= 30 ? "15-30" : "over-30");
      }
    }
    for (const auto& form : c->forms) add(f["exploitation_forms"], form);
    if (c->forms.empty()) add(f["exploitation_forms"], "none");
    add(f["repeated_victimisation"], c->repeated);
    add(f["confirmed_by"], c->confirmed_by);
    for (const auto& a : c->areas) add(f["problem_areas"], a);
    if (c->areas.empty()) add(f["problem_areas"], "none");
    add(f["diagnoses"], c->diagnoses >= 5 ? "5+" : std::to_string(c->diagnoses));
    add(f["situation_before"], c->care);
    add(f["residence_status"], c->residence);
    add(f["gender"], c->gender);
    add(children["cases"], c->children >= 3 ? "3+" : std::to_string(c->children));
    add(children, "total", c->children);
    add(f["regions"], c->region);
  }
  std::sort(days.begin(), days.end());
  if (!days.empty()) {
    const std::size_t n = days.size();
    time["median_days"] = n % 2 ? static_cast<double>(days[n / 2]) : (static_cast<double>(days[n / 2 - 1] + days[n / 2])) / 2.0;
    long sum = 0;
    for (long d : days) sum += d;
    time["mean_days"] = static_cast<double>(sum) / static_cast<double>(n);
    time["min_days"] = days.front();
    time["max_days"] = days.back();
  }
  J per_year = J::array();
  for (auto& [y, row] : years) {
    J r = {{"year", y}};
    long total = 0;
    for (const char* o : {"placed", "refused", "advice", "pending"}) {
      const long n = row[o];
      r[o] = n;
      total += n;
    }
    r["total"] = total;
    per_year.push_back(r);
  }
  J out = {{"cases_in_scope", static_cast<long>(cases.size())}, {"outcomes_per_year", per_year}};
  out["refusal_grounds"] = f["refusal_grounds"];
  out["refusal_reasons"] = f["refusal_reasons"];
  out["time_to_decision"] = time;
  for (const char* t : {"exploitation_forms", "repeated_victimisation", "confirmed_by", "problem_areas", "diagnoses",
                        "situation_before", "residence_status", "gender"}) {
    out[t] = f[t];
  }
  out["children"] = children;
  out["regions"] = f["regions"];
  return out;
}

}  // namespace

J make_register(const fs::path& dir, const Options& options) {
  if (fs::exists(dir)) throw std::runtime_error(dir.string() + ": exists already");
  fs::create_directories(dir);
  Rng rng{options.seed};
  std::vector<Case> cases(options.cases);
  J skipped = J::array();
  long awaiting = 0;
  for (std::size_t i = 0; i < options.cases; ++i) {
    Case& c = cases[i];
    char id[32];
    std::snprintf(id, sizeof id, "%06zu", i + 1);
    const std::string name = std::string("case-") + id, pseudonym = std::string("CL-SYN-") + id;
    const fs::path folder = dir / name;
    fs::create_directories(folder);
    // The referral's facts.
    c.region = "Regio " + rng.pick(kRegions);
    const bool gender_attr = !rng.chance(8);
    c.gender = gender_attr ? rng.pick(std::vector<std::string>{"female", "female", "female", "female", "female",
                                                               "male", "transgender", "non-binary", "unknown"})
                           : "unknown";
    c.residence = rng.pick(kResidence);
    c.care = rng.pick(kCare);
    c.confirmed_by = rng.pick(std::vector<std::string>{"police", "police", "police", "police", "coordinator", "none"});
    const bool repeated_attr = !rng.chance(15);
    c.repeated = repeated_attr ? (rng.chance(40) ? "yes" : "no") : "unknown";
    const int nforms = rng.below(4);
    for (int k = 0; k < nforms; ++k) {
      const auto& f = rng.pick(kForms);
      if (std::find(c.forms.begin(), c.forms.end(), f) == c.forms.end()) c.forms.push_back(f);
    }
    std::vector<std::pair<std::string, bool>> problems;
    const int nproblems = rng.below(8);
    for (int k = 0; k < nproblems; ++k) {
      const auto& a = rng.pick(kAreas);
      const bool diagnosed = rng.chance(60);
      problems.emplace_back(a, diagnosed);
      if (std::find(c.areas.begin(), c.areas.end(), a) == c.areas.end()) c.areas.push_back(a);
      c.diagnoses += diagnosed ? 1 : 0;
    }
    const bool with_placement = !rng.chance(20);
    c.children = with_placement ? (rng.chance(70) ? 0 : 1 + rng.below(4)) : 0;
    const std::string referral = referral_xml(c, pseudonym, gender_attr, repeated_attr, with_placement, problems);
    // Where it lies: in the case folder, in dossier/, or in dossier-2/ after an older dossier/
    // (a supplement: the last one counts), with a folder without referral.xml after them.
    const int where = rng.below(3);
    if (where == 0) {
      write(folder / "referral.xml", referral);
    } else {
      fs::create_directories(folder / "dossier");
      fs::create_directories(folder / "zz-bijlagen");
      if (where == 1) {
        write(folder / "dossier" / "referral.xml", referral);
      } else {
        Case older = c;
        older.region = "Regio Oud";
        write(folder / "dossier" / "referral.xml", referral_xml(older, pseudonym, gender_attr, repeated_attr, with_placement, problems));
        fs::create_directories(folder / "dossier-2");
        write(folder / "dossier-2" / "referral.xml", referral);
      }
    }
    if (rng.chance(10)) write(folder / "notities.xml", "<?xml version=\"1.0\"?>\n<notes>not a decision</notes>\n");
    // The decisions.
    if (rng.chance(8)) {
      c.outcome = "pending";
      ++awaiting;
    } else {
      const long first = days_from_civil(options.first_year, 1, 1) + rng.below(365 * options.years);
      const bool answers = !rng.chance(10);
      long when = first;
      long sealed = first;
      long asked = 0;
      int n = 1;
      if (rng.chance(30)) {  // first asked for more information, answered with a new bundle
        when += rng.below(20);
        asked = when;
        write(folder / "decision-1.xml", decision_xml(pseudonym, civil(when), answers ? civil(sealed) : "", "more-information", {}));
        sealed = when + 1 + rng.below(10);
        when = sealed;
        n = 2;
      }
      const int r = rng.below(100);
      const std::string outcome = r < 50 ? "placed" : r < 70 ? "refused" : r < 85 ? "advice" : "more-information";
      // A decision on the same day as the one before it: the file name orders them.
      if (n == 2 && rng.chance(20)) {
        when = asked;
      } else {
        when += rng.below(45);
      }
      Grounds g;
      if (outcome == "refused") {
        const int nnot = 1 + rng.below(3);
        for (const auto& ground : kGrounds) {
          const bool not_met = static_cast<int>(c.refused.size()) < nnot && rng.chance(40);
          const std::string reason = not_met && !rng.chance(20) ? rng.pick(kReasons) : "";
          if (not_met) c.refused.emplace_back(ground, reason.empty() ? "unspecified" : reason);
          g.v.emplace_back(ground, not_met ? "not-met" : "met", reason);
        }
        if (c.refused.empty()) {
          c.refused.emplace_back("incomplete", "missing-documents");
          g.v[0] = {"incomplete", "not-met", "missing-documents"};
        }
      } else {
        for (const auto& ground : kGrounds) g.v.emplace_back(ground, "met", "");
      }
      write(folder / ("decision-" + std::to_string(n) + ".xml"),
            decision_xml(pseudonym, civil(when), answers ? civil(sealed) : "", outcome, g));
      c.outcome = outcome == "more-information" ? "pending" : outcome;
      c.year = std::stoi(civil(when).substr(0, 4));
      if (c.outcome != "pending" && answers) c.days = when - first;
    }
    if (i < options.broken) {
      // Refused with no ground not met: valid against the schema, not as a decision.
      write(folder / "decision-9.xml", decision_xml(pseudonym, "2026-01-01", "", "refused", {}));
      skipped.push_back(name + "/decision-9.xml");
    }
  }
  std::vector<const Case*> all;
  std::map<int, std::vector<const Case*>> by_year;
  for (const auto& c : cases) {
    all.push_back(&c);
    if (c.year) by_year[*c.year].push_back(&c);
  }
  J out = {{"cases", static_cast<long>(options.cases)}, {"awaiting_first_decision", awaiting}, {"skipped", skipped}};
  out["all"] = figures_of(all);
  J years = J::object();
  for (const auto& [y, v] : by_year) years[std::to_string(y)] = figures_of(v);
  out["years"] = years;
  return out;
}

}  // namespace mkreg

// The decision letter: see app/decision_letter.hpp and docs/decisions.md.
#include "app/decision_letter.hpp"

#include <kainjow/mustache.hpp>

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <utility>
#include <vector>

#include "app/data_files.hpp"
#include "app/paged_template.hpp"

namespace dossier::app {
namespace {

namespace mu = kainjow::mustache;

// The reviewer may write up to 4000 characters in one place (schemas/decision.xsd): the letter
// shows them whole.
constexpr std::size_t kMaxLetterValueBytes = 16000;

// The colours of an assessment: calm, and still telling at a glance.
constexpr const char* kColourMet = "#2f6b3a";
constexpr const char* kColourNotMet = "#9b2226";
constexpr const char* kColourNotAssessed = "#666666";

mu::data list() { return mu::data{mu::data::type::list}; }

mu::data object() { return mu::data{mu::data::type::object}; }

// The longest piece of the reviewer's words in one table cell (a cell shows at most
// io::kMaxCellLines lines): a longer paragraph is cut at a space into several cells.
constexpr std::size_t kMaxPieceBytes = 1200;

// The reviewer's words as paragraphs: a blank line starts a new one, other line breaks are
// spaces; each paragraph in pieces of at most kMaxPieceBytes, cut at a space. No words: an
// empty list.
mu::data paragraphs(const std::string& raw) {
  mu::data out = list();
  std::string current;
  auto flush = [&] {
    const std::string s = shown(current, kMaxLetterValueBytes);
    std::string_view rest = s;
    while (!rest.empty()) {
      std::size_t cut = rest.size();
      if (cut > kMaxPieceBytes) {
        cut = rest.rfind(' ', kMaxPieceBytes);
        if (cut == std::string_view::npos || cut == 0) {
          cut = kMaxPieceBytes;
          while (cut > 0 && (static_cast<unsigned char>(rest[cut]) & 0xC0u) == 0x80u) --cut;
        }
      }
      mu::data p = object();
      p.set("text", std::string(rest.substr(0, cut)));
      out.push_back(p);
      rest.remove_prefix(cut);
      while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    }
    current.clear();
  };
  std::size_t start = 0;
  while (start <= raw.size()) {
    std::size_t end = raw.find('\n', start);
    if (end == std::string::npos) end = raw.size();
    const std::string line = raw.substr(start, end - start);
    start = end + 1;
    if (line.find_first_not_of(" \t\r") == std::string::npos) {
      flush();
    } else {
      current += line + "\n";
    }
  }
  flush();
  return out;
}

bool digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "2026-11-03" as "3 november 2026" / "3 November 2026" (letter.months, letter.date); any other
// text as it stands.
std::string long_date(const std::string& iso, const Catalogue& m) {
  if (iso.size() != 10 || iso[4] != '-' || iso[7] != '-' || !digits(iso.substr(0, 4)) || !digits(iso.substr(5, 2)) ||
      !digits(iso.substr(8, 2)))
    return shown(iso);
  std::vector<std::string> months;
  const std::string names = m.get("letter.months");
  for (std::size_t p = 0; p < names.size();) {
    std::size_t sp = names.find(' ', p);
    if (sp == std::string::npos) sp = names.size();
    if (sp > p) months.push_back(names.substr(p, sp - p));
    p = sp + 1;
  }
  const int month = std::atoi(iso.substr(5, 2).c_str());
  if (months.size() != 12 || month < 1 || month > 12) return iso;
  return m.get("letter.date", {{"day", std::to_string(std::atoi(iso.substr(8, 2).c_str()))},
                               {"month", months[static_cast<std::size_t>(month - 1)]},
                               {"year", iso.substr(0, 4)}});
}

// "2026-10-28T14:02:11Z" as "28 oktober 2026, 14:02:11 UTC".
std::string long_time(const std::string& utc, const Catalogue& m) {
  if (utc.size() != 20 || utc[10] != 'T' || utc.back() != 'Z') return shown(utc);
  return m.get("letter.date-time", {{"date", long_date(utc.substr(0, 10), m)}, {"time", utc.substr(11, 8)}});
}

mu::data fact(const std::string& label, const std::string& value) {
  mu::data row = object();
  row.set("label", label);
  row.set("value", value.empty() ? std::string("—") : value);
  return row;
}

// "bron: 003, 4.1: “...”": where the profile took a rule from.
std::string source_of(const Rule& r, const Catalogue& m) {
  if (r.source_doc.empty()) return {};
  const std::string where = shown(r.source_doc) + (r.source_section.empty() ? "" : ", " + shown(r.source_section));
  if (r.source_text.empty()) return m.get("letter.source", {{"where", where}});
  return m.get("letter.source-quoted", {{"where", where}, {"quote", shown(r.source_text, kMaxLetterValueBytes)}});
}

// One ground as the letter shows it: its name, the assessment in words with the reason, the
// reviewer's words; for a ground that is not met, what the profile requires for it and where
// that comes from.
mu::data ground_context(const std::string& id, const Decision& d, const Profile& profile, const Catalogue& m,
                        Lang lang) {
  const GroundAssessment* g = d.ground(id);
  const std::string assessment = g != nullptr ? g->assessment : "not-assessed";
  mu::data x = object();
  x.set("name", m.get("ground." + id));
  x.set("assessment", m.get("letter.assessment." + assessment));
  x.set("colour", assessment == "met" ? kColourMet : assessment == "not-met" ? kColourNotMet : kColourNotAssessed);
  const bool has_reason = g != nullptr && !g->reason.empty();
  x.set("reason", has_reason ? m.get("letter.reason." + g->reason) : std::string());
  x.set("has_reason", has_reason);
  x.set("texts", paragraphs(g != nullptr ? g->text : std::string()));
  mu::data rules = list();
  bool any_rule = false;
  if (assessment == "not-met") {
    for (const auto& r : profile.rules()) {
      if (r.ground != id || r.severity != Severity::fail) continue;
      mu::data rule = object();
      rule.set("text", shown(r.text.get(lang), kMaxLetterValueBytes));
      rule.set("source", source_of(r, m));
      rules.push_back(rule);
      any_rule = true;
    }
  }
  x.set("rules", rules);
  x.set("has_rules", any_rule);
  return x;
}

// What to add for "more information": each <missing> with its evidence type's name, folder and
// what its text must show.
mu::data missing_context(const Decision& d, const Profile& profile, Lang lang) {
  mu::data out = list();
  int number = 0;
  for (const auto& miss : d.missing) {
    const Evidence* e = profile.evidence_by_id(miss.evidence);
    mu::data x = object();
    x.set("number", std::to_string(++number));
    x.set("name", e != nullptr ? shown(e->name.get(lang)) : shown(miss.evidence));
    std::string folder = e != nullptr ? e->folder : std::string();
    if (!folder.empty() && folder.back() != '/') folder += '/';
    x.set("folder", shown(folder));
    x.set("has_folder", !folder.empty());
    std::string facts;
    if (e != nullptr) {
      for (const auto& f : e->facts) {
        if (!f.identifying) continue;
        if (!facts.empty()) facts += "; ";
        facts += f.label(lang == Lang::nl);
      }
    }
    x.set("facts", shown(facts, kMaxLetterValueBytes));
    x.set("has_facts", !facts.empty());
    x.set("texts", paragraphs(miss.text));
    out.push_back(x);
  }
  return out;
}

}  // namespace

Result<io::PagedPdf> render_decision_letter(const Decision& d, const Profile& profile, const Catalogue& messages,
                                            const LetterContext& ctx) {
  if (d.lang != "nl" && d.lang != "en") return fail(Errc::usage, "a decision letter is in nl or en, not '" + d.lang + "'");
  const Lang lang = d.lang == "nl" ? Lang::nl : Lang::en;
  const std::string dir = data_dir();
  std::optional<Catalogue> own;
  if (messages.lang() != lang) {
    auto loaded = load_catalogue(dir, lang);
    if (!loaded) return tl::unexpected(loaded.error());
    own = std::move(*loaded);
  }
  const Catalogue& m = own ? *own : messages;

  const std::string pseudonym = shown(d.client);
  const std::string outcome_key = "letter.outcome." + d.outcome;
  mu::data c = object();
  c.set("t", template_words(m, "letter."));
  c.set("title", m.get("letter.title"));
  c.set("to", m.get("letter.to"));
  c.set("subject", m.get("letter.subject", {{"pseudonym", pseudonym}}));
  mu::data facts = list();
  facts.push_back(fact(m.get("letter.client"), pseudonym));
  facts.push_back(fact(m.get("letter.decided-on"), long_date(d.date, m)));
  facts.push_back(fact(m.get("letter.reviewer"), shown(d.reviewer_role)));
  facts.push_back(fact(m.get("letter.bundle"), shown(ctx.dossier_id)));
  facts.push_back(fact(m.get("letter.sealed"), ctx.sealed.empty() ? std::string() : long_time(ctx.sealed, m)));
  facts.push_back(fact(m.get("letter.profile"), m.get("letter.profile-value", {{"title", shown(profile.title().get(lang))},
                                                                            {"id", shown(profile.id())},
                                                                            {"version", shown(profile.version())}})));
  c.set("facts", facts);
  c.set("outcome", m.has(outcome_key) ? m.get(outcome_key, {{"provider", shown(d.provider)}}) : shown(d.outcome));
  c.set("outcome_colour", d.outcome == "placed" ? kColourMet : d.outcome == "refused" ? kColourNotMet : "#1d3557");
  c.set("explanation", paragraphs(d.explanation));
  c.set("has_explanation", !d.explanation.empty());

  mu::data grounds = list();
  for (const auto& id : known_grounds()) grounds.push_back(ground_context(id, d, profile, m, lang));
  c.set("grounds", grounds);

  const bool more = d.outcome == "more-information";
  c.set("more_information", more);
  c.set("missing", missing_context(d, profile, lang));
  c.set("signed", m.get("letter.signed", {{"key", ctx.signer_key_id.empty() ? std::string("—") : shown(ctx.signer_key_id)}}));

  auto doc = paged_document(dir, "templates/decision/letter.mustache", c,
                            m.get("letter.doc-title", {{"pseudonym", pseudonym}}), m);
  if (!doc) return tl::unexpected(doc.error());
  return io::render_paged_pdf(*doc);
}

}  // namespace dossier::app

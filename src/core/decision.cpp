#include "core/decision.hpp"

#include <algorithm>

#include "core/text.hpp"

namespace dossier {
namespace {

bool contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

int line_of(std::string_view text, pugi::xml_node n) {
  return n ? line_at(text, static_cast<std::size_t>(n.offset_debug())) : 0;
}

}  // namespace

const std::vector<std::string>& decision_assessments() {
  static const std::vector<std::string> v = {"met", "not-met", "not-assessed"};
  return v;
}

const std::vector<std::string>& decision_reasons() {
  static const std::vector<std::string> v = {
      "missing-documents", "no-documentation-trafficking", "no-documentation-problems", "regular-shelter-possible",
      "mother-child-place", "wlz-indication", "detox-first", "crisis-care-first", "reflection-period-expired",
      "no-lawful-residence", "referrer-not-authorised", "other"};
  return v;
}

const std::vector<std::string>& decision_outcomes() {
  static const std::vector<std::string> v = {"placed", "refused", "advice", "more-information"};
  return v;
}

const GroundAssessment* Decision::ground(std::string_view id) const {
  for (const auto& g : grounds) {
    if (g.ground == id) return &g;
  }
  return nullptr;
}

std::string Decision::serialise() const {
  std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  x += "<decision version=\"1\" profile=\"" + xml_escape(profile, true) + "\" lang=\"" + xml_escape(lang, true) + "\">\n";
  if (answers) {
    x += "  <answers dossier-id=\"" + xml_escape(answers->dossier_id, true) + "\" manifest-sha256=\"" +
         xml_escape(answers->manifest_sha256, true) + "\" sealed=\"" + xml_escape(answers->sealed, true) + "\"/>\n";
  }
  x += "  <client pseudonym=\"" + xml_escape(client, true) + "\"/>\n";
  x += "  <date>" + xml_escape(date, false) + "</date>\n";
  x += "  <reviewer role=\"" + xml_escape(reviewer_role, true) + "\"/>\n";
  x += "  <grounds>\n";
  for (const auto& id : known_grounds()) {
    const auto* g = ground(id);
    if (g == nullptr) continue;
    x += "    <ground id=\"" + xml_escape(g->ground, true) + "\" assessment=\"" + xml_escape(g->assessment, true) + "\"";
    if (!g->reason.empty()) x += " reason=\"" + xml_escape(g->reason, true) + "\"";
    x += g->text.empty() ? "/>\n" : ">" + xml_escape(g->text, false) + "</ground>\n";
  }
  x += "  </grounds>\n";
  x += "  <outcome type=\"" + xml_escape(outcome, true) + "\"";
  if (!provider.empty()) x += " provider=\"" + xml_escape(provider, true) + "\"";
  if (missing.empty() && explanation.empty()) {
    x += "/>\n";
  } else {
    x += ">\n";
    for (const auto& m : missing) {
      x += "    <missing evidence=\"" + xml_escape(m.evidence, true) + "\"";
      x += m.text.empty() ? "/>\n" : ">" + xml_escape(m.text, false) + "</missing>\n";
    }
    if (!explanation.empty()) x += "    <explanation>" + xml_escape(explanation, false) + "</explanation>\n";
    x += "  </outcome>\n";
  }
  x += "</decision>\n";
  return x;
}

DecisionRead read_decision(std::string_view text, const XmlSchema* schema, const XmlLimits& limits) {
  DecisionRead r;
  auto read = read_validated_xml(text, "decision.xml", "decision", schema, limits);
  r.issues = std::move(read.issues);
  if (!read.doc) return r;
  const auto root = read.doc->document_element();
  Decision d;
  d.profile = root.attribute("profile").value();
  d.lang = root.attribute("lang").value();
  if (const auto a = root.child("answers")) {
    d.answers = DecisionBinding{a.attribute("dossier-id").value(), a.attribute("manifest-sha256").value(),
                                a.attribute("sealed").value()};
  }
  d.client = root.child("client").attribute("pseudonym").value();
  d.date = trim_space(root.child("date").text().get());
  d.reviewer_role = root.child("reviewer").attribute("role").value();
  for (const auto g : root.child("grounds").children("ground")) {
    GroundAssessment ga{g.attribute("id").value(), g.attribute("assessment").value(), g.attribute("reason").value(),
                        trim_space(g.text().get())};
    if (d.ground(ga.ground) != nullptr) {
      r.issues.push_back({line_of(text, g), "ground '" + ga.ground + "' is assessed twice"});
      continue;
    }
    d.grounds.push_back(std::move(ga));
  }
  const auto outcome = root.child("outcome");
  d.outcome = outcome.attribute("type").value();
  d.provider = trim_space(outcome.attribute("provider").value());
  for (const auto m : outcome.children("missing")) {
    d.missing.push_back({m.attribute("evidence").value(), trim_space(m.text().get())});
  }
  d.explanation = trim_space(outcome.child("explanation").text().get());

  // What the schema cannot say: the outcome must agree with the grounds.
  const int line = line_of(text, outcome);
  const bool any_not_met = std::any_of(d.grounds.begin(), d.grounds.end(),
                                       [](const GroundAssessment& g) { return g.assessment == "not-met"; });
  if (d.outcome == "placed") {
    if (d.provider.empty()) r.issues.push_back({line, "outcome placed needs provider=\"...\" (the provider that places)"});
    if (any_not_met) r.issues.push_back({line, "outcome placed, but a ground is not met: refuse, or assess it again"});
  } else if (!d.provider.empty()) {
    r.issues.push_back({line, "provider=\"...\" belongs only to outcome placed"});
  }
  if (d.outcome == "refused" && !any_not_met) {
    r.issues.push_back({line, "outcome refused needs at least one ground assessed not-met"});
  }
  if (d.outcome == "more-information" && d.missing.empty()) {
    r.issues.push_back({line, "outcome more-information needs at least one <missing evidence=\"...\"> saying what to add"});
  }
  if (d.outcome != "more-information" && !d.missing.empty()) {
    r.issues.push_back({line, "<missing> belongs only to outcome more-information"});
  }
  for (const auto& g : d.grounds) {
    if (!g.reason.empty() && g.assessment != "not-met") {
      r.issues.push_back({line_of(text, root.child("grounds")),
                          "ground '" + g.ground + "': a reason belongs only to a ground that is not met"});
    }
  }
  r.decision = std::move(d);
  return r;
}

std::vector<std::string> check_decision_against(const Decision& d, const Profile& profile) {
  std::vector<std::string> problems;
  if (d.profile != profile.id()) {
    problems.push_back("the decision is for profile '" + d.profile + "', the referral for '" + profile.id() + "'");
  }
  for (const auto& g : d.grounds) {
    if (!contains(known_grounds(), g.ground)) problems.push_back("unknown ground '" + g.ground + "'");
  }
  for (const auto& m : d.missing) {
    if (profile.evidence_by_id(m.evidence) == nullptr) {
      std::string known;
      for (const auto& e : profile.evidence()) known += (known.empty() ? "" : ", ") + e.id;
      problems.push_back("missing evidence '" + m.evidence + "' is not an evidence type of profile " + profile.id() +
                         " (" + known + ")");
    }
  }
  return problems;
}

}  // namespace dossier

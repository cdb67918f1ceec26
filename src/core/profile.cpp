#include "core/profile.hpp"

#include <algorithm>
#include <sstream>

#include <pugixml.hpp>

#include "core/evaluate.hpp"

namespace dossier {
namespace {

constexpr int kMaxExtendsDepth = 4;

std::unique_ptr<Condition> clone(const std::unique_ptr<Condition>& c) {
  return c ? std::make_unique<Condition>(*c) : nullptr;
}

void read_local(pugi::xml_node parent, const char* name, LocalText& out) {
  for (auto n : parent.children(name)) {
    const std::string_view lang = n.attribute("lang").value();
    if (lang == "nl") out.nl = n.text().get();
    if (lang == "en") out.en = n.text().get();
  }
}

Result<Condition> parse_condition(pugi::xml_node node, const std::string& rule_id) {
  const std::string_view name = node.name();
  Condition c;
  if (name == "all" || name == "any" || name == "not") {
    c.kind = name == "all" ? Condition::Kind::all
             : name == "any" ? Condition::Kind::any
                             : Condition::Kind::negation;
    for (auto child : node.children()) {
      if (child.type() != pugi::node_element) continue;
      auto sub = parse_condition(child, rule_id);
      if (!sub) return sub;
      c.children.push_back(std::move(*sub));
    }
    if (c.children.empty() || (c.kind == Condition::Kind::negation && c.children.size() != 1)) {
      return fail(Errc::malformed, "rule " + rule_id + ": <" + std::string(name) + "> has the wrong number of conditions");
    }
    return c;
  }
  if (name == "xpath") {
    c.kind = Condition::Kind::xpath;
    c.xpath = node.attribute("test").value();
    try {
      auto vars = xpath_variables("");  // compiled with the variables the rule engine provides
      pugi::xpath_query q(c.xpath.c_str(), &vars);
      (void)q;
    } catch (const pugi::xpath_exception& e) {
      return fail(Errc::malformed, "rule " + rule_id + ": bad XPath '" + c.xpath + "': " + e.what());
    }
    return c;
  }
  if (name == "documents") {
    c.kind = Condition::Kind::documents;
    c.evidence = node.attribute("evidence").value();
    c.min = node.attribute("min").as_int(1);
    if (c.evidence.empty() || c.min < 0) {
      return fail(Errc::malformed, "rule " + rule_id + ": <documents> needs evidence= and min>=0");
    }
    return c;
  }
  return fail(Errc::malformed, "rule " + rule_id + ": unknown condition <" + std::string(name) + ">");
}

Result<std::unique_ptr<Condition>> parse_wrapped(pugi::xml_node wrapper, const std::string& rule_id) {
  if (!wrapper) return std::unique_ptr<Condition>();
  std::vector<Condition> parts;
  for (auto child : wrapper.children()) {
    if (child.type() != pugi::node_element) continue;
    auto c = parse_condition(child, rule_id);
    if (!c) return tl::unexpected(c.error());
    parts.push_back(std::move(*c));
  }
  if (parts.empty()) return fail(Errc::malformed, "rule " + rule_id + ": empty <" + wrapper.name() + ">");
  if (parts.size() == 1) return std::make_unique<Condition>(std::move(parts.front()));
  auto all = std::make_unique<Condition>();
  all->kind = Condition::Kind::all;
  all->children = std::move(parts);
  return all;
}

bool references_known_evidence(const Condition& c, const std::vector<Evidence>& evidence, std::string* bad) {
  if (c.kind == Condition::Kind::documents) {
    const bool ok = std::any_of(evidence.begin(), evidence.end(), [&](const Evidence& e) { return e.id == c.evidence; });
    if (!ok) *bad = c.evidence;
    return ok;
  }
  return std::all_of(c.children.begin(), c.children.end(),
                     [&](const Condition& child) { return references_known_evidence(child, evidence, bad); });
}

Result<Fact> parse_fact(pugi::xml_node node, const std::string& evidence_id) {
  Fact f;
  f.id = node.attribute("id").value();
  const std::string where = "evidence " + evidence_id + ": fact " + f.id;
  const std::string_view role = node.attribute("role").value();
  if (f.id.empty()) return fail(Errc::malformed, "evidence " + evidence_id + ": a fact without id");
  if (role == "identifying") f.identifying = true;
  else if (role != "supporting") return fail(Errc::malformed, where + ": role must be identifying or supporting");
  f.document_date = node.attribute("document-date").as_bool(false);
  f.expiry = node.attribute("expiry").as_bool(false);
  for (auto n : node.children("label")) {
    const std::string_view lang = n.attribute("lang").value();
    if (lang == "nl") f.label_nl = n.text().get();
    if (lang == "en") f.label_en = n.text().get();
  }
  if (f.label_nl.empty() || f.label_en.empty()) return fail(Errc::malformed, where + ": needs <label> in nl and en");
  const auto source = node.child("source");
  f.source_doc = source.attribute("doc").value();
  f.source_section = source.attribute("section").value();
  f.source_text = source.text().get();
  if (f.source_text.empty()) return fail(Errc::malformed, where + ": needs a <source>");
  for (auto m : node.children()) {
    if (m.type() != pugi::node_element) continue;
    const std::string_view name = m.name();
    if (name == "label" || name == "source") continue;
    Matcher matcher;
    matcher.head_lines = m.attribute("head-lines").as_int(0);
    if (matcher.head_lines < 0) return fail(Errc::malformed, where + ": head-lines must be >= 0");
    if (name == "words") {
      matcher.kind = Matcher::Kind::words;
      matcher.phrases = parse_phrases(m.text().get());
      if (matcher.phrases.empty()) return fail(Errc::malformed, where + ": empty <words>");
    } else if (name == "date" || name == "reference") {
      matcher.kind = name == "date" ? Matcher::Kind::date : Matcher::Kind::reference;
      matcher.phrases = parse_phrases(m.attribute("after").value());
      matcher.window = m.attribute("within").as_int(6);
      if (name == "reference" && matcher.phrases.empty()) {
        return fail(Errc::malformed, where + ": <reference> needs after=\"label | label ...\"");
      }
      if (matcher.window < 0 || matcher.window > 40) return fail(Errc::malformed, where + ": within must be 0..40");
    } else if (name == "classification") {
      matcher.kind = Matcher::Kind::classification;
    } else {
      return fail(Errc::malformed, where + ": unknown matcher <" + std::string(name) + ">");
    }
    f.matchers.push_back(std::move(matcher));
  }
  if (f.matchers.empty()) return fail(Errc::malformed, where + ": needs at least one matcher");
  return f;
}

}  // namespace

Rule::Rule(const Rule& o)
    : id(o.id), ground(o.ground), severity(o.severity), kind(o.kind), when(clone(o.when)), require(clone(o.require)),
      inspect(o.inspect), text(o.text), fix(o.fix), source_doc(o.source_doc),
      source_section(o.source_section), source_text(o.source_text) {}

Rule& Rule::operator=(const Rule& o) {
  if (this != &o) {
    Rule copy(o);
    *this = std::move(copy);
  }
  return *this;
}

const std::vector<std::string>& known_grounds() {
  static const std::vector<std::string> grounds = {
      "incomplete", "multiproblem", "preceding-field", "psychiatric-crisis",
      "trafficking", "residence", "referrer"};
  return grounds;
}

const std::vector<std::string>& known_inspections() {
  static const std::vector<std::string> kinds = {
      "package-readable", "referral-valid", "no-bsn", "declared-present", "no-undeclared",
      "readable", "not-encrypted", "no-active-content", "text-read", "evidence", "supporting-facts",
      "date", "future-date", "date-agrees", "max-age", "expired", "bsn-in-documents", "placeholders",
      "reading-limits"};
  return kinds;
}

const Evidence* Profile::evidence_by_folder(std::string_view folder) const {
  for (const auto& e : evidence_) {
    if (e.folder == folder) return &e;
  }
  return nullptr;
}

const Evidence* Profile::evidence_by_id(std::string_view id) const {
  for (const auto& e : evidence_) {
    if (e.id == id) return &e;
  }
  return nullptr;
}

Result<Profile> Profile::load(const std::string& data_dir, const std::string& id_or_path, const ReadText& read) {
  return load_level(data_dir, id_or_path, read, 0);
}

Result<Profile> Profile::load_level(const std::string& data_dir, const std::string& id_or_path, const ReadText& read,
                                    int depth) {
  if (depth > kMaxExtendsDepth) return fail(Errc::limit, "profile 'extends' chain is deeper than 4");
  std::string path = id_or_path;
  const bool is_path = id_or_path.find('/') != std::string::npos ||
                       (id_or_path.size() > 4 && id_or_path.substr(id_or_path.size() - 4) == ".xml");
  if (!is_path) {
    const bool safe_id = !id_or_path.empty() && std::all_of(id_or_path.begin(), id_or_path.end(), [](char ch) {
      return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-';
    });
    if (!safe_id) return fail(Errc::usage, "profile id '" + id_or_path + "' is not a valid id");
    path = data_dir + "/schemas/profiles/" + id_or_path + ".xml";
  }
  auto text = read(path);
  if (!text) {
    if (text.error().code == Errc::not_found && !is_path) {
      return fail(Errc::usage, "unknown profile '" + id_or_path + "' (no " + path + ")");
    }
    return tl::unexpected(text.error());
  }
  pugi::xml_document doc;
  const auto parsed = doc.load_buffer(text->data(), text->size());
  if (!parsed) return fail(Errc::malformed, path + ": " + parsed.description());
  const auto root = doc.child("profile");
  if (!root) return fail(Errc::malformed, path + ": root element must be <profile>");
  if (std::string_view(root.attribute("format").value()) != "1") {
    return fail(Errc::unsupported, path + ": profile format must be 1");
  }

  Profile p;
  if (const std::string base = root.attribute("extends").value(); !base.empty()) {
    auto parent = load_level(data_dir, base, read, depth + 1);
    if (!parent) return parent;
    p = std::move(*parent);
  }
  p.id_ = root.attribute("id").value();
  p.version_ = root.attribute("version").value();
  if (p.id_.empty() || p.version_.empty()) return fail(Errc::malformed, path + ": profile needs id and version");
  LocalText title;
  read_local(root, "title", title);
  p.title_ = title;

  for (auto node : root.children()) {
    if (node.type() != pugi::node_element) continue;
    const std::string_view name = node.name();
    if (name == "title") continue;
    if (name == "evidence") {
      Evidence e;
      e.id = node.attribute("id").value();
      e.folder = node.attribute("folder").value();
      read_local(node, "name", e.name);
      e.max_age_days = node.attribute("max-age-days").as_int(0);
      if (e.id.empty() || e.folder.empty()) return fail(Errc::malformed, path + ": <evidence> needs id and folder");
      for (auto child : node.children()) {
        if (child.type() != pugi::node_element || std::string_view(child.name()) == "name") continue;
        if (std::string_view(child.name()) != "fact") {
          return fail(Errc::malformed, path + ": evidence " + e.id + ": unknown element <" + child.name() + ">");
        }
        auto fact = parse_fact(child, e.id);
        if (!fact) return fail(Errc::malformed, path + ": " + fact.error().message);
        e.facts.push_back(std::move(*fact));
      }
      auto it = std::find_if(p.evidence_.begin(), p.evidence_.end(), [&](const Evidence& x) { return x.id == e.id; });
      if (it != p.evidence_.end()) *it = std::move(e); else p.evidence_.push_back(std::move(e));
      continue;
    }
    if (name == "remove") {
      const std::string id = node.attribute("rule").value();
      std::erase_if(p.rules_, [&](const Rule& r) { return r.id == id; });
      continue;
    }
    if (name != "rule") return fail(Errc::malformed, path + ": unknown element <" + std::string(name) + ">");
    Rule r;
    r.id = node.attribute("id").value();
    r.ground = node.attribute("ground").value();
    const std::string_view sev = node.attribute("severity").value();

    if (r.id.empty()) return fail(Errc::malformed, path + ": a rule without id");
    if (sev == "fail") r.severity = Severity::fail;
    else if (sev == "warn") r.severity = Severity::warn;
    else if (sev == "info") r.severity = Severity::info;
    else return fail(Errc::malformed, path + ": rule " + r.id + ": severity must be fail, warn or info");
    const auto& grounds = known_grounds();
    if (std::find(grounds.begin(), grounds.end(), r.ground) == grounds.end()) {
      return fail(Errc::malformed, path + ": rule " + r.id + ": unknown ground '" + r.ground + "'");
    }
    auto when = parse_wrapped(node.child("when"), r.id);
    if (!when) return tl::unexpected(when.error());
    r.when = std::move(*when);
    auto require = parse_wrapped(node.child("require"), r.id);
    if (!require) return tl::unexpected(require.error());
    r.require = std::move(*require);
    r.inspect = node.child("inspect").attribute("what").value();
    if (!r.inspect.empty()) {
      const auto& kinds = known_inspections();
      if (std::find(kinds.begin(), kinds.end(), r.inspect) == kinds.end()) {
        return fail(Errc::malformed, path + ": rule " + r.id + ": unknown inspection '" + r.inspect + "'");
      }
    }
    if ((r.require == nullptr) == r.inspect.empty()) {
      return fail(Errc::malformed, path + ": rule " + r.id + ": needs exactly one of <require> and <inspect>");
    }
    read_local(node, "text", r.text);
    read_local(node, "fix", r.fix);
    if (r.text.nl.empty() || r.text.en.empty() || r.fix.nl.empty() || r.fix.en.empty()) {
      return fail(Errc::malformed, path + ": rule " + r.id + ": needs <text> and <fix> in nl and en");
    }
    const auto source = node.child("source");
    r.source_doc = source.attribute("doc").value();
    r.source_section = source.attribute("section").value();
    r.source_text = source.text().get();
    if (r.source_text.empty()) return fail(Errc::malformed, path + ": rule " + r.id + ": needs a <source>");
    const std::string_view kind = node.attribute("kind").value();
    if (kind == "completeness") r.kind = RuleKind::completeness;
    else if (kind == "eligibility") r.kind = RuleKind::eligibility;
    else return fail(Errc::malformed, path + ": rule " + r.id + ": kind must be completeness or eligibility");
    auto it = std::find_if(p.rules_.begin(), p.rules_.end(), [&](const Rule& x) { return x.id == r.id; });
    if (it != p.rules_.end()) *it = std::move(r); else p.rules_.push_back(std::move(r));
  }
  for (const auto& r : p.rules_) {
    std::string bad;
    for (const auto* c : {r.when.get(), r.require.get()}) {
      if (c != nullptr && !references_known_evidence(*c, p.evidence_, &bad)) {
        return fail(Errc::malformed, path + ": rule " + r.id + ": unknown evidence type '" + bad + "'");
      }
    }
  }
  return p;
}

}  // namespace dossier

// The referral facts as a form: see web/referral_form.hpp.
#include "web/referral_form.hpp"

#include <pugixml.hpp>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <utility>

#include "core/referral.hpp"

namespace dossier::web {
namespace {

using json = FormJson;

// How deep the schema's declarations (and so the form) may nest: a named type that refers to
// itself ends here instead of recursing for ever.
constexpr int kMaxDepth = 24;
// A referral.xml is read with everything that must survive a save: the declaration, comments,
// processing instructions, and the whitespace between elements (the layout).
constexpr unsigned kKeepAll = pugi::parse_default | pugi::parse_comments | pugi::parse_declaration |
                              pugi::parse_pi | pugi::parse_ws_pcdata;
// Free text up to this many characters is one line in the form; longer text a text area.
constexpr std::int64_t kOneLine = 200;

std::string_view local_name(std::string_view qname) {
  const auto colon = qname.find(':');
  return colon == std::string_view::npos ? qname : qname.substr(colon + 1);
}

bool is(pugi::xml_node n, std::string_view local) {
  return n.type() == pugi::node_element && local_name(n.name()) == local;
}

pugi::xml_node child(pugi::xml_node n, std::string_view local) {
  for (auto c : n.children())
    if (is(c, local)) return c;
  return {};
}

std::optional<std::int64_t> number(std::string_view s) {
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

bool blank(std::string_view s) { return s.find_first_not_of(" \t\r\n") == std::string_view::npos; }

std::string trimmed(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  return std::string(s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1));
}

// ---------------------------------------------------------------------------------------------
// The form from the schema.

// Whether an XSD pattern refuses the empty string, so that its field needs a value (a page's
// "required" mark only; the check itself is libxml2's). XSD patterns are anchored; a pattern
// std::regex cannot read is taken to refuse it.
bool refuses_empty(const std::string& pattern) {
  if (pattern.empty()) return false;
  try {
    return !std::regex_match(std::string(), std::regex(pattern));
  } catch (const std::regex_error&) {
    return true;
  }
}

struct SimpleType {
  std::string builtin = "string";  // the XSD built-in type it derives from (local name)
  std::vector<std::string> enumeration;
  std::optional<std::int64_t> min_length, max_length, min_value, max_value;
  std::string pattern;
};

const std::set<std::string, std::less<>> kIntegers = {
    "integer", "nonNegativeInteger", "positiveInteger", "nonPositiveInteger", "negativeInteger", "long", "int",
    "short", "byte", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte"};

class FormMaker {
 public:
  FormMaker(pugi::xml_node schema, const Catalogue& words, const std::vector<std::string>& skip)
      : schema_(schema), words_(words), skip_(skip.begin(), skip.end()) {}

  // An <element> declaration as a group or field; null when skipped or beyond the depth limit.
  json element(pugi::xml_node decl, const std::string& parent, int depth) const {
    if (depth > kMaxDepth) return nullptr;
    const auto occurs = decl;
    if (const auto ref = decl.attribute("ref")) decl = top("element", local_name(ref.value()));
    const std::string name = decl.attribute("name").value();
    if (name.empty()) return nullptr;
    const std::string path = parent.empty() ? name : parent + "/" + name;
    if (skip_.count(path) != 0) return nullptr;
    const auto min = number(occurs.attribute("minOccurs").as_string("1")).value_or(1);
    const std::string max_text = occurs.attribute("maxOccurs").as_string("1");
    const json max = max_text == "unbounded" ? json(nullptr) : json(number(max_text).value_or(1));

    pugi::xml_node complex = child(decl, "complexType");
    if (!complex && decl.attribute("type")) complex = top("complexType", decl.attribute("type").value());
    json item;
    if (complex) {
      item = group(complex, name, path, depth);
    } else {
      const SimpleType t = decl.attribute("type") ? named(decl.attribute("type").value(), depth)
                           : child(decl, "simpleType") ? simple(child(decl, "simpleType"), depth)
                                                       : SimpleType{};
      item = field("element", name, path, t, min > 0, false);
    }
    item["minOccurs"] = min;
    item["maxOccurs"] = max;
    item["repeatable"] = max_text != "1";
    if (item["kind"] == "group") item["required"] = min > 0;
    return item;
  }

 private:
  pugi::xml_node top(std::string_view kind, std::string_view name) const {
    for (auto n : schema_.children())
      if (is(n, kind) && std::string_view(n.attribute("name").value()) == name) return n;
    return {};
  }

  SimpleType named(std::string_view qname, int depth) const {
    if (depth < kMaxDepth)
      if (const auto decl = top("simpleType", qname)) return simple(decl, depth + 1);
    SimpleType t;
    t.builtin = std::string(local_name(qname));
    if (t.builtin == "nonNegativeInteger" || t.builtin.rfind("unsigned", 0) == 0) t.min_value = 0;
    if (t.builtin == "positiveInteger") t.min_value = 1;
    return t;
  }

  SimpleType simple(pugi::xml_node decl, int depth) const {
    const auto r = child(decl, "restriction");
    return r ? restriction(r, depth) : SimpleType{};  // a list or union: free text
  }

  SimpleType restriction(pugi::xml_node r, int depth) const {
    SimpleType t;
    if (const auto base = r.attribute("base")) t = named(base.value(), depth + 1);
    else if (const auto inner = child(r, "simpleType"); inner && depth < kMaxDepth) t = simple(inner, depth + 1);
    std::vector<std::string> values;
    for (auto f : r.children()) {
      const auto facet = local_name(f.name());
      const std::string v = f.attribute("value").value();
      if (facet == "enumeration") values.push_back(v);
      else if (facet == "minLength") t.min_length = number(v);
      else if (facet == "maxLength") t.max_length = number(v);
      else if (facet == "length") t.min_length = t.max_length = number(v);
      else if (facet == "pattern") t.pattern = v;
      else if (facet == "minInclusive") t.min_value = number(v);
      else if (facet == "maxInclusive") t.max_value = number(v);
    }
    if (!values.empty()) t.enumeration = std::move(values);
    return t;
  }

  std::string label(const std::string& path, const std::string& name) const {
    const std::string key = "web.form." + path;
    return words_.has(key) ? words_.get(key) : name;
  }

  json field(const char* node, const std::string& name, const std::string& path, const SimpleType& t,
             bool present, bool one_line) const {
    json f;
    f["kind"] = "field";
    f["node"] = node;
    f["name"] = name;
    f["path"] = path;
    f["label"] = label(path, name);
    if (const std::string help = "web.form.help." + path; words_.has(help)) f["help"] = words_.get(help);
    std::string type;
    if (!t.enumeration.empty()) type = "enum";
    else if (t.builtin == "boolean") type = "boolean";
    else if (t.builtin == "date") type = "date";
    else if (kIntegers.count(t.builtin) != 0) type = "integer";
    else type = one_line || (t.max_length && *t.max_length <= kOneLine) ? "text" : "longtext";
    f["type"] = type;
    const bool free_text = type == "text" || type == "longtext";
    f["required"] = present && (!free_text || t.min_length.value_or(0) > 0 || refuses_empty(t.pattern));
    if (type == "enum" || type == "boolean") {
      json values = json::array();
      const std::vector<std::string> choices = type == "enum" ? t.enumeration : std::vector<std::string>{"true", "false"};
      for (const auto& v : choices) {
        std::string word = v;
        if (const std::string key = "web.form." + path + "=" + v; words_.has(key)) word = words_.get(key);
        else if (const std::string yes_no = "web.form.boolean=" + v; type == "boolean" && words_.has(yes_no)) word = words_.get(yes_no);
        values.push_back({{"value", v}, {"label", word}});
      }
      f["values"] = std::move(values);
    }
    if (t.min_length) f["minLength"] = *t.min_length;
    if (t.max_length) f["maxLength"] = *t.max_length;
    if (!t.pattern.empty()) f["pattern"] = t.pattern;
    if (t.min_value) f["minValue"] = *t.min_value;
    if (t.max_value) f["maxValue"] = *t.max_value;
    return f;
  }

  json attribute(pugi::xml_node decl, const std::string& parent, int depth) const {
    const std::string name = decl.attribute("name").value();
    const std::string path = parent + "/@" + name;
    if (name.empty() || skip_.count(path) != 0) return nullptr;
    const SimpleType t = decl.attribute("type") ? named(decl.attribute("type").value(), depth)
                         : child(decl, "simpleType") ? simple(child(decl, "simpleType"), depth)
                                                     : SimpleType{};
    const bool required = std::string_view(decl.attribute("use").value()) == "required";
    json f = field("attribute", name, path, t, required, true);
    // A value the schema allows only one of is not asked: it is written as it must be.
    if (decl.attribute("fixed")) f["fixed"] = decl.attribute("fixed").value();
    else if (required && t.enumeration.size() == 1) f["fixed"] = t.enumeration.front();
    return f;
  }

  // The elements of a sequence, choice or all (nested ones flattened; a choice's are optional).
  void particles(pugi::xml_node model, const std::string& path, int depth, bool optional, json& out) const {
    if (depth > kMaxDepth) return;
    for (auto c : model.children()) {
      if (is(c, "element")) {
        json e = element(c, path, depth + 1);
        if (e.is_null()) continue;
        if (optional) {
          e["minOccurs"] = 0;
          e["required"] = false;
        }
        out.push_back(std::move(e));
      } else if (is(c, "sequence") || is(c, "all") || is(c, "choice")) {
        particles(c, path, depth + 1, optional || is(c, "choice") || std::string_view(c.attribute("minOccurs").value()) == "0", out);
      }
    }
  }

  void attributes(pugi::xml_node holder, const std::string& path, int depth, json& out) const {
    for (auto a : holder.children())
      if (is(a, "attribute"))
        if (json f = attribute(a, path, depth); !f.is_null()) out.push_back(std::move(f));
  }

  json group(pugi::xml_node complex, const std::string& name, const std::string& path, int depth) const {
    json attrs = json::array(), text = json::array(), elements = json::array();
    attributes(complex, path, depth, attrs);
    if (const auto sc = child(complex, "simpleContent")) {
      pugi::xml_node ext = child(sc, "extension");
      if (!ext) ext = child(sc, "restriction");
      const SimpleType t = ext.attribute("base") ? named(ext.attribute("base").value(), depth) : SimpleType{};
      attributes(ext, path, depth, attrs);
      json f = field("text", "#text", path + "/#text", t, true, false);
      if (!f["label"].is_string() || f["label"] == "#text") f["label"] = label(path, name);
      text.push_back(std::move(f));
    }
    pugi::xml_node model = complex;
    if (const auto cc = child(complex, "complexContent")) {
      model = child(cc, "extension");
      attributes(model, path, depth, attrs);
      if (const auto base = top("complexType", model.attribute("base").value()); base && depth < kMaxDepth) {
        json inherited = group(base, name, path, depth + 1);
        json own_attrs = json::array(), own_elements = json::array();
        for (auto& i : inherited["items"]) (i["kind"] == "group" || i["node"] == "element" ? own_elements : own_attrs).push_back(i);
        for (auto& a : attrs) own_attrs.push_back(a);
        attrs = std::move(own_attrs);
        elements = std::move(own_elements);
      }
    }
    particles(model, path, depth, false, elements);
    json g;
    g["kind"] = "group";
    g["name"] = name;
    g["path"] = path;
    g["label"] = label(path, name);
    if (const std::string help = "web.form.help." + path; words_.has(help)) g["help"] = words_.get(help);
    json items = json::array();
    for (auto* list : {&attrs, &text, &elements})
      for (auto& i : *list) items.push_back(std::move(i));
    g["items"] = std::move(items);
    return g;
  }

  pugi::xml_node schema_;
  const Catalogue& words_;
  std::set<std::string> skip_;
};

// ---------------------------------------------------------------------------------------------
// Values in and out of a document.

bool is_group(const json& item) { return item["kind"] == "group"; }
const std::string& str(const json& j, const char* key) { return j[key].get_ref<const std::string&>(); }

// Text content: every text and CDATA child, in order.
std::string text_of(pugi::xml_node n) {
  std::string s;
  for (auto c : n.children())
    if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) s += c.value();
  return s;
}

// A value as the schema reads it: booleans, dates and numbers collapse their whitespace, and an
// xs:boolean may be written 1 or 0.
std::string canonical(const json& field, std::string_view v) {
  const std::string& type = str(field, "type");
  if (type != "boolean" && type != "date" && type != "integer") return std::string(v);
  std::string t = trimmed(v);
  if (type == "boolean" && t == "1") t = "true";
  if (type == "boolean" && t == "0") t = "false";
  return t;
}

json read_one(const json& item, pugi::xml_node node);

json read_group(const json& group, pugi::xml_node node) {
  json out = json::object();
  for (const auto& item : group["items"]) {
    const std::string& name = str(item, "name");
    if (!is_group(item) && item["node"] == "attribute") {
      out["@" + name] = canonical(item, node.attribute(name.c_str()).value());
    } else if (!is_group(item) && item["node"] == "text") {
      out["#text"] = canonical(item, text_of(node));
    } else if (item["repeatable"] == true) {
      json all = json::array();
      for (auto c : node.children(name.c_str())) all.push_back(read_one(item, c));
      out[name] = std::move(all);
    } else {
      out[name] = read_one(item, node.child(name.c_str()));
    }
  }
  return out;
}

json read_one(const json& item, pugi::xml_node node) {
  return is_group(item) ? read_group(item, node) : json(canonical(item, text_of(node)));
}

Result<pugi::xml_node> load(pugi::xml_document& doc, const json& form, std::string_view text) {
  const auto parsed = doc.load_buffer(text.data(), text.size(), kKeepAll, pugi::encoding_utf8);
  if (!parsed) return fail(Errc::malformed, std::string("referral.xml is not well-formed XML: ") + parsed.description());
  const auto root = doc.document_element();
  if (str(form, "name") != root.name()) return fail(Errc::malformed, "the root element of referral.xml is not <" + str(form, "name") + ">");
  return root;
}

// A character no XML document can hold (XML 1.0 section 2.2): control characters but tab,
// newline and carriage return, and U+FFFE and U+FFFF.
bool unwritable(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return true;
    if (c == 0xEF && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xBF &&
        (static_cast<unsigned char>(s[i + 2]) == 0xBE || static_cast<unsigned char>(s[i + 2]) == 0xBF))
      return true;
  }
  return false;
}

// The whitespace before a node when it is only whitespace, from its last line on ("\n    ").
std::string indent_before(pugi::xml_node n) {
  const auto p = n.previous_sibling();
  if (p.type() != pugi::node_pcdata || !blank(p.value())) return {};
  const std::string_view ws = p.value();
  const auto nl = ws.rfind('\n');
  return std::string(nl == std::string_view::npos ? ws : ws.substr(nl));
}

// The indentation of a new child of `parent`: that of its other children, or its own and two spaces.
std::string child_indent(pugi::xml_node parent) {
  for (auto c : parent.children())
    if (c.type() == pugi::node_element)
      if (auto w = indent_before(c); !w.empty()) return w;
  std::string own = indent_before(parent);
  return (own.empty() ? std::string("\n") : own) + "  ";
}

class Writer {
 public:
  explicit Writer(const Catalogue& words) : words_(words) {}

  Result<void> group(const json& g, pugi::xml_node node, const json& values, const std::string& key) {
    if (!values.is_null() && !values.is_object()) return fail(Errc::usage, key + ": expected the values of a group");
    static const json kNone = json::object();
    const json& vs = values.is_object() ? values : kNone;
    for (const auto& item : g["items"]) {
      const std::string& name = str(item, "name");
      if (!is_group(item) && item["node"] == "attribute") {
        auto v = text_value(vs, "@" + name, key + "/@" + name);
        if (!v) return tl::unexpected(v.error());
        if (item.contains("fixed") && v->empty()) *v = str(item, "fixed");
        if (refuse(*v, key + "/@" + name)) continue;
        auto a = node.attribute(name.c_str());
        if (v->empty()) {
          if (a) changed_ = node.remove_attribute(a);
        } else if (!a || canonical(item, a.value()) != *v) {
          if (!a) a = node.append_attribute(name.c_str());
          a.set_value(v->c_str());
          changed_ = true;
        }
      } else if (!is_group(item) && item["node"] == "text") {
        auto v = text_value(vs, "#text", key + "/#text");
        if (!v) return tl::unexpected(v.error());
        if (!refuse(*v, key + "/#text") && canonical(item, text_of(node)) != *v) set_text(node, *v);
      } else if (item["repeatable"] == true) {
        if (auto done = repeated(g, item, node, vs.contains(name) ? vs[name] : json(nullptr), key); !done) return done;
      } else {
        if (auto done = single(g, item, node, vs.contains(name) ? vs[name] : json(nullptr), key + "/" + name); !done)
          return done;
      }
    }
    return {};
  }

  bool changed() const { return changed_; }
  json take_issues() { return std::move(issues_); }

 private:
  static Result<std::string> text_value(const json& values, const std::string& name, const std::string& key) {
    if (!values.contains(name)) return std::string();
    const json& v = values[name];
    if (v.is_null()) return std::string();
    if (v.is_string()) return v.get<std::string>();
    if (v.is_boolean()) return std::string(v.get<bool>() ? "true" : "false");
    if (v.is_number_integer()) return v.dump();
    return fail(Errc::usage, key + ": expected text");
  }

  // A value that cannot be written is an issue of its field; the document keeps the old one.
  bool refuse(const std::string& v, const std::string& key) {
    if (!unwritable(v)) return false;
    issues_.push_back({{"field", key}, {"message", words_.get("web.form.issue.character")},
                       {"detail", "a control character cannot be stored in XML"}, {"line", 0}, {"severity", "error"}});
    return true;
  }

  // An element of `item`, with its values, where the schema puts it among `parent`'s children.
  pugi::xml_node add(const json& g, const json& item, pugi::xml_node parent) {
    auto order = [&](std::string_view name) {
      int i = 0;
      for (const auto& it : g["items"]) {
        if (is_group(it) || it["node"] == "element") {
          if (str(it, "name") == name) return i;
          ++i;
        }
      }
      return -1;
    };
    const int mine = order(str(item, "name"));
    pugi::xml_node after, before;
    for (auto c : parent.children()) {
      if (c.type() != pugi::node_element) continue;
      const int o = order(c.name());
      if (o < 0) continue;
      if (o <= mine) after = c;
      else if (!before) before = c;
    }
    const std::string indent = child_indent(parent);
    pugi::xml_node made;
    if (after) {
      made = parent.insert_child_after(pugi::node_element, after);
      parent.insert_child_before(pugi::node_pcdata, made).set_value(indent.c_str());
    } else if (before) {
      made = parent.insert_child_before(pugi::node_element, before);
      parent.insert_child_after(pugi::node_pcdata, made).set_value(indent.c_str());
    } else if (auto last = parent.last_child(); last.type() == pugi::node_pcdata && blank(last.value())) {
      made = parent.insert_child_before(pugi::node_element, last);
      parent.insert_child_before(pugi::node_pcdata, made).set_value(indent.c_str());
    } else {
      parent.append_child(pugi::node_pcdata).set_value(indent.c_str());
      made = parent.append_child(pugi::node_element);
      parent.append_child(pugi::node_pcdata).set_value(indent.substr(0, indent.size() >= 2 ? indent.size() - 2 : 0).c_str());
    }
    made.set_name(str(item, "name").c_str());
    changed_ = true;
    return made;
  }

  void remove(pugi::xml_node n) {
    auto parent = n.parent();
    if (auto p = n.previous_sibling(); p.type() == pugi::node_pcdata && blank(p.value())) parent.remove_child(p);
    parent.remove_child(n);
    changed_ = true;
  }

  void set_text(pugi::xml_node n, const std::string& v) {
    pugi::xml_node first;
    std::vector<pugi::xml_node> more;
    for (auto c : n.children()) {
      if (c.type() != pugi::node_pcdata && c.type() != pugi::node_cdata) continue;
      if (first) more.push_back(c);
      else first = c;
    }
    for (auto m : more) n.remove_child(m);
    if (v.empty()) {
      if (first) n.remove_child(first);
    } else {
      if (!first) first = n.append_child(pugi::node_pcdata);
      first.set_value(v.c_str());
    }
    changed_ = true;
  }

  // Whether a group's values give nothing (an optional group left empty is removed).
  static bool empty(const json& item, const json& v) {
    if (v.is_null()) return true;
    if (!is_group(item)) return v.is_string() && v.get_ref<const std::string&>().empty();
    if (!v.is_object()) return false;
    for (const auto& i : item["items"]) {
      const std::string name = !is_group(i) && i["node"] == "attribute" ? "@" + str(i, "name")
                               : !is_group(i) && i["node"] == "text"    ? std::string("#text")
                                                                        : str(i, "name");
      if (!v.contains(name) || i.contains("fixed")) continue;
      const json& x = v[name];
      if (x.is_array()) {
        for (const auto& e : x)
          if (!empty(i, e)) return false;
      } else if (!empty(i, x)) {
        return false;
      }
    }
    return true;
  }

  Result<void> one(const json& item, pugi::xml_node node, const json& v, const std::string& key) {
    if (is_group(item)) return group(item, node, v, key);
    auto s = text_value(json{{"v", v}}, "v", key);
    if (!s) return tl::unexpected(s.error());
    if (!refuse(*s, key) && canonical(item, text_of(node)) != *s) set_text(node, *s);
    return {};
  }

  Result<void> single(const json& g, const json& item, pugi::xml_node parent, const json& v, const std::string& key) {
    auto node = parent.child(str(item, "name").c_str());
    const bool optional = item["minOccurs"] == 0;
    if (!is_group(item) && !v.is_null() && !v.is_string() && !v.is_boolean() && !v.is_number_integer())
      return fail(Errc::usage, key + ": expected text");
    if (optional && empty(item, v)) {
      if (node) remove(node);
      return {};
    }
    if (!node) node = add(g, item, parent);
    return one(item, node, v, key);
  }

  Result<void> repeated(const json& g, const json& item, pugi::xml_node parent, const json& v, const std::string& key) {
    if (!v.is_null() && !v.is_array()) return fail(Errc::usage, key + "/" + str(item, "name") + ": expected a list");
    std::vector<pugi::xml_node> existing;
    for (auto c : parent.children(str(item, "name").c_str())) existing.push_back(c);
    const std::size_t wanted = v.is_array() ? v.size() : 0;
    for (std::size_t i = 0; i < wanted; ++i) {
      // add() puts a new one after the last of its kind, so the list keeps its order.
      const pugi::xml_node node = i < existing.size() ? existing[i] : add(g, item, parent);
      if (auto done = one(item, node, v[i], key + "/" + str(item, "name") + "[" + std::to_string(i) + "]"); !done)
        return done;
    }
    for (std::size_t i = wanted; i < existing.size(); ++i) remove(existing[i]);
    return {};
  }

  const Catalogue& words_;
  bool changed_ = false;
  json issues_ = json::array();
};

struct StringWriter final : pugi::xml_writer {
  std::string out;
  void write(const void* data, std::size_t size) override { out.append(static_cast<const char*>(data), size); }
};

// ---------------------------------------------------------------------------------------------
// Issues tied to fields.

// Where each element the form knows starts in a document: its line, name and key.
struct Place {
  int line = 0;
  std::string name;
  std::string key;
  const json* item = nullptr;
  pugi::xml_node node;
};

class Places {
 public:
  explicit Places(std::string_view text) {
    for (std::size_t i = 0; i < text.size(); ++i)
      if (text[i] == '\n') newlines_.push_back(static_cast<std::ptrdiff_t>(i));
  }

  void walk(const json& item, pugi::xml_node node, const std::string& key, int depth) {
    if (depth > kMaxDepth) return;
    places_.push_back({line(node), node.name(), key, &item, node});
    if (!is_group(item)) return;
    for (const auto& i : item["items"]) {
      if (!is_group(i) && i["node"] != "element") continue;
      const std::string& name = str(i, "name");
      int n = 0;
      for (auto c : node.children(name.c_str())) {
        walk(i, c, key + "/" + name + (i["repeatable"] == true ? "[" + std::to_string(n) + "]" : ""), depth + 1);
        if (i["repeatable"] != true) break;
        ++n;
      }
    }
  }

  // The place of an element named `name` (any when empty) that starts on `line` or the
  // closest before it.
  const Place* at(int at_line, std::string_view name) const {
    const Place* best = nullptr;
    for (const auto& p : places_) {
      if (!name.empty() && p.name != name) continue;
      if (p.line <= at_line && (best == nullptr || p.line > best->line)) best = &p;
    }
    if (best == nullptr && !name.empty())
      for (const auto& p : places_)
        if (p.name == name) return &p;
    return best;
  }

 private:
  int line(pugi::xml_node n) const {
    const auto offset = n.offset_debug();
    return static_cast<int>(std::lower_bound(newlines_.begin(), newlines_.end(), offset) - newlines_.begin()) + 1;
  }

  std::vector<std::ptrdiff_t> newlines_;
  std::vector<Place> places_;
};

std::string quoted_after(std::string_view s, std::string_view marker) {
  const auto at = s.find(marker);
  if (at == std::string_view::npos) return {};
  const auto start = at + marker.size();
  const auto end = s.find('\'', start);
  if (end == std::string_view::npos) return {};
  std::string v(s.substr(start, end - start));
  if (!v.empty() && v.front() == '{')  // a namespace: {uri}name
    if (const auto close = v.find('}'); close != std::string::npos) v.erase(0, close + 1);
  return v;
}

// What one of libxml2's messages says: about which element, attribute or missing child, and
// what kind of problem (the suffix of its web.form.issue.* word).
struct Said {
  std::string element, attribute, missing, kind, limit;
};

Said understand(std::string_view m) {
  Said s;
  if (m.rfind("Element '", 0) == 0) s.element = quoted_after(m, "Element '");
  s.attribute = quoted_after(m, ", attribute '");
  if (const auto a = quoted_after(m, "The attribute '"); !a.empty() && m.find("is required but missing") != std::string_view::npos) {
    s.attribute = a;
    s.kind = "required";
  }
  if (const auto at = m.find("Missing child element(s)."); at != std::string_view::npos) {
    s.kind = "required";
    if (const auto open = m.find("( ", at); open != std::string_view::npos) {
      const auto end = m.find_first_of(" ,)", open + 2);
      s.missing = std::string(m.substr(open + 2, end == std::string_view::npos ? std::string_view::npos : end - open - 2));
      if (!s.missing.empty() && s.missing.front() == '{')
        if (const auto close = s.missing.find('}'); close != std::string::npos) s.missing.erase(0, close + 1);
    }
  }
  if (!s.kind.empty()) return s;
  if (m.find("[facet 'enumeration']") != std::string_view::npos) s.kind = "enumeration";
  else if (m.find("[facet 'pattern']") != std::string_view::npos) s.kind = "pattern";
  else if (m.find("[facet 'minLength']") != std::string_view::npos) s.kind = "required";
  else if (m.find("[facet 'maxLength']") != std::string_view::npos) {
    s.kind = "max-length";
    s.limit = quoted_after(m, "maximum length of '");
  } else if (m.find("[facet 'minInclusive']") != std::string_view::npos || m.find("[facet 'maxInclusive']") != std::string_view::npos) {
    s.kind = "integer";
  } else if (m.find("atomic type 'xs:date'") != std::string_view::npos) {
    s.kind = "date";
  } else if (m.find("atomic type 'xs:boolean'") != std::string_view::npos) {
    s.kind = "boolean";
  } else if (m.find("Integer'") != std::string_view::npos || m.find("atomic type 'xs:integer'") != std::string_view::npos) {
    s.kind = "integer";
  } else if (m.find("is not a valid value of the atomic type") != std::string_view::npos) {
    s.kind = "pattern";
  } else if (m.find("This element is not expected") != std::string_view::npos) {
    s.kind = "unexpected";
  }
  return s;
}

// The key of the field (or group) a message names, at the place of its element.
std::string field_of(const Said& s, const Place& p) {
  const json& item = *p.item;
  if (!is_group(item)) return p.key;
  auto find = [&](std::string_view node, const std::string& name) -> const json* {
    for (const auto& i : item["items"])
      if ((node == "element" ? is_group(i) || i["node"] == "element" : !is_group(i) && i["node"] == node) &&
          str(i, "name") == name)
        return &i;
    return nullptr;
  };
  if (!s.attribute.empty()) return find("attribute", s.attribute) != nullptr ? p.key + "/@" + s.attribute : p.key;
  if (!s.missing.empty()) {
    const json* m = find("element", s.missing);
    return m == nullptr ? p.key : p.key + "/" + s.missing + ((*m)["repeatable"] == true ? "[0]" : "");
  }
  if (find("text", "#text") != nullptr) return p.key + "/#text";
  return p.key;
}

}  // namespace

Result<FormJson> derive_form(std::string_view xsd_text, const Catalogue& words, const std::vector<std::string>& skip) {
  pugi::xml_document xsd;
  if (!xsd.load_buffer(xsd_text.data(), xsd_text.size())) return fail(Errc::malformed, "the schema is not XML");
  const auto schema = xsd.document_element();
  if (local_name(schema.name()) != "schema") return fail(Errc::malformed, "the schema's root is not xs:schema");
  const FormMaker maker(schema, words, skip);
  for (auto decl : schema.children()) {
    if (!is(decl, "element")) continue;
    json form = maker.element(decl, "", 0);
    if (form.is_null() || form["kind"] != "group") break;
    return form;
  }
  return fail(Errc::malformed, "the schema declares no element with attributes or children");
}

Result<FormJson> read_values(const FormJson& form, std::string_view text) {
  pugi::xml_document doc;
  auto root = load(doc, form, text);
  if (!root) return tl::unexpected(root.error());
  return read_group(form, *root);
}

Result<Rewritten> write_values(const FormJson& form, std::string_view text, const FormJson& values,
                               const Catalogue& words) {
  pugi::xml_document doc;
  auto root = load(doc, form, text);
  if (!root) return tl::unexpected(root.error());
  if (!values.is_object()) return fail(Errc::usage, "the values are not a JSON object");
  const auto start = static_cast<std::size_t>(std::max<std::ptrdiff_t>(root->offset_debug() - 1, 0));  // its '<'
  Writer writer(words);
  if (auto done = writer.group(form, *root, values, str(form, "name")); !done) return tl::unexpected(done.error());
  Rewritten out;
  out.issues = writer.take_issues();
  out.changed = writer.changed();
  if (!out.changed) {
    out.text = std::string(text);
    return out;
  }
  // Only the root element is written anew: what is around it (the declaration, comments and
  // the line breaks between them, which pugixml does not keep) stays as it was.
  StringWriter w;
  root->print(w, "", pugi::format_raw, pugi::encoding_utf8);
  std::size_t end = text.size();
  if (const auto close = text.rfind("</" + str(form, "name")); close != std::string_view::npos && close > start)
    end = std::min(text.size(), text.find('>', close) + 1);
  else if (const auto empty = text.find("/>", start); empty != std::string_view::npos)
    end = empty + 2;
  out.text = std::string(text.substr(0, start)) + w.out + std::string(text.substr(end));
  return out;
}

FormJson find_issues(const FormJson& form, std::string_view text, std::string_view xsd_text, const Catalogue& words) {
  json out = json::array();
  pugi::xml_document doc;
  Places places(text);
  if (auto root = load(doc, form, text)) places.walk(form, *root, str(form, "name"), 0);
  std::set<std::string> seen;  // one problem per field: libxml2 often says one thing twice
  const Referral referral = Referral::parse(text, xsd_text);
  for (const auto& issue : referral.issues()) {
    const Said said = understand(issue.message);
    json field = nullptr;
    if (!said.element.empty())
      if (const Place* p = places.at(issue.line, said.element)) field = field_of(said, *p);
    if (field.is_string() && !seen.insert(field.get<std::string>()).second) continue;
    std::string message = issue.message;
    if (const std::string key = "web.form.issue." + said.kind; !said.kind.empty() && words.has(key))
      message = words.get(key, {{"max", said.limit}, {"element", said.element}});
    out.push_back({{"field", field}, {"message", message}, {"detail", issue.message}, {"line", issue.line}, {"severity", "error"}});
  }
  for (const auto& hit : find_bsn_like_numbers(text)) {
    json field = nullptr;
    if (const Place* p = places.at(hit.line, "")) {
      field = p->key;
      if (is_group(*p->item)) {
        for (auto a : p->node.attributes())
          if (!find_bsn_like_numbers(a.value()).empty()) field = p->key + "/@" + a.name();
        if (field == p->key && !text_of(p->node).empty()) field = p->key + "/#text";
      }
    }
    out.push_back({{"field", field}, {"message", words.get("web.form.issue.bsn")}, {"detail", "a 9-digit number that passes the BSN check"},
                   {"line", hit.line}, {"severity", "warning"}});
  }
  return out;
}

bool has_errors(const FormJson& issues) {
  return std::any_of(issues.begin(), issues.end(), [](const json& i) { return i["severity"] == "error"; });
}

}  // namespace dossier::web

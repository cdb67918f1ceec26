#include "core/referral.hpp"
#include "core/unicode.hpp"

#include "core/text.hpp"

#include <libxml/parser.h>
#include <libxml/xmlschemas.h>

#include <cstring>
#include <set>
#include <string>

namespace dossier {
namespace {

int line_at(std::string_view text, std::size_t offset) {
  int line = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') ++line;
  }
  return line;
}

// Returns the offset of the first invalid UTF-8 sequence, or npos.
std::size_t invalid_utf8_at(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t len = unicode::decode_utf8(s.substr(i)).len;
    if (len == 0) return i;
    i += len;
  }
  return std::string_view::npos;
}

// Cheap structural pre-checks that must hold before any XML parser sees the text.
void precheck(std::string_view text, const ReferralLimits& limits, std::vector<XmlIssue>& issues) {
  if (text.size() > limits.max_bytes) {
    issues.push_back({0, "referral.xml is larger than " + std::to_string(limits.max_bytes) + " bytes"});
    return;
  }
  if (text.size() >= 2 && ((text[0] == '\xFE' && text[1] == '\xFF') || (text[0] == '\xFF' && text[1] == '\xFE'))) {
    issues.push_back({1, "referral.xml must be UTF-8 (found a UTF-16 byte order mark)"});
    return;
  }
  if (const auto nul = text.find('\0'); nul != std::string_view::npos) {
    issues.push_back({line_at(text, nul), "NUL byte in referral.xml"});
    return;
  }
  if (const auto bad = invalid_utf8_at(text); bad != std::string_view::npos) {
    issues.push_back({line_at(text, bad), "invalid UTF-8 in referral.xml"});
    return;
  }
  for (const char* forbidden : {"<!DOCTYPE", "<!ENTITY", "<!doctype"}) {
    if (const auto pos = text.find(forbidden); pos != std::string_view::npos) {
      issues.push_back({line_at(text, pos),
                        "DTDs and entity declarations are not allowed in referral.xml"});
      return;
    }
  }
  if (const auto pos = text.find("&#0;"); pos != std::string_view::npos) {
    issues.push_back({line_at(text, pos), "character reference &#0; is not allowed"});
    return;
  }
  // The declared encoding, if any, must be UTF-8.
  if (text.substr(0, 5) == "<?xml") {
    const auto end = text.find("?>");
    const auto decl = text.substr(0, end == std::string_view::npos ? 0 : end);
    const auto enc = decl.find("encoding");
    if (enc != std::string_view::npos) {
      auto v = decl.substr(enc + 8);
      const auto q = v.find_first_of("\"'");
      if (q != std::string_view::npos) {
        v = v.substr(q + 1);
        const auto q2 = v.find_first_of("\"'");
        std::string name(v.substr(0, q2));
        for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        if (name != "utf-8" && name != "utf8") {
          issues.push_back({1, "referral.xml must be encoded as UTF-8, not " + std::string(v.substr(0, q2))});
        }
      }
    }
  }
}

constexpr std::size_t kMaxIssueBytes = 240;

struct IssueSink {
  std::vector<XmlIssue>* issues;
  std::size_t cap = 50;
};

void collect_error(void* ctx, const xmlError* err) {
  auto* sink = static_cast<IssueSink*>(ctx);
  if (err == nullptr || sink->issues->size() >= sink->cap) return;
  std::string msg = err->message != nullptr ? err->message : "XML error";
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  // libxml2 quotes the offending value; a hostile 100 KB attribute must not flood the report.
  if (msg.size() > kMaxIssueBytes) {
    std::size_t cut = kMaxIssueBytes;
    while (cut > 0 && (static_cast<unsigned char>(msg[cut]) & 0xC0) == 0x80) --cut;
    msg.resize(cut);
    msg += "...";
  }
  sink->issues->push_back({err->line, msg});
}

void structured_error(void* ctx, xmlErrorPtr err) { collect_error(ctx, err); }

// The first element nested deeper than `limit` (the root is at depth 1), or an empty handle.
// The recursion stops at the limit, so it is bounded whatever the document holds.
pugi::xml_node too_deep(pugi::xml_node node, std::size_t depth, std::size_t limit) {
  if (depth > limit) return node;
  for (auto child : node.children()) {
    if (child.type() != pugi::node_element) continue;
    if (auto deep = too_deep(child, depth + 1, limit)) return deep;
  }
  return {};
}

// Rules read values as their schema types them, not as written: an xs:boolean or xs:date has
// whiteSpace="collapse" (" true " is true), and xs:boolean also allows 1 and 0. The attributes
// of those types are taken from the schema itself, so a new boolean needs no code.
void canonicalise_typed_values(pugi::xml_document& doc, std::string_view xsd_text) {
  pugi::xml_document xsd;
  if (!xsd.load_buffer(xsd_text.data(), xsd_text.size())) return;
  std::set<std::string> booleans, collapsed;
  for (auto hit : xsd.select_nodes("//*[local-name()='attribute'][@name and @type]")) {
    const std::string type = hit.node().attribute("type").value();
    const std::string name = hit.node().attribute("name").value();
    if (type == "xs:boolean") booleans.insert(name);
    if (type == "xs:boolean" || type == "xs:date" || type == "xs:integer" || type == "xs:nonNegativeInteger") {
      collapsed.insert(name);
    }
  }
  for (auto hit : doc.select_nodes("//@*")) {
    pugi::xml_attribute a = hit.attribute();
    if (collapsed.count(a.name()) == 0) continue;
    std::string v = trim_space(a.value());
    if (booleans.count(a.name()) != 0) {
      if (v == "1") v = "true";
      if (v == "0") v = "false";
    }
    a.set_value(v.c_str());
  }
}

}  // namespace

Referral Referral::missing() { return Referral{}; }

Referral Referral::parse(std::string_view text, std::string_view xsd_text,
                         const ReferralLimits& limits) {
  Referral r;
  r.present_ = true;
  precheck(text, limits, r.issues_);
  if (!r.issues_.empty()) return r;

  // 1. Well-formedness and schema validity with libxml2: no network, no entity substitution,
  //    no DTD loading; its default depth limit applies (we check ours below).
  IssueSink sink{&r.issues_};
  xmlSetStructuredErrorFunc(&sink, structured_error);
  const int opts = XML_PARSE_NONET | XML_PARSE_NOWARNING;
  xmlDocPtr xdoc = xmlReadMemory(text.data(), static_cast<int>(text.size()), "referral.xml", "UTF-8", opts);
  if (xdoc == nullptr) {
    if (r.issues_.empty()) r.issues_.push_back({0, "referral.xml is not well-formed XML"});
    xmlSetStructuredErrorFunc(nullptr, nullptr);
    return r;
  }
  xmlSchemaParserCtxtPtr pctx = xmlSchemaNewMemParserCtxt(xsd_text.data(), static_cast<int>(xsd_text.size()));
  xmlSchemaPtr schema = pctx != nullptr ? xmlSchemaParse(pctx) : nullptr;
  if (schema == nullptr) {
    r.issues_.push_back({0, "internal: cannot load the schema (schemas/referral.xsd)"});
  } else {
    xmlSchemaValidCtxtPtr vctx = xmlSchemaNewValidCtxt(schema);
    xmlSchemaSetValidStructuredErrors(vctx, structured_error, &sink);
    xmlSchemaValidateDoc(vctx, xdoc);
    xmlSchemaFreeValidCtxt(vctx);
    xmlSchemaFree(schema);
  }
  if (pctx != nullptr) xmlSchemaFreeParserCtxt(pctx);
  xmlFreeDoc(xdoc);
  xmlSetStructuredErrorFunc(nullptr, nullptr);

  // 2. The model is read with pugixml (a well-formed document by now).
  auto doc = std::make_shared<pugi::xml_document>();
  const auto parsed = doc->load_buffer(text.data(), text.size(), pugi::parse_default | pugi::parse_ws_pcdata_single);
  if (!parsed) {
    r.issues_.push_back({line_at(text, static_cast<std::size_t>(parsed.offset)), parsed.description()});
    return r;
  }
  const auto root = doc->document_element();
  if (std::string_view(root.name()) != "referral") {
    if (r.issues_.empty()) r.issues_.push_back({1, "the root element must be <referral>"});
    return r;
  }
  if (const auto deep = too_deep(root, 1, limits.max_depth)) {
    r.issues_.push_back({line_at(text, static_cast<std::size_t>(deep.offset_debug())),
                         "elements nested deeper than " + std::to_string(limits.max_depth)});
    return r;
  }
  for (auto node : doc->select_nodes("//@*")) {
    if (std::strlen(node.attribute().value()) > limits.max_attribute_bytes) {
      r.issues_.push_back({line_at(text, static_cast<std::size_t>(node.parent().offset_debug())),
                           std::string("attribute '") + node.attribute().name() + "' is longer than " +
                               std::to_string(limits.max_attribute_bytes) + " bytes"});
      return r;
    }
  }
  canonicalise_typed_values(*doc, xsd_text);
  for (auto d : root.child("documents").children("document")) {
    r.documents_.push_back({d.attribute("path").value(), d.attribute("date").value(),
                            d.attribute("issuer").value(),
                            line_at(text, static_cast<std::size_t>(d.offset_debug()))});
  }
  r.doc_ = std::move(doc);
  r.usable_ = true;
  return r;
}

pugi::xml_node Referral::root() const {
  return doc_ ? doc_->document_element() : pugi::xml_node();
}

std::string Referral::profile_hint() const { return root().attribute("profile").value(); }

std::vector<XmlIssue> find_bsn_like_numbers(std::string_view text) {
  std::vector<XmlIssue> found;
  std::size_t i = 0;
  int line = 1;
  while (i < text.size()) {
    if (text[i] == '\n') {
      ++line;
      ++i;
      continue;
    }
    if (std::isdigit(static_cast<unsigned char>(text[i])) == 0) {
      ++i;
      continue;
    }
    std::size_t j = i;
    std::string digits;
    // Digits, optionally grouped with dots or spaces (123.456.789 / 123 45 6789).
    while (j < text.size() && (std::isdigit(static_cast<unsigned char>(text[j])) != 0 ||
                               ((text[j] == '.' || text[j] == ' ') && j + 1 < text.size() &&
                                std::isdigit(static_cast<unsigned char>(text[j + 1])) != 0 && !digits.empty()))) {
      if (std::isdigit(static_cast<unsigned char>(text[j])) != 0) digits += text[j];
      ++j;
    }
    if (digits.size() == 9) {
      int sum = 0;
      for (int k = 0; k < 8; ++k) sum += (9 - k) * (digits[static_cast<std::size_t>(k)] - '0');
      sum -= digits[8] - '0';
      if (sum % 11 == 0 && digits != "000000000") found.push_back({line, "BSN-like number"});
    }
    i = j;
  }
  return found;
}

}  // namespace dossier

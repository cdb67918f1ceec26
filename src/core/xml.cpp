#include "core/xml.hpp"

#include <libxml/parser.h>
#include <libxml/xmlschemas.h>

#include <cctype>
#include <cstring>

#include "core/text.hpp"
#include "core/unicode.hpp"

namespace dossier {
namespace {

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
void precheck(std::string_view text, const std::string& name, const XmlLimits& limits, std::vector<XmlIssue>& issues) {
  if (text.size() > limits.max_bytes) {
    issues.push_back({0, name + " is larger than " + std::to_string(limits.max_bytes) + " bytes"});
    return;
  }
  if (text.size() >= 2 && ((text[0] == '\xFE' && text[1] == '\xFF') || (text[0] == '\xFF' && text[1] == '\xFE'))) {
    issues.push_back({1, name + " must be UTF-8 (found a UTF-16 byte order mark)"});
    return;
  }
  if (const auto nul = text.find('\0'); nul != std::string_view::npos) {
    issues.push_back({line_at(text, nul), "NUL byte in " + name});
    return;
  }
  if (const auto bad = invalid_utf8_at(text); bad != std::string_view::npos) {
    issues.push_back({line_at(text, bad), "invalid UTF-8 in " + name});
    return;
  }
  for (const char* forbidden : {"<!DOCTYPE", "<!ENTITY", "<!doctype"}) {
    if (const auto pos = text.find(forbidden); pos != std::string_view::npos) {
      issues.push_back({line_at(text, pos), "DTDs and entity declarations are not allowed in " + name});
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
        std::string enc_name(v.substr(0, q2));
        for (auto& ch : enc_name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        if (enc_name != "utf-8" && enc_name != "utf8") {
          issues.push_back({1, name + " must be encoded as UTF-8, not " + std::string(v.substr(0, q2))});
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
void ignore_error(void*, xmlErrorPtr) {}

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
void canonicalise_typed_values(pugi::xml_document& doc, const XmlSchema& schema) {
  for (auto hit : doc.select_nodes("//@*")) {
    pugi::xml_attribute a = hit.attribute();
    if (schema.collapsed().count(a.name()) == 0) continue;
    std::string v = trim_space(a.value());
    if (schema.booleans().count(a.name()) != 0) {
      if (v == "1") v = "true";
      if (v == "0") v = "false";
    }
    a.set_value(v.c_str());
  }
}

}  // namespace

std::string xml_escape(std::string_view s, bool attribute) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"':
        if (attribute) {
          out += "&quot;";
          break;
        }
        out += c;
        break;
      case '\r': out += "&#13;"; break;
      case '\t':
        if (attribute) {
          out += "&#9;";
          break;
        }
        out += c;
        break;
      case '\n':
        if (attribute) {
          out += "&#10;";
          break;
        }
        out += c;
        break;
      default: out += c;
    }
  }
  return out;
}

int line_at(std::string_view text, std::size_t offset) {
  int line = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') ++line;
  }
  return line;
}

std::shared_ptr<const XmlSchema> XmlSchema::compile(std::string_view xsd_text) {
  std::shared_ptr<XmlSchema> out(new XmlSchema());
  // A broken schema is ours, not the user's: its messages are not theirs to read.
  xmlSetStructuredErrorFunc(nullptr, ignore_error);
  xmlSchemaParserCtxtPtr pctx = xmlSchemaNewMemParserCtxt(xsd_text.data(), static_cast<int>(xsd_text.size()));
  if (pctx != nullptr) {
    xmlSchemaSetParserStructuredErrors(pctx, ignore_error, nullptr);
    out->schema_ = xmlSchemaParse(pctx);
    xmlSchemaFreeParserCtxt(pctx);
  }
  xmlSetStructuredErrorFunc(nullptr, nullptr);
  if (out->schema_ == nullptr) return nullptr;
  pugi::xml_document xsd;
  if (xsd.load_buffer(xsd_text.data(), xsd_text.size())) {
    for (auto hit : xsd.select_nodes("//*[local-name()='attribute'][@name and @type]")) {
      const std::string type = hit.node().attribute("type").value();
      const std::string name = hit.node().attribute("name").value();
      if (type == "xs:boolean") out->booleans_.insert(name);
      if (type == "xs:boolean" || type == "xs:date" || type == "xs:integer" || type == "xs:nonNegativeInteger" ||
          type == "xs:dateTime") {
        out->collapsed_.insert(name);
      }
    }
  }
  return out;
}

XmlSchema::~XmlSchema() {
  if (schema_ != nullptr) xmlSchemaFree(static_cast<xmlSchemaPtr>(schema_));
}

ValidatedXml read_validated_xml(std::string_view text, std::string_view file_name, std::string_view root_name,
                                const XmlSchema* schema, const XmlLimits& limits) {
  ValidatedXml r;
  const std::string name(file_name);
  precheck(text, name, limits, r.issues);
  if (!r.issues.empty()) return r;

  // 1. Well-formedness and schema validity with libxml2: no network, no entity substitution,
  //    no DTD loading; its default depth limit applies (we check ours below).
  IssueSink sink{&r.issues};
  xmlSetStructuredErrorFunc(&sink, structured_error);
  const int opts = XML_PARSE_NONET | XML_PARSE_NOWARNING;
  xmlDocPtr xdoc = xmlReadMemory(text.data(), static_cast<int>(text.size()), name.c_str(), "UTF-8", opts);
  if (xdoc == nullptr) {
    if (r.issues.empty()) r.issues.push_back({0, name + " is not well-formed XML"});
    xmlSetStructuredErrorFunc(nullptr, nullptr);
    return r;
  }
  if (schema == nullptr) {
    r.issues.push_back({0, "internal: cannot load the schema for " + name});
  } else {
    xmlSchemaValidCtxtPtr vctx = xmlSchemaNewValidCtxt(static_cast<xmlSchemaPtr>(schema->handle()));
    xmlSchemaSetValidStructuredErrors(vctx, structured_error, &sink);
    xmlSchemaValidateDoc(vctx, xdoc);
    xmlSchemaFreeValidCtxt(vctx);
  }
  xmlFreeDoc(xdoc);
  xmlSetStructuredErrorFunc(nullptr, nullptr);

  // 2. The model is read with pugixml (a well-formed document by now).
  auto doc = std::make_shared<pugi::xml_document>();
  const auto parsed = doc->load_buffer(text.data(), text.size(), pugi::parse_default | pugi::parse_ws_pcdata_single);
  if (!parsed) {
    r.issues.push_back({line_at(text, static_cast<std::size_t>(parsed.offset)), parsed.description()});
    return r;
  }
  const auto root = doc->document_element();
  if (std::string_view(root.name()) != root_name) {
    if (r.issues.empty()) r.issues.push_back({1, "the root element must be <" + std::string(root_name) + ">"});
    return r;
  }
  if (const auto deep = too_deep(root, 1, limits.max_depth)) {
    r.issues.push_back({line_at(text, static_cast<std::size_t>(deep.offset_debug())),
                        "elements nested deeper than " + std::to_string(limits.max_depth)});
    return r;
  }
  for (auto node : doc->select_nodes("//@*")) {
    if (std::strlen(node.attribute().value()) > limits.max_attribute_bytes) {
      r.issues.push_back({line_at(text, static_cast<std::size_t>(node.parent().offset_debug())),
                          std::string("attribute '") + node.attribute().name() + "' is longer than " +
                              std::to_string(limits.max_attribute_bytes) + " bytes"});
      return r;
    }
  }
  if (schema != nullptr) canonicalise_typed_values(*doc, *schema);
  r.doc = std::move(doc);
  return r;
}

}  // namespace dossier

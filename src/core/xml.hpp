// Strict reading of the XML files people write for dossier (referral.xml, decision.xml), shared
// so that every one of them gets the same hardening (docs/threat-model.md, "XML"):
//
//   1. before any XML parser sees the text: size limit, UTF-8 only (no UTF-16, no invalid
//      sequences, no NUL, no &#0;), no DTD or entity declaration;
//   2. libxml2 checks well-formedness and validity against the schema, with no network, no
//      entity substitution and no DTD loading;
//   3. pugixml reads the model, with limits on nesting depth and attribute length, and values of
//      schema types that collapse white space (xs:boolean, xs:date, numbers) canonicalised.
//
// Every problem becomes an XmlIssue with a line number; nothing throws.
#pragma once

#include <cstddef>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <pugixml.hpp>

namespace dossier {

struct XmlLimits {
  std::size_t max_bytes = 1u << 20;  // 1 MiB
  std::size_t max_depth = 32;        // element nesting
  std::size_t max_attribute_bytes = 8192;
};

struct XmlIssue {
  int line = 0;  // 0 when unknown
  std::string message;  // technical, English (libxml2's words or ours)
};

// A schema compiled once (schemas/*.xsd), for reading many files with it (dossier stats reads
// thousands). Immutable after compile(): one schema may validate on several threads at once.
class XmlSchema {
 public:
  // nullptr when the text is not a schema libxml2 can compile.
  static std::shared_ptr<const XmlSchema> compile(std::string_view xsd_text);
  ~XmlSchema();
  XmlSchema(const XmlSchema&) = delete;
  XmlSchema& operator=(const XmlSchema&) = delete;

  // Attribute names the schema types as xs:boolean, and as any type that collapses white space.
  const std::set<std::string>& booleans() const noexcept { return booleans_; }
  const std::set<std::string>& collapsed() const noexcept { return collapsed_; }
  void* handle() const noexcept { return schema_; }  // xmlSchemaPtr

 private:
  XmlSchema() = default;
  void* schema_ = nullptr;
  std::set<std::string> booleans_;
  std::set<std::string> collapsed_;
};

struct ValidatedXml {
  std::vector<XmlIssue> issues;
  // The document, when rules can read it: well-formed, the right root, within the limits (it
  // may still have schema issues). nullptr otherwise.
  std::shared_ptr<pugi::xml_document> doc;
};

// `file_name` ("referral.xml") words the messages; `root` is the element the file must have.
// `schema` null: an internal issue ("cannot load the schema"), the document is still read.
ValidatedXml read_validated_xml(std::string_view text, std::string_view file_name, std::string_view root,
                                const XmlSchema* schema, const XmlLimits& limits = {});

// `s` escaped for XML text (`attribute` false) or a double-quoted attribute value (true: also
// '"', and tab, line feed and carriage return as character references, so that they survive
// attribute-value normalisation). The one escape every XML writer of dossier uses.
std::string xml_escape(std::string_view s, bool attribute);

// The 1-based line of byte `offset` in `text`.
int line_at(std::string_view text, std::size_t offset);

}  // namespace dossier

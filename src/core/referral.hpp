// referral.xml: the facts of a referral that are not documents (schemas/referral.xsd).
//
// Parsing is strict because pugixml alone is not: before pugixml reads the text, dossier
// rejects DTDs and entity declarations, invalid UTF-8, NUL characters and anything over the
// limits below, then validates the text against the XSD with libxml2 (no network, no entity
// substitution). Every problem becomes an XmlIssue with a line number.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <pugixml.hpp>

#include "core/xml.hpp"

namespace dossier {

using ReferralLimits = XmlLimits;

struct DeclaredDocument {
  std::string path;
  std::string date;    // ISO yyyy-mm-dd or ""
  std::string issuer;
  int line = 0;
};

class Referral {
 public:
  // Never fails: problems are issues. `usable()` says whether rules can read the facts.
  // `xsd_text`: the text of schemas/referral.xsd (app::read_referral_schema).
  static Referral parse(std::string_view text, std::string_view xsd_text,
                        const ReferralLimits& limits = {});
  // The same with a schema compiled once (XmlSchema::compile), for reading many files.
  static Referral parse(std::string_view text, const XmlSchema* schema, const ReferralLimits& limits = {});
  static Referral missing();

  bool present() const noexcept { return present_; }
  bool usable() const noexcept { return usable_; }
  bool valid() const noexcept { return present_ && usable_ && issues_.empty(); }
  const std::vector<XmlIssue>& issues() const noexcept { return issues_; }
  // The root <referral> element; an empty handle when not usable.
  pugi::xml_node root() const;
  const std::vector<DeclaredDocument>& documents() const noexcept { return documents_; }
  std::string profile_hint() const;  // referral/@profile or ""

 private:
  bool present_ = false;
  bool usable_ = false;
  std::vector<XmlIssue> issues_;
  std::shared_ptr<pugi::xml_document> doc_;
  std::vector<DeclaredDocument> documents_;
};

// Numbers of 9 digits that pass the BSN "elfproef", with the line they are on.
std::vector<XmlIssue> find_bsn_like_numbers(std::string_view text);

}  // namespace dossier

#include "core/referral.hpp"
#include "core/unicode.hpp"

#include "core/text.hpp"

#include <string>

namespace dossier {

Referral Referral::missing() { return Referral{}; }

Referral Referral::parse(std::string_view text, std::string_view xsd_text, const ReferralLimits& limits) {
  const auto schema = XmlSchema::compile(xsd_text);
  return parse(text, schema.get(), limits);
}

Referral Referral::parse(std::string_view text, const XmlSchema* schema, const ReferralLimits& limits) {
  Referral r;
  r.present_ = true;
  auto read = read_validated_xml(text, "referral.xml", "referral", schema, limits);
  r.issues_ = std::move(read.issues);
  if (!read.doc) return r;
  const auto root = read.doc->document_element();
  for (auto d : root.child("documents").children("document")) {
    r.documents_.push_back({d.attribute("path").value(), d.attribute("date").value(),
                            d.attribute("issuer").value(),
                            line_at(text, static_cast<std::size_t>(d.offset_debug()))});
  }
  r.doc_ = std::move(read.doc);
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

// The referral facts as a form (issue 10, docs/web.md "The referral form"), pure: text in, text
// and JSON out; web/referral_routes.cpp reads and writes the files.
//
// - derive_form: the form, derived from schemas/referral.xsd's structure (never written out by
//   hand): groups for elements with attributes or children, fields for attributes, text content
//   and simple elements, each with its occurrences, type and facets, and its words from the
//   catalogue (keys web.form.<path>, web.form.help.<path>, web.form.<path>=<value>), the schema
//   name where a word is missing, so a changed schema never breaks the page.
// - read_values / write_values: referral.xml's values in the form's shape, and the new text of
//   a referral.xml with changed values. The existing document is changed, not regenerated:
//   comments, layout and what the form leaves out (<documents>) stay as they were.
// - find_issues: what `dossier check` says about referral.xml (Referral::parse and the BSN rule),
//   each tied to the field it concerns where the message and its line say which.
//
// Keys. A field or group of a form has a `path` (schema position: "referral/client/@pseudonym",
// "referral/situation/current-care/#text"); one occurrence of it in a document has a `key`, the
// path with the index of each repeatable element ("referral/problems/problem[1]/@area").
//
// Values. A group's values are an object: "@name" for an attribute, "#text" for its text content,
// the element's name for a child (a string for a simple element, an object for a group; an array
// of them when the element may repeat). Every value is a string; "" is "not given".
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/messages.hpp"
#include "core/result.hpp"

namespace dossier::web {

using FormJson = nlohmann::ordered_json;

// The paths the form leaves out: the declared documents, which have their own place in the page
// (and are kept on save).
inline const std::vector<std::string> kFormSkips = {"referral/documents"};

// The form of the schema's first top-level element. Errc::malformed when the XSD is not XML or
// declares no element.
Result<FormJson> derive_form(std::string_view xsd_text, const Catalogue& words,
                             const std::vector<std::string>& skip = kFormSkips);

// The values of referral.xml `text`, in the form's shape (booleans, dates and numbers as the
// schema reads them: " 1 " is "true"). Errc::malformed when `text` is not XML whose root is the
// form's element.
Result<FormJson> read_values(const FormJson& form, std::string_view text);

struct Rewritten {
  std::string text;        // the new referral.xml (`text` itself, byte for byte, when nothing changed)
  bool changed = false;
  FormJson issues = FormJson::array();  // values that cannot be written at all (a control character)
};

// `text` with the values of `values` (whole: every field of the form) put in: attributes and
// text set where they differ, optional elements left empty removed, missing ones added in the
// schema's order with the document's indentation. Errc::usage when `values` does not have the
// form's shape (a string where a group belongs, ...), naming the key; Errc::malformed as
// read_values. `words` says the issues in its language.
Result<Rewritten> write_values(const FormJson& form, std::string_view text, const FormJson& values,
                               const Catalogue& words);

// The problems of referral.xml `text`: Referral::parse's issues (severity "error") and 9-digit
// numbers that pass the BSN check ("warning"), each {field, message, detail, line, severity}:
// field is the key of the field or group concerned, or null; message is in the catalogue's
// language where the form knows the kind of problem (web.form.issue.*), libxml2's English
// otherwise; detail is the English original.
FormJson find_issues(const FormJson& form, std::string_view text, std::string_view xsd_text, const Catalogue& words);

// Whether `issues` holds an error (warnings do not stop a save).
bool has_errors(const FormJson& issues);

}  // namespace dossier::web

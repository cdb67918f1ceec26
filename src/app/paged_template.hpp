// Pages from templates: a mustache template in templates/ renders block lines ("@title",
// "@h", "@p", "@rule", "@row WIDTHS [strong|open]" with "@cell" lines) that become the blocks
// io::render_paged_pdf draws. Shared by the dossier's cover sheet and notices (app/assemble)
// and the decision letter (app/decision_letter). Every value a template shows goes through
// shown() and the double-brace tags, which escape it (HTML and pango markup alike).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <kainjow/mustache.hpp>

#include "core/messages.hpp"
#include "core/result.hpp"
#include "io/paged_pdf.hpp"

namespace dossier::app {

// The longest value shown in one place by default (bytes of UTF-8); longer is cut with "…".
inline constexpr std::size_t kMaxValueBytes = 2000;

// A value as it may be shown: whitespace runs (line breaks too) become one space, code points
// that hide or reorder text (controls, bidirectional overrides) and bytes that are not UTF-8
// are written out visibly ("<U+202E>", "<0xFF>"), and it is cut at `max_bytes`. The template
// engine escapes the rest.
std::string shown(std::string_view raw, std::size_t max_bytes = kMaxValueBytes);

// The catalogue's messages whose keys start with `prefix`, for a template as its words t.*
// (the rest of the key, a dash becoming an underscore: "assemble.col-type" is t.col_type).
kainjow::mustache::data template_words(const Catalogue& m, std::string_view prefix);

// The text of the data file `path` (relative to data_dir, e.g. "templates/assembly/cover.mustache")
// rendered with `context`. Errc::io when it cannot be read, Errc::malformed when it is broken.
Result<std::string> render_template(const std::string& data_dir, const std::string& path,
                                    const kainjow::mustache::data& context);

// Block lines as a paged document; `name` words the errors. Errc::malformed for a line that is
// no block.
Result<io::PagedDocument> parse_blocks(const std::string& text, const std::string& name);

// render_template, then parse_blocks: the pages of `path`, titled `title`, with the footer's
// "page N of M" from the catalogue's key `page_of_key`.
Result<io::PagedDocument> paged_document(const std::string& data_dir, const std::string& path,
                                         const kainjow::mustache::data& context, const std::string& title,
                                         const Catalogue& m, const std::string& page_of_key = "assemble.page-of");

}  // namespace dossier::app

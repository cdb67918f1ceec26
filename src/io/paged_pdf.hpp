// Pages of text as a PDF, drawn with cairo from text pango lays out: the dossier's cover sheet
// and its notices. Real fonts (DejaVu Sans), wrapping (also inside very long words), page
// breaks, long cells cut with an ellipsis, and page numbers. The text is pango markup that the
// caller made safe (every value escaped, no control characters; see app/assemble.cpp).
#pragma once

#include <string>
#include <vector>

#include "core/result.hpp"

namespace dossier::io {

struct PagedBlock {
  enum class Kind {
    title,      // large, bold
    heading,    // bold, with space above; kept on a page with what follows it
    paragraph,  // wraps; a long one runs on to the next page line by line
    row,        // cells side by side (widths), each wrapping in its column
    rule,       // a thin line across
  };
  Kind kind = Kind::paragraph;
  std::vector<std::string> cells;  // pango markup; one for every kind but row and rule
  std::vector<double> widths;      // row: each column's share of the text width (sum 1)
  bool strong = false;             // row: a header row (bold, shaded)
  bool open = false;               // row: no line under it (the next row continues it)
};

struct PagedDocument {
  std::vector<PagedBlock> blocks;
  std::string title;        // document information, and the left of each page's footer
  std::string page_of;      // the footer's right, "{page}" and "{pages}" replaced: "pagina {page} van {pages}"
  std::string language;     // not used by cairo 1.16; kept for the caller's records
};

// Lines a single cell shows at most; more is cut with an ellipsis.
inline constexpr int kMaxCellLines = 40;
// A4 portrait, in points.
inline constexpr double kPageWidth = 595.276;
inline constexpr double kPageHeight = 841.89;
inline constexpr double kMargin = 50.0;

struct PagedPdf {
  std::string pdf;  // the PDF's bytes
  int pages = 0;
};

// Errc::malformed when pango rejects markup (a bug of the caller: the text is escaped),
// Errc::io when cairo cannot write.
Result<PagedPdf> render_paged_pdf(const PagedDocument& document);

// The number of pages render_paged_pdf would make, without drawing them (about half its time:
// for a caller whose text depends on its own page count, like the cover sheet's table).
Result<int> count_paged_pages(const PagedDocument& document);

// Lays out and draws one line and throws it away: fontconfig's start and the font's first load
// (about 5 ms, once per process) then happen in the caller's time, e.g. on a thread while the
// package is checked, not when the first real page is laid out.
void warm_up_fonts();

}  // namespace dossier::io

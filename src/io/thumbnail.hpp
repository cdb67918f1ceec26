// The picture of a document's first page in the review report (docs/assembly.md): a small PNG,
// kThumbnailWidth pixels wide (narrower for a page so long that it would be taller than
// kThumbnailMaxHeight). Made by the check, in its sandboxed inspection, where the page is open
// already: from the OCR render of a scanned first page (io/pdf_ocr.cpp), or drawn by Poppler
// from a first page with a text layer (io/pdf_inspect.cpp); the assembly helper draws only what
// the check did not (io/pdf_assemble.cpp). Only for the sandboxed helper process.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace poppler {
class page;
}

namespace dossier::io {

inline constexpr unsigned kThumbnailWidth = 180;      // pixels
inline constexpr unsigned kThumbnailMaxHeight = 400;  // pixels

// A PNG of an 8-bit grey image (0 black, 255 white; rows `stride` bytes apart) scaled down to
// fit width x max_height, each pixel the mean of the pixels it covers (cairo's GOOD filter).
// Empty when cairo cannot make it.
std::string grey_thumbnail_png(const unsigned char* grey, int width, int height, int stride,
                               unsigned max_width = kThumbnailWidth, unsigned max_height = kThumbnailMaxHeight);

// A PNG of `page` drawn by Poppler (colours kept, antialiased) to fit max_width x max_height.
// Empty when the page has no usable size or Poppler cannot draw it.
std::string page_thumbnail_png(poppler::page& page, unsigned max_width = kThumbnailWidth,
                               unsigned max_height = kThumbnailMaxHeight);

// PNGs of the first `max_pages` pages of a PDF dossier made itself (the cover sheet of a preview,
// docs/web.md), each to fit max_width x max_height. Never for a document from a package: those
// are opened only in the sandboxed inspection. Empty when Poppler cannot read it.
std::vector<std::string> own_pdf_pages_png(std::string_view pdf, unsigned max_pages, unsigned max_width,
                                           unsigned max_height);

}  // namespace dossier::io

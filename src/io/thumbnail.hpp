// The picture of a document's first page in the review report (docs/assembly.md): a small PNG,
// kThumbnailWidth pixels wide (narrower for a page so long that it would be taller than
// kThumbnailMaxHeight). Made where the page is already drawn: from the check's OCR render of a
// scanned first page (io/pdf_ocr.cpp), or by the assembly helper from the PDF (io/pdf_assemble).
#pragma once

#include <string>

namespace dossier::io {

inline constexpr unsigned kThumbnailWidth = 180;      // pixels
inline constexpr unsigned kThumbnailMaxHeight = 400;  // pixels

// A PNG of an 8-bit grey image (0 black, 255 white; rows `stride` bytes apart) scaled down to
// fit width x max_height, each pixel the mean of the pixels it covers (cairo's GOOD filter).
// Empty when cairo cannot make it.
std::string grey_thumbnail_png(const unsigned char* grey, int width, int height, int stride,
                               unsigned max_width = kThumbnailWidth, unsigned max_height = kThumbnailMaxHeight);

}  // namespace dossier::io

// Internal to the synthetic PDF generator: renders one page of a "scanned" document as a
// grayscale raster with cairo (DejaVu Sans via the toy font API). See PdfSpec::scan.
#pragma once

#include <string>

#include "mkpdf.hpp"

namespace dossier::mkpdf::detail {

struct GrayImage {
  int width = 0;       // pixels
  int height = 0;      // pixels
  std::string pixels;  // width * height bytes, rows top to bottom, 0 = black, 255 = white
};

// Page `page` (1-based) of `pages`: the title and lines of the spec, wrapped to an A4 page
// at spec.scan_dpi, rotated by spec.scan_rotation_degrees around the page centre, with
// speckle noise and a grey paper tone when spec.scan_noise_seed != 0. Deterministic.
GrayImage render_scan_page(const PdfSpec& spec, int page, int pages);

// The image turned a quarter clockwise (width and height swap).
GrayImage turn_clockwise(const GrayImage& img);

}  // namespace dossier::mkpdf::detail

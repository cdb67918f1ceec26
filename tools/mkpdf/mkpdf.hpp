// Synthetic PDF generator for tests. It never reads personal data: everything in
// the output comes from the spec. The output is deterministic (same spec, same bytes).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace dossier::mkpdf {

struct PdfSpec {
  std::string title;                       // document title (Info /Title) and first text line
  std::vector<std::string> lines;          // UTF-8 text lines, drawn on every page
  int pages = 1;                           // number of pages (>= 1)
  bool no_text = false;                    // pages carry only a small grey image, no text at all
  // A scanned document: every page is one grayscale image (no text operators, no fonts) on
  // which title, lines and "Pagina i van n" are drawn with cairo in DejaVu Sans (package
  // fonts-dejavu-core), wrapped to the page. Deterministic: same spec, same bytes.
  bool scan = false;
  double scan_rotation_degrees = 0;        // -45..45; positive turns the text clockwise
  unsigned scan_noise_seed = 0;            // 0 = clean white page; else grey paper, grain, speckles
  int scan_dpi = 200;                      // 50..600
  int scan_turn = 0;                       // 0, 90, 180, 270: the sheet went through the scanner
                                           // turned clockwise by this much (90/270: a landscape page)
  bool javascript = false;                 // catalog /OpenAction << /S /JavaScript /JS ... >>
  bool embedded_file = false;              // catalog /Names /EmbeddedFiles with a small text file
  bool object_streams = false;             // rewrite with qpdf so objects sit in compressed object streams
  std::optional<std::string> user_password;   // encrypt (AES-128, R4); needs this to open
  std::optional<std::string> owner_password;  // encrypt; alone: opens without password, restricted
  bool aes256 = false;                     // encrypt with AES-256 (R6) instead of AES-128 (R4)
  std::optional<std::size_t> truncate;     // keep only the first N bytes of the result
};

// Builds the PDF. Throws std::runtime_error (or a qpdf exception) on a bad spec.
// With aes256 it briefly replaces qpdf's global random data provider by a fixed one
// (deterministic salts): do not call it concurrently with other qpdf writers.
std::string make_pdf(const PdfSpec& spec);

// UTF-8 -> WinAnsiEncoding (Latin-1 plus the Windows-1252 extras); unknown -> '?'.
std::string to_winansi(const std::string& utf8);

// A PDF literal string "(...)" with ( ) \ escaped and bytes outside 32..126 as \ooo.
std::string pdf_literal(const std::string& winansi);

}  // namespace dossier::mkpdf

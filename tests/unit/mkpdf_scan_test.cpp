// The synthetic generator's scan mode (tools/mkpdf): image-only pages, deterministic noise.
#include <gtest/gtest.h>

#include <cstdint>
#include <span>
#include <stdexcept>

#include "io/pdf_inspect.hpp"
#include "mkpdf.hpp"

namespace dossier {
namespace {

mkpdf::PdfSpec scan_spec() {
  mkpdf::PdfSpec spec;
  spec.title = "Verslag ambulante begeleiding";
  spec.lines = {"Wijkteam Regio Noord, 14 mei 2026.", "Cliënt CL-2026-0311 wordt sinds maart begeleid."};
  spec.pages = 2;
  spec.scan = true;
  spec.scan_rotation_degrees = -1.2;
  spec.scan_noise_seed = 11;
  spec.scan_dpi = 100;
  return spec;
}

io::PdfInfo inspect(const std::string& pdf, const io::PdfLimits& limits = {}) {
  auto info = io::inspect_pdf(std::span(reinterpret_cast<const std::uint8_t*>(pdf.data()), pdf.size()), limits);
  EXPECT_TRUE(info);
  return info ? *info : io::PdfInfo{};
}

TEST(MkpdfScan, ImageOnlyPagesWithoutFonts) {
  const auto pdf = mkpdf::make_pdf(scan_spec());
  io::PdfLimits text_layer_only;
  text_layer_only.max_ocr_pages = 0;  // no text recognition: look at the text layer alone
  const auto info = inspect(pdf, text_layer_only);
  EXPECT_EQ(info.outcome, io::PdfInfo::Outcome::ok) << info.detail;
  EXPECT_EQ(info.pages, 2);
  EXPECT_FALSE(info.has_text) << info.text;
  EXPECT_EQ(info.pages_read, 0);  // neither page has a usable text layer
  // With text recognition both pages are read (what is read is tested in ocr_test.cpp).
  const auto ocr = inspect(pdf);
  EXPECT_EQ(ocr.text_source, io::TextSource::ocr);
  EXPECT_EQ(ocr.pages_ocr, 2);
  EXPECT_EQ(pdf.find("/Font"), std::string::npos);
  // Each page's content only paints its image (the image data is binary, so look no further).
  EXPECT_NE(pdf.find("stream\nq 595 0 0 842 0 0 cm /Im1 Do Q\nendstream"), std::string::npos);
  EXPECT_NE(pdf.find("/Subtype /Image"), std::string::npos);
}

TEST(MkpdfScan, DeterministicPerSeed) {
  auto spec = scan_spec();
  const auto a = mkpdf::make_pdf(spec);
  EXPECT_EQ(a, mkpdf::make_pdf(spec));
  spec.scan_noise_seed = 12;
  EXPECT_NE(a, mkpdf::make_pdf(spec));
  spec.scan_noise_seed = 0;  // clean page
  spec.scan_rotation_degrees = 0;
  EXPECT_EQ(inspect(mkpdf::make_pdf(spec)).outcome, io::PdfInfo::Outcome::ok);
}

TEST(MkpdfScan, TurnedSheetIsALandscapePageWithTheImageTurned) {
  auto spec = scan_spec();
  spec.scan_noise_seed = 0;
  spec.scan_turn = 90;
  const auto sideways = mkpdf::make_pdf(spec);
  EXPECT_NE(sideways.find("/MediaBox [0 0 842 595]"), std::string::npos);
  EXPECT_NE(sideways.find("stream\nq 842 0 0 595 0 0 cm /Im1 Do Q\nendstream"), std::string::npos);
  // 100 dpi A4 (595 x 842 pt): 826 x 1169 pixels upright, 1169 x 826 turned.
  EXPECT_NE(sideways.find("/Width 1169 /Height 826"), std::string::npos);
  spec.scan_turn = 180;
  const auto upside_down = mkpdf::make_pdf(spec);
  EXPECT_NE(upside_down.find("/MediaBox [0 0 595 842]"), std::string::npos);
  EXPECT_NE(upside_down.find("/Width 826 /Height 1169"), std::string::npos);
  spec.scan_turn = 0;
  EXPECT_NE(mkpdf::make_pdf(spec), upside_down) << "the pixels are turned, not only the page";
}

TEST(MkpdfScan, TextModeStillHasText) {
  auto spec = scan_spec();
  spec.scan = false;
  const auto info = inspect(mkpdf::make_pdf(spec));
  EXPECT_TRUE(info.has_text);
  EXPECT_NE(info.text.find("CL-2026-0311"), std::string::npos);
}

TEST(MkpdfScan, RejectsBadSpec) {
  auto spec = scan_spec();
  spec.scan_dpi = 20;
  EXPECT_THROW(mkpdf::make_pdf(spec), std::runtime_error);
  spec = scan_spec();
  spec.scan_rotation_degrees = 90;
  EXPECT_THROW(mkpdf::make_pdf(spec), std::runtime_error);
  spec = scan_spec();
  spec.scan_turn = 45;
  EXPECT_THROW(mkpdf::make_pdf(spec), std::runtime_error);
  spec = scan_spec();
  spec.no_text = true;
  EXPECT_THROW(mkpdf::make_pdf(spec), std::runtime_error);
}

}  // namespace
}  // namespace dossier

// Text recognition (OCR) of pages without a text layer, inside the inspect_pdf sandbox:
// scans made by tools/mkpdf (scan mode), and hostile pages and images built here by hand.
#include <gtest/gtest.h>
#include <zlib.h>

// qpdf 11: use std::shared_ptr, no PointerHolder (silences its transition #warning).
#ifndef POINTERHOLDER_TRANSITION
#define POINTERHOLDER_TRANSITION 4
#endif
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFPageDocumentHelper.hh>
#include <qpdf/QPDFWriter.hh>

#include <algorithm>
#include <chrono>
#include <functional>
#include <iostream>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/text.hpp"
#include "core/evidence.hpp"
#include "io/pdf_inspect.hpp"
#include "io/thumbnail.hpp"
#include "io/pdf_ocr.hpp"
#include "mkpdf.hpp"
#include "test_support.hpp"

namespace dossier::io {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using Outcome = PdfInfo::Outcome;
using mkpdf::PdfSpec;

std::span<const std::uint8_t> as_bytes(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

PdfInfo inspect(const std::string& pdf, const PdfLimits& limits = {},
                const std::function<void(int, int)>& progress = {}) {
  auto r = inspect_pdf(as_bytes(pdf), "scan.pdf", limits, progress);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
  return r ? *r : PdfInfo{};
}

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// Whole words after normalisation, as the evidence reader matches them.
bool has_word(const std::string& text, const std::string& word) {
  const auto tokens = tokenize(text);
  const auto want = tokenize(word);
  return !want.empty() && std::search(tokens.begin(), tokens.end(), want.begin(), want.end()) != tokens.end();
}

// A police letter as a scanned page: slightly crooked, grey paper, speckles.
PdfSpec police_scan() {
  PdfSpec spec;
  spec.title = "Politie Eenheid Midden-Nederland";
  spec.lines = {"Proces-verbaal van aangifte (synthetisch)", "Datum: 14 februari 2025",
                "De politie heeft de aangifte van mensenhandel opgenomen.",
                "Aangeefster verklaarde dat zij zonder loon in een nagelsalon werkte.",
                "Alle gegevens in dit document zijn verzonnen."};
  spec.scan = true;
  spec.scan_rotation_degrees = 1.2;
  spec.scan_noise_seed = 5;
  spec.scan_dpi = 200;
  return spec;
}

PdfSpec short_scan(int pages) {
  PdfSpec spec;
  spec.title = "Verslag wijkteam";
  spec.lines = {"Cliënt wordt sinds maart begeleid door het wijkteam.", "Afspraak op 3 juni 2025."};
  spec.pages = pages;
  spec.scan = true;
  spec.scan_dpi = 150;
  return spec;
}

// The pages of `b` appended to those of `a` (qpdf copies the foreign pages).
std::string concat_pdfs(const std::string& a, const std::string& b) {
  QPDF qa, qb;
  qa.processMemoryFile("a.pdf", a.data(), a.size());
  qb.processMemoryFile("b.pdf", b.data(), b.size());
  QPDFPageDocumentHelper pa(qa), pb(qb);
  for (auto& page : pb.getAllPages()) pa.addPage(page, false);
  QPDFWriter w(qa);
  w.setOutputMemory();
  w.setStaticID(true);
  w.write();
  auto buffer = w.getBufferSharedPointer();
  return {reinterpret_cast<const char*>(buffer->getBuffer()), buffer->getSize()};
}

using test::pdf_stream;
using test::raw_pdf;

// One page with the given MediaBox, drawing `content`, with resources (or none).
std::string one_page_pdf(const std::string& media_box, const std::string& content,
                         const std::optional<std::string>& image = std::nullopt) {
  std::vector<std::string> objects = {
      "<< /Type /Catalog /Pages 2 0 R >>",
      "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
      "<< /Type /Page /Parent 2 0 R /MediaBox " + media_box + " /Contents 4 0 R" +
          (image ? " /Resources << /XObject << /Im1 5 0 R >> >>" : "") + " >>",
      pdf_stream("", content)};
  if (image) objects.push_back(*image);
  return raw_pdf(objects);
}

// `size` bytes of `byte`, deflated (zlib), produced in chunks.
std::string deflated_run(std::uint64_t size, unsigned char byte) {
  z_stream z{};
  EXPECT_EQ(deflateInit(&z, 9), Z_OK);
  const std::string chunk(1u << 20, static_cast<char>(byte));
  std::string out;
  std::vector<unsigned char> buf(1u << 16);
  for (std::uint64_t left = size;;) {
    const auto n = static_cast<uInt>(std::min<std::uint64_t>(left, chunk.size()));
    left -= n;
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(chunk.data()));
    z.avail_in = n;
    const int flush = left == 0 ? Z_FINISH : Z_NO_FLUSH;
    int rc = Z_OK;
    do {
      z.next_out = buf.data();
      z.avail_out = static_cast<uInt>(buf.size());
      rc = deflate(&z, flush);
      out.append(reinterpret_cast<const char*>(buf.data()), buf.size() - z.avail_out);
    } while (z.avail_out == 0);
    if (flush == Z_FINISH) {
      EXPECT_EQ(rc, Z_STREAM_END);
      break;
    }
  }
  deflateEnd(&z);
  return out;
}

// ---- scanned documents ----

TEST(Ocr, ScannedDutchLetterIsRead) {
  auto spec = police_scan();
  spec.pages = 2;
  const std::string pdf = mkpdf::make_pdf(spec);
  PdfInfo info = inspect(pdf);
  EXPECT_EQ(info.outcome, Outcome::ok) << info.detail;
  EXPECT_EQ(info.pages, 2);
  EXPECT_EQ(info.text_source, TextSource::ocr) << text_source_name(info.text_source);
  EXPECT_EQ(info.pages_read, 2);
  EXPECT_EQ(info.pages_ocr, 2);
  EXPECT_TRUE(info.has_text);
  for (const char* word : {"politie", "aangifte", "mensenhandel", "nagelsalon", "Midden-Nederland"})
    EXPECT_TRUE(has_word(info.text, word)) << word << "\n" << info.text;
  EXPECT_EQ(info.date, "2025-02-14") << info.text;
  EXPECT_NE(info.text.find("\n\f\n"), std::string::npos) << "pages are separated by a form feed";
  EXPECT_GE(info.ocr_confidence, 70) << "a clean synthetic scan is read with high confidence";
  EXPECT_LE(info.ocr_confidence, 100);
  EXPECT_TRUE(info.limit_note.empty()) << info.limit_note;
  // The first page's picture for the report, from the render OCR read (io/thumbnail.hpp).
  ASSERT_FALSE(info.thumbnail.empty());
  EXPECT_EQ(info.thumbnail.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  auto width_of = [](const std::string& png) {  // the IHDR's width, big-endian at byte 16
    return (static_cast<unsigned>(static_cast<unsigned char>(png[16])) << 24) |
           (static_cast<unsigned>(static_cast<unsigned char>(png[17])) << 16) |
           (static_cast<unsigned>(static_cast<unsigned char>(png[18])) << 8) | static_cast<unsigned char>(png[19]);
  };
  EXPECT_EQ(width_of(info.thumbnail), kThumbnailWidth);
}

// A sheet that went through the scanner sideways or upside down is turned upright by
// Tesseract's orientation detection and read like any other.
class OcrTurnedSheet : public ::testing::TestWithParam<int> {};

TEST_P(OcrTurnedSheet, IsReadUpright) {
  auto spec = police_scan();
  spec.scan_turn = GetParam();
  PdfInfo info = inspect(mkpdf::make_pdf(spec));
  EXPECT_EQ(info.outcome, Outcome::ok) << info.detail;
  EXPECT_EQ(info.pages_ocr, 1);
  for (const char* word : {"politie", "aangifte", "mensenhandel", "nagelsalon"})
    EXPECT_TRUE(has_word(info.text, word)) << GetParam() << " degrees, " << word << "\n" << info.text;
  EXPECT_EQ(info.date, "2025-02-14") << info.text;
  EXPECT_GE(info.ocr_confidence, 70) << GetParam() << " degrees";
}

INSTANTIATE_TEST_SUITE_P(Ocr, OcrTurnedSheet, ::testing::Values(90, 180, 270));

TEST(Ocr, TextLayerPagesAreNotRecognised) {
  auto spec = police_scan();
  spec.scan = false;
  PdfInfo info = inspect(mkpdf::make_pdf(spec));
  EXPECT_EQ(info.text_source, TextSource::text_layer);
  EXPECT_EQ(info.pages_read, 1);
  EXPECT_EQ(info.pages_ocr, 0);
  EXPECT_EQ(info.ocr_confidence, -1);
  EXPECT_STREQ(text_source_name(info.text_source), "text-layer");
  // Its picture is drawn by Poppler from the page, as the check reads its text layer.
  ASSERT_FALSE(info.thumbnail.empty());
  EXPECT_EQ(info.thumbnail.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
}

TEST(Ocr, TextPageAndScannedPageAreMixed) {
  PdfSpec text;
  text.title = "Aanmelding opvang (synthetisch)";
  text.lines = {"De zorgcoördinator meldt cliënt aan voor categorale opvang."};
  const std::string pdf = concat_pdfs(mkpdf::make_pdf(text), mkpdf::make_pdf(police_scan()));
  PdfInfo info = inspect(pdf);
  EXPECT_EQ(info.outcome, Outcome::ok) << info.detail;
  EXPECT_EQ(info.pages, 2);
  EXPECT_EQ(info.text_source, TextSource::mixed) << text_source_name(info.text_source);
  EXPECT_STREQ(text_source_name(info.text_source), "mixed");
  EXPECT_EQ(info.pages_read, 2);
  EXPECT_EQ(info.pages_ocr, 1);
  EXPECT_GE(info.ocr_confidence, 0);
  // Page order is kept: the text page first, then the form feed, then the scan.
  const auto layer = info.text.find("categorale opvang");
  const auto feed = info.text.find("\n\f\n");
  ASSERT_NE(layer, std::string::npos) << info.text;
  ASSERT_NE(feed, std::string::npos);
  EXPECT_LT(layer, feed);
  EXPECT_TRUE(has_word(info.text.substr(feed), "aangifte")) << info.text;
}

TEST(Ocr, BlankPageIsReadWithoutText) {
  PdfInfo info = inspect(one_page_pdf("[0 0 595 842]", ""));
  EXPECT_EQ(info.outcome, Outcome::ok) << info.detail;
  EXPECT_FALSE(info.has_text) << info.text;
  EXPECT_EQ(info.pages_read, 1);
  EXPECT_EQ(info.pages_ocr, 1);
  EXPECT_EQ(info.text_source, TextSource::none);
  EXPECT_STREQ(text_source_name(info.text_source), "none");
  EXPECT_EQ(info.ocr_confidence, -1);
  EXPECT_TRUE(info.limit_note.empty()) << info.limit_note;
}

TEST(Ocr, PageLimitStopsWithNote) {
  PdfLimits limits;
  limits.max_ocr_pages = 1;
  std::vector<std::pair<int, int>> calls;
  PdfInfo info = inspect(mkpdf::make_pdf(short_scan(3)), limits, [&](int d, int t) { calls.emplace_back(d, t); });
  EXPECT_EQ(info.outcome, Outcome::ok) << info.detail;
  EXPECT_EQ(info.pages, 3);
  EXPECT_EQ(info.pages_read, 1);
  EXPECT_EQ(info.pages_ocr, 1);
  EXPECT_TRUE(has_word(info.text, "wijkteam")) << info.text;
  EXPECT_NE(info.limit_note.find("text recognition stopped after 1 page (limit)"), std::string::npos)
      << info.limit_note;
  ASSERT_FALSE(calls.empty());
  EXPECT_EQ(calls.back(), std::make_pair(1, 1));
}

TEST(Ocr, ProgressIsReportedPageByPage) {
  PdfLimits limits;
  limits.ocr_threads = 2;
  std::vector<std::pair<int, int>> calls;
  PdfInfo info = inspect(mkpdf::make_pdf(short_scan(3)), limits, [&](int d, int t) { calls.emplace_back(d, t); });
  EXPECT_EQ(info.pages_ocr, 3) << info.detail << info.limit_note;
  ASSERT_GE(calls.size(), 2u);
  for (std::size_t i = 0; i < calls.size(); ++i) {
    EXPECT_EQ(calls[i].second, 3);
    if (i > 0) {
      EXPECT_GT(calls[i].first, calls[i - 1].first) << "counts only grow";
    }
  }
  EXPECT_EQ(calls.front().first, 0) << "the OCR pages are announced before they are read";
  EXPECT_EQ(calls.back().first, 3);
}

TEST(Ocr, ProgressForATextLayerDocument) {
  PdfSpec spec = police_scan();
  spec.scan = false;
  spec.pages = 2;
  std::vector<std::pair<int, int>> calls;
  PdfInfo info = inspect(mkpdf::make_pdf(spec), {}, [&](int d, int t) { calls.emplace_back(d, t); });
  EXPECT_EQ(info.pages_read, 2);
  EXPECT_EQ(calls, (std::vector<std::pair<int, int>>{{2, 2}}));
}

// The text/parse wall-clock limit is short, but once the child starts OCR the parent
// allows ocr_wall_seconds.
TEST(Ocr, OcrGetsItsOwnWallClockLimit) {
  PdfLimits limits;
  limits.wall_seconds = 1;
  limits.ocr_wall_seconds = 120;
  auto spec = police_scan();
  spec.pages = 2;
  limits.ocr_threads = 1;  // at least two OCR runs in a row: well over a second
  PdfInfo info = inspect(mkpdf::make_pdf(spec), limits);
  EXPECT_EQ(info.outcome, Outcome::ok) << info.detail;
  EXPECT_EQ(info.pages_ocr, 2);
}

// The child stops recognising by itself before the hard limits and says so.
TEST(Ocr, TimeLimitStopsWithNote) {
  PdfLimits limits;
  limits.wall_seconds = 12;
  limits.ocr_wall_seconds = 12;  // the child stops at 9 s (soft end), the parent kills at 12 s
  limits.ocr_threads = 1;
  PdfSpec spec = short_scan(12);
  spec.scan_dpi = 300;
  for (int i = 0; i < 30; ++i) spec.lines.push_back("Regel " + std::to_string(i) + " van een lang verslag over de opvang.");
  const std::string pdf = mkpdf::make_pdf(spec);
  const auto start = Clock::now();
  PdfInfo info = inspect(pdf, limits);
  EXPECT_LT(seconds_since(start), 13.0);
  EXPECT_EQ(info.outcome, Outcome::ok) << info.detail;
  EXPECT_LT(info.pages_ocr, 12);
  EXPECT_EQ(info.pages_read, info.pages_ocr);
  EXPECT_NE(info.limit_note.find("text recognition stopped after " + std::to_string(info.pages_ocr)), std::string::npos)
      << info.limit_note;
  EXPECT_NE(info.limit_note.find("(time limit)"), std::string::npos) << info.limit_note;
}

TEST(Ocr, RenderResolution) {
  const PdfLimits limits;
  EXPECT_EQ(ocr::render_dpi(595, 842, limits), 300u);  // A4
  EXPECT_EQ(ocr::render_dpi(842, 1191, limits), 300u);  // A3 fits at 300 dpi
  const unsigned a0 = ocr::render_dpi(2384, 3370, limits);  // A0: lower, but still legible
  EXPECT_LT(a0, 300u);
  EXPECT_GE(a0, ocr::kMinDpi);
  EXPECT_LE(static_cast<double>(a0) * a0 * 2384 / 72 * 3370 / 72, static_cast<double>(limits.max_page_pixels));
  EXPECT_EQ(ocr::render_dpi(14400, 14400, limits), 0u);  // 200 x 200 inch: under 70 dpi
  EXPECT_EQ(ocr::render_dpi(0, 842, limits), 0u);
  EXPECT_EQ(ocr::render_dpi(-595, 842, limits), 0u);
  EXPECT_EQ(ocr::render_dpi(10, 1e9, limits), 0u);  // one side too long
}

// Nothing about the document may reach the disk: no temp files, caches or debug images
// from poppler, fontconfig, Tesseract or Leptonica.
TEST(Ocr, NothingIsWrittenToDisk) {
  const auto home = test::scratch_path("dossier-ocr-home");
  fs::remove_all(home);
  fs::create_directories(home);
  // A scan, and a page whose few letters are drawn with a font (rendered through fontconfig).
  PdfSpec few;
  few.lines = {"12"};
  const std::string pdf = concat_pdfs(mkpdf::make_pdf(police_scan()), mkpdf::make_pdf(few));
  PdfInfo info;
  {
    const test::ScopedEnv h("HOME", home.string()), t("TMPDIR", home.string()), c("XDG_CACHE_HOME", std::nullopt),
        g("XDG_CONFIG_HOME", std::nullopt), d("XDG_DATA_HOME", std::nullopt);
    info = inspect(pdf);
  }
  EXPECT_EQ(info.outcome, Outcome::ok) << info.detail;
  EXPECT_EQ(info.pages_ocr, 2);
  EXPECT_TRUE(has_word(info.text, "aangifte"));
  std::vector<std::string> created;
  for (const auto& e : fs::recursive_directory_iterator(home)) created.push_back(e.path().string());
  EXPECT_TRUE(created.empty()) << created.front();
  fs::remove_all(home);
}

// ---- hostile pages and images ----

constexpr double kHostileBound = 30.0;  // seconds; the limits below are far lower

PdfLimits tight_limits() {
  PdfLimits limits;
  limits.wall_seconds = 10;
  limits.ocr_wall_seconds = 15;
  limits.ocr_cpu_seconds = 20;
  return limits;
}

TEST(OcrHostile, HugeMediaBoxIsSkippedWithNote) {
  for (const char* box : {"[0 0 14400 14400]", "[0 0 10000000 10000000]", "[0 0 2000000000 10]"}) {
    const auto start = Clock::now();
    PdfInfo info = inspect(one_page_pdf(box, "0 g 0 0 100 100 re f"), tight_limits());
    EXPECT_LT(seconds_since(start), kHostileBound) << box;
    EXPECT_EQ(info.outcome, Outcome::ok) << box << ": " << info.detail;
    EXPECT_EQ(info.pages_read, 0) << box;
    EXPECT_FALSE(info.has_text) << box;
    EXPECT_NE(info.limit_note.find("too large to render"), std::string::npos) << box << ": " << info.limit_note;
  }
}

// A 30000 x 30000 grey image (900 MB decoded) from a 0.9 MB deflate stream, drawn on an A4
// page: it must end within the limits with a clear outcome, not a hang or a crash of the caller.
TEST(OcrHostile, ImageBombEndsWithinLimits) {
  const std::uint64_t side = 30000;
  const std::string data = deflated_run(side * side, 0xFF);
  const std::string image = pdf_stream("/Type /XObject /Subtype /Image /Width " + std::to_string(side) + " /Height " +
                                       std::to_string(side) +
                                       " /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode",
                                   data);
  const auto limits = tight_limits();
  const auto start = Clock::now();
  PdfInfo info = inspect(one_page_pdf("[0 0 595 842]", "q 595 0 0 842 0 0 cm /Im1 Do Q", image), limits);
  const double took = seconds_since(start);
  EXPECT_LT(took, kHostileBound);
  // Either the page was rendered (a white page: no text) or a limit ended the child.
  if (info.outcome == Outcome::ok) {
    EXPECT_FALSE(info.has_text) << info.text;
    EXPECT_LE(info.pages_read, 1);
  } else {
    EXPECT_EQ(info.outcome, Outcome::unsafe) << info.detail;
    EXPECT_NE(info.detail.find("could not be inspected safely"), std::string::npos) << info.detail;
  }
  std::cout << "image bomb: " << outcome_name(info.outcome) << " in " << took << " s; " << info.detail << " "
            << info.limit_note << "\n";
}

TEST(OcrHostile, DamagedImageStreamEndsCleanly) {
  std::string garbage;
  for (int i = 0; i < 5000; ++i) garbage += static_cast<char>((i * 7919) & 0xFF);
  std::string truncated = deflated_run(2000u * 2000u, 0x00);
  truncated.resize(truncated.size() / 2);
  for (const auto& [filter, data] : {std::pair<std::string, std::string>{"/FlateDecode", garbage},
                                     {"/FlateDecode", truncated},
                                     {"/DCTDecode", garbage},
                                     {"/JBIG2Decode", garbage}}) {
    const std::string image = pdf_stream(
        "/Type /XObject /Subtype /Image /Width 2000 /Height 2000 /ColorSpace /DeviceGray /BitsPerComponent " +
            std::string(filter == "/JBIG2Decode" ? "1" : "8") + " /Filter " + filter,
        data);
    const auto start = Clock::now();
    PdfInfo info = inspect(one_page_pdf("[0 0 595 842]", "q 595 0 0 842 0 0 cm /Im1 Do Q", image), tight_limits());
    EXPECT_LT(seconds_since(start), kHostileBound) << filter;
    EXPECT_EQ(info.outcome, Outcome::ok) << filter << ": " << info.detail;
    EXPECT_LE(info.pages_read, 1) << filter;
  }
}

}  // namespace
}  // namespace dossier::io

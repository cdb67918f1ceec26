// Assembly (issue 9): dossier.pdf's structure (pages, outline, page labels, document
// information, pages copied intact), the cover sheet's text in both languages and its layout,
// the review report's facts and escapes, notices for documents that cannot be included, and
// all-or-nothing output.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef POINTERHOLDER_TRANSITION
#define POINTERHOLDER_TRANSITION 4
#endif
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-image.h>
#include <poppler/cpp/poppler-page-renderer.h>
#include <poppler/cpp/poppler-page.h>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFOutlineDocumentHelper.hh>
#include <qpdf/QPDFPageDocumentHelper.hh>
#include <qpdf/QPDFPageLabelDocumentHelper.hh>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/assemble.hpp"
#include "app/data_files.hpp"
#include "bundle_support.hpp"
#include "io/fd.hpp"
#include "io/paged_pdf.hpp"
#include "io/pdf_assemble.hpp"
#include "io/pdf_inspect.hpp"
#include "mkpdf.hpp"
#include "test_support.hpp"

namespace dossier {
namespace {

namespace fs = std::filesystem;
using test::bundle::TempDir;

struct Made {
  app::AssembleResult result;
  fs::path dir;
};

Catalogue catalogue(Lang lang) {
  auto c = app::load_catalogue(test::source_dir(), lang);
  if (!c) throw std::runtime_error(c.error().message);
  return *c;
}

Made assemble(const fs::path& package, const fs::path& out, Lang lang) {
  test::ScopedEnv date("DOSSIER_DATE", std::string("2026-11-15"));
  app::CheckOptions check;
  check.data_dir = test::source_dir();
  app::AssemblySettings settings;
  settings.data_dir = test::source_dir();
  auto made = app::run_assemble(package, out, check, settings, catalogue(lang));
  if (!made) throw std::runtime_error(made.error().message);
  return {std::move(*made), out};
}

// Whitespace runs (line breaks of wrapped text too) as one space.
std::string squash(const std::string& s) {
  std::string out;
  for (char c : s) {
    const bool space = c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f';
    if (space) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::string page_text(const fs::path& pdf, int page) {
  std::unique_ptr<poppler::document> doc(poppler::document::load_from_file(pdf.string()));
  if (!doc) return {};
  std::unique_ptr<poppler::page> p(doc->create_page(page));
  if (!p) return {};
  const auto bytes = p->text().to_utf8();
  return squash(std::string(bytes.begin(), bytes.end()));
}

std::string all_text(const fs::path& pdf) {
  std::unique_ptr<poppler::document> doc(poppler::document::load_from_file(pdf.string()));
  std::string out;
  for (int i = 0; doc && i < doc->pages(); ++i) out += page_text(pdf, i) + " ";
  return out;
}

// The page drawn by Poppler at 36 dpi: no ink in the outer 30 points (the margins are 50),
// so nothing was drawn past the text area (a word too long for its cell, a table too wide).
void expect_white_margins(poppler::page& page, const fs::path& pdf, int index) {
  poppler::page_renderer renderer;
  renderer.set_image_format(poppler::image::format_gray8);
  const poppler::image img = renderer.render_page(&page, 36, 36);
  ASSERT_TRUE(img.is_valid());
  const int margin = 30 * 36 / 72;
  const auto* data = reinterpret_cast<const unsigned char*>(img.const_data());
  int inked = 0;
  for (int y = 0; y < img.height(); ++y)
    for (int x = 0; x < img.width(); ++x) {
      const bool edge = x < margin || y < margin || x >= img.width() - margin || y >= img.height() - margin;
      if (edge && data[static_cast<std::size_t>(y) * static_cast<std::size_t>(img.bytes_per_row()) +
                       static_cast<std::size_t>(x)] < 200)
        ++inked;
    }
  EXPECT_EQ(inked, 0) << pdf << " page " << index + 1 << ": ink in the margin";
}

// Every text box of every page: inside the page, and no two lines of a page overlapping; and
// nothing drawn in the margins.
void expect_clean_layout(const fs::path& pdf) {
  std::unique_ptr<poppler::document> doc(poppler::document::load_from_file(pdf.string()));
  ASSERT_TRUE(doc);
  for (int i = 0; i < doc->pages(); ++i) {
    std::unique_ptr<poppler::page> p(doc->create_page(i));
    expect_white_margins(*p, pdf, i);
    const auto box = p->page_rect();
    const auto words = p->text_list();
    ASSERT_FALSE(words.empty()) << "page " << i + 1 << " of " << pdf << " has no text";
    for (const auto& w : words) {
      const auto b = w.bbox();
      EXPECT_GE(b.left(), box.left() - 0.5) << pdf << " page " << i + 1;
      EXPECT_LE(b.right(), box.right() + 0.5) << pdf << " page " << i + 1;
      EXPECT_GE(b.top(), box.top() - 0.5) << pdf << " page " << i + 1;
      EXPECT_LE(b.bottom(), box.bottom() + 0.5) << pdf << " page " << i + 1;
    }
    for (std::size_t a = 0; a < words.size(); ++a) {
      for (std::size_t c = a + 1; c < words.size(); ++c) {
        const auto x = words[a].bbox(), y = words[c].bbox();
        const double w = std::min(x.right(), y.right()) - std::max(x.left(), y.left());
        const double h = std::min(x.bottom(), y.bottom()) - std::max(x.top(), y.top());
        const double smaller = std::min(x.width() * x.height(), y.width() * y.height());
        if (w > 0 && h > 0 && smaller > 0) {
          EXPECT_LT(w * h, 0.25 * smaller) << pdf << " page " << i + 1 << ": words overlap";
        }
      }
    }
  }
}

int pages_of(const fs::path& pdf) {
  QPDF q;
  q.processFile(pdf.string().c_str());
  return static_cast<int>(QPDFPageDocumentHelper(q).getAllPages().size());
}

std::string raw(QPDFObjectHandle stream) {
  const auto b = stream.getRawStreamData();
  return std::string(reinterpret_cast<const char*>(b->getBuffer()), b->getSize());
}

std::vector<std::string> raw_contents(QPDFPageObjectHelper page) {
  std::vector<std::string> out;
  for (auto& s : page.getPageContents()) out.push_back(raw(s));
  return out;
}

// True when `part` appears in `whole` as one run, in order.
bool contains_run(const std::vector<std::string>& whole, const std::vector<std::string>& part) {
  return std::search(whole.begin(), whole.end(), part.begin(), part.end()) != whole.end();
}

// The raw bytes of each image or form the page draws, by resource name.
std::map<std::string, std::string> raw_xobjects(QPDFPageObjectHelper page) {
  std::map<std::string, std::string> out;
  QPDFObjectHandle res = page.getAttribute("/Resources", false);
  if (!res.isDictionary() || !res.getKey("/XObject").isDictionary()) return out;
  for (auto& [name, x] : res.getKey("/XObject").getDictAsMap())
    if (x.isStream()) out[name] = raw(x);
  return out;
}

// Where poppler finds `word` on page `page` of pdf: its box as fractions of the page, or none.
std::optional<poppler::rectf> find_word(const fs::path& pdf, int page, const std::string& word) {
  std::unique_ptr<poppler::document> doc(poppler::document::load_from_file(pdf.string()));
  std::unique_ptr<poppler::page> p(doc->create_page(page));
  const auto box = p->page_rect();
  poppler::rectf at;
  if (!p->search(poppler::ustring::from_utf8(word.c_str()), at, poppler::page::search_from_top, poppler::case_sensitive))
    return std::nullopt;
  return poppler::rectf(at.x() / box.width(), at.y() / box.height(), at.width() / box.width(),
                        at.height() / box.height());
}

class AssembleComplete : public ::testing::Test {
 protected:
  // ctest runs each test in a process of its own: the Dutch dossier is made once per process,
  // the English one only for the tests that read it.
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    test::bundle::copy_package(dir_->path() / "pkg");
    nl_ = new Made(assemble(dir_->path() / "pkg", dir_->path() / "nl", Lang::nl));
  }
  static const Made& en() {
    if (en_ == nullptr) en_ = new Made(assemble(dir_->path() / "pkg", dir_->path() / "en", Lang::en));
    return *en_;
  }
  static void TearDownTestSuite() {
    delete nl_;
    delete en_;
    en_ = nullptr;
    delete dir_;
  }
  static TempDir* dir_;
  static Made* nl_;
  static Made* en_;
};
TempDir* AssembleComplete::dir_ = nullptr;
Made* AssembleComplete::nl_ = nullptr;
Made* AssembleComplete::en_ = nullptr;

TEST_F(AssembleComplete, WritesTheThreeFilesInTheChosenLanguage) {
  EXPECT_TRUE(nl_->result.written);
  EXPECT_EQ(test::bundle::listing(nl_->dir), (std::set<std::string>{"dossier.pdf", "rapport.html", "voorblad.pdf"}));
  EXPECT_EQ(test::bundle::listing(en().dir), (std::set<std::string>{"cover-sheet.pdf", "dossier.pdf", "report.html"}));
  EXPECT_TRUE(test::bundle::staging_leftovers(dir_->path()).empty());
}

TEST_F(AssembleComplete, DossierHasTheCoverThenEveryPageOfEveryDocument) {
  const auto& a = nl_->result.assembly;
  const int cover = pages_of(nl_->dir / "voorblad.pdf");
  EXPECT_EQ(a.cover_pages, cover);
  int documents = 0;
  for (const auto& d : nl_->result.report.documents) documents += pages_of(dir_->path() / "pkg" / d.path);
  EXPECT_EQ(pages_of(nl_->dir / "dossier.pdf"), cover + documents);
  EXPECT_EQ(a.pages, cover + documents);
  for (const auto& p : a.parts) EXPECT_TRUE(p.included) << p.note;
}

TEST_F(AssembleComplete, PagesAreCopiedIntact) {
  QPDF out;
  out.processFile((nl_->dir / "dossier.pdf").string().c_str());
  const auto pages = QPDFPageDocumentHelper(out).getAllPages();
  // The parts are in the dossier's order: find each by its bookmark's file name.
  QPDFOutlineDocumentHelper outlines(out);
  std::map<std::string, int> start;  // file name -> first page
  for (auto& section : outlines.getTopLevelOutlines())
    for (auto& kid : section.getKids()) {
      const auto dest = kid.getDestPage();
      for (std::size_t i = 0; i < pages.size(); ++i)
        if (pages[i].getObjectHandle().getObjGen() == dest.getObjGen()) start[kid.getTitle()] = static_cast<int>(i);
    }
  ASSERT_EQ(start.size(), nl_->result.report.documents.size());
  for (const auto& d : nl_->result.report.documents) {
    QPDF src;
    src.processFile((dir_->path() / "pkg" / d.path).string().c_str());
    const auto name = fs::path(d.path).filename().string();
    ASSERT_TRUE(start.count(name)) << name;
    const auto src_pages = QPDFPageDocumentHelper(src).getAllPages();
    for (std::size_t i = 0; i < src_pages.size(); ++i) {
      const auto& copied = pages.at(static_cast<std::size_t>(start[name]) + i);
      // The page's own content streams, unchanged and in order; a scanned page has a text layer
      // drawn after them (and a "q" before them), in streams of its own.
      const auto own = raw_contents(src_pages[i]);
      const auto now = raw_contents(copied);
      EXPECT_TRUE(contains_run(now, own)) << d.path << " page " << i + 1 << ": its content streams changed";
      EXPECT_EQ(now.size(), own.size() + (d.pages_ocr > 0 ? 2u : 0u)) << d.path;
      // Every image and form it draws, byte for byte; the text layer is one more form.
      auto drawn = raw_xobjects(copied);
      for (const auto& [xname, bytes] : raw_xobjects(src_pages[i])) {
        EXPECT_TRUE(drawn[xname] == bytes) << d.path << " page " << i + 1 << " " << xname;
        drawn.erase(xname);
      }
      EXPECT_EQ(drawn.size(), d.pages_ocr > 0 ? 1u : 0u) << d.path;
    }
  }
}

TEST_F(AssembleComplete, OutlineFollowsTheProfileOrderAndLabelsNameTheDocument) {
  QPDF out;
  out.processFile((nl_->dir / "dossier.pdf").string().c_str());
  QPDFOutlineDocumentHelper outlines(out);
  std::vector<std::string> top, kids;
  for (auto& o : outlines.getTopLevelOutlines()) {
    top.push_back(o.getTitle());
    for (auto& k : o.getKids()) kids.push_back(k.getTitle());
  }
  auto profile = app::load_profile(test::source_dir(), "omm-eerste-fase");
  ASSERT_TRUE(profile);
  std::vector<std::string> expected{"Voorblad"};
  for (const auto& e : profile->evidence()) {
    std::string name = e.name.get(Lang::nl);
    name[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(name[0])));
    expected.push_back(name);
  }
  EXPECT_EQ(top, expected);
  EXPECT_EQ(kids.size(), nl_->result.report.documents.size());
  EXPECT_EQ(kids.front(), "plaatsingsverzoek.pdf");

  QPDFPageLabelDocumentHelper labels(out);
  ASSERT_TRUE(labels.hasPageLabels());
  auto label = [&](int page) { return labels.getLabelForPage(page).getKey("/P").getUTF8Value(); };
  const int cover = nl_->result.assembly.cover_pages;
  EXPECT_EQ(label(0), "voorblad 1/" + std::to_string(cover));
  EXPECT_EQ(label(cover), "aanmelding 1/1");
  // The police document's page is labelled by its folder.
  bool police = false;
  for (int i = cover; i < nl_->result.assembly.pages; ++i) police = police || label(i) == "politie 1/1";
  EXPECT_TRUE(police);

  QPDFObjectHandle info = out.getTrailer().getKey("/Info");
  const std::string title = info.getKey("/Title").getUTF8Value();
  EXPECT_NE(title.find("CL-2026-0042"), std::string::npos) << title;
  EXPECT_EQ(title.find("Voorbeeld"), std::string::npos) << "no personal or organisation names: " << title;
  EXPECT_EQ(out.getRoot().getKey("/PageMode").getName(), "/UseOutlines");
}

TEST_F(AssembleComplete, CoverSheetReadsInBothLanguages) {
  const std::string nl = all_text(nl_->dir / "voorblad.pdf");
  for (const char* s : {"Voorblad verwijzing CL-2026-0042", "Pseudoniem cliënt", "Zorgcoördinatie Mensenhandel Regio Voorbeeld",
                        "Oordeel: COMPLEET", "Documenten", "plaatsingsverzoek.pdf", "pagina 1 van"})
    EXPECT_NE(nl.find(s), std::string::npos) << s << "\n" << nl;
  const std::string english = all_text(en().dir / "cover-sheet.pdf");
  for (const char* s : {"Referral cover sheet CL-2026-0042", "Client pseudonym", "Tried locally",
                        "Verdict: COMPLETE", "Documents", "page 1 of"})
    EXPECT_NE(english.find(s), std::string::npos) << s << "\n" << english;
  // The cover sheet in dossier.pdf is the same as voorblad.pdf.
  EXPECT_EQ(page_text(nl_->dir / "dossier.pdf", 0), page_text(nl_->dir / "voorblad.pdf", 0));
  expect_clean_layout(nl_->dir / "voorblad.pdf");
  expect_clean_layout(en().dir / "cover-sheet.pdf");
}

// The report's text: every element's text, joined.
std::string html_text(const std::string& html, std::vector<std::string>* elements = nullptr) {
  htmlDocPtr doc = htmlReadMemory(html.data(), static_cast<int>(html.size()), nullptr, "UTF-8",
                                  HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
  if (doc == nullptr) return {};
  std::string out;
  std::vector<xmlNodePtr> stack{xmlDocGetRootElement(doc)};
  while (!stack.empty()) {
    xmlNodePtr n = stack.back();
    stack.pop_back();
    for (; n != nullptr; n = n->next) {
      if (n->type == XML_ELEMENT_NODE && elements != nullptr) elements->emplace_back(reinterpret_cast<const char*>(n->name));
      if (n->type == XML_TEXT_NODE && n->content != nullptr) out += reinterpret_cast<const char*>(n->content);
      if (n->children != nullptr) {
        stack.push_back(n->next);
        n = n->children;
        stack.push_back(n);
        break;
      }
    }
  }
  xmlFreeDoc(doc);
  return out;
}

TEST_F(AssembleComplete, ReportHoldsTheFactsAndAThumbnailPerDocument) {
  const std::string html = test::read_text(nl_->dir / "rapport.html");
  const std::string text = html_text(html);
  for (const char* s : {"Beoordelingsrapport verwijzing CL-2026-0042", "Zorgcoördinatie Mensenhandel Regio Voorbeeld",
                        "Voorbeeld-Oost", "rechtmatig verblijf", "seksuele uitbuiting", "criminele uitbuiting",
                        "Oordeel: COMPLEET", "er is nog geen handtekening"})
    EXPECT_NE(text.find(s), std::string::npos) << s;
  std::size_t thumbs = 0;
  for (std::size_t at = html.find("src=\"data:image/png;base64,"); at != std::string::npos;
       at = html.find("src=\"data:image/png;base64,", at + 1))
    ++thumbs;
  EXPECT_EQ(thumbs, nl_->result.report.documents.size());
  // Nothing can leave the file: no external reference, and a policy that forbids it.
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_NE(html.find("default-src 'none'"), std::string::npos);
}

// The example package with its care report replaced by the scan `spec` makes, assembled in
// Dutch: the dossier, and the page where the care report starts, having checked its layers.
struct CareScan {
  Made made;
  int first_page = -1;
};
CareScan assemble_with_care_scan(const TempDir& dir, const mkpdf::PdfSpec& spec, int layers) {
  test::bundle::copy_package(dir.path() / "pkg");
  {
    std::ofstream f(dir.path() / "pkg" / "lokale-zorg" / "verslag-beschermd-wonen.pdf", std::ios::binary | std::ios::trunc);
    f << mkpdf::make_pdf(spec);
  }
  CareScan out{assemble(dir.path() / "pkg", dir.path() / "out", Lang::nl), -1};
  for (const auto& p : out.made.result.assembly.parts)
    if (p.name == "lokale-zorg/verslag-beschermd-wonen.pdf") {
      EXPECT_EQ(p.layers, layers) << p.note;
      out.first_page = p.first_page;
    }
  return out;
}

TEST(Assemble, ScannedPagesBecomeSearchableWhereTheirWordsAre) {
  TempDir dir;
  // The care report as a scan read upright, and the same sheet fed through the scanner turned a
  // quarter clockwise (text runs down the page: its top is on the right, its footer on the left).
  mkpdf::PdfSpec spec;
  spec.title = "Verslag huidige zorg";
  spec.lines = {"Beschermd wonen Voorbeeldstad, verslag van 5 oktober 2026.",
                "Cliënt verblijft sinds augustus 2026 in beschermd wonen met ambulante begeleiding.",
                "Geprobeerd in het voorliggend veld: ambulante GGZ-behandeling, verslavingszorg."};
  spec.scan = true;
  spec.scan_turn = 90;
  // The complete example's other pages have text layers of their own; the care report is read by OCR.
  const CareScan scan = assemble_with_care_scan(dir, spec, 1);
  const int care_page = scan.first_page;
  ASSERT_GE(care_page, 0);
  const fs::path pdf = scan.made.dir / "dossier.pdf";
  const auto title = find_word(pdf, care_page, "Verslag");
  const auto footer = find_word(pdf, care_page, "Pagina");
  ASSERT_TRUE(title) << "the scanned page's words are not searchable";
  ASSERT_TRUE(footer);
  EXPECT_GT(title->x(), 0.7) << "the title of a sheet turned clockwise is on the right";
  EXPECT_LT(footer->x(), 0.3) << "its footer on the left";
}

// Tesseract writes its font into every text layer; the dossier keeps one copy of it, and every
// layer still finds its words: a scanned care report of three pages gets three layers, one font.
TEST(Assemble, TextLayersShareOneCopyOfTheirFont) {
  TempDir dir;
  mkpdf::PdfSpec spec;
  spec.title = "Verslag huidige zorg";
  spec.lines = {"Beschermd wonen Voorbeeldstad, verslag van 5 oktober 2026."};
  spec.pages = 3;
  spec.scan = true;
  const CareScan scan = assemble_with_care_scan(dir, spec, 3);
  const int care_page = scan.first_page;
  ASSERT_GE(care_page, 0);
  const fs::path pdf = scan.made.dir / "dossier.pdf";
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(find_word(pdf, care_page + i, "Pagina")) << "page " << i + 1 << " of the scan";
  QPDF q;
  q.processFile(pdf.string().c_str());
  int type0 = 0;
  for (auto& o : q.getAllObjects())
    if (o.isDictionary() && o.getKey("/Type").isNameAndEquals("/Font") && o.getKey("/Subtype").isNameAndEquals("/Type0") &&
        o.getKey("/BaseFont").isName() && o.getKey("/BaseFont").getName().find("GlyphLessFont") != std::string::npos)
      ++type0;
  EXPECT_EQ(type0, 1) << "one copy of Tesseract's font for all three layers";
}

// Every document's picture in the report is the one the check drew while it read the document
// (PdfInfo::thumbnail: from the OCR render of a scanned first page, by Poppler from one with a
// text layer): the helper draws none again. A fresh inspection of each file draws the same PNG,
// byte for byte.
TEST_F(AssembleComplete, PicturesAreTheOnesTheCheckDrew) {
  std::size_t compared = 0;
  for (const auto& p : nl_->result.assembly.parts) {
    if (!p.included) continue;
    const auto bytes = test::bundle::read_bytes(dir_->path() / "pkg" / p.name);
    auto info = io::inspect_pdf(bytes, p.name);
    ASSERT_TRUE(info) << info.error().message;
    ASSERT_FALSE(info->thumbnail.empty()) << p.name;
    EXPECT_EQ(p.thumbnail, info->thumbnail) << p.name;
    ++compared;
  }
  EXPECT_EQ(compared, nl_->result.report.documents.size());
}

TEST_F(AssembleComplete, TheScannedCareReportIsSearchableWhereItsWordsAre) {
  int care_page = -1;
  for (const auto& p : nl_->result.assembly.parts)
    if (p.name == "lokale-zorg/verslag-beschermd-wonen.pdf") {
      EXPECT_EQ(p.layers, 1) << p.note;
      care_page = p.first_page;
    }
  ASSERT_GE(care_page, 0);
  const fs::path pdf = nl_->dir / "dossier.pdf";
  const auto title = find_word(pdf, care_page, "Verslag");
  const auto footer = find_word(pdf, care_page, "Pagina");
  ASSERT_TRUE(title) << "the scanned page's words are not searchable";
  ASSERT_TRUE(footer);
  // The example's letter: title at the top left (about 11 % across, 6 % down), footer at the bottom right.
  EXPECT_LT(title->x(), 0.2);
  EXPECT_LT(title->y(), 0.12);
  EXPECT_GT(footer->x(), 0.6);
  EXPECT_GT(footer->y(), 0.9);
  // Invisible: the page looks as it did (its own streams are drawn; the layer is text render mode 3).
  QPDF out;
  out.processFile(pdf.string().c_str());
  const auto page = QPDFPageDocumentHelper(out).getAllPages().at(static_cast<std::size_t>(care_page));
  const auto streams = raw_contents(page);
  ASSERT_EQ(streams.size(), 3u);
  EXPECT_EQ(streams.front(), "q\n");
}

TEST(Assemble, DocumentThatCannotBeReadGetsItsRowBookmarkAndANotice) {
  TempDir dir;
  test::bundle::copy_package(dir.path() / "pkg", "incomplete");
  const Made m = assemble(dir.path() / "pkg", dir.path() / "out", Lang::nl);
  ASSERT_TRUE(m.result.written);
  const auto& parts = m.result.assembly.parts;
  // politie/aantekening.pdf is not a PDF: it has a notice page instead of its own.
  bool found = false;
  for (std::size_t k = 0; k < parts.size(); ++k) {
    if (parts[k].included) continue;
    found = true;
    EXPECT_TRUE(parts[k].thumbnail.empty());
    const std::string text = page_text(m.dir / "dossier.pdf", parts[k].first_page);
    EXPECT_NE(text.find("Document niet opgenomen"), std::string::npos) << text;
    EXPECT_NE(text.find("aantekening.pdf"), std::string::npos) << text;
    EXPECT_NE(text.find("geen PDF"), std::string::npos) << text;
  }
  EXPECT_TRUE(found);
  const std::string html = test::read_text(m.dir / "rapport.html");
  EXPECT_NE(html.find("geen voorbeeld"), std::string::npos);
  EXPECT_NE(html_text(html).find("niet in dossier.pdf: geen PDF"), std::string::npos);
  const std::string cover = all_text(m.dir / "voorblad.pdf");
  EXPECT_NE(cover.find("NIET COMPLEET"), std::string::npos);
  EXPECT_NE(cover.find("Wat te doen"), std::string::npos);
  expect_clean_layout(m.dir / "voorblad.pdf");
}

TEST(Assemble, HostileTextIsShownHarmlessly) {
  TempDir dir;
  test::bundle::copy_package(dir.path() / "pkg");
  const std::string long_word(3000, 'W');
  std::string xml = test::read_text(dir.path() / "pkg" / "referral.xml");
  xml = test::replace_once(xml, "Cliënt heeft een veilige plek",
                           "&lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;vet&lt;/b&gt; &amp;amp; \xE2\x80\xAEtxet.exe " +
                               long_word + " Cliënt heeft een veilige plek");
  {
    std::ofstream f(dir.path() / "pkg" / "referral.xml", std::ios::binary | std::ios::trunc);
    f << xml;
  }
  const Made m = assemble(dir.path() / "pkg", dir.path() / "out", Lang::en);
  ASSERT_TRUE(m.result.written);
  const std::string html = test::read_text(m.dir / "report.html");
  std::vector<std::string> elements;
  const std::string text = html_text(html, &elements);
  EXPECT_EQ(std::count(elements.begin(), elements.end(), "script"), 0);
  EXPECT_EQ(std::count(elements.begin(), elements.end(), "b"), 0);
  EXPECT_NE(text.find("<script>alert(1)</script> <b>vet</b> &amp;"), std::string::npos);
  EXPECT_NE(text.find("<U+202E>txet.exe"), std::string::npos);
  EXPECT_EQ(html.find("\xE2\x80\xAE"), std::string::npos) << "a right-to-left override in the report";
  EXPECT_NE(text.find("WWWWWWWWWW"), std::string::npos);
  EXPECT_NE(text.find("…"), std::string::npos) << "a very long value is cut";

  const std::string cover = all_text(m.dir / "cover-sheet.pdf");
  EXPECT_NE(cover.find("<script>alert(1)</script>"), std::string::npos) << cover;
  EXPECT_NE(cover.find("<U+202E>txet.exe"), std::string::npos);
  expect_clean_layout(m.dir / "cover-sheet.pdf");
}

TEST(Assemble, AnOutputThatExistsIsRefusedAndAFailureLeavesNothing) {
  TempDir dir;
  test::bundle::copy_package(dir.path() / "pkg");
  fs::create_directory(dir.path() / "taken");
  app::CheckOptions check;
  check.data_dir = test::source_dir();
  app::AssemblySettings settings;
  settings.data_dir = test::source_dir();
  auto taken = app::run_assemble(dir.path() / "pkg", dir.path() / "taken", check, settings, catalogue(Lang::nl));
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error().code, Errc::usage);
  EXPECT_TRUE(fs::is_empty(dir.path() / "taken"));

  // A broken template: nothing is written, no staging folder is left.
  const fs::path data = dir.path() / "data";
  fs::create_directories(data);
  fs::copy(fs::path(test::source_dir()) / "schemas", data / "schemas", fs::copy_options::recursive);
  fs::copy(fs::path(test::source_dir()) / "templates", data / "templates", fs::copy_options::recursive);
  {
    std::ofstream f(data / "templates" / "assembly" / "report.html.mustache", std::ios::trunc);
    f << "{{#unclosed}}";
  }
  check.data_dir = data.string();
  settings.data_dir = data.string();
  auto broken = app::run_assemble(dir.path() / "pkg", dir.path() / "out", check, settings, catalogue(Lang::nl));
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().code, Errc::malformed);
  EXPECT_FALSE(fs::exists(dir.path() / "out"));
  EXPECT_TRUE(test::bundle::staging_leftovers(dir.path()).empty());
}

TEST(PagedPdf, LongTextRunsOnAcrossPagesInsideTheBoxWithPageNumbers) {
  io::PagedDocument doc;
  doc.title = "Test";
  doc.page_of = "page {page} of {pages}";
  doc.blocks.push_back({io::PagedBlock::Kind::title, {"A title"}, {}, false});
  std::string paragraph;
  for (int i = 0; i < 900; ++i) paragraph += "word" + std::to_string(i) + " ";
  doc.blocks.push_back({io::PagedBlock::Kind::paragraph, {paragraph}, {}, false});
  for (int i = 0; i < 60; ++i)
    doc.blocks.push_back({io::PagedBlock::Kind::row, {"cell " + std::to_string(i), std::string(400, 'x')}, {0.3, 0.7}, false});
  auto pdf = io::render_paged_pdf(doc);
  ASSERT_TRUE(pdf) << pdf.error().message;
  TempDir dir;
  const fs::path file = dir.path() / "paged.pdf";
  {
    std::ofstream f(file, std::ios::binary);
    f << pdf->pdf;
  }
  const int pages = pages_of(file);
  EXPECT_EQ(pages, pdf->pages);
  EXPECT_GE(pages, 4);
  const std::string last = page_text(file, pages - 1);
  EXPECT_NE(last.find("page " + std::to_string(pages) + " of " + std::to_string(pages)), std::string::npos) << last;
  const std::string text = all_text(file);
  EXPECT_NE(text.find("word0"), std::string::npos);
  EXPECT_NE(text.find("word899"), std::string::npos);
  EXPECT_NE(text.find("cell 59"), std::string::npos);
  expect_clean_layout(file);
}

// io::assemble_pdf with the cover sheet laid out while the helper copies the documents
// (io::LateCover): the cover still comes first, with its labels and bookmark, and the document
// starts after it; the same dossier as with the cover given up front. A late cover that cannot
// be made is assemble_pdf's error, and the helper stops without it.
TEST(AssemblePdf, CoverLaidOutLateLandsFirst) {
  io::PagedDocument cover_doc;
  cover_doc.title = "Cover";
  cover_doc.page_of = "page {page} of {pages}";
  cover_doc.blocks.push_back({io::PagedBlock::Kind::title, {"Cover sheet"}, {}, false});
  std::string paragraph;
  for (int i = 0; i < 700; ++i) paragraph += "word" + std::to_string(i) + " ";
  cover_doc.blocks.push_back({io::PagedBlock::Kind::paragraph, {paragraph}, {}, false});
  auto cover = io::render_paged_pdf(cover_doc);
  ASSERT_TRUE(cover) << cover.error().message;
  ASSERT_GE(cover->pages, 2);
  mkpdf::PdfSpec spec;
  spec.title = "Politieverklaring";
  spec.pages = 3;
  const std::string doc = mkpdf::make_pdf(spec);
  auto span_of = [](const std::string& x) {
    return std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(x.data()), x.size());
  };
  io::AssemblyInput input;
  input.cover_outline = "Voorblad";
  input.cover_label = "voorblad";
  input.title = "Verwijzingsdossier";
  input.language = "nl";
  io::AssemblyPart part;
  part.outline = "verklaring.pdf";
  part.label = "politie";
  part.pdf = span_of(doc);
  part.notice = span_of(cover->pdf);
  input.parts.push_back(part);
  input.sections.push_back({"Politie", {0}});

  TempDir dir;
  auto make = [&](const fs::path& file, const io::LateCover& late) {
    io::UniqueFd fd(open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    return late ? io::assemble_pdf(input, fd.get(), {}, late) : io::assemble_pdf(input, fd.get());
  };
  bool asked = false;
  auto late = make(dir.path() / "late.pdf", [&]() -> Result<std::span<const std::uint8_t>> {
    asked = true;
    return span_of(cover->pdf);
  });
  ASSERT_TRUE(late) << late.error().message;
  EXPECT_TRUE(asked);
  EXPECT_EQ(late->cover_pages, cover->pages);
  EXPECT_EQ(late->pages, cover->pages + 3);
  ASSERT_EQ(late->parts.size(), 1u);
  EXPECT_EQ(late->parts[0].first_page, cover->pages);
  EXPECT_TRUE(late->parts[0].included);
  const fs::path late_pdf = dir.path() / "late.pdf";
  EXPECT_EQ(pages_of(late_pdf), cover->pages + 3);
  EXPECT_NE(page_text(late_pdf, 0).find("Cover sheet"), std::string::npos);
  EXPECT_NE(page_text(late_pdf, cover->pages).find("Politieverklaring"), std::string::npos);
  QPDF q;
  q.processFile(late_pdf.string().c_str());
  auto labels = q.getRoot().getKey("/PageLabels").getKey("/Nums");
  EXPECT_EQ(labels.getArrayItem(1).getKey("/P").getUTF8Value(), "voorblad 1/" + std::to_string(cover->pages));
  EXPECT_EQ(labels.getArrayItem(2 * cover->pages + 1).getKey("/P").getUTF8Value(), "politie 1/3");

  input.cover = span_of(cover->pdf);
  auto early = make(dir.path() / "early.pdf", {});
  ASSERT_TRUE(early) << early.error().message;
  EXPECT_EQ(early->pages, late->pages);
  EXPECT_EQ(early->parts[0].first_page, late->parts[0].first_page);
  input.cover = {};

  auto failed = make(dir.path() / "failed.pdf", []() -> Result<std::span<const std::uint8_t>> {
    return fail(Errc::malformed, "the cover template is broken");
  });
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, Errc::malformed);
  EXPECT_EQ(failed.error().message, "the cover template is broken");
  auto none = make(dir.path() / "none.pdf", {});
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, Errc::usage);
}

// The helper starts before its plan is ready (io::AssemblyHelper). One never given its plan is
// stopped and reaped when it goes, and wrote nothing; one that cannot be found is a clear
// error naming where it was looked for.
TEST(AssemblePdf, HelperNeverGivenItsPlanIsStoppedAndWritesNothing) {
  TempDir dir;
  const fs::path file = dir.path() / "dossier.pdf";
  io::UniqueFd fd(open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  ASSERT_TRUE(fd);
  {
    auto helper = io::AssemblyHelper::start(fd.get());
    ASSERT_TRUE(helper) << helper.error().message;
    usleep(50'000);  // long enough to have started and to wait for its plan
  }
  EXPECT_EQ(waitpid(-1, nullptr, WNOHANG), -1) << "a helper was left running or unreaped";
  EXPECT_EQ(errno, ECHILD);
  EXPECT_EQ(fs::file_size(file), 0u);

  const test::ScopedEnv missing("DOSSIER_PDF_ASSEMBLER", "/nonexistent/dossier-pdf-assembler");
  auto none = io::AssemblyHelper::start(fd.get());
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, Errc::io);
  EXPECT_NE(none.error().message.find("/nonexistent/dossier-pdf-assembler"), std::string::npos) << none.error().message;
}

// The cover sheet is first laid out without being drawn, to learn its page count: that count
// is the drawn one's.
TEST(PagedPdf, CountedPagesAreTheDrawnPages) {
  io::PagedDocument doc;
  doc.title = "Cover";
  doc.page_of = "page {page} of {pages}";
  for (int n : {1, 60, 400}) {
    doc.blocks.clear();
    doc.blocks.push_back({io::PagedBlock::Kind::title, {"Cover sheet"}, {}, false});
    for (int i = 0; i < n; ++i)
      doc.blocks.push_back({io::PagedBlock::Kind::row, {"cell " + std::to_string(i), "a longer cell that wraps in its column"},
                            {0.3, 0.7}, false});
    auto drawn = io::render_paged_pdf(doc);
    auto counted = io::count_paged_pages(doc);
    ASSERT_TRUE(drawn) << drawn.error().message;
    ASSERT_TRUE(counted) << counted.error().message;
    EXPECT_EQ(*counted, drawn->pages) << n << " rows";
  }
}

TEST(PagedPdf, MarkupThatPangoCannotReadIsAnError) {
  io::PagedDocument doc;
  doc.blocks.push_back({io::PagedBlock::Kind::paragraph, {"<b>unclosed"}, {}, false});
  auto pdf = io::render_paged_pdf(doc);
  ASSERT_FALSE(pdf);
  EXPECT_EQ(pdf.error().code, Errc::malformed);
}

TEST(AssemblyTemplates, NeverInsertAValueUnescaped) {
  for (const auto& e : fs::directory_iterator(fs::path(test::source_dir()) / "templates" / "assembly")) {
    const std::string t = test::read_text(e.path());
    EXPECT_EQ(t.find("{{{"), std::string::npos) << e.path();
    EXPECT_EQ(t.find("{{&"), std::string::npos) << e.path();
  }
}

}  // namespace
}  // namespace dossier

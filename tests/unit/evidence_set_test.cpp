// The labelled evidence set (tests/data/evidence) is well formed: every file parses, the
// set is as large and as varied as the evidence reader's acceptance test needs, and every
// document generates a PDF with a text layer (text) or without one (scan).
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <span>

#include "evidence_set.hpp"
#include "io/pdf_inspect.hpp"

namespace dossier {
namespace {

namespace ev = test::evidence;
namespace fs = std::filesystem;

// Characters, not bytes (the lines are UTF-8).
std::size_t chars(const std::string& s) {
  std::size_t n = 0;
  for (char c : s)
    if ((static_cast<unsigned char>(c) & 0xC0u) != 0x80u) ++n;
  return n;
}

// What a BSN looks like: nine digits, together (123456782) or in groups joined by single
// dots or spaces (1234.56.782, 123 456 782).
bool has_bsn_like_number(const std::string& s) {
  std::size_t i = 0;
  while (i < s.size()) {
    if (!std::isdigit(static_cast<unsigned char>(s[i])) || (i > 0 && std::isdigit(static_cast<unsigned char>(s[i - 1])))) {
      ++i;
      continue;
    }
    std::size_t digits = 0;
    std::size_t j = i;
    for (;;) {
      while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) { ++digits; ++j; }
      if (j + 1 < s.size() && (s[j] == '.' || s[j] == ' ') && std::isdigit(static_cast<unsigned char>(s[j + 1]))) {
        ++j;
        continue;
      }
      break;
    }
    if (digits == 9) return true;
    i = j;
  }
  return false;
}

bool noted(const ev::EvidenceDoc& doc, const std::string& word) {
  for (const auto& n : doc.notes)
    if (n.find(word) != std::string::npos) return true;
  return false;
}

TEST(EvidenceSet, WellFormed) {
  const auto files = ev::doc_files();
  ASSERT_GE(files.size(), 70u);
  std::vector<ev::EvidenceDoc> docs;
  for (const auto& f : files) {
    try {
      docs.push_back(ev::parse_doc(f));
    } catch (const std::exception& e) {
      ADD_FAILURE() << e.what();
    }
  }
  ASSERT_EQ(docs.size(), files.size());

  std::map<std::string, int> filed_right;  // evidence in its own folder, per label
  int evidence = 0, scanned_evidence = 0, none = 0, misfiled = 0, scanned = 0;
  std::set<std::string> names;
  std::set<std::string> none_folders;
  for (const auto& doc : docs) {
    SCOPED_TRACE(doc.name);
    EXPECT_TRUE(names.insert(doc.name).second);
    EXPECT_NE(std::find(ev::folders().begin(), ev::folders().end(), doc.folder), ev::folders().end());
    EXPECT_NE(std::find(ev::labels().begin(), ev::labels().end(), doc.label), ev::labels().end());
    if (doc.scan) ++scanned;
    if (doc.is_evidence()) {
      ++evidence;
      if (doc.scan) ++scanned_evidence;
      if (doc.belongs_in_folder()) ++filed_right[doc.label];
    } else {
      ++none;
      none_folders.insert(doc.folder);
    }
    if (doc.misfiled()) {
      ++misfiled;
      EXPECT_TRUE(noted(doc, "misfiled")) << "a misfiled document says so in a note:";
    }
    // The text mode does not wrap: keep every line on an A4 page (and the page count sane).
    EXPECT_LE(doc.lines.size(), 40u);
    EXPECT_LE(chars(doc.title), 82u);
    for (const auto& line : doc.lines) EXPECT_LE(chars(line), 82u) << line;
    // No personal identifiers: a BSN-like number only where a note admits it.
    bool bsn = has_bsn_like_number(doc.title);
    for (const auto& line : doc.lines) bsn = bsn || has_bsn_like_number(line);
    EXPECT_EQ(bsn, noted(doc, "BSN-like")) << "BSN-like number without note, or note without number";
    if (doc.scan) {
      EXPECT_GE(doc.rotate, -5.0);
      EXPECT_LE(doc.rotate, 5.0);
    }
  }
  EXPECT_EQ(evidence + none, static_cast<int>(docs.size()));
  EXPECT_GE(evidence, 45);
  EXPECT_GE(scanned_evidence, 15);
  EXPECT_GE(none, 20);
  EXPECT_GE(misfiled, 4);
  EXPECT_GE(scanned - scanned_evidence, 3) << "some non-evidence should be scanned too";
  EXPECT_EQ(none_folders.size(), ev::folders().size()) << "non-evidence in every folder";
  for (const auto& label : ev::labels()) {
    if (label == "none") continue;
    EXPECT_GE(filed_right[label], 5) << label;
  }
}

TEST(EvidenceSet, ParseErrorsNameFileAndLine) {
  const auto dir = fs::temp_directory_path() / ("dossier-evidence-bad-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(dir / name) << text;
    return dir / name;
  };
  EXPECT_THROW(ev::parse_doc(write("a.doc", "folder: politie\nlabel: police\nscan: no\n")), std::runtime_error);
  EXPECT_THROW(ev::parse_doc(write("b.doc", "folder: kelder\nlabel: police\nscan: no\ntitle: x\n")),
               std::runtime_error);
  EXPECT_THROW(ev::parse_doc(write("c.doc", "folder: politie\nlabel: police\nscan: maybe\ntitle: x\n")),
               std::runtime_error);
  const auto doc = ev::parse_doc(write("d.doc",
                                       "# comment\nfolder: politie  # filed here\nlabel: none\n"
                                       "scan: yes rotate=-1.5 noise=9 dpi=150\ntitle: \nline: a\nline: \n"
                                       "line:   b\nnote: n\n"));
  EXPECT_EQ(doc.name, "d");
  EXPECT_EQ(doc.folder, "politie");
  EXPECT_TRUE(doc.scan);
  EXPECT_DOUBLE_EQ(doc.rotate, -1.5);
  EXPECT_EQ(doc.noise, 9u);
  EXPECT_EQ(doc.dpi, 150);
  EXPECT_EQ(doc.title, "");
  EXPECT_EQ(doc.lines, (std::vector<std::string>{"a", "", "  b"}));
  EXPECT_EQ(doc.package_path(), "politie/d.pdf");
  fs::remove_all(dir);
}

// One test per document, so that ctest spreads the PDF generation over the cores.
class EvidenceSetPdf : public ::testing::TestWithParam<fs::path> {};

TEST_P(EvidenceSetPdf, TextLayerOnlyWhenNotScanned) {
  const auto doc = ev::parse_doc(GetParam());
  const std::string pdf = doc.pdf();
  EXPECT_EQ(pdf, doc.pdf()) << "deterministic";
  auto info = io::inspect_pdf(std::span(reinterpret_cast<const std::uint8_t*>(pdf.data()), pdf.size()),
                              doc.package_path());
  ASSERT_TRUE(info) << info.error().message;
  ASSERT_EQ(info->outcome, io::PdfInfo::Outcome::ok) << info->detail;
  EXPECT_EQ(info->pages, doc.pages);
  EXPECT_TRUE(info->active_content.empty());
  if (doc.scan) {
    // No text layer: every page is read by text recognition.
    EXPECT_EQ(info->text_source, io::TextSource::ocr) << io::text_source_name(info->text_source);
    EXPECT_EQ(info->pages_ocr, doc.pages);
    EXPECT_TRUE(info->has_text);
    EXPECT_GE(info->ocr_confidence, 50) << info->text;
    std::cout << "ocr: " << GetParam().filename().string() << " confidence " << info->ocr_confidence << "\n";
  } else {
    // A text layer; a page with fewer than 16 letters or digits (none-lege-pagina: only
    // "Pagina 1 van 1") is recognised by OCR instead.
    EXPECT_NE(info->text_source, io::TextSource::none);
    EXPECT_TRUE(info->has_text);
    // The last word of the last non-empty line made it into the text layer.
    for (auto it = doc.lines.rbegin(); it != doc.lines.rend(); ++it) {
      const auto pos = it->find_last_of(' ');
      const std::string word = pos == std::string::npos ? *it : it->substr(pos + 1);
      if (word.empty()) continue;
      EXPECT_NE(info->text.find(word), std::string::npos) << word << "\n" << info->text;
      break;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Docs, EvidenceSetPdf, ::testing::ValuesIn(ev::doc_files()),
                         [](const ::testing::TestParamInfo<fs::path>& param_info) {
                           std::string name;
                           for (char c : param_info.param.stem().string())
                             name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                           return name;
                         });

}  // namespace
}  // namespace dossier

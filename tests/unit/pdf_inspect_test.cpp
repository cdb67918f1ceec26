// Inspection of generated PDFs (tools/mkpdf); the corpus run is in pdf_corpus_test.cpp.
#include "io/pdf_inspect.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "core/text.hpp"
#include "mkpdf.hpp"
#include "test_support.hpp"

namespace dossier::io {
namespace {

using Outcome = PdfInfo::Outcome;
using mkpdf::PdfSpec;

std::span<const std::uint8_t> as_bytes(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

PdfInfo inspect(const std::string& pdf, const PdfLimits& limits = {}) {
  auto r = inspect_pdf(as_bytes(pdf), "test.pdf", limits);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
  return r ? *r : PdfInfo{};
}

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

PdfSpec letter() {
  PdfSpec spec;
  spec.title = "Verwijzing (synthetisch)";
  spec.lines = {"Datum: 12 maart 2024", "Signalen van arbeidsuitbuiting in een café.",
                "Vervolgafspraak 2024-04-01."};
  return spec;
}

TEST(PdfInspect, ValidTextPdf) {
  PdfSpec spec = letter();
  spec.pages = 3;
  PdfInfo info = inspect(mkpdf::make_pdf(spec));
  EXPECT_EQ(info.outcome, Outcome::ok) << info.detail;
  EXPECT_EQ(info.pages, 3);
  EXPECT_TRUE(info.has_text);
  EXPECT_NE(info.text.find("Signalen van arbeidsuitbuiting in een café."), std::string::npos) << info.text;
  EXPECT_NE(info.text.find("Pagina 3 van 3"), std::string::npos);
  EXPECT_EQ(info.date, "2024-03-12");
  EXPECT_TRUE(info.active_content.empty());
}

TEST(PdfInspect, NoDateNoKeywords) {
  PdfSpec spec;
  spec.lines = {"Alleen tekst zonder datum."};
  PdfInfo info = inspect(mkpdf::make_pdf(spec));
  EXPECT_EQ(info.outcome, Outcome::ok);
  EXPECT_FALSE(info.date.has_value());
}

TEST(PdfInspect, ScanWithoutTextLayer) {
  PdfSpec spec;
  spec.no_text = true;
  spec.pages = 2;
  PdfInfo info = inspect(mkpdf::make_pdf(spec));
  EXPECT_EQ(info.outcome, Outcome::ok) << info.detail;
  EXPECT_EQ(info.pages, 2);
  EXPECT_FALSE(info.has_text) << info.text;
}

TEST(PdfInspect, JavaScriptOpenAction) {
  PdfSpec spec = letter();
  spec.javascript = true;
  PdfInfo info = inspect(mkpdf::make_pdf(spec));
  EXPECT_EQ(info.outcome, Outcome::ok);
  EXPECT_TRUE(has(info.active_content, "JavaScript"));
  EXPECT_TRUE(has(info.active_content, "OpenAction"));
}

TEST(PdfInspect, JavaScriptHiddenInObjectStream) {
  PdfSpec spec = letter();
  spec.javascript = true;
  spec.object_streams = true;
  const std::string pdf = mkpdf::make_pdf(spec);
  // A raw byte scan would miss it: the action dictionary is inside a compressed stream.
  EXPECT_EQ(pdf.find("/JavaScript"), std::string::npos);
  EXPECT_EQ(pdf.find("/OpenAction"), std::string::npos);
  PdfInfo info = inspect(pdf);
  EXPECT_EQ(info.outcome, Outcome::ok) << info.detail;
  EXPECT_TRUE(has(info.active_content, "JavaScript"));
  EXPECT_TRUE(has(info.active_content, "OpenAction"));
  EXPECT_TRUE(info.has_text);
}

TEST(PdfInspect, EmbeddedFile) {
  PdfSpec spec = letter();
  spec.embedded_file = true;
  PdfInfo info = inspect(mkpdf::make_pdf(spec));
  EXPECT_EQ(info.outcome, Outcome::ok);
  EXPECT_EQ(info.active_content, std::vector<std::string>{"EmbeddedFile"});
}

TEST(PdfInspect, UserPasswordIsLockedWithoutCrash) {
  PdfSpec spec = letter();
  spec.user_password = "geheim";
  spec.owner_password = "eigenaar";
  PdfInfo info = inspect(mkpdf::make_pdf(spec));
  EXPECT_EQ(info.outcome, Outcome::locked) << info.detail;
  EXPECT_TRUE(info.text.empty());
}

TEST(PdfInspect, OwnerPasswordOnlyIsEncrypted) {
  PdfSpec spec = letter();
  spec.owner_password = "eigenaar";
  PdfInfo info = inspect(mkpdf::make_pdf(spec));
  EXPECT_EQ(info.outcome, Outcome::encrypted) << info.detail;
  EXPECT_EQ(info.pages, 1);  // poppler opens it, so what is known is still reported
  EXPECT_TRUE(info.has_text);
}

TEST(PdfInspect, Aes256UserPasswordIsLocked) {
  PdfSpec spec = letter();
  spec.user_password = "geheim";
  spec.aes256 = true;
  PdfInfo info = inspect(mkpdf::make_pdf(spec));
  EXPECT_EQ(info.outcome, Outcome::locked) << info.detail;
}

TEST(PdfInspect, Aes256OwnerPasswordOnlyIsEncrypted) {
  PdfSpec spec = letter();
  spec.owner_password = "eigenaar";
  spec.aes256 = true;
  PdfInfo info = inspect(mkpdf::make_pdf(spec));
  EXPECT_EQ(info.outcome, Outcome::encrypted) << info.detail;
  EXPECT_EQ(info.date, "2024-03-12");
}

TEST(PdfInspect, EncryptedWithJavaScriptInObjectStream) {
  PdfSpec spec = letter();
  spec.owner_password = "eigenaar";
  spec.javascript = true;
  spec.object_streams = true;
  PdfInfo info = inspect(mkpdf::make_pdf(spec));
  EXPECT_EQ(info.outcome, Outcome::encrypted);
  EXPECT_TRUE(has(info.active_content, "JavaScript"));
}

// Decision: a truncated PDF is damaged as soon as the cut loses the trailer (qpdf cannot
// rebuild the structure, so active content cannot be ruled out), even though poppler may
// still show some text. Only losing the final "%%EOF" marker is tolerated. A file whose
// xref offsets are wrong but whose objects are complete is repaired: ok with "repaired".
TEST(PdfInspect, TruncatedIsDamaged) {
  const std::string full = mkpdf::make_pdf(letter());
  for (std::size_t cut : {full.find("xref"), full.size() / 2, std::size_t{120}}) {
    PdfSpec spec = letter();
    spec.truncate = cut;
    PdfInfo info = inspect(mkpdf::make_pdf(spec));
    EXPECT_EQ(info.outcome, Outcome::damaged) << "cut at " << cut << ": " << info.detail;
  }
}

TEST(PdfInspect, MissingEofMarkerIsOk) {
  const std::string full = mkpdf::make_pdf(letter());
  PdfSpec spec = letter();
  spec.truncate = full.size() - 6;  // "%%EOF\n"
  PdfInfo info = inspect(mkpdf::make_pdf(spec));
  EXPECT_EQ(info.outcome, Outcome::ok) << info.detail;
  EXPECT_TRUE(info.has_text);
}

TEST(PdfInspect, BrokenXrefOffsetIsRepaired) {
  std::string pdf = mkpdf::make_pdf(letter());
  const std::size_t at = pdf.rfind("startxref\n");
  ASSERT_NE(at, std::string::npos);
  pdf = pdf.substr(0, at) + "startxref\n999\n%%EOF\n";
  PdfInfo info = inspect(pdf);
  EXPECT_EQ(info.outcome, Outcome::ok) << info.detail;
  EXPECT_NE(info.detail.find("repaired"), std::string::npos) << info.detail;
  EXPECT_TRUE(info.has_text);
  EXPECT_EQ(info.date, "2024-03-12");
}

TEST(PdfInspect, NotAPdf) {
  PdfInfo info = inspect("Dit is een tekstbestand, geen PDF.\n");
  EXPECT_EQ(info.outcome, Outcome::not_pdf);
  std::string late(2000, ' ');
  late += mkpdf::make_pdf(letter());  // header only after 1024 bytes
  EXPECT_EQ(inspect(late).outcome, Outcome::not_pdf);
}

TEST(PdfInspect, HeaderAfterJunkWithinWindowIsAccepted) {
  std::string pdf(100, '\n');
  pdf += mkpdf::make_pdf(letter());
  PdfInfo info = inspect(pdf);
  EXPECT_EQ(info.outcome, Outcome::ok) << info.detail;
  EXPECT_TRUE(info.has_text);
}

TEST(PdfInspect, Empty) {
  EXPECT_EQ(inspect("").outcome, Outcome::empty);
}

TEST(PdfInspect, TooBigIsUnsafeWithoutParsing) {
  PdfLimits limits;
  limits.max_bytes = 100;
  PdfInfo info = inspect(mkpdf::make_pdf(letter()), limits);
  EXPECT_EQ(info.outcome, Outcome::unsafe);
  EXPECT_NE(info.detail.find("could not be inspected safely"), std::string::npos);
}

TEST(PdfInspect, TextIsCappedOnPagesAndBytes) {
  PdfSpec spec = letter();
  spec.pages = 4;
  PdfLimits limits;
  limits.max_pages_for_text = 2;
  PdfInfo info = inspect(mkpdf::make_pdf(spec), limits);
  EXPECT_EQ(info.pages, 4);
  EXPECT_NE(info.text.find("Pagina 2 van 4"), std::string::npos);
  EXPECT_EQ(info.text.find("Pagina 3 van 4"), std::string::npos);

}

TEST(PdfInspect, TextCapDoesNotSplitUtf8) {
  PdfSpec spec;
  spec.lines = {"\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"};  // "éééé", 2 bytes each
  PdfLimits limits;
  limits.max_text_bytes = 5;
  PdfInfo info = inspect(mkpdf::make_pdf(spec), limits);
  EXPECT_EQ(info.text, "\xC3\xA9\xC3\xA9");
}

// The kill path: with no wall time at all the parent kills the child at once.
TEST(PdfInspect, WallTimeLimitKillsChild) {
  PdfLimits limits;
  limits.wall_seconds = 0;
  PdfInfo info = inspect(mkpdf::make_pdf(letter()), limits);
  EXPECT_EQ(info.outcome, Outcome::unsafe) << info.detail;
  EXPECT_NE(info.detail.find("could not be inspected safely: wall-clock limit"), std::string::npos)
      << info.detail;
}

TEST(MkPdf, DeterministicOutput) {
  PdfSpec spec = letter();
  EXPECT_EQ(mkpdf::make_pdf(spec), mkpdf::make_pdf(spec));
  spec.user_password = "x";
  spec.object_streams = true;
  EXPECT_EQ(mkpdf::make_pdf(spec), mkpdf::make_pdf(spec));
  spec.aes256 = true;
  EXPECT_EQ(mkpdf::make_pdf(spec), mkpdf::make_pdf(spec));
}

TEST(MkPdf, EscapesAndWinAnsi) {
  EXPECT_EQ(mkpdf::pdf_literal("a(b)c\\"), "(a\\(b\\)c\\\\)");
  EXPECT_EQ(mkpdf::to_winansi("é€"), "\xE9\x80");
  EXPECT_EQ(mkpdf::pdf_literal(mkpdf::to_winansi("é")), "(\\351)");
}

}  // namespace
}  // namespace dossier::io

namespace dossier::io {
namespace {

// A document streamed into a PdfDocument piece by piece (as the check reads it from a package)
// is read exactly as the same bytes held in memory; the early verdicts hold too.
TEST(PdfDocument, FilledInPiecesReadsLikeTheBytes) {
  const std::string pdf = mkpdf::make_pdf(letter());
  auto doc = PdfDocument::create();
  ASSERT_TRUE(doc) << doc.error().message;
  for (std::size_t at = 0; at < pdf.size(); at += 100) {
    ASSERT_TRUE(doc->append(as_bytes(pdf.substr(at, 100))));
  }
  EXPECT_EQ(doc->size(), pdf.size());
  auto streamed = inspect_pdf(*doc, "test.pdf", PdfLimits{}, {}, std::stop_token{});
  ASSERT_TRUE(streamed) << streamed.error().message;
  const PdfInfo held = inspect(pdf);
  EXPECT_EQ(streamed->outcome, Outcome::ok);
  EXPECT_EQ(streamed->text, held.text);
  EXPECT_EQ(streamed->pages, held.pages);
  EXPECT_EQ(streamed->date, held.date);

  auto empty = PdfDocument::create();
  ASSERT_TRUE(empty);
  EXPECT_EQ(inspect_pdf(*empty, "e.pdf", PdfLimits{}, {}, std::stop_token{})->outcome, Outcome::empty);
  auto junk = PdfDocument::create();
  ASSERT_TRUE(junk);
  ASSERT_TRUE(junk->append(as_bytes(std::string(2000, 'x') + "%PDF-1.4")));  // header beyond the window
  EXPECT_EQ(inspect_pdf(*junk, "j.pdf", PdfLimits{}, {}, std::stop_token{})->outcome, Outcome::not_pdf);
}

// Without its parser program inspect_pdf cannot work: an error (not a verdict on the document)
// that names the program and what to do.
TEST(PdfInspector, MissingProgramIsAnErrorThatNamesIt) {
  const test::ScopedEnv missing("DOSSIER_PDF_INSPECTOR", "/nonexistent/dossier-pdf-inspector");
  auto r = inspect_pdf(as_bytes(mkpdf::make_pdf(letter())), "test.pdf", PdfLimits{});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::io);
  EXPECT_NE(r.error().message.find("/nonexistent/dossier-pdf-inspector"), std::string::npos) << r.error().message;
}

// What the parser process gets: the protocol flag and the limits on its command line, the
// document on fd 3, the pipe on fd 4, and no other descriptor of the caller (here one opened
// without O_CLOEXEC). A stand-in program records it; it sends no result, so the document is
// reported unsafe.
TEST(PdfInspector, GetsTheDocumentOnFd3AndNoOtherDescriptorOfTheCaller) {
  const auto dir = test::scratch_path("inspector-standin");
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const auto script = dir / "inspector.sh";
  {
    std::ofstream out(script);
    out << "#!/bin/sh\n"
        << "echo \"$1 $3\" > '" << (dir / "args").string() << "'\n"
        << "cat <&3 > '" << (dir / "document").string() << "'\n"
        << "ls /proc/$$/fd > '" << (dir / "fds").string() << "'\n";
  }
  std::filesystem::permissions(script, std::filesystem::perms::owner_all);
  const int opened = open("/dev/null", O_RDONLY);
  ASSERT_GE(opened, 0);
  const int leaky = fcntl(opened, F_DUPFD, 20);  // no FD_CLOEXEC, and not a number the child uses
  close(opened);
  ASSERT_GE(leaky, 20);
  const std::string pdf = mkpdf::make_pdf(letter());
  PdfLimits limits;
  limits.max_ocr_pages = 7;
  PdfInfo info;
  {
    const test::ScopedEnv standin("DOSSIER_PDF_INSPECTOR", script.string());
    auto r = inspect_pdf(as_bytes(pdf), "test.pdf", limits);
    ASSERT_TRUE(r.has_value()) << r.error().message;
    info = *r;
  }
  close(leaky);
  EXPECT_EQ(info.outcome, Outcome::unsafe) << info.detail;
  EXPECT_EQ(test::read_text(dir / "document"), pdf);
  const std::string args = test::read_text(dir / "args");
  EXPECT_EQ(args.rfind("--dossier-internal-v1 ", 0), 0u) << args;
  EXPECT_NE(args.find(",7,"), std::string::npos) << args;  // max_ocr_pages among the limits
  std::istringstream fds(test::read_text(dir / "fds"));
  std::vector<int> open_fds;
  for (int fd; fds >> fd;) open_fds.push_back(fd);
  for (int fd : {0, 1, 2, 3, 4}) EXPECT_NE(std::find(open_fds.begin(), open_fds.end(), fd), open_fds.end()) << fd;
  EXPECT_EQ(std::find(open_fds.begin(), open_fds.end(), leaky), open_fds.end()) << "fd " << leaky << " leaked";
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace dossier::io

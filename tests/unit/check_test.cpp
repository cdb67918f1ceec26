// The check of a whole package (src/app/check.cpp), issue 8: one name rule for folders and ZIPs
// in both languages, inputs that turn into FIFOs, and the time budget of the whole package with
// documents inspected in parallel.
#include "app/check.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include "test_support.hpp"
#include "app/data_files.hpp"

namespace dossier::app {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// A PDF whose text layer never ends: a form that draws a form ten times, nine levels deep, so
// reading its one page runs 10^9 operators (2.3 KB, no compression). The inspector's CPU and
// wall-clock limits end each one; a package of many such files is what the budget is for.
std::string endless_pdf() {
  std::vector<std::string> objects = {
      "<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /XObject << /X 5 0 R >> >> >>",
      test::pdf_stream("", "/X Do")};
  constexpr int kLevels = 9;
  for (int level = 0; level < kLevels; ++level) {
    const bool last = level == kLevels - 1;
    std::string body = "q Q";
    if (!last) {
      body.clear();
      for (int i = 0; i < 10; ++i) body += "/X Do ";
    }
    objects.push_back(test::pdf_stream(
        "/Type /XObject /Subtype /Form /BBox [0 0 10 10]" +
            (last ? std::string() : " /Resources << /XObject << /X " + std::to_string(6 + level) + " 0 R >> >>"),
        body));
  }
  return test::raw_pdf(objects);
}

class CheckPackage : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = test::scratch_path("dossier-check-" +
                               std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(root_);
    fs::create_directories(root_);
    fs::copy(test::source_dir() + "/examples/complete", pkg(), fs::copy_options::recursive);
    options_.data_dir = test::source_dir();
    options_.check_date = "2026-12-01";
  }
  void TearDown() override { fs::remove_all(root_); }

  fs::path pkg() const { return root_ / "pakket"; }

  static const Catalogue& messages(Lang lang) {
    static const Catalogue nl = *app::load_catalogue(test::source_dir(), Lang::nl);
    static const Catalogue en = *app::load_catalogue(test::source_dir(), Lang::en);
    return lang == Lang::nl ? nl : en;
  }

  Report check(const fs::path& package, Lang lang = Lang::en) {
    auto report = run_check(package, options_, messages(lang));
    if (!report) throw std::runtime_error(report.error().message);
    return *report;
  }

  static const Finding& finding(const Report& r, const std::string& rule) {
    for (const auto& f : r.findings) {
      if (f.rule == rule) return f;
    }
    throw std::runtime_error("no finding " + rule);
  }

  static std::string notes(const Finding& f) {
    std::string out;
    for (const auto& n : f.notes) out += (n.file.empty() ? "" : n.file + ": ") + n.note + "\n";
    return out;
  }

  fs::path root_;
  CheckOptions options_;
};

// ---- one name rule for folders and ZIPs ----

TEST_F(CheckPackage, CaseTwinsFailTheFolderAndItsZipAlikeInBothLanguages) {
  fs::copy_file(pkg() / "politie" / "intake-avim.pdf", pkg() / "politie" / "INTAKE-AVIM.pdf");
  ASSERT_EQ(std::system(("cd '" + root_.string() + "' && zip -q -r -X pakket.zip pakket").c_str()), 0);
  for (const Lang lang : {Lang::en, Lang::nl}) {
    const Report folder = check(pkg(), lang);
    const Report zip = check(root_ / "pakket.zip", lang);
    EXPECT_FALSE(folder.complete);
    EXPECT_FALSE(zip.complete);
    const Finding& readable = finding(folder, "package.readable");
    EXPECT_EQ(readable.status, Status::failed);
    EXPECT_EQ(notes(readable), notes(finding(zip, "package.readable")));
    const std::string want =
        lang == Lang::en
            ? "\"politie/INTAKE-AVIM.pdf\" and \"politie/intake-avim.pdf\" differ only in upper and lower case, so "
              "Windows and macOS take them for one file. Rename one of them"
            : "\"politie/INTAKE-AVIM.pdf\" en \"politie/intake-avim.pdf\" verschillen alleen in hoofdletters en kleine "
              "letters, zodat Windows en macOS ze voor één bestand houden. Geef een van beide een andere naam";
    EXPECT_NE(notes(readable).find(want), std::string::npos) << notes(readable);
  }
}

TEST_F(CheckPackage, AReferralXmlTwinFailsTheCheck) {
  fs::copy_file(pkg() / "politie" / "intake-avim.pdf", pkg() / "REFERRAL.XML");
  const Report r = check(pkg());
  EXPECT_FALSE(r.complete);
  EXPECT_NE(notes(finding(r, "package.readable")).find("\"REFERRAL.XML\" and \"referral.xml\" differ only"),
            std::string::npos)
      << notes(finding(r, "package.readable"));
}

TEST_F(CheckPackage, ComposedAndDecomposedTwinsFailTheFolderAndItsZipAlike) {
  fs::copy_file(pkg() / "politie" / "intake-avim.pdf", pkg() / "politie" / "cli\xc3\xabnt.pdf");
  fs::copy_file(pkg() / "politie" / "intake-avim.pdf", pkg() / "politie" / "clie\xcc\x88nt.pdf");
  ASSERT_EQ(std::system(("cd '" + root_.string() + "' && zip -q -r -X pakket.zip pakket").c_str()), 0);
  for (const Lang lang : {Lang::en, Lang::nl}) {
    const Report folder = check(pkg(), lang);
    const Report zip = check(root_ / "pakket.zip", lang);
    EXPECT_FALSE(folder.complete);
    const std::string got = notes(finding(folder, "package.readable"));
    EXPECT_EQ(got, notes(finding(zip, "package.readable")));
    EXPECT_NE(got.find(lang == Lang::en ? "are the same name, but one writes a letter with an accent"
                                        : "zijn dezelfde naam, maar de ene schrijft een letter met accent"),
              std::string::npos)
        << got;
  }
}

TEST_F(CheckPackage, ADecomposedNameFailsTheCheck) {
  fs::rename(pkg() / "politie" / "intake-avim.pdf", pkg() / "politie" / "intake-cli\xcc\x88nt.pdf");
  const Report r = check(pkg(), Lang::nl);
  EXPECT_FALSE(r.complete);
  EXPECT_NE(notes(finding(r, "package.readable")).find("Hernoem het bestand door de naam opnieuw te typen"),
            std::string::npos)
      << notes(finding(r, "package.readable"));
}

// ---- inputs that are not regular files ----

TEST_F(CheckPackage, AFileReplacedByAFifoAfterListingFailsWithoutHanging) {
  auto package = io::Package::open(pkg());
  ASSERT_TRUE(package) << package.error().message;
  const auto fifo = pkg() / "politie" / "intake-avim.pdf";
  fs::remove(fifo);
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const auto start = Clock::now();
  auto checking = std::async(std::launch::async,
                             [&] { return run_check(*package, pkg().string(), options_, messages(Lang::en)); });
  if (!test::ended_without_blocking(checking, fifo, std::chrono::seconds(60))) FAIL() << "the check blocked on a FIFO";
  auto report = checking.get();
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_FALSE(report->complete);
  EXPECT_LT(seconds_since(start), 60.0);
  const std::string got = notes(finding(*report, "package.readable"));
  EXPECT_NE(got.find("politie/intake-avim.pdf: is a FIFO (named pipe), not a regular file"), std::string::npos) << got;
}

// ---- the time budget, and documents in parallel ----

TEST(CheckTimeLimit, ParsesWholeSecondsOnly) {
  EXPECT_EQ(parse_time_limit("600"), 600u);
  EXPECT_EQ(parse_time_limit("1"), 1u);
  EXPECT_EQ(parse_time_limit(std::to_string(kMaxTimeLimitSeconds)), kMaxTimeLimitSeconds);
  for (const char* bad : {"", "0", "-5", "1.5", "10s", " 10", "99999999", "604801"}) {
    EXPECT_FALSE(parse_time_limit(bad)) << bad;
  }
  CheckOptions o;
  EXPECT_EQ(time_limit_of(o), kDefaultTimeLimitSeconds);
  o.time_limit_seconds = 42;
  EXPECT_EQ(time_limit_of(o), 42u);
}

TEST_F(CheckPackage, TimeLimitStopsEndlessDocumentsAndSaysHowToRaiseIt) {
  constexpr int kEndless = 12;
  const std::string pdf = endless_pdf();
  for (int i = 0; i < kEndless; ++i) {
    std::ofstream(pkg() / "politie" / ("traag-" + std::to_string(i) + ".pdf"), std::ios::binary) << pdf;
  }
  options_.time_limit_seconds = 4;
  for (const Lang lang : {Lang::en, Lang::nl}) {
    const auto start = Clock::now();
    const Report r = check(pkg(), lang);
    const double took = seconds_since(start);
    // Without a budget these take 12 x 10-15 s one after another; now 4 s plus the stopping.
    EXPECT_LT(took, 4.0 + 6.0) << "the check took " << took << " s";
    EXPECT_FALSE(r.complete);
    int not_read = 0;
    for (const auto& d : r.documents) not_read += d.outcome == DocOutcome::not_read ? 1 : 0;
    EXPECT_GE(not_read, kEndless - 2) << "at most one per core may have ended by its own limits";
    const std::string got = notes(finding(r, "documents.readable"));
    EXPECT_NE(got.find(lang == Lang::en
                           ? "not read: the check reached its time limit of 4 seconds for the whole package first. "
                             "Check again with a higher limit, e.g. dossier check --time-limit 1800, or set "
                             "DOSSIER_TIME_LIMIT=1800"
                           : "niet gelezen: de controle bereikte eerst haar tijdslimiet van 4 seconden"),
              std::string::npos)
        << got;
  }
}

TEST_F(CheckPackage, TimeLimitFromTheEnvironment) {
  ::setenv("DOSSIER_TIME_LIMIT", "3", 1);
  EXPECT_EQ(time_limit_of(options_), 3u);
  ::setenv("DOSSIER_TIME_LIMIT", "soon", 1);
  EXPECT_EQ(time_limit_of(options_), kDefaultTimeLimitSeconds);
  ::unsetenv("DOSSIER_TIME_LIMIT");
}

TEST_F(CheckPackage, ParallelAndSerialInspectionGiveTheSameReport) {
  // The complete example (a scan read by OCR among text documents) and a few problems, so that
  // documents finish in another order than they are listed.
  fs::copy_file(test::source_dir() + "/tests/data/pdf/javascript.pdf", pkg() / "politie" / "extra-js.pdf");
  fs::copy_file(test::source_dir() + "/tests/data/pdf/empty.pdf", pkg() / "aanmelding" / "leeg.pdf");
  std::vector<std::size_t> order;
  options_.parallel = 1;
  const Report serial = check(pkg());
  options_.parallel = 4;
  options_.progress = [&](std::size_t i, std::size_t, const std::string& label) {
    if (label.find(" (") == std::string::npos) order.push_back(i);
  };
  const Report parallel = check(pkg());
  EXPECT_EQ(to_json(serial, Lang::en).dump(1), to_json(parallel, Lang::en).dump(1));
  EXPECT_EQ(render_text(serial, messages(Lang::en), false), render_text(parallel, messages(Lang::en), false));
  EXPECT_EQ(order.size(), serial.documents.size());  // every document announced once
}

}  // namespace
}  // namespace dossier::app

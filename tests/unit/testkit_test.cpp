// The package testkit: every file in tests/vectors/*.vec describes one package (built from an
// example package plus edits, with synthetic PDFs generated on the fly) and the verdict and
// failed grounds `dossier check` must reach. One generic test runs them all.
//
// Directives, one per line ('#' starts a comment):
//   expect: complete | incomplete | not-eligible
//   note: RULE | TEXT            the finding of RULE has a note containing TEXT
//   date: YYYY-MM-DD             the check date (default 2026-12-01, so that vectors do not age)
//   grounds: G1 G2 ...           exact set of grounds with a failed rule ("-" for none)
//   failed: RULE ...             these rules must have failed (subset)
//   warned: RULE ...             these rules must have warned (subset)
//   base: complete | incomplete | empty | corpus:REL | data:REL
//                                 start from examples/<name>, an empty folder, or use a file
//                                 from the corpora / tests/data as the whole package
//   remove: PATH                 delete a file of the package
//   replace: FROM => TO          edit referral.xml (FROM must occur)
//   pdf: PATH [FLAGS] | LINE | LINE ...   generate a PDF; FLAGS: no-text javascript embedded
//                                 objstm encrypt-user encrypt-owner truncate=N pages=N
//                                 scan: a scanned document (the lines drawn on a grayscale
//                                 page image, no text layer); with scan also rotate=DEG
//                                 (e.g. 1.5, clockwise), noise=SEED (grey paper and speckles;
//                                 0 = clean) and dpi=N (default 200)
//   file: PATH | CONTENT         write a file with this content
//   profile: ID                  check with --profile ID
//   zip: yes                     zip the package folder (one top folder) and check the ZIP
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "app/check.hpp"
#include "io/zip_reader.hpp"
#include "io/zip_writer.hpp"
#include "mkpdf.hpp"
#include "test_support.hpp"
#include "app/data_files.hpp"

namespace dossier {
namespace {

namespace fs = std::filesystem;

std::string trim(std::string s) {
  const auto b = s.find_first_not_of(" \t");
  const auto e = s.find_last_not_of(" \t\r");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

std::vector<std::string> split(const std::string& s, const std::string& sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    const auto pos = s.find(sep, start);
    out.push_back(trim(s.substr(start, pos - start)));
    if (pos == std::string::npos) break;
    start = pos + sep.size();
  }
  return out;
}

std::set<std::string> words(const std::string& s) {
  std::istringstream in(s);
  std::set<std::string> out;
  for (std::string w; in >> w;) {
    if (w != "-") out.insert(w);
  }
  return out;
}

void write_file(const fs::path& p, const std::string& content) {
  fs::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary);
  out << content;
}

using test::corpora_dir;

std::vector<fs::path> vector_files() {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(test::source_dir() + "/tests/vectors")) {
    if (e.path().extension() == ".vec") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

class Testkit : public ::testing::TestWithParam<fs::path> {};

TEST(TestkitFolder, HasVectors) { EXPECT_GE(vector_files().size(), 20u); }

TEST_P(Testkit, Vector) {
  const auto vec = GetParam();
  const auto work = test::scratch_path("dossier-testkit-" + vec.stem().string());
  fs::remove_all(work);
  fs::path pkg = work / "pakket";
  fs::create_directories(work);

  std::string expect;
  std::optional<std::set<std::string>> grounds;
  std::set<std::string> failed;
  std::set<std::string> warned;
  std::string profile;
  std::string check_date = "2026-12-01";
  std::vector<std::pair<std::string, std::string>> notes;
  bool zip = false;

  std::ifstream in(vec);
  ASSERT_TRUE(in) << vec;
  for (std::string raw; std::getline(in, raw);) {
    const auto line = trim(raw);
    if (line.empty() || line[0] == '#') continue;
    const auto colon = line.find(':');
    ASSERT_NE(colon, std::string::npos) << "bad line: " << line;
    const auto key = line.substr(0, colon);
    const auto value = trim(line.substr(colon + 1));
    if (key == "expect") {
      expect = value;
    } else if (key == "grounds") {
      grounds = words(value);
    } else if (key == "failed") {
      failed = words(value);
    } else if (key == "warned") {
      warned = words(value);
    } else if (key == "note") {
      const auto parts = split(value, "|");
      ASSERT_EQ(parts.size(), 2u) << "note: RULE | TEXT";
      notes.emplace_back(parts[0], parts[1]);
    } else if (key == "date") {
      check_date = value;
    } else if (key == "profile") {
      profile = value;
    } else if (key == "zip") {
      zip = value == "yes";
    } else if (key == "base") {
      if (value == "empty") {
        fs::create_directories(pkg);
      } else if (value.rfind("corpus:", 0) == 0) {
        if (const auto why = test::corpora_missing(""); !why.empty()) {
          fs::remove_all(work);
          GTEST_SKIP() << why;
        }
        pkg = fs::path(corpora_dir()) / value.substr(7);
        ASSERT_TRUE(fs::exists(pkg)) << "corpus file missing (set DOSSIER_CORPORA): " << pkg;
      } else if (value.rfind("data:", 0) == 0) {
        pkg = fs::path(DOSSIER_TEST_DATA) / value.substr(5);
        ASSERT_TRUE(fs::exists(pkg)) << pkg;
      } else {
        fs::copy(test::source_dir() + "/examples/" + value, pkg, fs::copy_options::recursive);
      }
    } else if (key == "remove") {
      ASSERT_TRUE(fs::remove(pkg / value)) << "nothing to remove at " << value;
    } else if (key == "replace") {
      const auto parts = split(value, "=>");
      ASSERT_EQ(parts.size(), 2u) << line;
      const auto text = test::read_text(pkg / "referral.xml");
      write_file(pkg / "referral.xml", test::replace_once(text, parts[0], parts[1]));
    } else if (key == "file") {
      const auto parts = split(value, "|");
      write_file(pkg / parts[0], parts.size() > 1 ? parts[1] + "\n" : "");
    } else if (key == "pdf") {
      const auto parts = split(value, "|");
      std::istringstream head(parts[0]);
      std::string path;
      head >> path;
      mkpdf::PdfSpec spec;
      spec.title = "Synthetisch document";
      bool scan_option = false;
      for (std::string flag; head >> flag;) {
        if (flag == "no-text") spec.no_text = true;
        else if (flag == "javascript") spec.javascript = true;
        else if (flag == "embedded") spec.embedded_file = true;
        else if (flag == "objstm") spec.object_streams = true;
        else if (flag == "encrypt-user") spec.user_password = "geheim";
        else if (flag == "encrypt-owner") spec.owner_password = "eigenaar";
        else if (flag.rfind("truncate=", 0) == 0) spec.truncate = std::stoul(flag.substr(9));
        else if (flag.rfind("pages=", 0) == 0) spec.pages = std::stoi(flag.substr(6));
        else if (flag == "scan") spec.scan = true;
        else if (flag.rfind("rotate=", 0) == 0) { spec.scan_rotation_degrees = std::stod(flag.substr(7)); scan_option = true; }
        else if (flag.rfind("noise=", 0) == 0) { spec.scan_noise_seed = static_cast<unsigned>(std::stoul(flag.substr(6))); scan_option = true; }
        else if (flag.rfind("dpi=", 0) == 0) { spec.scan_dpi = std::stoi(flag.substr(4)); scan_option = true; }
        else FAIL() << "unknown pdf flag " << flag;
      }
      ASSERT_TRUE(spec.scan || !scan_option) << "rotate=, noise= and dpi= need the flag scan: " << line;
      for (std::size_t i = 1; i < parts.size(); ++i) spec.lines.push_back(parts[i]);
      write_file(pkg / path, mkpdf::make_pdf(spec));
    } else {
      FAIL() << "unknown directive " << key;
    }
  }
  ASSERT_TRUE(expect == "complete" || expect == "incomplete" || expect == "not-eligible") << "vector needs expect:";
  ASSERT_TRUE(grounds.has_value()) << "vector needs grounds:";

  fs::path target = pkg;
  if (zip) {
    target = work / "pakket.zip";
    auto writer = io::ZipWriter::create(target);
    ASSERT_TRUE(writer) << writer.error().message;
    for (const auto& e : fs::recursive_directory_iterator(pkg)) {
      const auto rel = "pakket/" + e.path().lexically_relative(pkg).generic_string();
      if (e.is_directory()) continue;
      ASSERT_TRUE(writer->add_file_deflated(rel, e.path()));
    }
    ASSERT_TRUE(writer->close());
  }

  auto messages = app::load_catalogue(test::source_dir(), Lang::en);
  ASSERT_TRUE(messages);
  app::CheckOptions options;
  options.data_dir = test::source_dir();
  options.profile = profile;
  options.check_date = check_date;
  auto report = app::run_check(target, options, *messages);
  ASSERT_TRUE(report) << report.error().message;

  std::set<std::string> got_grounds;
  std::set<std::string> got_failed;
  std::set<std::string> got_warned;
  std::string summary;
  for (const auto& f : report->findings) {
    if (f.status == Status::failed) {
      got_grounds.insert(f.ground);
      got_failed.insert(f.rule);
    }
    if (f.status == Status::warning) got_warned.insert(f.rule);
    if (f.status == Status::failed || f.status == Status::warning) {
      summary += std::string(status_name(f.status)) + " " + f.rule;
      for (const auto& n : f.notes) summary += " [" + n.file + ": " + n.note + "]";
      summary += "\n";
    }
  }
  EXPECT_EQ(verdict_name(report->verdict), expect) << summary;
  EXPECT_EQ(got_grounds, *grounds) << summary;
  for (const auto& r : failed) EXPECT_TRUE(got_failed.count(r) == 1) << "expected failure of " << r << "\n" << summary;
  for (const auto& r : warned) EXPECT_TRUE(got_warned.count(r) == 1) << "expected warning of " << r << "\n" << summary;
  for (const auto& [rule, text] : notes) {
    bool seen = false;
    for (const auto& f : report->findings) {
      if (f.rule != rule) continue;
      for (const auto& n : f.notes) seen = seen || n.note.find(text) != std::string::npos;
    }
    EXPECT_TRUE(seen) << "expected a note of " << rule << " containing '" << text << "'\n" << summary;
  }
  fs::remove_all(work);
}

INSTANTIATE_TEST_SUITE_P(Vectors, Testkit, ::testing::ValuesIn(vector_files()),
                         [](const ::testing::TestParamInfo<fs::path>& param_info) {
                           std::string name;
                           for (char c : param_info.param.stem().string()) name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                           return name;
                         });

}  // namespace
}  // namespace dossier

// The package reader (src/io/package.cpp): a folder or a ZIP of one, read without following
// links and within PackageLimits. The hostile ZIP entries themselves are in zip_reader_test.cpp.
#include "io/package.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>

#include "io/zip_reader.hpp"
#include "io/zip_writer.hpp"
#include "test_support.hpp"

namespace dossier::io {
namespace {

namespace fs = std::filesystem;

class PackageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = test::scratch_path("dossier-package-" +
                               std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(root_);
    fs::create_directories(root_ / "pakket");
  }
  void TearDown() override { fs::remove_all(root_); }

  fs::path pkg() const { return root_ / "pakket"; }

  void put(const std::string& rel, const std::string& content) const {
    fs::create_directories((pkg() / rel).parent_path());
    std::ofstream(pkg() / rel, std::ios::binary) << content;
  }

  fs::path zip_of(const std::string& prefix) const {
    const auto target = root_ / "pakket.zip";
    fs::remove(target);
    auto writer = ZipWriter::create(target);
    EXPECT_TRUE(writer);
    for (const auto& e : fs::recursive_directory_iterator(pkg())) {
      if (e.is_directory()) continue;
      EXPECT_TRUE(writer->add_file_deflated(prefix + e.path().lexically_relative(pkg()).generic_string(), e.path()));
    }
    EXPECT_TRUE(writer->close());
    return target;
  }

  // A ZIP made by Info-ZIP's zip, which (unlike ZipWriter) stores names that differ only in case.
  fs::path zip_by_info_zip(bool top_folder) const {
    const auto target = root_ / "pakket.zip";
    fs::remove(target);
    const std::string cmd = top_folder ? "cd '" + root_.string() + "' && zip -q -r -X pakket.zip pakket"
                                       : "cd '" + pkg().string() + "' && zip -q -r -X ../pakket.zip .";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
    return target;
  }

  static std::vector<std::string> paths(const Package& p) {
    std::vector<std::string> out;
    for (const auto& f : p.files()) out.push_back(f.path);
    return out;
  }

  fs::path root_;
};

TEST_F(PackageTest, FolderListsFilesSortedAndSkipsOsClutter) {
  put("referral.xml", "<referral/>");
  put("politie/intake.pdf", "%PDF-1.7 x");
  put("aanmelding/verzoek.pdf", "%PDF-1.7 y");
  put(".DS_Store", "clutter");
  put("politie/Thumbs.db", "clutter");
  auto p = Package::open(pkg());
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(paths(*p), (std::vector<std::string>{"aanmelding/verzoek.pdf", "politie/intake.pdf", "referral.xml"}));
  const auto* f = p->find("politie/intake.pdf");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->size, 10u);
  auto bytes = p->read(*f);
  ASSERT_TRUE(bytes);
  EXPECT_EQ(std::string(bytes->begin(), bytes->end()), "%PDF-1.7 x");
}

TEST_F(PackageTest, MissingPathIsNotFound) {
  auto p = Package::open(root_ / "bestaat-niet");
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, Errc::not_found);
}

TEST_F(PackageTest, SymlinkInFolderIsHostile) {
  put("referral.xml", "<referral/>");
  fs::create_directories(pkg() / "politie");
  fs::create_symlink("/etc/passwd", pkg() / "politie" / "intake.pdf");
  auto p = Package::open(pkg());
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, Errc::hostile);
  EXPECT_NE(p.error().message.find("politie/intake.pdf"), std::string::npos) << p.error().message;
}

TEST_F(PackageTest, SymlinkedFolderIsHostileAndNotFollowed) {
  put("referral.xml", "<referral/>");
  fs::create_directory_symlink("/etc", pkg() / "politie");
  auto p = Package::open(pkg());
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, Errc::hostile);
}

TEST_F(PackageTest, FifoIsHostile) {
  put("referral.xml", "<referral/>");
  ASSERT_EQ(::mkfifo((pkg() / "pipe.pdf").c_str(), 0600), 0);
  auto p = Package::open(pkg());
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, Errc::hostile);
}

TEST_F(PackageTest, LimitsOnFilesDepthAndTotalSize) {
  for (int i = 0; i < 4; ++i) put("politie/" + std::to_string(i) + ".pdf", "12345");
  PackageLimits limits;
  limits.max_files = 3;
  auto many = Package::open(pkg(), limits);
  ASSERT_FALSE(many);
  EXPECT_EQ(many.error().code, Errc::limit);

  limits = {};
  limits.max_total_size = 19;
  auto big = Package::open(pkg(), limits);
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().code, Errc::limit);

  limits.max_total_size = 20;
  EXPECT_TRUE(Package::open(pkg(), limits));

  put("a/b/c/d/e.pdf", "x");
  auto deep = Package::open(pkg());
  ASSERT_FALSE(deep);
  EXPECT_EQ(deep.error().code, Errc::limit);
}

TEST_F(PackageTest, ZipOfTheFolderOrOfItsContentsReadsTheSame) {
  put("referral.xml", "<referral/>");
  put("politie/intake.pdf", "%PDF-1.7 x");
  // A ZIP of the package folder (one top folder) and a ZIP of its contents.
  for (const std::string prefix : {"aanmelding-CL-1/", ""}) {
    auto p = Package::open(zip_of(prefix));
    ASSERT_TRUE(p) << prefix << ": " << p.error().message;
    EXPECT_EQ(paths(*p), (std::vector<std::string>{"politie/intake.pdf", "referral.xml"})) << prefix;
    auto bytes = p->read(*p->find("politie/intake.pdf"));
    ASSERT_TRUE(bytes) << prefix;
    EXPECT_EQ(std::string(bytes->begin(), bytes->end()), "%PDF-1.7 x") << prefix;
  }
}

TEST_F(PackageTest, FileThatIsNotAZipIsMalformed) {
  put("referral.xml", "<referral/>");
  auto p = Package::open(pkg() / "referral.xml");
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, Errc::malformed);
}

// ---- issue 8: one name rule for folders and ZIPs ----

using Kind = NameProblem::Kind;

std::string show(const std::vector<NameProblem>& problems) {
  std::string out;
  for (const auto& p : problems) out += std::to_string(static_cast<int>(p.kind)) + " " + p.first + " | " + p.second + "\n";
  return out;
}

TEST_F(PackageTest, CaseTwinsAreTheSameProblemInAFolderAndAZip) {
  put("referral.xml", "<referral/>");
  put("REFERRAL.XML", "%PDF-1.7 a PDF named like referral.xml");
  put("politie/intake-avim.pdf", "%PDF-1.7 x");
  put("politie/INTAKE-AVIM.pdf", "%PDF-1.7 y");
  const std::vector<NameProblem> want = {{Kind::case_twins, "politie/INTAKE-AVIM.pdf", "politie/intake-avim.pdf"},
                                         {Kind::case_twins, "REFERRAL.XML", "referral.xml"}};
  auto folder = Package::open(pkg());
  ASSERT_TRUE(folder) << folder.error().message;
  EXPECT_EQ(folder->name_problems(), want) << show(folder->name_problems());
  for (const bool top : {false, true}) {
    auto zip = Package::open(zip_by_info_zip(top));
    ASSERT_TRUE(zip) << top << ": " << zip.error().message;  // listed, then judged like the folder
    EXPECT_EQ(zip->name_problems(), want) << top << "\n" << show(zip->name_problems());
  }
}

TEST_F(PackageTest, ComposedAndDecomposedTwinsAreTheSameProblemInAFolderAndAZip) {
  const std::string composed = "toestemming/cli\xc3\xabnt.pdf";     // U+00EB
  const std::string decomposed = "toestemming/clie\xcc\x88nt.pdf";  // e U+0308
  put("referral.xml", "<referral/>");
  put(composed, "%PDF-1.7 x");
  put(decomposed, "%PDF-1.7 y");
  const std::vector<NameProblem> want = {{Kind::form_twins, decomposed, composed}};
  auto folder = Package::open(pkg());
  ASSERT_TRUE(folder) << folder.error().message;
  EXPECT_EQ(folder->name_problems(), want) << show(folder->name_problems());
  auto zip = Package::open(zip_by_info_zip(false));
  ASSERT_TRUE(zip) << zip.error().message;
  EXPECT_EQ(zip->name_problems(), want) << show(zip->name_problems());
}

TEST_F(PackageTest, DecomposedNamesAreRefusedOncePerSegment) {
  put("referral.xml", "<referral/>");
  put("diagnostiek/re\xcc\x81sume\xcc\x81.pdf", "%PDF-1.7 x");   // résumé, decomposed
  put("Cli\xcc\x88nt/a.pdf", "%PDF-1.7 y");                       // a decomposed folder: named once
  put("Cli\xcc\x88nt/b.pdf", "%PDF-1.7 z");
  put("politie/cli\xc3\xabnt.pdf", "%PDF-1.7 composed is fine");
  auto p = Package::open(pkg());
  ASSERT_TRUE(p) << p.error().message;
  const std::vector<NameProblem> want = {{Kind::not_nfc, "Cli\xcc\x88nt", ""},
                                         {Kind::not_nfc, "diagnostiek/re\xcc\x81sume\xcc\x81.pdf", ""}};
  EXPECT_EQ(p->name_problems(), want) << show(p->name_problems());
}

TEST_F(PackageTest, TwinFoldersAreNamedOnceNotPerFile) {
  put("politie/a.pdf", "%PDF-1.7 x");
  put("Politie/a.pdf", "%PDF-1.7 y");
  auto p = Package::open(pkg());
  ASSERT_TRUE(p) << p.error().message;
  const std::vector<NameProblem> want = {{Kind::case_twins, "Politie", "politie"}};
  EXPECT_EQ(p->name_problems(), want) << show(p->name_problems());
}

TEST_F(PackageTest, ExactDuplicatesInAZipAreStillHostile) {
  // caller_judges_name_twins lets twins through, never two entries with one canonical name.
  auto z = Package::open(fs::path(DOSSIER_TEST_DATA) / "zip" / "duplicate.zip");
  ASSERT_FALSE(z);
  EXPECT_EQ(z.error().code, Errc::hostile);
}

// ---- issue 8: inputs are opened without following links or waiting on FIFOs ----

TEST_F(PackageTest, FileReplacedByAFifoAfterListingIsRefusedWithoutWaiting) {
  put("referral.xml", "<referral/>");
  put("politie/intake.pdf", "%PDF-1.7 x");
  auto p = Package::open(pkg());
  ASSERT_TRUE(p) << p.error().message;
  const auto fifo = pkg() / "politie" / "intake.pdf";
  fs::remove(fifo);
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto reading = std::async(std::launch::async, [&] { return p->read(*p->find("politie/intake.pdf")); });
  if (!test::ended_without_blocking(reading, fifo, std::chrono::seconds(5))) FAIL() << "reading a FIFO blocked";
  auto r = reading.get();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::hostile);
  EXPECT_NE(r.error().message.find("politie/intake.pdf: is a FIFO (named pipe), not a regular file"), std::string::npos)
      << r.error().message;
}

TEST_F(PackageTest, FolderReplacedByALinkAfterListingIsNotFollowed) {
  put("referral.xml", "<referral/>");
  put("politie/intake.pdf", "%PDF-1.7 x");
  fs::create_directories(root_ / "elders");
  std::ofstream(root_ / "elders" / "intake.pdf", std::ios::binary) << "%PDF-1.7 y";  // same size, other bytes
  auto p = Package::open(pkg());
  ASSERT_TRUE(p) << p.error().message;
  fs::rename(pkg() / "politie", root_ / "politie-weg");
  fs::create_directory_symlink(root_ / "elders", pkg() / "politie");
  auto r = p->read(*p->find("politie/intake.pdf"));
  ASSERT_FALSE(r) << "read through a link: " << std::string(r->begin(), r->end());
  EXPECT_EQ(r.error().code, Errc::hostile);
  EXPECT_NE(r.error().message.find("politie: is no longer a folder"), std::string::npos) << r.error().message;
}

TEST_F(PackageTest, FileReplacedByALinkAfterListingIsNotFollowed) {
  put("referral.xml", "<referral/>");
  std::ofstream(root_ / "other.xml", std::ios::binary) << "<other/>!!";
  auto p = Package::open(pkg());
  ASSERT_TRUE(p) << p.error().message;
  fs::remove(pkg() / "referral.xml");
  fs::create_symlink(root_ / "other.xml", pkg() / "referral.xml");
  auto r = p->read(*p->find("referral.xml"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::hostile);
}

// The package path itself may be a link: it is followed once, when the package is opened, and
// every later read goes through the folder found then.
TEST_F(PackageTest, PackagePathThatIsALinkIsFollowedOnce) {
  put("referral.xml", "<referral/>");
  put("politie/intake.pdf", "%PDF-1.7 x");
  const auto link = root_ / "snelkoppeling";
  fs::create_directory_symlink(pkg(), link);
  auto p = Package::open(link);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(paths(*p), (std::vector<std::string>{"politie/intake.pdf", "referral.xml"}));
  fs::create_directories(root_ / "ander" / "politie");
  std::ofstream(root_ / "ander" / "politie" / "intake.pdf", std::ios::binary) << "%PDF-1.7 y";
  fs::remove(link);
  fs::create_directory_symlink(root_ / "ander", link);
  auto bytes = p->read(*p->find("politie/intake.pdf"));
  ASSERT_TRUE(bytes) << bytes.error().message;
  EXPECT_EQ(std::string(bytes->begin(), bytes->end()), "%PDF-1.7 x");
}

TEST_F(PackageTest, LinkToNothingIsNotFound) {
  fs::create_symlink(root_ / "bestaat-niet", root_ / "snelkoppeling");
  auto p = Package::open(root_ / "snelkoppeling");
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, Errc::not_found);
  EXPECT_NE(p.error().message.find("a symbolic link to something that does not exist"), std::string::npos)
      << p.error().message;
}

TEST_F(PackageTest, PackagePathThatIsAFifoIsRefusedWithoutWaiting) {
  const auto fifo = root_ / "pakket.zip";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto p = Package::open(fifo);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, Errc::hostile);
  EXPECT_NE(p.error().message.find("is a FIFO (named pipe)"), std::string::npos) << p.error().message;
}

}  // namespace
}  // namespace dossier::io

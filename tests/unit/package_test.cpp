// The package reader (src/io/package.cpp): a folder or a ZIP of one, read without following
// links and within PackageLimits. The hostile ZIP entries themselves are in zip_reader_test.cpp.
#include "io/package.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

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

}  // namespace
}  // namespace dossier::io

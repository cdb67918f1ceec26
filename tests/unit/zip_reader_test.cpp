// ZipReader / ZipWriter: named hostile files from tests/data/zip (made by
// scripts/make-hostile-zips, described in tests/data/zip/README.md) and the shared corpus.
#include "io/zip_reader.hpp"
#include "io/zip_writer.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <new>
#include <set>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

// ---- allocation counter: proves reads are capped ----
namespace {
std::atomic<bool> g_counting{false};
std::atomic<std::size_t> g_allocated{0};

void* counted_alloc(std::size_t n) {
  if (g_counting.load(std::memory_order_relaxed)) g_allocated.fetch_add(n, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}

// Bytes allocated through operator new while `f` runs.
template <typename F>
std::size_t allocated_during(F&& f) {
  g_allocated = 0;
  g_counting = true;
  f();
  g_counting = false;
  return g_allocated.load();
}
}  // namespace

void* operator new(std::size_t n) { return counted_alloc(n); }
void* operator new[](std::size_t n) { return counted_alloc(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
// The nothrow forms too (std::stable_sort's temporary buffer uses them): a replaced delete must
// only ever free what a replaced new allocated, or AddressSanitizer reports a mismatch.
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  try {
    return counted_alloc(n);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  try {
    return counted_alloc(n);
  } catch (...) {
    return nullptr;
  }
}
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

namespace dossier::io {
namespace {

namespace fs = std::filesystem;

fs::path data(const std::string& name) { return fs::path(DOSSIER_TEST_DATA) / "zip" / name; }

std::string text(const std::vector<std::uint8_t>& v) { return std::string(v.begin(), v.end()); }

// Every file name under `dir`, recursively, with its size: to prove nothing was written.
std::set<std::string> snapshot(const fs::path& dir) {
  std::set<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    out.insert(e.path().string() + ":" +
               (e.is_regular_file() ? std::to_string(e.file_size()) : std::string("dir")));
  }
  return out;
}

// Opens and reads every entry; the first failure, if any.
Result<void> open_and_read_all(const fs::path& p, const ZipLimits& limits = {}) {
  auto z = ZipReader::open(p, limits);
  if (!z) return tl::unexpected(z.error());
  for (const ZipEntry& e : z->entries()) {
    auto r = z->read_to(e, [](std::span<const std::uint8_t>) -> Result<void> { return {}; });
    if (!r) return r;
  }
  return {};
}

TEST(ZipReader, ValidArchive) {
  auto z = ZipReader::open(data("valid.zip"));
  ASSERT_TRUE(z) << z.error().message;
  const auto& es = z->entries();
  ASSERT_EQ(es.size(), 4u);
  EXPECT_EQ(es[0].name, "referral.xml");
  EXPECT_EQ(es[1].name, "documents");
  EXPECT_TRUE(es[1].is_directory);
  EXPECT_EQ(es[2].name, "documents/passport.pdf");
  const ZipEntry* xml = z->find("referral.xml");
  ASSERT_NE(xml, nullptr);
  auto bytes = z->read(*xml);
  ASSERT_TRUE(bytes) << bytes.error().message;
  EXPECT_EQ(text(*bytes), "<?xml version=\"1.0\"?>\n<referral/>\n");
  auto stored = z->read(*z->find("documents/statement.pdf"));
  ASSERT_TRUE(stored);
  EXPECT_EQ(text(*stored).substr(0, 5), "%PDF-");
  EXPECT_EQ(z->find("nope"), nullptr);
  EXPECT_TRUE(ZipReader::audit(data("valid.zip")).empty());

  ZipReader moved = std::move(*z);
  EXPECT_TRUE(moved.read(moved.entries()[2]));
}

TEST(ZipReader, RefusesEntriesNotFromThisArchive) {
  auto z = ZipReader::open(data("valid.zip"));
  ASSERT_TRUE(z);
  ZipEntry forged = z->entries()[0];
  forged.name = "other.xml";
  EXPECT_EQ(z->read(forged).error().code, Errc::usage);
  forged = z->entries()[0];
  forged.size = 1;  // declared values come from the reader's own copy
  EXPECT_TRUE(z->read(forged));
}

struct HostileCase {
  const char* file;
  Errc code;
  const char* entry;   // the message must name it ("" for archive-level problems)
  const char* reason;  // and say this
};

class HostileZip : public ::testing::TestWithParam<HostileCase> {};

TEST_P(HostileZip, OpenFailsWithCodeAndNamedEntry) {
  const HostileCase& c = GetParam();
  auto z = ZipReader::open(data(c.file));
  ASSERT_FALSE(z) << c.file << " was accepted";
  EXPECT_EQ(z.error().code, c.code) << errc_name(z.error().code) << ": " << z.error().message;
  EXPECT_NE(z.error().message.find(c.entry), std::string::npos) << z.error().message;
  EXPECT_NE(z.error().message.find(c.reason), std::string::npos) << z.error().message;
  const auto problems = ZipReader::audit(data(c.file));
  ASSERT_FALSE(problems.empty());
  EXPECT_EQ(problems.front().message, z.error().message);
}

INSTANTIATE_TEST_SUITE_P(
    Files, HostileZip,
    ::testing::Values(
        HostileCase{"dotdot.zip", Errc::hostile, "entry '../evil.pdf'", "traversal"},
        HostileCase{"absolute.zip", Errc::hostile, "entry '/etc/x'", "absolute"},
        HostileCase{"backslash.zip", Errc::hostile, "entry 'documents\\..\\..\\evil.pdf'", "backslash"},
        HostileCase{"drive.zip", Errc::hostile, "entry 'C:/x'", "drive letter"},
        HostileCase{"symlink.zip", Errc::hostile, "entry 'documents/passport.pdf'", "symbolic link"},
        HostileCase{"duplicate.zip", Errc::hostile, "entry 'documents/a.pdf'", "duplicate"},
        HostileCase{"duplicate-case.zip", Errc::hostile, "entry 'report.pdf'", "duplicate of entry 'Report.pdf'"},
        HostileCase{"duplicate-slash.zip", Errc::hostile, "entry 'a/b'", "duplicate of entry 'a/b/'"},
        HostileCase{"file-as-dir.zip", Errc::hostile, "entry 'a'", "also used as a directory"},
        HostileCase{"encrypted.zip", Errc::unsupported, "entry 'documents/secret.pdf'", "encrypted"},
        HostileCase{"bzip2.zip", Errc::unsupported, "entry 'documents/a.pdf'", "bzip2"},
        HostileCase{"ratio-bomb.zip", Errc::hostile, "entry 'documents/bomb.pdf'", "compression ratio"},
        HostileCase{"overlap-bomb.zip", Errc::hostile, "overlap-bomb.zip", "overlap bomb"},
        HostileCase{"many-entries.zip", Errc::limit, "many-entries.zip", "1001 entries, limit 1000"},
        HostileCase{"deep.zip", Errc::limit, "entry 'a/b/c/d/e/f/g/h/i/x.pdf'", "10 levels deep, limit 8"},
        HostileCase{"long-name.zip", Errc::limit, "entry 'd/nnn", "241 bytes long, limit 240"},
        HostileCase{"control-char.zip", Errc::hostile, "entry 'evil\\x0A.pdf'", "control character"},
        HostileCase{"empty-name.zip", Errc::hostile, "entry ''", "empty name"},
        HostileCase{"nul-name.zip", Errc::hostile, "entry 'report.pdf .exe'", "NUL byte"},
        HostileCase{"truncated.zip", Errc::malformed, "truncated.zip", "not a usable ZIP"},
        HostileCase{"not-a-zip.zip", Errc::malformed, "not-a-zip.zip", "not a usable ZIP"},
        HostileCase{"does-not-exist.zip", Errc::not_found, "does-not-exist.zip", "no such file"}),
    [](const auto& param_info) {
      std::string n = param_info.param.file;
      for (char& ch : n) {
        if (ch == '-' || ch == '.') ch = '_';
      }
      return n;
    });

TEST(ZipReader, SizeLieIsCaughtWithoutReadingPastTheDeclaredSize) {
  auto z = ZipReader::open(data("size-lie.zip"));  // declares 1 KiB, inflates to 40 MiB
  ASSERT_TRUE(z) << z.error().message;
  const ZipEntry& e = z->entries().at(0);
  ASSERT_EQ(e.size, 1024u);
  Result<std::vector<std::uint8_t>> r;
  const std::size_t used = allocated_during([&] { r = z->read(e); });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::hostile);
  EXPECT_NE(r.error().message.find("entry 'documents/lie.pdf'"), std::string::npos);
  EXPECT_NE(r.error().message.find("more than its declared 1024 bytes"), std::string::npos);
  EXPECT_LT(used, 64u * 1024u) << "read() allocated " << used << " bytes";

  std::uint64_t delivered = 0;
  auto s = z->read_to(e, [&](std::span<const std::uint8_t> chunk) -> Result<void> {
    delivered += chunk.size();
    return {};
  });
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, Errc::hostile);
  EXPECT_LE(delivered, 1024u);
}

TEST(ZipReader, RatioBombReadIsBoundedByTheEntryLimit) {
  ZipLimits relaxed;
  relaxed.max_ratio = 1u << 20;
  relaxed.max_entry_size = 1 * kMiB;
  auto z = ZipReader::open(data("ratio-bomb.zip"), relaxed);
  ASSERT_FALSE(z);
  EXPECT_EQ(z.error().code, Errc::limit);
  EXPECT_NE(z.error().message.find("entry 'documents/bomb.pdf': declares 41943040 bytes, limit 1048576"),
            std::string::npos)
      << z.error().message;

  // With the ratio and size checks relaxed the bomb is read, but allocation stays at
  // the declared size (plus one read buffer), never more.
  relaxed.max_entry_size = 64 * kMiB;
  auto ok = ZipReader::open(data("ratio-bomb.zip"), relaxed);
  ASSERT_TRUE(ok) << ok.error().message;
  Result<std::vector<std::uint8_t>> r;
  const std::size_t used = allocated_during([&] { r = ok->read(ok->entries().at(0)); });
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->size(), 40u * kMiB);
  EXPECT_LE(used, 40u * kMiB + 128u * 1024u);
}

TEST(ZipReader, CrcMismatchIsReportedAtTheEnd) {
  auto z = ZipReader::open(data("crc-bad.zip"));
  ASSERT_TRUE(z) << z.error().message;
  auto r = z->read(z->entries().at(0));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::malformed);
  EXPECT_NE(r.error().message.find("entry 'documents/crc.pdf'"), std::string::npos);
  EXPECT_NE(r.error().message.find("CRC"), std::string::npos) << r.error().message;
  const auto problems = ZipReader::audit(data("crc-bad.zip"));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].entry, "documents/crc.pdf");
  EXPECT_TRUE(ZipReader::audit(data("crc-bad.zip"), {}, false).empty());
}

TEST(ZipReader, AuditListsEveryProblem) {
  const auto dup = ZipReader::audit(data("duplicate.zip"));
  ASSERT_EQ(dup.size(), 1u);
  EXPECT_EQ(dup[0].entry, "documents/a.pdf");
  const auto bomb = ZipReader::audit(data("overlap-bomb.zip"));
  ASSERT_FALSE(bomb.empty());
  EXPECT_EQ(bomb[0].entry, "");
  EXPECT_EQ(bomb[0].code, Errc::hostile);
  ZipLimits tight;
  tight.max_depth = 1;
  tight.max_entry_size = 16;
  const auto many = ZipReader::audit(data("valid.zip"), tight);
  // documents/passport.pdf and documents/statement.pdf: too deep and too big, each.
  EXPECT_EQ(many.size(), 5u);
  for (const auto& p : many) EXPECT_EQ(p.code, Errc::limit) << p.message;
}

TEST(ZipReader, LimitsAreConfigurable) {
  ZipLimits l;
  l.max_entries = 3;
  EXPECT_EQ(ZipReader::open(data("valid.zip"), l).error().code, Errc::limit);
  l = {};
  l.max_total_size = 40;
  auto z = ZipReader::open(data("valid.zip"), l);
  ASSERT_FALSE(z);
  EXPECT_NE(z.error().message.find("declared total"), std::string::npos) << z.error().message;
  l = {};
  l.max_archive_size = 100;
  EXPECT_EQ(ZipReader::open(data("valid.zip"), l).error().code, Errc::limit);
}

TEST(ZipReader, NothingIsWrittenToDisk) {
  const fs::path cwd = fs::current_path();
  const auto before_data = snapshot(data(""));
  const auto before_cwd = snapshot(cwd);
  for (const auto& f : fs::directory_iterator(data(""))) {
    (void)open_and_read_all(f.path());
    (void)ZipReader::audit(f.path());
  }
  EXPECT_EQ(snapshot(data("")), before_data);
  EXPECT_EQ(snapshot(cwd), before_cwd);
}

// ---- ZipWriter ----

class ZipWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("dossier-zipwriter-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  static std::vector<std::uint8_t> bytes(std::string_view s) { return {s.begin(), s.end()}; }
  void write_file(const fs::path& p, std::string_view s) {
    std::ofstream(p, std::ios::binary) << s;
  }
  static std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  Result<void> make(const fs::path& out, const fs::path& source) {
    auto w = ZipWriter::create(out);
    if (!w) return tl::unexpected(w.error());
    if (auto r = w->add_stored("mimetype", bytes("application/vnd.dossier+zip")); !r) return r;
    if (auto r = w->add_directory("documents/"); !r) return r;
    if (auto r = w->add_file_deflated("documents/a.pdf", source); !r) return r;
    if (auto r = w->add_file_stored("documents/b.pdf", source); !r) return r;
    if (auto r = w->add_deflated("referral.xml", bytes(std::string(5000, 'x'))); !r) return r;
    return w->close();
  }
  fs::path dir_;
};

TEST_F(ZipWriterTest, RoundTripInInsertionOrder) {
  write_file(dir_ / "src.pdf", "%PDF-1.4\nhello\n%%EOF\n");
  ASSERT_TRUE(make(dir_ / "out.zip", dir_ / "src.pdf"));
  auto z = ZipReader::open(dir_ / "out.zip");
  ASSERT_TRUE(z) << z.error().message;
  const auto& es = z->entries();
  ASSERT_EQ(es.size(), 5u);
  EXPECT_EQ(es[0].name, "mimetype");
  EXPECT_EQ(es[0].size, es[0].compressed_size);  // stored
  EXPECT_FALSE(es[0].deflated);
  EXPECT_EQ(es[1].name, "documents");
  EXPECT_TRUE(es[1].is_directory);
  EXPECT_EQ(text(*z->read(es[2])), "%PDF-1.4\nhello\n%%EOF\n");
  EXPECT_EQ(es[3].size, es[3].compressed_size);
  EXPECT_LT(es[4].compressed_size, es[4].size);  // deflated
  EXPECT_TRUE(es[4].deflated);
  EXPECT_TRUE(ZipReader::audit(dir_ / "out.zip").empty());
  // "mimetype" is readable at a fixed offset, as in EPUB/ODF/ASiC.
  EXPECT_EQ(slurp(dir_ / "out.zip").substr(30, 8 + 27), "mimetypeapplication/vnd.dossier+zip");
}

TEST_F(ZipWriterTest, SameInputGivesSameBytes) {
  write_file(dir_ / "s1.pdf", "same");
  write_file(dir_ / "s2.pdf", "same");
  fs::last_write_time(dir_ / "s2.pdf", fs::last_write_time(dir_ / "s1.pdf") - std::chrono::hours(50));
  fs::permissions(dir_ / "s2.pdf", fs::perms::owner_read | fs::perms::owner_write);
  ASSERT_TRUE(make(dir_ / "a.zip", dir_ / "s1.pdf"));
  ASSERT_TRUE(make(dir_ / "b.zip", dir_ / "s2.pdf"));
  EXPECT_EQ(slurp(dir_ / "a.zip"), slurp(dir_ / "b.zip"));
}

TEST_F(ZipWriterTest, RefusesUnsafeOrDuplicateNamesAndExistingFiles) {
  auto w = ZipWriter::create(dir_ / "out.zip");
  ASSERT_TRUE(w);
  EXPECT_EQ(w->add_stored("../evil", {}).error().code, Errc::usage);
  EXPECT_EQ(w->add_stored("/abs", {}).error().code, Errc::usage);
  EXPECT_EQ(w->add_stored("dir/", {}).error().code, Errc::usage);
  ASSERT_TRUE(w->add_stored("Report.pdf", bytes("1")));
  EXPECT_EQ(w->add_stored("report.pdf", bytes("2")).error().code, Errc::usage);
  EXPECT_EQ(w->add_file_deflated("x.pdf", dir_ / "missing.pdf").error().code, Errc::not_found);
  ASSERT_TRUE(w->close());
  EXPECT_EQ(w->close().error().code, Errc::usage);
  EXPECT_EQ(ZipWriter::create(dir_ / "out.zip").error().code, Errc::usage);
  EXPECT_TRUE(ZipWriter::create(dir_ / "out.zip", true));
}

TEST_F(ZipWriterTest, DroppedWriterLeavesNoFile) {
  {
    auto w = ZipWriter::create(dir_ / "out.zip");
    ASSERT_TRUE(w);
    ASSERT_TRUE(w->add_stored("a.txt", bytes("a")));
  }
  EXPECT_FALSE(fs::exists(dir_ / "out.zip"));
  EXPECT_TRUE(fs::is_empty(dir_));
}

// ---- one open file ----

// The reader opens the archive once: libzip's parse, every entry read and read_raw() all go
// through that open file, so what a caller checks byte for byte is what it reads.
class ZipReaderFile : public ZipWriterTest {};

TEST_F(ZipReaderFile, ReadsTheFileItOpenedEvenWhenTheNameIsReplaced) {
  write_file(dir_ / "src.pdf", "%PDF-1.4\nhello\n%%EOF\n");
  ASSERT_TRUE(make(dir_ / "a.zip", dir_ / "src.pdf"));
  write_file(dir_ / "other.pdf", "something else entirely, longer than the first one\n");
  ASSERT_TRUE(make(dir_ / "b.zip", dir_ / "other.pdf"));
  const std::string original = slurp(dir_ / "a.zip");
  auto z = ZipReader::open(dir_ / "a.zip");
  ASSERT_TRUE(z) << z.error().message;
  EXPECT_EQ(z->archive_size(), original.size());
  fs::rename(dir_ / "b.zip", dir_ / "a.zip");  // the name now means another archive

  std::vector<std::uint8_t> all(original.size() + 10);
  auto n = z->read_raw(0, all);
  ASSERT_TRUE(n) << n.error().message;
  ASSERT_EQ(*n, original.size());  // short at the end of the file, not an error
  EXPECT_EQ(std::string(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(*n)), original);
  std::vector<std::uint8_t> tail(4);
  auto at_end = z->read_raw(original.size(), tail);
  ASSERT_TRUE(at_end);
  EXPECT_EQ(*at_end, 0u);
  auto pdf = z->read(z->entries()[2]);
  ASSERT_TRUE(pdf) << pdf.error().message;
  EXPECT_EQ(text(*pdf), "%PDF-1.4\nhello\n%%EOF\n");
}

TEST_F(ZipReaderFile, AFifoIsRefusedWithoutWaitingForAWriter) {
  const auto fifo = dir_ / "pipe.zip";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto z = ZipReader::open(fifo);  // would block forever if it opened the FIFO for reading
  ASSERT_FALSE(z);
  EXPECT_EQ(z.error().code, Errc::usage);
  EXPECT_NE(z.error().message.find("not a regular file"), std::string::npos) << z.error().message;
}

}  // namespace
}  // namespace dossier::io

// The canonical stored archive (io/zip_writer.hpp, stored_zip and StoredZipWriter): the exact
// bytes it writes, that the hardened reader reads them back, and what it refuses.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include "io/zip_reader.hpp"
#include "io/zip_writer.hpp"

namespace dossier::io {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;

Bytes bytes(std::string_view s) { return {s.begin(), s.end()}; }
Bytes slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return bytes(ss.str());
}
Bytes unhex(std::string_view hex) {
  Bytes out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    if (hex[i] == ' ') {
      --i;
      continue;
    }
    out.push_back(static_cast<std::uint8_t>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

class StoredZip : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("dossier-storedzip-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

// The check value of CRC-32 (ISO 3309, the ZIP polynomial) and its running form: the CRC of
// the parts, chained, is the CRC of the whole, as the bundle code computes it chunk by chunk.
TEST(Crc32, CheckValueAndRunningValue) {
  const Bytes nine = bytes("123456789");
  EXPECT_EQ(crc32_update(0, nine), 0xCBF43926u);
  EXPECT_EQ(crc32_update(0, {}), 0u);
  Bytes big(300000);
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<std::uint8_t>((i * 7919) >> 3);
  const std::uint32_t whole = crc32_update(0, big);
  std::uint32_t chained = 0;
  for (std::size_t at = 0; at < big.size(); at += 65537) {
    chained = crc32_update(chained, std::span<const std::uint8_t>(big).subspan(at, std::min<std::size_t>(65537, big.size() - at)));
  }
  EXPECT_EQ(chained, whole);
  big[123456] ^= 0x10;
  EXPECT_NE(crc32_update(0, big), whole);
}

TEST_F(StoredZip, WritesExactlyTheDocumentedBytes) {
  std::ofstream(dir_ / "doc.txt", std::ios::binary) << "hello\n";
  auto w = StoredZipWriter::create(dir_ / "out.zip");
  ASSERT_TRUE(w) << w.error().message;
  ASSERT_TRUE(w->add("mimetype", bytes("x")));
  ASSERT_TRUE(w->add_copy("a/b.txt", dir_ / "doc.txt", 6, crc32_update(0, bytes("hello\n"))));
  ASSERT_TRUE(w->close());
  const Bytes got = slurp(dir_ / "out.zip");

  // By hand from APPNOTE 4.3.7 / 4.3.12 / 4.3.16 (little-endian): CRC-32("x") = 8CDC1683,
  // CRC-32("hello\n") = 363A3020, DOS date 2000-01-01 = 0x2821.
  const Bytes want = unhex(
      "504b0304 0a00 0000 0000 0000 2128 8316dc8c 01000000 01000000 0800 0000 6d696d6574797065 78"
      "504b0304 0a00 0000 0000 0000 2128 20303a36 06000000 06000000 0700 0000 612f622e747874 68656c6c6f0a"
      "504b0102 1403 0a00 0000 0000 0000 2128 8316dc8c 01000000 01000000 0800 0000 0000 0000 0000 0000a481"
      " 00000000 6d696d6574797065"
      "504b0102 1403 0a00 0000 0000 0000 2128 20303a36 06000000 06000000 0700 0000 0000 0000 0000 0000a481"
      " 27000000 612f622e747874"
      "504b0506 0000 0000 0200 0200 6b000000 52000000 0000");
  EXPECT_EQ(got, want);

  // The same bytes from the layout alone, as a verifier rebuilds them.
  auto l = stored_zip::layout({{"mimetype", 1, 0x8CDC1683u}, {"a/b.txt", 6, 0x363A3020u}});
  ASSERT_TRUE(l) << l.error().message;
  EXPECT_EQ(l->size, got.size());
  ASSERT_EQ(l->headers.size(), 5u);
  for (const auto& h : l->headers) {
    ASSERT_LE(h.offset + h.bytes.size(), got.size());
    EXPECT_TRUE(std::equal(h.bytes.begin(), h.bytes.end(), got.begin() + static_cast<std::ptrdiff_t>(h.offset)))
        << "header at " << h.offset;
  }
  EXPECT_EQ(l->data_offsets, (std::vector<std::uint64_t>{38, 76}));

  // And the hardened reader reads it back.
  auto z = ZipReader::open(dir_ / "out.zip");
  ASSERT_TRUE(z) << z.error().message;
  ASSERT_EQ(z->entries().size(), 2u);
  auto data = z->read(z->entries()[1]);
  ASSERT_TRUE(data) << data.error().message;
  EXPECT_EQ(*data, bytes("hello\n"));
}

// The tail written first, out of order, then the head that fills the reserve: the same bytes as
// the archive written front to back. A head that does not fill the reserve is refused and the
// file stays (for copying); a write past a member is refused; an unfinished file is removed.
TEST_F(StoredZip, ReservedHeadGivesTheSameBytesAsWritingInOrder) {
  const Bytes head1 = bytes("x"), head2 = bytes("the manifest"), t1 = bytes("hello\n"), t2 = bytes("second member");
  auto w = StoredZipWriter::create(dir_ / "inorder.zip");
  ASSERT_TRUE(w);
  ASSERT_TRUE(w->add("mimetype", head1));
  ASSERT_TRUE(w->add("m.xml", head2));
  ASSERT_TRUE(w->add("a/b.txt", t1));
  ASSERT_TRUE(w->add("c.age", t2));
  ASSERT_TRUE(w->close());

  const std::uint64_t reserve = stored_member_size("mimetype", head1.size()) + stored_member_size("m.xml", head2.size());
  auto r = ReservedStoredZip::create(dir_ / "reserved.zip", reserve, {{"a/b.txt", t1.size(), 0}, {"c.age", t2.size(), 0}});
  ASSERT_TRUE(r) << r.error().message;
  const std::span<const std::uint8_t> second(t2);
  ASSERT_TRUE(r->write_tail(1, 6, second.subspan(6)));  // out of order, in pieces
  ASSERT_TRUE(r->write_tail(0, 0, t1));
  ASSERT_TRUE(r->write_tail(1, 0, second.first(6)));
  EXPECT_EQ(r->write_tail(0, 1, t1).error().code, Errc::usage);  // past the member's end
  EXPECT_EQ(r->write_tail(2, 0, t1).error().code, Errc::usage);  // no such member
  const std::vector<std::uint32_t> crcs = {crc32_update(0, t1), crc32_update(0, t2)};
  EXPECT_EQ(r->finish({{"mimetype", head1}}, crcs).error().code, Errc::usage);  // does not fill the reserve
  ASSERT_TRUE(fs::exists(dir_ / "reserved.zip"));
  ASSERT_TRUE(r->finish({{"mimetype", head1}, {"m.xml", head2}}, crcs));
  EXPECT_EQ(slurp(dir_ / "reserved.zip"), slurp(dir_ / "inorder.zip"));

  {
    auto dropped = ReservedStoredZip::create(dir_ / "dropped.zip", 100, {{"a", 3, 0}});
    ASSERT_TRUE(dropped);
    ASSERT_TRUE(dropped->write_tail(0, 0, bytes("abc")));
  }
  EXPECT_FALSE(fs::exists(dir_ / "dropped.zip"));
  EXPECT_EQ(ReservedStoredZip::create(dir_ / "inorder.zip", 10, {}).error().code, Errc::usage);  // exists
}

// A member appended after the tail was reserved (seal's reading copy, made after the check)
// lands where writing in order puts it: the same bytes again.
TEST_F(StoredZip, AppendedTailMemberGivesTheSameBytes) {
  const Bytes head1 = bytes("x"), t1 = bytes("hello\n"), t2 = bytes("appended later");
  auto w = StoredZipWriter::create(dir_ / "inorder.zip");
  ASSERT_TRUE(w);
  ASSERT_TRUE(w->add("mimetype", head1));
  ASSERT_TRUE(w->add("a/b.txt", t1));
  ASSERT_TRUE(w->add("c.age", t2));
  ASSERT_TRUE(w->close());

  auto r = ReservedStoredZip::create(dir_ / "appended.zip", stored_member_size("mimetype", head1.size()),
                                     {{"a/b.txt", t1.size(), 0}});
  ASSERT_TRUE(r);
  ASSERT_TRUE(r->write_tail(0, 0, t1));
  auto n = r->append({"c.age", t2.size(), 0});
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_EQ(*n, 1u);
  EXPECT_EQ(r->tail_count(), 2u);
  EXPECT_EQ(r->write_tail(1, 1, t2).error().code, Errc::usage);  // past the appended member's end
  ASSERT_TRUE(r->write_tail(1, 0, t2));
  EXPECT_EQ(r->append({"../evil", 1, 0}).error().code, Errc::usage);  // names are checked as in create
  ASSERT_TRUE(r->finish({{"mimetype", head1}}, {crc32_update(0, t1), crc32_update(0, t2)}));
  EXPECT_EQ(slurp(dir_ / "appended.zip"), slurp(dir_ / "inorder.zip"));
}

TEST_F(StoredZip, RefusesWhatTheLayoutCannotHold) {
  ASSERT_TRUE(StoredZipWriter::create(dir_ / "x"));  // dropped: removed again
  EXPECT_FALSE(fs::exists(dir_ / "x"));
  std::ofstream(dir_ / "exists.zip") << "keep";
  EXPECT_EQ(StoredZipWriter::create(dir_ / "exists.zip").error().code, Errc::usage);
  EXPECT_EQ(StoredZipWriter::create(dir_ / "no" / "such.zip").error().code, Errc::not_found);

  auto w = StoredZipWriter::create(dir_ / "out.zip");
  ASSERT_TRUE(w);
  for (const std::string bad : {"../evil", "/abs", "dir/", "caf\xC3\xA9", "tab\tname", ""}) {
    EXPECT_EQ(w->add(bad, bytes("1")).error().code, Errc::usage) << bad;
  }
  ASSERT_TRUE(w->add("a", bytes("1")));
  EXPECT_EQ(w->add("a", bytes("2")).error().code, Errc::usage);
  EXPECT_EQ(w->add_copy("b", dir_ / "missing", 1, 0).error().code, Errc::not_found);
  std::ofstream(dir_ / "three", std::ios::binary) << "abc";
  EXPECT_EQ(w->add_copy("c", dir_ / "three", 4, 0).error().code, Errc::io);  // not the size the caller wrote
  ASSERT_TRUE(w->close());
  EXPECT_EQ(w->close().error().code, Errc::usage);

  // No ZIP64: a member or an offset that needs 32 bits or more.
  EXPECT_EQ(stored_zip::layout({{"big", 0xFFFFFFFFull, 0}}).error().code, Errc::limit);
  EXPECT_EQ(stored_zip::layout({{"a", 0xFFFFFFF0ull, 0}, {"b", 0x100, 0}}).error().code, Errc::limit);
  EXPECT_TRUE(stored_zip::layout({{"a", 0xFFFFFF00ull, 0}}));
  EXPECT_EQ(stored_zip::layout({{"a", 1, 0}, {"a", 1, 0}}).error().code, Errc::usage);
}

TEST_F(StoredZip, NamesEveryHeaderField) {
  using stored_zip::Part;
  EXPECT_EQ(stored_zip::field_at(Part::local_header, 0), "signature");
  EXPECT_EQ(stored_zip::field_at(Part::local_header, 7), "general-purpose flags");
  EXPECT_EQ(stored_zip::field_at(Part::local_header, 29), "extra field length");
  EXPECT_EQ(stored_zip::field_at(Part::local_header, 30), "name");
  EXPECT_EQ(stored_zip::field_at(Part::central_header, 5), "version made by");
  EXPECT_EQ(stored_zip::field_at(Part::central_header, 38), "external attributes");
  EXPECT_EQ(stored_zip::field_at(Part::central_header, 45), "local header offset");
  EXPECT_EQ(stored_zip::field_at(Part::end_record, 21), "comment length");
}

}  // namespace
}  // namespace dossier::io

// ZIP writing (reading: zip_reader.hpp), and the CRC-32 both use. Format: PKWARE APPNOTE.TXT
// 6.3.x; rules: docs/zip-safety.md ("Writing").
//
// ZipWriter      any archive (stored, deflated, folders) over libzip 1.7.3; the tests build
//                packages with it.
// stored_zip     one exact layout of stored files, byte for byte, and StoredZipWriter, which
//                writes it: the bundle's container (docs/bundle-format.md, "Container bytes").
//                A reader that must accept nothing else rebuilds every header with the same
//                functions and compares.
#pragma once

#include <cstdint>
#include <filesystem>
#include <list>
#include <span>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/result.hpp"

struct zip;  // libzip's zip_t

namespace dossier::io {

// Writes a new archive. Entries appear in insertion order with fixed metadata (mtime
// 2000-01-01 00:00 in DOS time, Unix mode 0644 / 0755 for directories) so the same input
// gives the same bytes. Nothing is visible at `path` until close() succeeds: libzip writes
// a temporary file next to it and renames it. Destroying a writer without close() discards.
// Names must be safe relative paths (safe_path.hpp) and unique, also ignoring case and Unicode form.
class ZipWriter {
 public:
  // Errc::usage when `path` exists and `overwrite` is false.
  static Result<ZipWriter> create(const std::filesystem::path& path, bool overwrite = false);

  ZipWriter(ZipWriter&& other) noexcept;
  ZipWriter& operator=(ZipWriter&& other) noexcept;
  ZipWriter(const ZipWriter&) = delete;
  ZipWriter& operator=(const ZipWriter&) = delete;
  ~ZipWriter();

  // Stored (method 0), e.g. a leading "mimetype" entry.
  Result<void> add_stored(std::string name, std::vector<std::uint8_t> data);
  Result<void> add_deflated(std::string name, std::vector<std::uint8_t> data);
  // The file is read during close(); it must stay unchanged until then.
  Result<void> add_file_stored(std::string name, const std::filesystem::path& source);
  Result<void> add_file_deflated(std::string name, const std::filesystem::path& source);
  Result<void> add_directory(std::string name);
  // Writes and renames into place. The writer is spent afterwards, even on failure.
  Result<void> close();

 private:
  explicit ZipWriter(zip* archive, std::filesystem::path path);
  Result<std::string> claim_name(const std::string& name);
  Result<void> add_buffer(std::string name, std::vector<std::uint8_t> data, bool deflate);
  Result<void> add_file(std::string name, const std::filesystem::path& source, bool deflate);
  Result<void> finish_entry(std::int64_t index, bool deflate, bool directory);
  zip* archive_ = nullptr;
  std::filesystem::path path_;
  std::list<std::vector<std::uint8_t>> buffers_;  // libzip reads them at close(); list keeps addresses
  std::unordered_set<std::string> keys_;
};

// ---- The canonical stored archive ----
//
// Given the members (name, size, CRC-32) in order, every byte that is not file data is fixed:
//   local header (APPNOTE 4.3.7)   PK\3\4, version needed 10, flags 0, method 0 (stored),
//                                  time 00:00:00, date 2000-01-01, CRC-32, size twice, name
//                                  length, extra length 0; the name; then the data at once
//                                  (no data descriptor, no gap);
//   central header (4.3.12)        PK\1\2, made by 0x0314 (Unix, 2.0), then as the local header,
//                                  comment length 0, disk 0, internal attributes 0, external
//                                  attributes 0100644 << 16 (a regular file, rw-r--r--), the
//                                  local header's offset; the name; in member order, right after
//                                  the last member's data;
//   end record (4.3.16)            PK\5\6, disks 0, the member count twice, the directory's
//                                  size and offset, comment length 0; the file ends there.
// Names are printable ASCII safe relative paths (so the UTF-8 flag is never needed), unique.
// No ZIP64: every size and offset stays below 0xFFFFFFFF and the count below 0xFFFF.
namespace stored_zip {

inline constexpr std::size_t kLocalHeaderSize = 30;    // without the name
inline constexpr std::size_t kCentralHeaderSize = 46;  // without the name
inline constexpr std::size_t kEndRecordSize = 22;
inline constexpr std::uint64_t kMaxField = 0xFFFFFFFEu;  // 0xFFFFFFFF would mean ZIP64

struct Member {
  std::string name;
  std::uint64_t size = 0;
  std::uint32_t crc = 0;
};

enum class Part { local_header, central_header, end_record };

// One header of the layout: which, of which member (index into the members; the member count
// for the end record), where it starts in the file, and its exact bytes.
struct Header {
  Part part = Part::local_header;
  std::size_t member = 0;
  std::uint64_t offset = 0;
  std::vector<std::uint8_t> bytes;
};

struct Layout {
  std::vector<Header> headers;  // in file order: each local header, the directory, the end record
  std::vector<std::uint64_t> data_offsets;  // where each member's data starts
  std::uint64_t size = 0;                   // of the whole file
};

std::vector<std::uint8_t> local_header(const Member& m);
std::vector<std::uint8_t> central_header(const Member& m, std::uint64_t local_offset);
std::vector<std::uint8_t> end_record(std::size_t count, std::uint64_t directory_offset, std::uint64_t directory_size);
// Every header of the archive of `members`, as above. Errc::usage for a name that is not a
// printable-ASCII safe relative path or not unique; Errc::limit when it would need ZIP64.
Result<Layout> layout(const std::vector<Member>& members);
// The field at byte `at` of a header, for messages: "general-purpose flags", "CRC-32", "name".
std::string field_at(Part part, std::size_t at);

}  // namespace stored_zip

// Writes the canonical stored archive to a new file. Entries stream in: add() and add_copy()
// write local header and data at once, close() the central directory and end record, then
// fsyncs. Destroying a writer without a successful close() removes the file.
class StoredZipWriter {
 public:
  // Errc::usage when `path` exists (never replaced); the file is 0666 minus the umask.
  static Result<StoredZipWriter> create(const std::filesystem::path& path);

  StoredZipWriter(StoredZipWriter&& other) noexcept;
  StoredZipWriter& operator=(StoredZipWriter&&) = delete;
  StoredZipWriter(const StoredZipWriter&) = delete;
  StoredZipWriter& operator=(const StoredZipWriter&) = delete;
  ~StoredZipWriter();

  Result<void> add(const std::string& name, std::span<const std::uint8_t> data);
  // Copies `size` bytes of `source` from `source_offset` (the whole file when that is 0, which
  // must then hold exactly `size` bytes), whose CRC-32 is `crc`: the caller
  // computed both as it wrote the file (seal, as it encrypts), so its bytes are copied by the
  // kernel (copy_file_range; read and write where a file system cannot) and never pass through
  // this process again. Errc::not_found for a missing or non-regular source, Errc::io when it
  // does not have `size` bytes.
  Result<void> add_copy(const std::string& name, const std::filesystem::path& source, std::uint64_t size,
                        std::uint32_t crc, std::uint64_t source_offset = 0);
  // The writer is spent afterwards, even on failure.
  Result<void> close();

 private:
  StoredZipWriter(int fd, std::filesystem::path path) : fd_(fd), path_(std::move(path)) {}
  Result<void> write_at(std::uint64_t offset, std::span<const std::uint8_t> bytes);
  Result<void> claim(const std::string& name);
  int fd_ = -1;
  std::filesystem::path path_;
  std::uint64_t offset_ = 0;  // where the next local header goes
  std::vector<stored_zip::Member> members_;
  std::unordered_set<std::string> names_;
};

// The canonical stored archive written in one pass over each member's data when the members
// that come last (the "tail") are known before those that come first (the "head"): the tail's
// sizes are given up front and the head gets `reserve` bytes (local headers and data). Each tail
// member's data is written at its final place as it is produced, in any order and from several
// threads at once (write_tail); finish() then writes the head, which must fill the reserve
// exactly, every header and the directory. Seal uses it: the documents' ciphertexts are written
// while the check reads them, and the signed manifest that precedes them is known only after.
// Destroying it without a successful finish() removes the file.
class ReservedStoredZip {
 public:
  // Errc::usage when `path` exists; Errc::limit when the layout would need ZIP64.
  static Result<ReservedStoredZip> create(const std::filesystem::path& path, std::uint64_t reserve,
                                          std::vector<stored_zip::Member> tail);
  ReservedStoredZip(ReservedStoredZip&& other) noexcept;
  ReservedStoredZip& operator=(ReservedStoredZip&&) = delete;
  ReservedStoredZip(const ReservedStoredZip&) = delete;
  ReservedStoredZip& operator=(const ReservedStoredZip&) = delete;
  ~ReservedStoredZip();

  std::uint64_t reserve() const noexcept { return reserve_; }
  // `bytes` at `at` within tail member `member`'s data; Errc::usage beyond its size.
  Result<void> write_tail(std::size_t member, std::uint64_t at, std::span<const std::uint8_t> bytes) const;
  // Tail member `member` is written whole: its pages start going to disk now, so that
  // finish()'s fsync waits for less. Only a hint; finish() reports any failure.
  void written(std::size_t member) const;
  // Adds a member after the last tail member (its size known only now, e.g. made from what the
  // check read); returns its number. Errc::limit when the layout would need ZIP64.
  Result<std::size_t> append(stored_zip::Member member);
  std::size_t tail_count() const noexcept { return tail_.size(); }
  // Where tail member `member`'s data lies in the file, for copying it elsewhere.
  std::uint64_t tail_offset(std::size_t member) const { return tail_offsets_.at(member); }
  const std::filesystem::path& path() const noexcept { return path_; }

  struct HeadMember {
    std::string name;
    std::span<const std::uint8_t> data;
  };
  // The head (local header and data of each, in order) must take exactly reserve() bytes
  // (Errc::usage otherwise: nothing is written, and the file stays for copying). `tail_crcs`
  // are the CRC-32s of the tail members' data as written. Writes, fsyncs and closes.
  Result<void> finish(const std::vector<HeadMember>& head, const std::vector<std::uint32_t>& tail_crcs);

 private:
  ReservedStoredZip(int fd, std::filesystem::path path, std::uint64_t reserve, std::vector<stored_zip::Member> tail,
                    std::vector<std::uint64_t> offsets)
      : fd_(fd), path_(std::move(path)), reserve_(reserve), tail_(std::move(tail)), tail_offsets_(std::move(offsets)) {}
  Result<void> write_at(std::uint64_t offset, std::span<const std::uint8_t> bytes) const;
  int fd_ = -1;
  std::filesystem::path path_;
  std::uint64_t reserve_ = 0;
  std::vector<stored_zip::Member> tail_;
  std::vector<std::uint64_t> tail_offsets_;  // data offsets
};

// Size of the local header and data of a member in the canonical layout.
inline std::uint64_t stored_member_size(const std::string& name, std::uint64_t size) {
  return stored_zip::kLocalHeaderSize + name.size() + size;
}

// CRC-32 (ISO 3309 / ITU-T V.42, as in APPNOTE 4.4.7); `crc` is the running value.
std::uint32_t crc32_update(std::uint32_t crc, std::span<const std::uint8_t> data) noexcept;

}  // namespace dossier::io

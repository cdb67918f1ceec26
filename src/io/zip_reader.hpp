// Hardened ZIP reading over libzip 1.7.3 (writing: zip_writer.hpp).
// Format: PKWARE APPNOTE.TXT 6.3.x (sections cited in zip_reader.cpp). Rules and the
// reasons behind them: docs/zip-safety.md; every number: docs/limits.md.
//
// What the reader guarantees: an open ZipReader has checked every central-directory entry
// (names, method, encryption, file type, sizes, ratio, duplicates) before any byte of data
// is read. A read never delivers more than the entry's declared size and fails unless the
// entry delivered exactly its declared size with a matching CRC-32.
// What it does NOT guarantee: that entries do not share compressed bytes in ways that stay
// below the size bound (only a lower-bound check is possible without offsets).
// Not thread-safe: reads change libzip state, even through const member functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "io/fd.hpp"

struct zip;  // libzip's zip_t

namespace dossier::io {

inline constexpr std::uint64_t kMiB = 1024ULL * 1024ULL;
inline constexpr std::uint64_t kGiB = 1024ULL * kMiB;

struct ZipLimits {
  std::size_t max_entries = 1000;
  std::uint64_t max_entry_size = 256 * kMiB;    // declared uncompressed size of one entry
  std::uint64_t max_total_size = 2 * kGiB;      // sum of declared uncompressed sizes
  std::uint64_t max_ratio = 200;                // uncompressed / compressed
  std::size_t max_name_length = 240;            // bytes
  std::size_t max_depth = 8;                    // path segments
  std::uint64_t max_archive_size = 2 * kGiB;    // bytes on disk
  std::uint64_t ratio_min_size = 64 * 1024;     // entries smaller than this skip the ratio check
  // Names that differ only in case or Unicode form (one collision_key, safe_path.hpp) are
  // refused, unless the caller judges them itself: the package reader does, so that a folder
  // and a ZIP get the same finding. Names that are equal once canonical are always refused.
  bool caller_judges_name_twins = false;
};

struct ZipEntry {
  std::string name;              // canonical: safe relative path, no trailing '/'
  std::uint64_t size = 0;        // declared uncompressed size
  std::uint64_t compressed_size = 0;
  bool is_directory = false;
  std::uint32_t crc = 0;         // declared CRC-32
  std::uint64_t index = 0;       // libzip index
  bool deflated = false;         // method 8; otherwise 0 (stored): nothing else is accepted
};

// One thing wrong with an archive. `entry` is the raw entry name as found (after
// control characters are escaped), or empty for a problem of the whole archive.
struct ZipProblem {
  std::string entry;
  Errc code;
  std::string message;
};

class ZipReader {
 public:
  // Opens with ZIP_RDONLY | ZIP_CHECKCONS and validates every entry. The first problem
  // becomes the error (Errc::hostile, limit, unsupported, malformed; not_found / io for
  // the file itself); its message names the entry and what is wrong.
  static Result<ZipReader> open(const std::filesystem::path& path, const ZipLimits& limits = {});

  // Every problem, for listing: structural checks of all entries and, when
  // `read_contents` is true and the structure is acceptable, a full read of every entry
  // (size and CRC). Empty when the archive is acceptable. Entry checks stop at the
  // entry-count limit so a huge archive cannot produce a huge list.
  static std::vector<ZipProblem> audit(const std::filesystem::path& path,
                                       const ZipLimits& limits = {}, bool read_contents = true);

  ZipReader(ZipReader&& other) noexcept;
  ZipReader& operator=(ZipReader&& other) noexcept;
  ZipReader(const ZipReader&) = delete;
  ZipReader& operator=(const ZipReader&) = delete;
  ~ZipReader();

  // In central-directory order. Directory entries are included (is_directory).
  const std::vector<ZipEntry>& entries() const noexcept { return entries_; }
  // nullptr when no entry has this canonical name.
  const ZipEntry* find(std::string_view name) const noexcept;

  // The whole entry. Allocates at most the declared size + 1 byte.
  Result<std::vector<std::uint8_t>> read(const ZipEntry& entry) const;

  // Streams the entry to `sink` in chunks of at most 64 KiB, with the same checks as
  // read(). WARNING: the sink may receive data before a failure that is only detectable
  // at the end (overrun, short entry, CRC mismatch); on error the caller must discard
  // everything it received. An error returned by the sink stops the read and is passed on.
  Result<void> read_to(const ZipEntry& entry,
                       const std::function<Result<void>(std::span<const std::uint8_t>)>& sink) const;

  // The archive file's own bytes at `offset`, read through the very open file that libzip
  // parsed and every entry is read from (one open() for everything, so replacing the file by
  // name meanwhile changes nothing). Fills `out` and returns its size, or fewer bytes where
  // the file ends. For callers that check the container byte for byte (the bundle).
  Result<std::size_t> read_raw(std::uint64_t offset, std::span<std::uint8_t> out) const;
  // The file's size when it was opened.
  std::uint64_t archive_size() const noexcept { return size_; }

 private:
  ZipReader(zip* archive, UniqueFd fd, std::uint64_t size, std::vector<ZipEntry> entries, ZipLimits limits);
  Result<const ZipEntry*> own_entry(const ZipEntry& entry) const;
  zip* archive_ = nullptr;
  UniqueFd fd_;  // the archive file; libzip reads a duplicate of it
  std::uint64_t size_ = 0;
  std::vector<ZipEntry> entries_;
  ZipLimits limits_;
};

}  // namespace dossier::io

// ZIP writing over libzip 1.7.3 (reading: zip_reader.hpp), and the CRC-32 both use.
// Format: PKWARE APPNOTE.TXT 6.3.x; rules: docs/zip-safety.md ("Writing").
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
// Names must be safe relative paths (safe_path.hpp) and unique, also ignoring ASCII case.
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

// CRC-32 (ISO 3309 / ITU-T V.42, as in APPNOTE 4.4.7); `crc` is the running value.
std::uint32_t crc32_update(std::uint32_t crc, std::span<const std::uint8_t> data) noexcept;

}  // namespace dossier::io

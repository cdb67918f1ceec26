// A referral package on disk: a folder, or a .zip of such a folder (docs/package-format.md).
// Both are read through the same safe-path rules (io/safe_path.hpp) and limits; a ZIP through
// the hardened ZipReader. Nothing is ever extracted to disk.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "io/zip_reader.hpp"

namespace dossier::io {

struct PackageLimits {
  std::size_t max_files = 500;                    // files in the package (folders not counted)
  std::uint64_t max_file_size = 64 * kMiB;        // larger documents are reported, not read
  std::uint64_t max_total_size = 2 * kGiB;        // sum of all file sizes
  std::size_t max_depth = 4;                      // path segments, e.g. politie/sub/x.pdf = 3
  std::size_t max_path_length = 240;              // bytes
  ZipLimits zip{};                                // for a .zip package
};

struct PackageFile {
  std::string path;  // package-relative, '/'-separated, canonical (safe_path rules)
  std::uint64_t size = 0;
};

class Package {
 public:
  // Errc::not_found when `path` does not exist (a usage error for the CLI); any other error
  // means the package exists but is unreadable or hostile (a failed check).
  static Result<Package> open(const std::filesystem::path& path, const PackageLimits& limits = {});

  Package(Package&&) noexcept;
  Package& operator=(Package&&) noexcept;
  ~Package();

  bool is_zip() const noexcept { return zip_ != nullptr; }
  // Every regular file, sorted by path; includes referral.xml.
  const std::vector<PackageFile>& files() const noexcept { return files_; }
  const PackageFile* find(std::string_view path) const noexcept;

  // Whole file; Errc::limit above max_file_size.
  Result<std::vector<std::uint8_t>> read(const PackageFile& file) const;
  // Streams in chunks; on error the caller discards what the sink received.
  Result<void> read_to(const PackageFile& file,
                       const std::function<Result<void>(std::span<const std::uint8_t>)>& sink) const;

 private:
  Package() = default;
  std::filesystem::path root_;
  std::unique_ptr<ZipReader> zip_;
  std::string zip_prefix_;  // "folder/" when the ZIP holds one top folder
  std::vector<PackageFile> files_;
  PackageLimits limits_;
};

// Files that operating systems add on their own and that are never part of a package.
bool is_os_clutter(std::string_view path);

}  // namespace dossier::io

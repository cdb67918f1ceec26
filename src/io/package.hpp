// A referral package on disk: a folder, or a .zip of such a folder (docs/package-format.md).
// Both are read through the same safe-path rules (io/safe_path.hpp), name rule and limits; a
// ZIP through the hardened ZipReader. Nothing is ever extracted to disk.
//
// A folder is opened once (the package path itself may be a symbolic link, followed at that
// moment) and everything below it is listed and read through that descriptor, one segment at a
// time with O_NOFOLLOW: a link, FIFO, socket or device found inside, at listing or at a later
// read, is refused and never followed or waited on.
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

// A name that makes a package ambiguous (docs/package-format.md, "Names"): two files or folders
// that Windows or macOS take for one, or a name written in decomposed Unicode.
struct NameProblem {
  enum class Kind {
    case_twins,  // `first` and `second` differ only in upper and lower case
    form_twins,  // the same name, one composed (NFC) and one decomposed (NFD), perhaps also in case
    not_nfc,     // `first` is written decomposed (NFD); `second` is empty
  };
  Kind kind;
  std::string first;
  std::string second;
  bool operator==(const NameProblem&) const = default;
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
  // Twins and decomposed names, sorted, the same for a folder and a ZIP. A package with any is
  // not complete (run_check fails it); nothing may be written under these names.
  const std::vector<NameProblem>& name_problems() const noexcept { return name_problems_; }

  // Whole file; Errc::limit above max_file_size.
  Result<std::vector<std::uint8_t>> read(const PackageFile& file) const;
  // Streams in chunks; on error the caller discards what the sink received. A file that is no
  // longer a regular file (replaced by a FIFO, link or device after listing) is Errc::hostile,
  // without waiting on it. Folder packages may be read from several threads at once, ZIPs not.
  Result<void> read_to(const PackageFile& file,
                       const std::function<Result<void>(std::span<const std::uint8_t>)>& sink) const;

 private:
  Package() = default;
  class Folder;  // the open package folder
  std::unique_ptr<Folder> folder_;
  std::unique_ptr<ZipReader> zip_;
  std::string zip_prefix_;  // "folder/" when the ZIP holds one top folder
  std::vector<PackageFile> files_;
  std::vector<NameProblem> name_problems_;
  PackageLimits limits_;
};

// Files that operating systems add on their own and that are never part of a package.
bool is_os_clutter(std::string_view path);

// The name problems of a list of package paths (files; their folders are judged too).
std::vector<NameProblem> find_name_problems(const std::vector<PackageFile>& files);

}  // namespace dossier::io

// Staging folders: how dossier writes a result so that nothing partial is ever left behind.
//
// A Staging folder is a fresh, private (0700) folder created next to the final destination
// (same file system, so the final rename is atomic). Everything is written inside it; commit()
// renames it to the destination, failing if the destination exists (never replacing it).
// Destroying an uncommitted Staging folder removes it and everything in it, so an error or an
// exception anywhere leaves nothing on disk. NOT guaranteed: removal after SIGKILL or a power
// cut; the folder name starts with '.' and ends in ".partial-XXXXXX" so it can be found.
#pragma once

#include <filesystem>

#include "core/result.hpp"

namespace dossier::io {

class Staging {
 public:
  // A new folder "<parent of dest>/.<name of dest>.partial-XXXXXX". Errc::usage when `dest`
  // exists; Errc::not_found when its parent folder does not; Errc::io otherwise.
  static Result<Staging> create(const std::filesystem::path& dest);

  Staging(Staging&& other) noexcept;
  Staging& operator=(Staging&& other) = delete;
  Staging(const Staging&) = delete;
  Staging& operator=(const Staging&) = delete;
  ~Staging();

  const std::filesystem::path& path() const noexcept { return dir_; }
  const std::filesystem::path& destination() const noexcept { return dest_; }

  // Renames path() to destination() (renameat2 RENAME_NOREPLACE). After success the folder
  // is the destination and is no longer removed.
  Result<void> commit();
  // Moves one file from inside path() to destination() (a file destination), same rules.
  Result<void> commit_file(const std::filesystem::path& inside);

 private:
  Staging(std::filesystem::path dir, std::filesystem::path dest) : dir_(std::move(dir)), dest_(std::move(dest)) {}
  std::filesystem::path dir_;
  std::filesystem::path dest_;
};

}  // namespace dossier::io

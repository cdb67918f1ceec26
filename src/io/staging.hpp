// Staging folders: how dossier writes a result so that nothing partial is ever left behind.
//
// A Staging folder is a fresh, private (0700) folder created next to the final destination
// (same file system, so the final rename is atomic). Everything is written inside it; commit()
// renames it to the destination, failing if the destination exists (never replacing it).
// Destroying an uncommitted Staging folder removes it and everything in it, so an error or an
// exception anywhere leaves nothing on disk; so does SIGINT, SIGTERM or SIGHUP once
// remove_staging_on_signals() runs (the CLI calls it first thing). NOT guaranteed: removal
// after SIGKILL or a power cut. Then the folder ".<name>.partial-XXXXXX" stays, and the next
// Staging::create for the same destination removes it: each live staging folder holds an
// exclusive flock(2) on itself, so a folder of ours that nobody holds is stale.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace dossier::io {

class Staging {
 public:
  // A new folder "<parent of dest>/.<name of dest>.partial-XXXXXX". Errc::usage when `dest`
  // exists; Errc::not_found when its parent folder does not; Errc::io otherwise. Stale
  // staging folders for the same destination (ours, held by no process) are removed first.
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
  // Moves several files from inside path() to destinations of their own, all or none (a
  // failed move puts the earlier ones back), in one step that a signal cannot cut in two
  // (keygen: a secret key is never left without its public key).
  Result<void> commit_files(const std::vector<std::pair<std::filesystem::path, std::filesystem::path>>& moves);

 private:
  Staging(std::filesystem::path dir, std::filesystem::path dest, int lock_fd)
      : dir_(std::move(dir)), dest_(std::move(dest)), lock_fd_(lock_fd) {}
  void release() noexcept;  // forgets the folder: unregisters it, drops the lock
  std::filesystem::path dir_;
  std::filesystem::path dest_;
  int lock_fd_ = -1;  // the folder itself, flock(LOCK_EX)
};

// Blocks SIGINT, SIGTERM and SIGHUP in this thread and every thread started after it (call it
// before any other thread exists), and starts a thread that waits for them. On one, it
// removes every staging folder not yet committed, calls `note(signal, removed folders)`, and
// ends the process by that signal (exit status 128 + signal in a shell). Idempotent.
void remove_staging_on_signals(std::function<void(int, const std::vector<std::string>&)> note);

// Testing: the staging folders that are live right now.
std::vector<std::filesystem::path> live_staging_folders();

}  // namespace dossier::io

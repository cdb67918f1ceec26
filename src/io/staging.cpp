#include "io/staging.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>  // renameat2 (glibc >= 2.28)
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace dossier::io {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kPartial = ".partial-";
constexpr std::size_t kRandomChars = 6;  // mkdtemp's XXXXXX

// The staging folders not yet committed or removed. Guarded by registry_mutex; the signal
// thread holds it while it removes them, so no commit can happen meanwhile.
std::mutex registry_mutex;
std::vector<fs::path>& registry() {
  static std::vector<fs::path> folders;
  return folders;
}

void enroll(const fs::path& dir) {
  std::lock_guard lock(registry_mutex);
  registry().push_back(dir);
}

void withdraw(const fs::path& dir) {
  auto& r = registry();
  r.erase(std::remove(r.begin(), r.end(), dir), r.end());
}

Result<void> rename_noreplace(const fs::path& from, const fs::path& to) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return {};
  if (errno == EEXIST) return fail(Errc::usage, to.string() + " already exists; dossier never replaces it");
  return fail(Errc::io, to.string() + ": cannot move the result into place: " + std::strerror(errno));
}

// Removes "<parent>/.<name>.partial-XXXXXX" folders that belong to this user and that no
// process holds (a run killed by SIGKILL or a power cut left them).
void remove_stale(const fs::path& parent, const std::string& name) {
  const std::string prefix = "." + name + std::string(kPartial);
  DIR* d = ::opendir(parent.c_str());
  if (d == nullptr) return;
  std::vector<std::string> stale;
  while (const dirent* e = ::readdir(d)) {
    const std::string_view entry(e->d_name);
    if (entry.size() != prefix.size() + kRandomChars || entry.substr(0, prefix.size()) != prefix) continue;
    const int fd = ::openat(::dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) continue;
    struct stat st {};
    if (::fstat(fd, &st) == 0 && st.st_uid == ::geteuid() && ::flock(fd, LOCK_EX | LOCK_NB) == 0) {
      stale.emplace_back(entry);  // removed below, still locked by us, so no one else takes it
    }
    ::close(fd);
  }
  ::closedir(d);
  for (const auto& s : stale) {
    std::error_code ec;
    fs::remove_all(parent / s, ec);
  }
}

// Removes `dir` until it stays gone: the interrupted job may still be writing into it, and
// may even create it again (create_directories) in the moment before it is stopped.
void remove_hard(const fs::path& dir) {
  std::error_code ec;
  for (int round = 0, absent = 0; round < 50 && absent < 3; ++round) {
    fs::remove_all(dir, ec);
    absent = fs::exists(fs::symlink_status(dir, ec)) ? 0 : absent + 1;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

// SIGINT, SIGTERM and SIGHUP, except those this process was started with ignored (nohup, a
// background job of a script): those stay ignored.
sigset_t cleanup_signals() {
  sigset_t set;
  sigemptyset(&set);
  for (const int sig : {SIGINT, SIGTERM, SIGHUP}) {
    struct sigaction now {};
    if (::sigaction(sig, nullptr, &now) == 0 && now.sa_handler != SIG_IGN) sigaddset(&set, sig);
  }
  return set;
}

}  // namespace

Result<Staging> Staging::create(const fs::path& dest) {
  std::error_code ec;
  if (fs::exists(fs::symlink_status(dest, ec))) {
    return fail(Errc::usage, dest.string() + " already exists; dossier never replaces it");
  }
  fs::path parent = dest.parent_path();
  if (parent.empty()) parent = ".";
  if (!fs::is_directory(parent, ec)) return fail(Errc::not_found, parent.string() + ": no such folder");
  const std::string name = dest.filename().string();
  if (name.empty() || name == "." || name == "..") return fail(Errc::usage, dest.string() + ": not a file or folder name");
  remove_stale(parent, name);
  // Another run's remove_stale may take a folder in the moment between mkdtemp and flock:
  // then the lock is on a folder that is gone, and we try once more.
  for (int attempt = 0; attempt < 3; ++attempt) {
    std::string templ = (parent / ("." + name + std::string(kPartial) + std::string(kRandomChars, 'X'))).string();
    std::vector<char> buf(templ.begin(), templ.end());
    buf.push_back('\0');
    if (::mkdtemp(buf.data()) == nullptr) {  // mode 0700
      return fail(Errc::io, parent.string() + ": cannot create a working folder: " + std::strerror(errno));
    }
    const fs::path dir(buf.data());
    enroll(dir);
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    struct stat held {}, now {};
    if (fd >= 0 && ::flock(fd, LOCK_EX) == 0 && ::fstat(fd, &held) == 0 && ::lstat(dir.c_str(), &now) == 0 &&
        held.st_ino == now.st_ino && held.st_dev == now.st_dev) {
      return Staging(dir, dest, fd);
    }
    if (fd >= 0) ::close(fd);
    std::lock_guard lock(registry_mutex);
    withdraw(dir);
  }
  return fail(Errc::io, parent.string() + ": cannot create a working folder (it keeps disappearing)");
}

Staging::Staging(Staging&& other) noexcept
    : dir_(std::move(other.dir_)), dest_(std::move(other.dest_)), lock_fd_(other.lock_fd_) {
  other.dir_.clear();
  other.lock_fd_ = -1;
}

void Staging::release() noexcept {
  withdraw(dir_);
  dir_.clear();
  if (lock_fd_ >= 0) ::close(lock_fd_);
  lock_fd_ = -1;
}

Staging::~Staging() {
  if (dir_.empty()) return;
  std::lock_guard lock(registry_mutex);
  std::error_code ec;
  fs::remove_all(dir_, ec);
  release();
}

Result<void> Staging::commit() {
  std::lock_guard lock(registry_mutex);
  if (dir_.empty()) return fail(Errc::internal, "staging folder already committed");
  // The folder keeps mkdtemp's mode 0700: an opened dossier is private to whoever opened it.
  auto r = rename_noreplace(dir_, dest_);
  if (r) release();
  return r;
}

Result<void> Staging::commit_file(const fs::path& inside) {
  std::lock_guard lock(registry_mutex);
  if (dir_.empty()) return fail(Errc::internal, "staging folder already committed");
  return rename_noreplace(inside, dest_);
}

Result<void> Staging::commit_files(const std::vector<std::pair<fs::path, fs::path>>& moves) {
  std::lock_guard lock(registry_mutex);
  if (dir_.empty()) return fail(Errc::internal, "staging folder already committed");
  for (std::size_t i = 0; i < moves.size(); ++i) {
    if (auto moved = rename_noreplace(moves[i].first, moves[i].second); !moved) {
      for (std::size_t j = i; j-- > 0;) (void)rename_noreplace(moves[j].second, moves[j].first);
      return moved;
    }
  }
  return {};
}

void remove_staging_on_signals(std::function<void(int, const std::vector<std::string>&)> note) {
  static std::once_flag once;
  std::call_once(once, [&note] {
    const sigset_t set = cleanup_signals();
    if (::pthread_sigmask(SIG_BLOCK, &set, nullptr) != 0) return;
    std::thread([set, note = std::move(note)] {
      int sig = 0;
      while (::sigwait(&set, &sig) != 0) {
      }
      std::vector<std::string> removed;
      registry_mutex.lock();  // held until the end: nothing commits or registers anymore
      for (const auto& dir : registry()) {
        remove_hard(dir);
        removed.push_back(dir.string());
      }
      if (note) note(sig, removed);
      ::signal(sig, SIG_DFL);
      sigset_t one;
      sigemptyset(&one);
      sigaddset(&one, sig);
      ::pthread_sigmask(SIG_UNBLOCK, &one, nullptr);
      ::raise(sig);
      std::_Exit(128 + sig);  // not reached
    }).detach();
  });
}

std::vector<fs::path> live_staging_folders() {
  std::lock_guard lock(registry_mutex);
  return registry();
}

}  // namespace dossier::io

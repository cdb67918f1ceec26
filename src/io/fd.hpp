// One file-descriptor type and one way to open a file that someone named: every input is opened
// without waiting on a FIFO or device, checked with fstat to be a regular file, and read through
// that one descriptor, so what was checked is what is read.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace dossier::io {

// A file descriptor that closes itself.
class UniqueFd {
 public:
  UniqueFd() noexcept = default;
  explicit UniqueFd(int fd) noexcept : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd();

  int get() const noexcept { return fd_; }
  explicit operator bool() const noexcept { return fd_ >= 0; }
  int release() noexcept {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_ = -1;
};

// What a file that is not a regular file is, for messages: "a FIFO (named pipe)", "a device" ...
std::string kind_of(mode_t mode);

struct OpenedFile {
  UniqueFd fd;
  std::uint64_t size = 0;
  mode_t mode = 0;
};

// Opens a file a user named (a key, a bundle, a passphrase file) for reading: follows a
// symbolic link the user typed, but never waits on a FIFO or device (O_NONBLOCK, cleared once
// fstat says what it is). Errors name the file:
//   Errc::not_found  "FILE: no such file"
//   Errc::usage      "FILE: is a FIFO (named pipe), not a regular file" (and folders, devices...)
//   Errc::io         anything else, with the system's reason
// With allow_pipe, a pipe or FIFO is accepted too (a passphrase from `<(pass show ...)`); its
// size is then unknown (0). Opening a FIFO without a writer fails with "no one writes to it".
Result<OpenedFile> open_named_file(const std::filesystem::path& file, bool allow_pipe = false);

// Reads an opened file to its end into `buf`, which holds at most buf.size() - 1 bytes of it (the
// last byte notices a file that is larger): returns how many bytes were read. More than that is
// Errc::limit; a regular file must keep the size fstat gave it ("changed while being read").
Result<std::size_t> read_all(const OpenedFile& file, const std::string& shown, std::span<unsigned char> buf);

// Whether a named file exists and is a regular file, with open_named_file's errors; for code
// that opens the file itself later (the ZIP reader does, again refusing all but regular files).
Result<void> check_named_file(const std::filesystem::path& file);

// The whole of a named regular file of at most max_bytes.
Result<std::string> read_named_file(const std::filesystem::path& file, std::size_t max_bytes);

// Writes `bytes` to a new file (O_EXCL | O_NOFOLLOW, mode 0600) and flushes it to disk.
// Errc::io naming the file. For files inside a Staging folder.
Result<void> write_new_file(const std::filesystem::path& file, std::string_view bytes);

// Puts `bytes` into the folder `dir` as the new file `name` (one path segment) all at once:
// written to a hidden temporary file there, flushed, then renamed into place only when no file
// of that name exists (renameat2 RENAME_NOREPLACE), and the folder flushed. Another reader sees
// the whole file or none; a failure leaves nothing. Errc::usage when `name` exists already,
// Errc::io naming the file otherwise. For files a user adds to a package (dossier serve).
Result<void> publish_new_file(const std::filesystem::path& dir, const std::string& name, std::string_view bytes);

// Replaces the file `name` (one path segment) in the folder `dir` with `bytes` all at once: written
// to a new hidden temporary file there (O_EXCL | O_NOFOLLOW, through the folder's descriptor),
// flushed, renamed over `name`, and the folder flushed. Another reader sees the old file or the
// new one, whole; a failure leaves the old file and no temporary file. A link named `name` is
// replaced, never followed. The new file keeps the old one's permission bits (0600 when there
// was none). Errc::usage for a bad name, Errc::io naming the file otherwise. Callers that may
// race serialise themselves (dossier serve's write lock): the last rename wins, whole.
Result<void> replace_file(const std::filesystem::path& dir, const std::string& name, std::string_view bytes);

// A file in memory only (memfd_create): what dossier makes and encrypts before it reaches a
// disk (seal's reading copy). Errc::io with the system's reason.
Result<UniqueFd> memory_file(const char* name);

// A file's bytes mapped read-only (MAP_PRIVATE), unmapped when it goes; empty for an empty file.
class MappedFile {
 public:
  static Result<MappedFile> map(int fd);
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&&) = delete;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();
  std::span<const std::uint8_t> bytes() const noexcept { return {data_, size_}; }

 private:
  MappedFile(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  const std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace dossier::io

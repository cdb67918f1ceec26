#include "io/fd.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace dossier::io {

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.release();
  }
  return *this;
}

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) ::close(fd_);
}

std::string kind_of(mode_t mode) {
  if (S_ISLNK(mode)) return "a symbolic link";
  if (S_ISDIR(mode)) return "a folder";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode) || S_ISBLK(mode)) return "a device";
  return "not a regular file";
}

Result<OpenedFile> open_named_file(const std::filesystem::path& file, bool allow_pipe) {
  const std::string shown = file.string();
  OpenedFile out;
  out.fd = UniqueFd(::open(file.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
  if (!out.fd) {
    const int err = errno;
    if (err == ENOENT || err == ENOTDIR) return fail(Errc::not_found, shown + ": no such file");
    if (err == ENXIO) return fail(Errc::usage, shown + ": is a FIFO (named pipe) that no one writes to; name a regular file");
    if (err == EACCES) return fail(Errc::io, shown + ": permission denied; ask for read access or copy the file");
    return fail(Errc::io, shown + ": cannot open: " + std::strerror(err));
  }
  struct stat st {};
  if (::fstat(out.fd.get(), &st) != 0) return fail(Errc::io, shown + ": " + std::strerror(errno));
  out.mode = st.st_mode;
  const bool pipe = S_ISFIFO(st.st_mode);
  if (!S_ISREG(st.st_mode) && !(allow_pipe && pipe)) {
    return fail(Errc::usage, shown + ": is " + kind_of(st.st_mode) + ", not a regular file; name a file");
  }
  out.size = S_ISREG(st.st_mode) ? static_cast<std::uint64_t>(st.st_size) : 0;
  const int flags = ::fcntl(out.fd.get(), F_GETFL);
  if (flags < 0 || ::fcntl(out.fd.get(), F_SETFL, flags & ~O_NONBLOCK) != 0) {
    return fail(Errc::io, shown + ": " + std::strerror(errno));
  }
  return out;
}

Result<void> check_named_file(const std::filesystem::path& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) {
    const int err = errno;
    if (err == ENOENT || err == ENOTDIR) return fail(Errc::not_found, file.string() + ": no such file");
    return fail(Errc::io, file.string() + ": " + std::strerror(err));
  }
  if (!S_ISREG(st.st_mode)) {
    return fail(Errc::usage, file.string() + ": is " + kind_of(st.st_mode) + ", not a regular file; name a file");
  }
  return {};
}

Result<std::size_t> read_all(const OpenedFile& file, const std::string& shown, std::span<unsigned char> buf) {
  if (buf.empty()) return fail(Errc::internal, "read_all: no buffer");
  const std::size_t max_bytes = buf.size() - 1;
  const bool regular = S_ISREG(file.mode);
  if (regular && file.size > max_bytes) {
    return fail(Errc::limit, shown + ": larger than " + std::to_string(max_bytes) + " bytes");
  }
  std::size_t got = 0;
  while (got < buf.size()) {
    const auto r = ::read(file.fd.get(), buf.data() + got, buf.size() - got);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return fail(Errc::io, shown + ": " + std::strerror(errno));
    if (r == 0) break;
    got += static_cast<std::size_t>(r);
  }
  if (got > max_bytes) return fail(Errc::limit, shown + ": larger than " + std::to_string(max_bytes) + " bytes");
  if (regular && got != file.size) return fail(Errc::io, shown + ": changed while being read");
  return got;
}

Result<std::string> read_named_file(const std::filesystem::path& file, std::size_t max_bytes) {
  auto opened = open_named_file(file);
  if (!opened) return tl::unexpected(opened.error());
  if (opened->size > max_bytes) {
    return fail(Errc::limit, file.string() + ": larger than " + std::to_string(max_bytes) + " bytes");
  }
  std::string text(static_cast<std::size_t>(opened->size) + 1, '\0');
  auto got = read_all(*opened, file.string(),
                      std::span<unsigned char>(reinterpret_cast<unsigned char*>(text.data()), text.size()));
  if (!got) return tl::unexpected(got.error());
  text.resize(*got);
  return text;
}

Result<void> write_new_file(const std::filesystem::path& file, std::string_view bytes) {
  UniqueFd fd(::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd) return fail(Errc::io, file.string() + ": " + std::strerror(errno));
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd.get(), bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(Errc::io, file.string() + ": " + std::strerror(errno));
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  if (::fsync(fd.get()) != 0) return fail(Errc::io, file.string() + ": " + std::strerror(errno));
  return {};
}

namespace {

// An unnamed file in `folder` (O_TMPFILE): it has no name until link_unnamed gives it one, so a
// process that dies while writing it (a signal, a crash) leaves nothing behind. An invalid fd
// when the file system cannot make one (the caller then writes a named temporary file).
UniqueFd unnamed_file_in(int folder) {
  return UniqueFd(::openat(folder, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600));
}

// Gives the unnamed file `fd` the name `name` in `folder`; EEXIST when that name is taken (never
// replaced). Through /proc/self/fd, which needs no privilege (AT_EMPTY_PATH would).
int link_unnamed(int fd, int folder, const std::string& name) {
  const std::string self = "/proc/self/fd/" + std::to_string(fd);
  return ::linkat(AT_FDCWD, self.c_str(), folder, name.c_str(), AT_SYMLINK_FOLLOW) == 0 ? 0 : errno;
}

Result<void> write_all(int fd, std::string_view bytes, const std::string& shown) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return fail(Errc::io, shown + ": " + std::strerror(n < 0 ? errno : EIO));
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

}  // namespace

Result<void> publish_new_file(const std::filesystem::path& dir, const std::string& name, std::string_view bytes) {
  if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..")
    return fail(Errc::usage, name + ": not a file name");
  const std::string shown = (dir / name).string();
  UniqueFd folder(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!folder) return fail(Errc::io, shown + ": " + std::strerror(errno));
  if (UniqueFd fd = unnamed_file_in(folder.get()); fd) {
    if (auto written = write_all(fd.get(), bytes, shown); !written) return written;
    if (::fsync(fd.get()) != 0) return fail(Errc::io, shown + ": " + std::strerror(errno));
    if (const int err = link_unnamed(fd.get(), folder.get(), name); err != 0)
      return fail(err == EEXIST ? Errc::usage : Errc::io, shown + ": " + std::strerror(err));
    (void)::fsync(folder.get());
    return {};
  }
  // No unnamed files here: a named temporary file, removed again on any failure.
  std::string tmpl = (dir / ".dossier-new-XXXXXX").string();
  UniqueFd fd(::mkostemp(tmpl.data(), O_CLOEXEC));
  if (!fd) return fail(Errc::io, shown + ": " + std::strerror(errno));
  const std::filesystem::path temp = tmpl;
  auto give_up = [&](Error e) -> Result<void> {
    ::unlink(temp.c_str());
    return tl::unexpected(std::move(e));
  };
  if (auto written = write_all(fd.get(), bytes, shown); !written) return give_up(written.error());
  if (::fchmod(fd.get(), 0600) != 0 || ::fsync(fd.get()) != 0)
    return give_up(Error{Errc::io, shown + ": " + std::strerror(errno)});
  if (::renameat2(AT_FDCWD, temp.c_str(), folder.get(), name.c_str(), RENAME_NOREPLACE) != 0) {
    const int err = errno;
    return give_up(Error{err == EEXIST ? Errc::usage : Errc::io, shown + ": " + std::strerror(err)});
  }
  (void)::fsync(folder.get());
  return {};
}

Result<void> replace_file(const std::filesystem::path& dir, const std::string& name, std::string_view bytes) {
  if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..")
    return fail(Errc::usage, name + ": not a file name");
  const std::string shown = (dir / name).string();
  auto failed = [&](int err) { return Error{Errc::io, shown + ": " + std::strerror(err)}; };
  UniqueFd folder(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!folder) return tl::unexpected(failed(errno));
  struct stat old {};
  const mode_t mode = ::fstatat(folder.get(), name.c_str(), &old, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(old.st_mode)
                          ? (old.st_mode & 0777)
                          : 0600;
  // The content goes into an unnamed file where the file system has them (nothing is left if
  // the process dies while writing), which gets a fresh name (never an existing file, never
  // through a link) only once it is whole and flushed, just before the rename.
  UniqueFd unnamed = unnamed_file_in(folder.get());
  std::string temp;
  UniqueFd fd;
  const auto fresh_name = [&]() -> int {
    for (int attempt = 0; attempt < 16; ++attempt) {
      unsigned char random[8];
      if (::getrandom(random, sizeof random, 0) != static_cast<ssize_t>(sizeof random)) return errno;
      temp = ".dossier-new-";
      for (const unsigned char b : random) {
        temp += "0123456789abcdef"[b >> 4];
        temp += "0123456789abcdef"[b & 15];
      }
      if (unnamed) {
        const int err = link_unnamed(unnamed.get(), folder.get(), temp);
        if (err != EEXIST) return err;
      } else {
        fd = UniqueFd(::openat(folder.get(), temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
        if (fd) return 0;
        if (errno != EEXIST) return errno;
      }
    }
    return EEXIST;
  };
  if (!unnamed) {
    if (const int err = fresh_name(); err != 0) return tl::unexpected(failed(err));
  }
  const int target = unnamed ? unnamed.get() : fd.get();
  auto give_up = [&](int err) -> Result<void> {
    if (!temp.empty()) ::unlinkat(folder.get(), temp.c_str(), 0);
    return tl::unexpected(failed(err));
  };
  if (auto written = write_all(target, bytes, shown); !written) return give_up(EIO);
  if (::fchmod(target, mode) != 0 || ::fsync(target) != 0) return give_up(errno);
  if (unnamed) {
    if (const int err = fresh_name(); err != 0) return give_up(err);
  }
  if (::renameat(folder.get(), temp.c_str(), folder.get(), name.c_str()) != 0) return give_up(errno);
  if (::fsync(folder.get()) != 0) return tl::unexpected(failed(errno));
  return {};
}

Result<UniqueFd> memory_file(const char* name) {
  UniqueFd fd(memfd_create(name, MFD_CLOEXEC));
  if (!fd) return fail(Errc::io, std::string("memfd_create: ") + std::strerror(errno));
  return fd;
}

Result<MappedFile> MappedFile::map(int fd) {
  struct stat st {};
  if (fstat(fd, &st) != 0) return fail(Errc::io, std::string("fstat: ") + std::strerror(errno));
  const auto size = static_cast<std::size_t>(st.st_size);
  if (size == 0) return MappedFile(nullptr, 0);
  void* p = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (p == MAP_FAILED) return fail(Errc::io, std::string("mmap: ") + std::strerror(errno));
  return MappedFile(static_cast<const std::uint8_t*>(p), size);
}

MappedFile::MappedFile(MappedFile&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

MappedFile::~MappedFile() {
  if (data_ != nullptr) munmap(const_cast<std::uint8_t*>(data_), size_);
}

}  // namespace dossier::io

#include "io/package.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <map>
#include <set>

#include "io/fd.hpp"
#include "io/safe_path.hpp"

namespace dossier::io {
namespace {

namespace fs = std::filesystem;

// Opens one input file for reading without following a link and without waiting on a FIFO or
// device (O_NONBLOCK, cleared again once fstat says it is a regular file). `dir` is a folder
// descriptor or AT_FDCWD. Errc::hostile for anything but a regular file.
Result<UniqueFd> open_regular(int dir, const char* name, const std::string& shown) {
  UniqueFd fd(::openat(dir, name, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY));
  if (fd.get() < 0) {
    if (errno == ELOOP) {
      return fail(Errc::hostile, shown + ": is now a symbolic link; a package holds only regular files");
    }
    if (errno == ENOENT) return fail(Errc::io, shown + ": no longer exists; it was removed while the package was read");
    return fail(Errc::io, shown + ": " + std::strerror(errno));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return fail(Errc::io, shown + ": " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) {
    return fail(Errc::hostile, shown + ": is " + kind_of(st.st_mode) +
                                   ", not a regular file; a package holds only regular files");
  }
  const int flags = ::fcntl(fd.get(), F_GETFL);
  if (flags < 0 || ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK) != 0) {
    return fail(Errc::io, shown + ": " + std::strerror(errno));
  }
  return fd;
}

// Opens the folder `name` below `dir` without following a link.
Result<UniqueFd> open_folder(int dir, const char* name, const std::string& shown) {
  UniqueFd fd(::openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ELOOP || errno == ENOTDIR) {
      return fail(Errc::hostile, shown + ": is no longer a folder (a link or file took its place)");
    }
    return fail(Errc::io, shown + ": " + std::strerror(errno));
  }
  return fd;
}

bool has_zip_magic(int fd) {
  std::array<unsigned char, 4> magic{};
  const auto n = ::pread(fd, magic.data(), magic.size(), 0);
  return n == 4 && magic[0] == 'P' && magic[1] == 'K' &&
         ((magic[2] == 3 && magic[3] == 4) || (magic[2] == 5 && magic[3] == 6));
}

std::string parent_of(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

std::string last_segment(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

// The open package folder: every read goes through `root`, never through the path again.
class Package::Folder {
 public:
  explicit Folder(UniqueFd root) : root_(std::move(root)) {}
  int root() const noexcept { return root_.get(); }

  // Opens the file `rel` below the root, segment by segment, without following links.
  Result<UniqueFd> open_file(const std::string& rel) const {
    UniqueFd dir;
    int at = root_.get();
    std::size_t start = 0;
    for (auto slash = rel.find('/'); slash != std::string::npos; slash = rel.find('/', start)) {
      auto next = open_folder(at, rel.substr(start, slash - start).c_str(), rel.substr(0, slash));
      if (!next) return tl::unexpected(next.error());
      dir = std::move(*next);
      at = dir.get();
      start = slash + 1;
    }
    return open_regular(at, rel.substr(start).c_str(), rel);
  }

 private:
  UniqueFd root_;
};

namespace {

using AddFile = std::function<Result<void>(std::string rel, std::uint64_t size)>;

// Lists the folder `dir` (package-relative `rel`, "" for the root) depth first, in name order.
Result<void> list_folder(int dir, const std::string& rel, std::size_t depth, const PackageLimits& limits,
                         const AddFile& add) {
  std::vector<std::string> names;
  {
    const int copy = ::fcntl(dir, F_DUPFD_CLOEXEC, 0);
    if (copy < 0) return fail(Errc::io, (rel.empty() ? "." : rel) + ": " + std::strerror(errno));
    DIR* d = ::fdopendir(copy);
    if (d == nullptr) {
      ::close(copy);
      return fail(Errc::io, (rel.empty() ? "." : rel) + ": " + std::strerror(errno));
    }
    ::rewinddir(d);
    errno = 0;
    while (const dirent* e = ::readdir(d)) {
      const std::string name = e->d_name;
      if (name != "." && name != "..") names.push_back(name);
    }
    const int err = errno;
    ::closedir(d);
    if (err != 0) return fail(Errc::io, (rel.empty() ? "." : rel) + ": " + std::strerror(err));
  }
  std::sort(names.begin(), names.end());
  for (const auto& name : names) {
    const std::string child = rel.empty() ? name : rel + "/" + name;
    struct stat st {};
    if (::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      return fail(Errc::io, child + ": " + std::strerror(errno));
    }
    if (S_ISLNK(st.st_mode)) return fail(Errc::hostile, child + ": symbolic links are not allowed in a package");
    if (S_ISDIR(st.st_mode)) {
      if (depth + 1 >= limits.max_depth) {
        return fail(Errc::limit, child + ": folders nested deeper than " + std::to_string(limits.max_depth));
      }
      auto sub = open_folder(dir, name.c_str(), child);
      if (!sub) return tl::unexpected(sub.error());
      if (auto r = list_folder(sub->get(), child, depth + 1, limits, add); !r) return r;
      continue;
    }
    if (!S_ISREG(st.st_mode)) {
      return fail(Errc::hostile, child + ": is " + kind_of(st.st_mode) +
                                     ", not a regular file; a package holds only regular files");
    }
    if (auto r = add(child, static_cast<std::uint64_t>(st.st_size)); !r) return r;
  }
  return {};
}

}  // namespace

bool is_os_clutter(std::string_view path) {
  const auto slash = path.rfind('/');
  const auto base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  return path.substr(0, 9) == "__MACOSX/" || base == ".DS_Store" || base == "Thumbs.db" ||
         base == "desktop.ini" || base.substr(0, 2) == "._";
}

std::vector<NameProblem> find_name_problems(const std::vector<PackageFile>& files) {
  // Every name a file system would have to create: each file and each folder above it.
  std::set<std::string> names;
  for (const auto& f : files) {
    for (auto slash = f.path.find('/'); slash != std::string::npos; slash = f.path.find('/', slash + 1)) {
      names.insert(f.path.substr(0, slash));
    }
    names.insert(f.path);
  }
  std::vector<NameProblem> out;
  std::map<std::string, std::string> by_key;  // collision key -> first name
  std::set<std::string> twins;
  for (const auto& name : names) {
    auto [it, inserted] = by_key.emplace(collision_key(name), name);
    if (inserted) continue;
    const std::string& first = it->second;
    twins.insert(first);
    twins.insert(name);
    // Twins inside twin folders ("Politie/a.pdf", "politie/a.pdf") follow from the folders.
    if (parent_of(first) != parent_of(name)) continue;
    const bool same_form = is_nfc(last_segment(first)) && is_nfc(last_segment(name));
    out.push_back({same_form ? NameProblem::Kind::case_twins : NameProblem::Kind::form_twins, first, name});
  }
  for (const auto& name : names) {
    if (twins.count(name) == 0 && !is_nfc(last_segment(name))) out.push_back({NameProblem::Kind::not_nfc, name, {}});
  }
  return out;
}

Package::Package(Package&&) noexcept = default;
Package& Package::operator=(Package&&) noexcept = default;
Package::~Package() = default;

Result<Package> Package::open(const fs::path& path, const PackageLimits& limits) {
  // The package path itself may be a link (to a folder or a ZIP): it is followed once, here.
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) {
      struct stat link {};
      if (::lstat(path.c_str(), &link) == 0 && S_ISLNK(link.st_mode)) {
        return fail(Errc::not_found, path.string() + ": a symbolic link to something that does not exist");
      }
      return fail(Errc::not_found, path.string() + ": no such file or folder");
    }
    return fail(Errc::io, path.string() + ": " + std::strerror(errno));
  }
  Package pkg;
  pkg.limits_ = limits;
  std::uint64_t total = 0;
  auto add = [&](std::string rel, std::uint64_t size) -> Result<void> {
    if (is_os_clutter(rel)) return {};
    auto canonical = normalise_entry_name(rel, limits.max_depth, limits.max_path_length);
    if (!canonical) return fail(canonical.error().code, rel + ": " + canonical.error().message);
    if (pkg.files_.size() >= limits.max_files) {
      return fail(Errc::limit, "more than " + std::to_string(limits.max_files) + " files in the package");
    }
    total += size;
    if (total > limits.max_total_size) {
      return fail(Errc::limit, "the files add up to more than " + std::to_string(limits.max_total_size / kMiB) + " MiB");
    }
    pkg.files_.push_back({std::move(*canonical), size});
    return {};
  };

  if (S_ISDIR(st.st_mode)) {
    UniqueFd root(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (root.get() < 0) return fail(Errc::io, path.string() + ": " + std::strerror(errno));
    pkg.folder_ = std::make_unique<Folder>(std::move(root));
    if (auto r = list_folder(pkg.folder_->root(), "", 0, limits, add); !r) return tl::unexpected(r.error());
  } else if (S_ISREG(st.st_mode)) {
    auto file = open_regular(AT_FDCWD, path.c_str(), path.string());
    if (!file) return tl::unexpected(file.error());
    if (!has_zip_magic(file->get())) {
      return fail(Errc::malformed, path.string() + ": not a folder and not a ZIP archive");
    }
    // Names that differ only in case or Unicode form are judged below, as for a folder.
    ZipLimits zip_limits = limits.zip;
    zip_limits.caller_judges_name_twins = true;
    auto zip = ZipReader::open(path, zip_limits);
    if (!zip) return tl::unexpected(zip.error());
    pkg.zip_ = std::make_unique<ZipReader>(std::move(*zip));
    // A ZIP of the package folder holds one top folder; a ZIP of its contents holds referral.xml.
    if (pkg.zip_->find("referral.xml") == nullptr) {
      std::string top;
      bool single = true;
      for (const auto& e : pkg.zip_->entries()) {
        if (is_os_clutter(e.name)) continue;
        const auto slash = e.name.find('/');
        const auto first = slash == std::string::npos ? e.name : e.name.substr(0, slash);
        if (slash == std::string::npos && !e.is_directory) single = false;
        if (top.empty()) top = first;
        else if (top != first) single = false;
      }
      if (single && !top.empty()) pkg.zip_prefix_ = top + "/";
    }
    for (const auto& e : pkg.zip_->entries()) {
      if (e.is_directory) continue;
      if (e.name.compare(0, pkg.zip_prefix_.size(), pkg.zip_prefix_) != 0) continue;
      if (auto r = add(e.name.substr(pkg.zip_prefix_.size()), e.size); !r) return tl::unexpected(r.error());
    }
  } else {
    return fail(Errc::hostile, path.string() + ": is " + kind_of(st.st_mode) + ", not a folder or a ZIP archive");
  }
  std::sort(pkg.files_.begin(), pkg.files_.end(),
            [](const PackageFile& a, const PackageFile& b) { return a.path < b.path; });
  pkg.name_problems_ = find_name_problems(pkg.files_);
  return pkg;
}

const PackageFile* Package::find(std::string_view p) const noexcept {
  for (const auto& f : files_) {
    if (f.path == p) return &f;
  }
  return nullptr;
}

Result<void> Package::read_to(const PackageFile& file,
                              const std::function<Result<void>(std::span<const std::uint8_t>)>& sink) const {
  if (zip_) {
    const auto* entry = zip_->find(zip_prefix_ + file.path);
    if (entry == nullptr) return fail(Errc::not_found, file.path + ": not in the archive");
    return zip_->read_to(*entry, sink);
  }
  if (!folder_) return fail(Errc::internal, file.path + ": the package is not open");
  auto fd = folder_->open_file(file.path);
  if (!fd) return tl::unexpected(fd.error());
  std::vector<std::uint8_t> buf(64 * 1024);
  std::uint64_t seen = 0;
  for (;;) {
    const auto n = ::read(fd->get(), buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(Errc::io, file.path + ": " + std::strerror(errno));
    }
    if (n == 0) break;
    seen += static_cast<std::uint64_t>(n);
    if (seen > file.size) return fail(Errc::io, file.path + ": the file grew while it was being read");
    if (auto r = sink(std::span<const std::uint8_t>(buf.data(), static_cast<std::size_t>(n))); !r) return r;
  }
  if (seen != file.size) return fail(Errc::io, file.path + ": the file changed while it was being read");
  return {};
}

Result<std::vector<std::uint8_t>> Package::read(const PackageFile& file) const {
  if (file.size > limits_.max_file_size) {
    return fail(Errc::limit, file.path + ": larger than " + std::to_string(limits_.max_file_size / kMiB) + " MiB");
  }
  std::vector<std::uint8_t> out;
  out.reserve(static_cast<std::size_t>(file.size));
  auto r = read_to(file, [&](std::span<const std::uint8_t> chunk) -> Result<void> {
    out.insert(out.end(), chunk.begin(), chunk.end());
    return {};
  });
  if (!r) return tl::unexpected(r.error());
  return out;
}

}  // namespace dossier::io

#include "io/package.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include "io/safe_path.hpp"

namespace dossier::io {
namespace {

namespace fs = std::filesystem;

bool has_zip_magic(const fs::path& p) {
  const int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  std::array<unsigned char, 4> magic{};
  const auto n = ::read(fd, magic.data(), magic.size());
  ::close(fd);
  return n == 4 && magic[0] == 'P' && magic[1] == 'K' &&
         ((magic[2] == 3 && magic[3] == 4) || (magic[2] == 5 && magic[3] == 6));
}

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

bool is_os_clutter(std::string_view path) {
  const auto slash = path.rfind('/');
  const auto base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  return path.substr(0, 9) == "__MACOSX/" || base == ".DS_Store" || base == "Thumbs.db" ||
         base == "desktop.ini" || base.substr(0, 2) == "._";
}

Package::Package(Package&&) noexcept = default;
Package& Package::operator=(Package&&) noexcept = default;
Package::~Package() = default;

Result<Package> Package::open(const fs::path& path, const PackageLimits& limits) {
  std::error_code ec;
  const auto st = fs::symlink_status(path, ec);
  if (ec || !fs::exists(st)) return fail(Errc::not_found, path.string() + ": no such file or folder");
  Package pkg;
  pkg.root_ = path;
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

  if (fs::is_directory(st)) {
    fs::recursive_directory_iterator it(path, fs::directory_options::none, ec);
    if (ec) return fail(Errc::io, path.string() + ": " + ec.message());
    for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (ec) return fail(Errc::io, path.string() + ": " + ec.message());
      const auto rel = it->path().lexically_relative(path).generic_string();
      const auto est = it->symlink_status(ec);
      if (fs::is_symlink(est)) return fail(Errc::hostile, rel + ": symbolic links are not allowed in a package");
      if (fs::is_directory(est)) {
        if (static_cast<std::size_t>(it.depth()) + 1 >= limits.max_depth) {
          return fail(Errc::limit, rel + ": folders nested deeper than " + std::to_string(limits.max_depth));
        }
        continue;
      }
      if (!fs::is_regular_file(est)) return fail(Errc::hostile, rel + ": not a regular file");
      const auto size = it->file_size(ec);
      if (ec) return fail(Errc::io, rel + ": " + ec.message());
      if (auto r = add(rel, size); !r) return tl::unexpected(r.error());
    }
  } else if (fs::is_regular_file(st)) {
    if (!has_zip_magic(path)) {
      return fail(Errc::malformed, path.string() + ": not a folder and not a ZIP archive");
    }
    auto zip = ZipReader::open(path, limits.zip);
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
    return fail(Errc::hostile, path.string() + ": not a folder or a regular file");
  }
  std::sort(pkg.files_.begin(), pkg.files_.end(),
            [](const PackageFile& a, const PackageFile& b) { return a.path < b.path; });
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
  const auto full = root_ / file.path;
  Fd fd{::open(full.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW)};
  if (fd.fd < 0) return fail(Errc::io, file.path + ": " + std::strerror(errno));
  struct stat sb {};
  if (::fstat(fd.fd, &sb) != 0 || !S_ISREG(sb.st_mode)) return fail(Errc::hostile, file.path + ": not a regular file");
  std::vector<std::uint8_t> buf(64 * 1024);
  std::uint64_t seen = 0;
  for (;;) {
    const auto n = ::read(fd.fd, buf.data(), buf.size());
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

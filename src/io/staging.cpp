#include "io/staging.hpp"

#include <fcntl.h>
#include <stdio.h>  // renameat2 (glibc >= 2.28)

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace dossier::io {
namespace fs = std::filesystem;

namespace {

Result<void> rename_noreplace(const fs::path& from, const fs::path& to) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return {};
  if (errno == EEXIST) return fail(Errc::usage, to.string() + " already exists; dossier never replaces it");
  return fail(Errc::io, to.string() + ": cannot move the result into place: " + std::strerror(errno));
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
  std::string templ = (parent / ("." + name + ".partial-XXXXXX")).string();
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  if (::mkdtemp(buf.data()) == nullptr) {  // mode 0700
    return fail(Errc::io, parent.string() + ": cannot create a working folder: " + std::strerror(errno));
  }
  return Staging(fs::path(buf.data()), dest);
}

Staging::Staging(Staging&& other) noexcept : dir_(std::move(other.dir_)), dest_(std::move(other.dest_)) {
  other.dir_.clear();
}

Staging::~Staging() {
  if (dir_.empty()) return;
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

Result<void> Staging::commit() {
  if (dir_.empty()) return fail(Errc::internal, "staging folder already committed");
  // The folder keeps mkdtemp's mode 0700: an opened dossier is private to whoever opened it.
  auto r = rename_noreplace(dir_, dest_);
  if (r) dir_.clear();
  return r;
}

Result<void> Staging::commit_file(const fs::path& inside) {
  if (dir_.empty()) return fail(Errc::internal, "staging folder already committed");
  return rename_noreplace(inside, dest_);
}

}  // namespace dossier::io

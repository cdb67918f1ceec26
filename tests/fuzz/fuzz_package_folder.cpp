// The package reader (io/package.hpp) on a package folder. The input describes a tree that is
// made in a private temporary folder first: records separated by NUL bytes, each a kind byte,
// a relative path up to the first LF, and the rest:
//   f<path>\n<content>   a regular file          d<path>\n   a folder
//   l<path>\n<target>    a symbolic link         p<path>\n   a FIFO
// Paths and link targets that are absolute or hold ".." are skipped, so nothing outside the
// temporary folder is made or pointed at; the reader must refuse links and FIFOs without
// following them or waiting on them (docs/package-format.md).
#include <sys/stat.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

#include "fuzz_package.hpp"

namespace {

namespace fs = std::filesystem;

bool acceptable(std::string_view p) {
  if (p.empty() || p.size() > 200 || p.front() == '/') return false;
  std::size_t start = 0;
  for (;;) {
    const std::size_t slash = p.find('/', start);
    if (p.substr(start, slash - start) == "..") return false;
    if (slash == std::string_view::npos) return true;
    start = slash + 1;
  }
}

void make(const fs::path& root, std::string_view record) {
  if (record.size() < 2) return;
  const char kind = record.front();
  record.remove_prefix(1);
  const std::size_t nl = record.find('\n');
  const std::string_view rel = record.substr(0, nl);
  const std::string_view rest = nl == std::string_view::npos ? std::string_view{} : record.substr(nl + 1);
  if (!acceptable(rel)) return;
  const fs::path path = root / std::string(rel);
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec) return;
  switch (kind) {
    case 'f': {
      if (fs::exists(fs::symlink_status(path, ec))) return;
      dossier::fuzz::write_file(path, {reinterpret_cast<const std::uint8_t*>(rest.data()), rest.size()});
      break;
    }
    case 'd':
      fs::create_directories(path, ec);
      break;
    case 'l':
      if (!acceptable(rest)) return;
      fs::create_symlink(std::string(rest), path, ec);
      break;
    case 'p':
      (void)::mkfifo(path.c_str(), 0600);
      break;
    default:
      break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dossier;
  fuzz::TempDir dir;
  const fs::path root = dir.path() / "package";
  fs::create_directory(root);
  std::string_view input = fuzz::text_of(data, size);
  for (int records = 0; !input.empty() && records < 64; ++records) {
    const std::size_t end = input.find('\0');
    make(root, input.substr(0, end));
    if (end == std::string_view::npos) break;
    input.remove_prefix(end + 1);
  }
  auto pkg = io::Package::open(root, fuzz::small_package_limits());
  if (!pkg) return 0;
  if (pkg->is_zip()) fuzz::broken("a folder package that is a ZIP");
  fuzz::read_every_file(*pkg);
  return 0;
}

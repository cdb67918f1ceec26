#include "core/paths.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <system_error>

namespace dossier {

std::string data_dir() {
  if (const char* env = std::getenv("DOSSIER_DATA_DIR"); env != nullptr && *env != '\0') return env;
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const auto installed = exe.parent_path().parent_path() / "share" / "dossier";
    if (std::filesystem::exists(installed / "schemas" / "referral.xsd", ec)) return installed.string();
  }
  return DOSSIER_DATA_DIR_BUILD;
}

Result<std::string> read_small_file(const std::string& path, std::size_t max_bytes) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return fail(Errc::not_found, path + ": " + ec.message());
  if (size > max_bytes) {
    return fail(Errc::limit, path + ": larger than " + std::to_string(max_bytes) + " bytes");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(Errc::io, path + ": cannot open");
  std::string text(static_cast<std::size_t>(size), '\0');
  in.read(text.data(), static_cast<std::streamsize>(size));
  if (in.gcount() != static_cast<std::streamsize>(size)) return fail(Errc::io, path + ": short read");
  return text;
}

}  // namespace dossier

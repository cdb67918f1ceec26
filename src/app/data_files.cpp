#include "app/data_files.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <system_error>

#include "io/fd.hpp"

namespace dossier::app {

namespace {
constexpr std::size_t kMaxDataFile = std::size_t{1} << 20;
}

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

Result<std::string> read_data_file(const std::string& path) { return io::read_named_file(path, kMaxDataFile); }

Result<Profile> load_profile(const std::string& data_dir, const std::string& id_or_path) {
  return Profile::load(data_dir, id_or_path, &read_data_file);
}

std::vector<std::string> available_profiles(const std::string& data_dir) {
  std::vector<std::string> ids;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(data_dir + "/schemas/profiles", ec)) {
    if (e.path().extension() == ".xml") ids.push_back(e.path().stem().string());
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

Result<Catalogue> load_catalogue(const std::string& data_dir, Lang lang) {
  auto text = read_data_file(data_dir + "/templates/messages/" + lang_code(lang) + ".xml");
  if (!text) return tl::unexpected(text.error());
  return Catalogue::parse(*text, lang);
}

Result<std::string> read_referral_schema(const std::string& data_dir) {
  return read_data_file(data_dir + "/schemas/referral.xsd");
}

}  // namespace dossier::app

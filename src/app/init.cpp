#include "app/init.hpp"

#include <sodium.h>

#include <fstream>

#include "core/messages.hpp"
#include "core/paths.hpp"
#include "core/profile.hpp"

namespace dossier::app {

namespace fs = std::filesystem;

Result<std::vector<std::string>> init_package(const fs::path& dir, const std::string& data_dir,
                                              const std::string& profile_id) {
  std::error_code ec;
  if (fs::exists(fs::symlink_status(dir, ec))) return fail(Errc::usage, dir.string() + " already exists");
  auto profile = Profile::load(data_dir, profile_id);
  if (!profile) return tl::unexpected(profile.error());
  auto tmpl = read_small_file(data_dir + "/templates/referral-template.xml", 1u << 20);
  if (!tmpl) return tl::unexpected(tmpl.error());

  const auto parent = dir.has_parent_path() ? dir.parent_path() : fs::path(".");
  if (!fs::is_directory(parent, ec)) return fail(Errc::not_found, parent.string() + ": no such folder");
  const auto tmp = parent / (".dossier-init-" + std::to_string(randombytes_random()));
  std::vector<std::string> created;
  std::string folders;
  auto cleanup = [&] { fs::remove_all(tmp, ec); };
  if (!fs::create_directory(tmp, ec)) return fail(Errc::io, tmp.string() + ": " + ec.message());
  for (const auto& e : profile->evidence()) {
    if (!fs::create_directory(tmp / e.folder, ec)) {
      cleanup();
      return fail(Errc::io, (tmp / e.folder).string() + ": " + ec.message());
    }
    created.push_back(e.folder + "/  (" + e.name.nl + ")");
    if (!folders.empty()) folders += ", ";
    folders += e.folder + "/ (" + e.name.nl + ")";
  }
  const auto text = substitute(*tmpl, {{"profile", profile->id()}, {"package", dir.string()}, {"folders", folders}});
  {
    std::ofstream out(tmp / "referral.xml", std::ios::binary);
    out << text;
    out.close();
    if (!out) {
      cleanup();
      return fail(Errc::io, "cannot write referral.xml");
    }
  }
  created.push_back("referral.xml");
  fs::rename(tmp, dir, ec);
  if (ec) {
    cleanup();
    return fail(Errc::io, dir.string() + ": " + ec.message());
  }
  return created;
}

}  // namespace dossier::app

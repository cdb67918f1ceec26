#include "app/init.hpp"

#include <fstream>

#include "core/messages.hpp"
#include "app/data_files.hpp"
#include "core/profile.hpp"
#include "io/staging.hpp"

namespace dossier::app {

namespace fs = std::filesystem;

Result<std::vector<std::string>> init_package(const fs::path& dir, const std::string& data_dir,
                                              const std::string& profile_id) {
  std::error_code ec;
  if (fs::exists(fs::symlink_status(dir, ec))) return fail(Errc::usage, dir.string() + " already exists");
  auto profile = app::load_profile(data_dir, profile_id);
  if (!profile) return tl::unexpected(profile.error());
  auto tmpl = app::read_data_file(data_dir + "/templates/referral-template.xml");
  if (!tmpl) return tl::unexpected(tmpl.error());

  auto staging = io::Staging::create(dir);
  if (!staging) return tl::unexpected(staging.error());
  const fs::path& tmp = staging->path();
  std::vector<std::string> created;
  std::string folders;
  for (const auto& e : profile->evidence()) {
    if (!fs::create_directory(tmp / e.folder, ec)) return fail(Errc::io, (dir / e.folder).string() + ": " + ec.message());
    created.push_back(e.folder + "/  (" + e.name.nl + ")");
    if (!folders.empty()) folders += ", ";
    folders += e.folder + "/ (" + e.name.nl + ")";
  }
  const auto text = substitute(*tmpl, {{"profile", profile->id()}, {"package", dir.string()}, {"folders", folders}});
  {
    std::ofstream out(tmp / "referral.xml", std::ios::binary);
    out << text;
    out.close();
    if (!out) return fail(Errc::io, "cannot write referral.xml");
  }
  created.push_back("referral.xml");
  // The folder keeps the staging mode 0700: it will hold a victim's documents.
  if (auto c = staging->commit(); !c) return tl::unexpected(c.error());
  return created;
}

}  // namespace dossier::app

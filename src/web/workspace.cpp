// The workspace behind `dossier serve`: see web/workspace.hpp.
#include "web/workspace.hpp"

#include <sys/stat.h>

#include <algorithm>

#include "app/check.hpp"
#include "app/data_files.hpp"
#include "io/package.hpp"
#include "io/safe_path.hpp"

namespace dossier::web {

namespace fs = std::filesystem;

Result<Workspace> Workspace::open(fs::path root, std::string data_dir) {
  Workspace w;
  w.root_ = std::move(root);
  w.data_dir_ = std::move(data_dir);
  for (Lang lang : {Lang::nl, Lang::en}) {
    auto c = app::load_catalogue(w.data_dir_, lang);
    if (!c) return tl::unexpected(c.error());
    w.catalogues_.emplace(lang, std::move(*c));
  }
  return w;
}

bool Workspace::single_name(const std::string& name) {
  return !name.empty() && name.find('/') == std::string::npos && name != "." && name != ".." &&
         name.size() <= 120 && io::is_safe_relative_path(name, 1, 120, nullptr) && name.front() != '.';
}

Result<fs::path> Workspace::package(const std::string& name) const {
  if (!single_name(name)) return fail(Errc::hostile, "a package name is one folder or .zip name, without / or ..");
  const fs::path p = root_ / name;
  std::error_code ec;
  const auto st = fs::symlink_status(p, ec);
  if (fs::is_directory(st) ? fs::is_regular_file(fs::symlink_status(p / "referral.xml", ec))
                           : fs::is_regular_file(st) && p.extension() == ".zip")
    return p;
  return fail(Errc::not_found, name + " is not a package of this workspace");
}

Result<fs::path> Workspace::folder_package(const std::string& name) const {
  auto p = package(name);
  if (!p) return p;
  std::error_code ec;
  if (!fs::is_directory(fs::symlink_status(*p, ec)))
    return fail(Errc::unsupported, name + " is a .zip: unpack it to change it");
  return p;
}

Result<fs::path> Workspace::evidence_folder(const std::string& package, const std::string& folder) const {
  auto p = folder_package(package);
  if (!p) return p;
  if (!single_name(folder)) return fail(Errc::hostile, "an evidence folder is one folder name, without / or ..");
  const fs::path f = *p / folder;
  std::error_code ec;
  if (!fs::is_directory(fs::symlink_status(f, ec))) return fail(Errc::not_found, folder + " is not a folder of " + package);
  return f;
}

nlohmann::ordered_json Workspace::folders_of(const fs::path& package) const {
  std::vector<std::string> names;
  std::error_code ec;
  if (fs::is_directory(fs::symlink_status(package, ec)))
    for (const auto& e : fs::directory_iterator(package, ec))
      if (e.is_directory(ec) && !e.is_symlink(ec) && single_name(e.path().filename().string()))
        names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> Workspace::packages() const {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(root_, ec)) {
    const std::string name = e.path().filename().string();
    if (package(name)) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

Result<Report> Workspace::check(const fs::path& package, Lang lang) {
  std::string fingerprint;
  std::error_code ec;
  if (fs::is_directory(fs::symlink_status(package, ec))) {
    for (auto it = fs::recursive_directory_iterator(package, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      // Name, inode (a file replaced by rename is a new one), size and time of each file.
      struct stat st{};
      const bool known = ::lstat(it->path().c_str(), &st) == 0;
      fingerprint += it->path().string() + "|" + std::to_string(known ? st.st_ino : 0) + "|" +
                     std::to_string(known && S_ISREG(st.st_mode) ? st.st_size : 0) + "|" +
                     std::to_string(known ? st.st_mtim.tv_sec : 0) + "." + std::to_string(known ? st.st_mtim.tv_nsec : 0) + "\n";
    }
  } else {
    fingerprint = std::to_string(fs::file_size(package, ec)) + "|" +
                  std::to_string(fs::last_write_time(package, ec).time_since_epoch().count());
  }
  std::lock_guard lock(*check_mutex_);
  const std::string key = package.string() + "\n" + lang_code(lang);
  if (auto hit = cache_.find(key); hit != cache_.end() && hit->second.fingerprint == fingerprint)
    return hit->second.report;
  app::CheckOptions options;
  options.data_dir = data_dir_;
  const std::string name = package.string();
  options.progress = [this, &name](std::size_t index, std::size_t count, const std::string& label) {
    std::lock_guard p(*progress_mutex_);
    progress_[name] = {{"document", index + 1}, {"count", count}, {"label", label}};
  };
  Checked checked;
  checked.fingerprint = fingerprint;
  auto opened = io::Package::open(package, options.package_limits);
  if (opened) {
    auto c = app::check_package(*opened, name, options, catalogues_.at(lang));
    if (!c) return tl::unexpected(c.error());
    checked.report = std::move(c->report);
    checked.thumbnails = std::move(c->thumbnails);
  } else {  // not there, or not readable as a package: run_check says which, as the CLI does
    auto report = app::run_check(package, options, catalogues_.at(lang));
    if (!report) return tl::unexpected(report.error());
    checked.report = std::move(*report);
  }
  {
    std::lock_guard p(*progress_mutex_);
    progress_.erase(name);
  }
  Report report = checked.report;
  cache_[key] = std::move(checked);
  return report;
}

std::optional<std::string> Workspace::thumbnail(const fs::path& package, std::size_t index) const {
  std::lock_guard lock(*check_mutex_);
  for (Lang lang : {Lang::nl, Lang::en}) {
    auto hit = cache_.find(package.string() + "\n" + lang_code(lang));
    if (hit != cache_.end() && index < hit->second.thumbnails.size() && !hit->second.thumbnails[index].empty())
      return hit->second.thumbnails[index];
  }
  return std::nullopt;
}

nlohmann::ordered_json Workspace::progress(const fs::path& package) const {
  std::lock_guard p(*progress_mutex_);
  auto it = progress_.find(package.string());
  return it == progress_.end() ? nlohmann::ordered_json(nullptr) : it->second;
}

nlohmann::ordered_json refusal(const std::string& why) { return {{"error", why}}; }

int status_of(const Error& error) {
  switch (error.code) {
    case Errc::not_found: return 404;
    case Errc::limit: return 413;
    default: return 400;
  }
}

}  // namespace dossier::web

// The workspace behind `dossier serve` (docs/web.md): the folder of referral packages and the
// only way the server's routes reach it. Names from the page become paths here and nowhere else:
// one segment by the safe-path rules, not hidden, never a symbolic link, never outside. Checks
// are cached per package and language until a file of the package changes, and run one at a
// time; every change to the workspace holds write_lock().
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/messages.hpp"
#include "core/report.hpp"
#include "core/result.hpp"

namespace dossier::web {

class Workspace {
 public:
  // Loads the nl and en catalogues from data_dir; root must be a folder (already canonical).
  static Result<Workspace> open(std::filesystem::path root, std::string data_dir);

  const std::filesystem::path& root() const { return root_; }
  const std::string& data_dir() const { return data_dir_; }
  const Catalogue& words(Lang lang) const { return catalogues_.at(lang); }

  // One folder or file name from the page: one segment, at most 120 bytes, not hidden, the
  // package reader's safe-path rules.
  static bool single_name(const std::string& name);

  // A package by its name: a folder with referral.xml, or a .zip (Errc::hostile for a bad name,
  // Errc::not_found for anything else).
  Result<std::filesystem::path> package(const std::string& name) const;
  // A folder package by its name (Errc::unsupported for a .zip: it is read, never changed).
  Result<std::filesystem::path> folder_package(const std::string& name) const;
  // An evidence folder (one level down) of a folder package.
  Result<std::filesystem::path> evidence_folder(const std::string& package, const std::string& folder) const;
  // The evidence folders of a folder package, sorted (none for a .zip).
  nlohmann::ordered_json folders_of(const std::filesystem::path& package) const;
  // The names of the workspace's packages, sorted.
  std::vector<std::string> packages() const;

  // The check of a package, from the cache when none of its files changed (names, sizes, times).
  Result<Report> check(const std::filesystem::path& package, Lang lang);
  // The first page's picture (PNG) of document `index` of the package's last check (in memory
  // only), or nullopt.
  std::optional<std::string> thumbnail(const std::filesystem::path& package, std::size_t index) const;

  // How far the running check of a package is: {"document": i, "count": n, "label": "path (p/q)"},
  // or null when none runs.
  nlohmann::ordered_json progress(const std::filesystem::path& package) const;

  // Held by every change to the workspace: changes are serialised, nothing is lost.
  std::unique_lock<std::mutex> write_lock() { return std::unique_lock(*write_mutex_); }

 private:
  std::filesystem::path root_;
  std::string data_dir_;
  std::map<Lang, Catalogue> catalogues_;
  std::unique_ptr<std::mutex> check_mutex_ = std::make_unique<std::mutex>();
  std::unique_ptr<std::mutex> write_mutex_ = std::make_unique<std::mutex>();
  struct Checked {
    std::string fingerprint;
    Report report;
    std::vector<std::string> thumbnails;
  };
  std::map<std::string, Checked> cache_;
  std::unique_ptr<std::mutex> progress_mutex_ = std::make_unique<std::mutex>();
  std::map<std::string, nlohmann::ordered_json> progress_;
};

// What each route answers with when it refuses: {"error": why} with `status`.
nlohmann::ordered_json refusal(const std::string& why);
// The HTTP status for a refused name or file: 404 not found, 413 over a limit, 400 otherwise.
int status_of(const Error& error);

}  // namespace dossier::web

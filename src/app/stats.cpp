#include "app/stats.hpp"

#include <algorithm>
#include <filesystem>
#include <optional>
#include <system_error>

#include "app/data_files.hpp"
#include "app/parallel.hpp"
#include "core/decision.hpp"
#include "core/referral.hpp"
#include "core/xml.hpp"
#include "io/chart.hpp"
#include "io/fd.hpp"
#include "io/staging.hpp"

namespace dossier::app {
namespace fs = std::filesystem;
namespace {

struct Schemas {
  std::shared_ptr<const XmlSchema> referral;
  std::shared_ptr<const XmlSchema> decision;
};

Result<std::shared_ptr<const XmlSchema>> compiled(const std::string& path) {
  auto text = read_data_file(path);
  if (!text) return tl::unexpected(text.error());
  auto schema = XmlSchema::compile(*text);
  if (!schema) return fail(Errc::io, path + ": not a schema libxml2 can compile");
  return schema;
}

std::string first_issue(const std::vector<XmlIssue>& issues) {
  if (issues.empty()) return "not readable";
  const auto& i = issues.front();
  return i.line > 0 ? "line " + std::to_string(i.line) + ": " + i.message : i.message;
}

// A plain entry of a folder: a regular file or a folder, never followed through a link.
enum class Kind { other, file, folder };
Kind kind_of(const fs::directory_entry& e) {
  std::error_code ec;
  const auto st = e.symlink_status(ec);
  if (ec) return Kind::other;
  if (fs::is_regular_file(st)) return Kind::file;
  if (fs::is_directory(st)) return Kind::folder;
  return Kind::other;
}

bool is_file(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(fs::symlink_status(p, ec));
}

struct CaseRead {
  stats::CaseRecord record;
  std::vector<stats::Skipped> skipped;
};

CaseRead read_case(const fs::path& dir, const std::string& name, const Schemas& schemas, const RegisterLimits& limits) {
  CaseRead out;
  out.record.name = name;
  auto skip = [&](const std::string& rel, std::string issue) { out.skipped.push_back({rel, std::move(issue)}); };
  std::vector<std::string> decision_files;
  std::vector<std::string> folders;
  bool direct_referral = false;
  std::error_code ec;
  std::size_t entries = 0;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (++entries > limits.max_entries_per_case) {
      skip(name, "more than " + std::to_string(limits.max_entries_per_case) + " entries; case not read");
      out.record.decisions.clear();
      return out;
    }
    const std::string entry = it->path().filename().string();
    if (entry.empty() || entry.front() == '.') continue;
    const Kind k = kind_of(*it);
    if (k == Kind::folder) {
      folders.push_back(entry);
    } else if (k == Kind::file && entry == "referral.xml") {
      direct_referral = true;
    } else if (k == Kind::file && entry.size() > 4 && entry.substr(entry.size() - 4) == ".xml") {
      decision_files.push_back(entry);
    }
  }
  if (ec) {
    skip(name, "cannot be listed: " + ec.message());
    return out;
  }
  // The referral: directly in the case folder, else the last subfolder (byte order) with one.
  std::string referral_rel;
  if (direct_referral) {
    referral_rel = "referral.xml";
  } else {
    std::sort(folders.begin(), folders.end());
    for (auto f = folders.rbegin(); f != folders.rend(); ++f) {
      if (is_file(dir / *f / "referral.xml")) {
        referral_rel = *f + "/referral.xml";
        break;
      }
    }
  }
  XmlLimits xml_limits;
  xml_limits.max_bytes = limits.max_file_bytes;
  if (referral_rel.empty()) {
    skip(name, "no referral.xml");
  } else {
    auto text = io::read_named_file(dir / referral_rel, limits.max_file_bytes);
    if (!text) {
      skip(name + "/" + referral_rel, text.error().message.substr(text.error().message.rfind(": ") + 2));
    } else {
      const auto referral = Referral::parse(*text, schemas.referral.get(), xml_limits);
      if (!referral.valid()) {
        skip(name + "/" + referral_rel, first_issue(referral.issues()));
      } else {
        out.record.referral = stats::facts_of(referral);
      }
    }
  }
  std::sort(decision_files.begin(), decision_files.end());
  for (const auto& file : decision_files) {
    const std::string rel = name + "/" + file;
    auto text = io::read_named_file(dir / file, limits.max_file_bytes);
    if (!text) {
      skip(rel, text.error().message.substr(text.error().message.rfind(": ") + 2));
      continue;
    }
    const std::string root = stats::root_element(*text);
    if (!root.empty() && root != "decision") continue;  // other XML: not a decision
    const auto read = read_decision(*text, schemas.decision.get(), xml_limits);
    if (!read.valid()) {
      skip(rel, first_issue(read.issues));
      continue;
    }
    out.record.decisions.push_back(stats::facts_of(*read.decision, file));
  }
  return out;
}

}  // namespace

Result<RegisterRead> read_register(const std::string& register_dir, const std::string& data_dir,
                                   const RegisterLimits& limits, unsigned workers) {
  std::error_code ec;
  const auto st = fs::status(register_dir, ec);
  if (ec || !fs::exists(st)) return fail(Errc::not_found, register_dir + ": no such folder");
  if (!fs::is_directory(st)) return fail(Errc::usage, register_dir + ": not a folder");
  std::vector<std::string> names;
  for (fs::directory_iterator it(register_dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.empty() || name.front() == '.' || kind_of(*it) != Kind::folder) continue;
    if (names.size() == limits.max_cases) {
      return fail(Errc::limit, register_dir + ": more than " + std::to_string(limits.max_cases) + " case folders");
    }
    names.push_back(name);
  }
  if (ec) return fail(Errc::io, register_dir + ": " + ec.message());
  std::sort(names.begin(), names.end());

  Schemas schemas;
  auto referral = compiled(data_dir + "/schemas/referral.xsd");
  if (!referral) return tl::unexpected(referral.error());
  auto decision = compiled(data_dir + "/schemas/decision.xsd");
  if (!decision) return tl::unexpected(decision.error());
  schemas.referral = *referral;
  schemas.decision = *decision;

  std::vector<CaseRead> read(names.size());
  for_each_parallel(
      names.size(), workers == 0 ? worker_count() : workers,
      [&](std::size_t i) { read[i] = read_case(fs::path(register_dir) / names[i], names[i], schemas, limits); },
      [] { return false; });
  RegisterRead out;
  out.cases.reserve(read.size());
  for (auto& r : read) {
    out.cases.push_back(std::move(r.record));
    for (auto& s : r.skipped) out.skipped.push_back(std::move(s));
  }
  return out;
}

Result<std::vector<std::string>> write_charts(const std::string& dir, const std::vector<stats::BarChart>& charts) {
  auto staging = io::Staging::create(dir);
  if (!staging) return tl::unexpected(staging.error());
  std::vector<std::string> written;
  for (const auto& chart : charts) {
    auto svg = io::render_chart_svg(chart);
    if (!svg) return tl::unexpected(svg.error());
    auto png = io::render_chart_png(chart);
    if (!png) return tl::unexpected(png.error());
    for (const auto& [ext, bytes] : {std::pair{".svg", &*svg}, std::pair{".png", &*png}}) {
      if (auto w = io::write_new_file(staging->path() / (chart.name + ext), *bytes); !w) return tl::unexpected(w.error());
      written.push_back(chart.name + ext);
    }
  }
  if (auto committed = staging->commit(); !committed) return tl::unexpected(committed.error());
  return written;
}

}  // namespace dossier::app

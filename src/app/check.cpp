#include "app/check.hpp"

#include <sodium.h>

#include <algorithm>

#include "core/evaluate.hpp"
#include "core/profile.hpp"
#include "core/referral.hpp"
#include "core/text.hpp"

namespace dossier::app {
namespace {

DocOutcome to_outcome(io::PdfInfo::Outcome o) {
  switch (o) {
    case io::PdfInfo::Outcome::ok: return DocOutcome::ok;
    case io::PdfInfo::Outcome::not_pdf: return DocOutcome::not_pdf;
    case io::PdfInfo::Outcome::empty: return DocOutcome::empty;
    case io::PdfInfo::Outcome::damaged: return DocOutcome::damaged;
    case io::PdfInfo::Outcome::locked: return DocOutcome::locked;
    case io::PdfInfo::Outcome::encrypted: return DocOutcome::encrypted;
    case io::PdfInfo::Outcome::unsafe: return DocOutcome::unsafe;
  }
  return DocOutcome::damaged;
}

Result<Profile> choose_profile(const CheckOptions& options, const Referral& referral) {
  if (!options.profile.empty()) return Profile::load(options.data_dir, options.profile);
  if (referral.usable()) {
    const auto hint = referral.profile_hint();
    if (!hint.empty()) {
      auto p = Profile::load(options.data_dir, hint);
      if (p) return p;
    }
  }
  return Profile::load(options.data_dir, kDefaultProfile);
}

Report package_failure(const std::string& display_name, const std::string& detail, const CheckOptions& options,
                       const Catalogue& messages) {
  Report report;
  report.package = display_name;
  auto profile = Profile::load(options.data_dir, options.profile.empty() ? kDefaultProfile : options.profile);
  const Referral none = Referral::missing();
  CheckInput in;
  if (profile) {
    report.profile_id = profile->id();
    report.profile_version = profile->version();
    report.profile_title = profile->title().get(messages.lang());
    in.profile = &*profile;
  }
  in.referral = &none;
  in.package_error = detail;
  report.findings = evaluate(in, messages);
  report.complete = false;
  return report;
}

}  // namespace

std::string sha256_hex(std::span<const std::uint8_t> bytes) {
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), bytes.data(), bytes.size());
  std::array<char, crypto_hash_sha256_BYTES * 2 + 1> hex{};
  sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
  return std::string(hex.data());
}

Result<Report> run_check(const std::filesystem::path& path, const CheckOptions& options, const Catalogue& messages) {
  // An unknown profile is the user's mistake, whatever the package holds.
  if (!options.profile.empty()) {
    auto p = Profile::load(options.data_dir, options.profile);
    if (!p) return tl::unexpected(p.error());
  }
  auto package = io::Package::open(path, options.package_limits);
  if (!package) {
    if (package.error().code == Errc::not_found) return tl::unexpected(package.error());
    return package_failure(path.string(), package.error().message, options, messages);
  }
  return run_check(*package, path.string(), options, messages);
}

Result<Report> run_check(const io::Package& package, const std::string& display_name, const CheckOptions& options,
                         const Catalogue& messages) {
  const auto xsd = options.data_dir + "/schemas/referral.xsd";
  Referral referral = Referral::missing();
  std::string referral_text;
  if (const auto* rf = package.find("referral.xml")) {
    auto bytes = package.read(*rf);
    if (!bytes) return package_failure(display_name, bytes.error().message, options, messages);
    referral_text.assign(bytes->begin(), bytes->end());
    referral = Referral::parse(referral_text, xsd);
  }
  auto profile = choose_profile(options, referral);
  if (!profile) return tl::unexpected(profile.error());

  Report report;
  report.package = display_name;
  report.profile_id = profile->id();
  report.profile_version = profile->version();
  report.profile_title = profile->title().get(messages.lang());

  std::vector<const io::PackageFile*> docs;
  for (const auto& f : package.files()) {
    if (f.path != "referral.xml") docs.push_back(&f);
  }
  for (std::size_t i = 0; i < docs.size(); ++i) {
    const auto& file = *docs[i];
    if (options.progress) options.progress(i, docs.size(), file.path);
    DocumentFacts d;
    d.path = file.path;
    d.size = file.size;
    const auto slash = file.path.find('/');
    d.folder = slash == std::string::npos ? "" : file.path.substr(0, slash);
    if (const auto* e = profile->evidence_by_folder(d.folder); e != nullptr && slash != std::string::npos) d.evidence = e->id;
    const auto declared = std::find_if(referral.documents().begin(), referral.documents().end(),
                                       [&](const DeclaredDocument& x) { return x.path == file.path; });
    d.declared = declared != referral.documents().end();

    if (file.size > options.pdf_limits.max_bytes || file.size > options.package_limits.max_file_size) {
      d.outcome = DocOutcome::too_large;
      d.detail = std::to_string(std::min<std::uint64_t>(options.pdf_limits.max_bytes, options.package_limits.max_file_size) / io::kMiB) + " MiB";
      report.documents.push_back(std::move(d));
      continue;
    }
    auto bytes = package.read(file);
    if (!bytes) {
      // A ZIP entry that fails its size or CRC check, or a file that changes while it is read:
      // the package as a whole cannot be trusted.
      return package_failure(display_name, bytes.error().message, options, messages);
    }
    d.sha256 = sha256_hex(*bytes);
    auto info = io::inspect_pdf(*bytes, file.path, options.pdf_limits);
    if (!info) {
      d.outcome = DocOutcome::unsafe;
      d.detail = info.error().message;
    } else {
      d.outcome = to_outcome(info->outcome);
      d.detail = info->detail;
      d.pages = info->pages;
      d.has_text = info->has_text;
      d.active_content = info->active_content;
      if (!d.evidence.empty() && info->has_text) {
        d.keywords_found = find_keywords(info->text, profile->evidence_by_id(d.evidence)->keywords);
      }
      if (d.declared && !declared->date.empty()) {
        d.date = declared->date;
        d.date_source = "referral";
      } else if (info->date) {
        d.date = info->date;
        d.date_source = "text";
      }
    }
    report.documents.push_back(std::move(d));
  }

  CheckInput in;
  in.profile = &*profile;
  in.referral = &referral;
  in.referral_text = referral_text;
  in.documents = report.documents;
  report.findings = evaluate(in, messages);
  report.complete = is_complete(report.findings);
  return report;
}

}  // namespace dossier::app

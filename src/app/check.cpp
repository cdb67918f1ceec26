#include "app/check.hpp"

#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <functional>

#include "core/evaluate.hpp"
#include "core/evidence.hpp"
#include "core/paths.hpp"
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

// --date, else DOSSIER_DATE (reproducible runs of seal and open, and the golden tests), else today.
std::string check_date_of(const CheckOptions& options) {
  if (!options.check_date.empty()) return options.check_date;
  if (const char* env = std::getenv("DOSSIER_DATE"); env != nullptr && valid_check_date(env)) return env;
  return today_in_amsterdam();
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
  report.check_date = check_date_of(options);
  in.check_date = report.check_date;
  report.findings = evaluate(in, messages);
  report.verdict = Verdict::incomplete;
  report.complete = false;
  return report;
}

}  // namespace

void read_evidence(const std::string& text, const Profile& profile, DocumentFacts& d) {
  d.bsn_like = static_cast<int>(find_bsn_like_numbers(text).size());
  const Evidence* own = profile.evidence_by_id(d.evidence);
  if (own != nullptr) {
    const Reading r = read_facts(text, own->facts);
    for (const auto& f : r.found) {
      DocumentFacts::Fact fact{f.id, f.value, f.matched, f.id, f.id};
      for (const auto& decl : own->facts) {
        if (decl.id == f.id) {
          fact.label_nl = decl.label_nl;
          fact.label_en = decl.label_en;
        }
      }
      d.facts.push_back(std::move(fact));
    }
    d.missing_identifying = r.missing_identifying;
    d.missing_supporting = r.missing_supporting;
    d.is_evidence = d.has_text && r.evidence();
    if (r.date) {
      d.date = r.date;
      d.date_source = "text";
    }
    if (d.is_evidence) d.expiry = r.expiry;
  }
  if (!d.date && d.has_text) {
    if (auto first = find_first_date(text)) {
      d.date = std::move(first);
      d.date_source = "text";
    }
  }
  if (d.is_evidence || !d.has_text || own == nullptr) return;
  // Misfiled? The type whose identifying facts it shows, best share first.
  double best = 0;
  for (const auto& other : profile.evidence()) {
    if (other.id == d.evidence || !other.has_identifying()) continue;
    const Reading r = read_facts(text, other.facts);
    if (!r.evidence()) continue;
    const double score = r.identifying_total > 0 ? static_cast<double>(r.identifying_found) / r.identifying_total : 0;
    if (score > best) {
      best = score;
      d.reads_like = other.id;
    }
  }
}

std::string today_in_amsterdam() {
  // CET (UTC+1), CEST (UTC+2) from 01:00 UTC on the last Sunday of March to 01:00 UTC on the
  // last Sunday of October (EU directive 2000/84/EC).
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm utc{};
  gmtime_r(&t, &utc);
  auto last_sunday_utc = [&](int month) {  // 01:00 UTC on the last Sunday of month (0-based)
    std::tm tm{};
    tm.tm_year = utc.tm_year;
    tm.tm_mon = month + 1;
    tm.tm_mday = 0;  // day 0 of the next month: the last day of this one
    tm.tm_hour = 1;
    std::time_t last = timegm(&tm);
    std::tm back{};
    gmtime_r(&last, &back);
    return last - static_cast<std::time_t>(back.tm_wday) * 86400;
  };
  const bool summer = t >= last_sunday_utc(2) && t < last_sunday_utc(9);
  const std::time_t local = t + (summer ? 7200 : 3600);
  std::tm tm{};
  gmtime_r(&local, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

bool valid_check_date(const std::string& iso) { return iso_days(iso).has_value(); }

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
  report.check_date = check_date_of(options);
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
    if (d.declared && !declared->date.empty()) d.declared_date = declared->date;
    // Scanned pages take seconds each: the progress line names the page being recognised.
    std::function<void(int, int)> pages;
    if (options.progress) {
      pages = [&](int done, int total) {
        options.progress(i, docs.size(), file.path + " (" + std::to_string(done) + "/" + std::to_string(total) + ")");
      };
    }
    auto info = io::inspect_pdf(*bytes, file.path, options.pdf_limits, pages);
    if (!info) {
      d.outcome = DocOutcome::unsafe;
      d.detail = info.error().message;
    } else {
      d.outcome = to_outcome(info->outcome);
      d.detail = info->detail;
      d.pages = info->pages;
      d.has_text = info->has_text;
      d.text_source = io::text_source_name(info->text_source);
      d.pages_read = info->pages_read;
      d.pages_ocr = info->pages_ocr;
      d.ocr_confidence = info->ocr_confidence;
      d.limit_note = info->limit_note;
      d.active_content = info->active_content;
      read_evidence(info->text, *profile, d);
    }
    if (!d.date && d.declared_date) {
      d.date = d.declared_date;
      d.date_source = "referral";
    }
    report.documents.push_back(std::move(d));
  }

  CheckInput in;
  in.profile = &*profile;
  in.referral = &referral;
  in.referral_text = referral_text;
  in.documents = report.documents;
  in.check_date = report.check_date;
  if (auto tpl = read_small_file(options.data_dir + "/templates/referral-template.xml", 1u << 20)) in.template_text = *tpl;
  report.findings = evaluate(in, messages);
  report.verdict = verdict_of(report.findings);
  report.complete = report.verdict == Verdict::complete;
  return report;
}

}  // namespace dossier::app

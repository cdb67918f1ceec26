#include "app/check.hpp"
#include "crypto/digest.hpp"

#include <sodium.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <ctime>
#include <exception>
#include <functional>
#include <mutex>
#include <stop_token>
#include <thread>

#include "core/evaluate.hpp"
#include "core/evidence.hpp"
#include "app/data_files.hpp"
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
  if (!options.profile.empty()) return app::load_profile(options.data_dir, options.profile);
  if (referral.usable()) {
    const auto hint = referral.profile_hint();
    if (!hint.empty()) {
      auto p = app::load_profile(options.data_dir, hint);
      if (p) return p;
    }
  }
  return app::load_profile(options.data_dir, kDefaultProfile);
}

Report package_failure(const std::string& display_name, const std::string& detail, const CheckOptions& options,
                       const Catalogue& messages) {
  Report report;
  report.package = display_name;
  auto profile = app::load_profile(options.data_dir, options.profile.empty() ? kDefaultProfile : options.profile);
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

// The name problems of a package in the reader's words, one sentence each.
std::string describe(const std::vector<io::NameProblem>& problems, const Catalogue& messages) {
  std::string out;
  for (const auto& p : problems) {
    if (!out.empty()) out += " ";
    switch (p.kind) {
      case io::NameProblem::Kind::case_twins:
        out += messages.get("package.twins-case", {{"first", p.first}, {"second", p.second}});
        break;
      case io::NameProblem::Kind::form_twins:
        out += messages.get("package.twins-form", {{"first", p.first}, {"second", p.second}});
        break;
      case io::NameProblem::Kind::not_nfc:
        out += messages.get("package.not-nfc", {{"name", p.first}});
        break;
    }
  }
  return out;
}

using Clock = std::chrono::steady_clock;

// What the inspection of one document found, until the calling thread reads it as evidence.
struct Inspected {
  bool too_large = false;
  std::string limit;  // too_large: the limit, e.g. "64 MiB"
  std::string sha256;
  Result<io::PdfInfo> info = io::PdfInfo{};
  std::optional<std::string> declared_date;
};

// Inspects the documents of a package on up to `parallel` threads, each driving one sandboxed
// child at a time, until every document is done or the deadline passes; then it stops the running
// children and leaves the rest unread. Everything the caller sees (progress, finished documents)
// is handed to it on its own thread, by run(). The documents held in memory at once (in the
// parsers' memfds) add up to at most one max_file_size, the largest document that is read at
// all, per worker.
class Inspections {
 public:
  struct Event {
    std::size_t index = 0;
    std::string label;      // progress: the path, or "path (done/total)"; empty for none
    bool finished = false;  // take(index) holds its result
  };

  Inspections(const io::Package& package, const std::vector<const io::PackageFile*>& docs,
              const CheckOptions& options, Clock::time_point deadline)
      : package_(package), docs_(docs), options_(options), deadline_(deadline), results_(docs.size()),
        done_(docs.size(), false), read_errors_(docs.size()) {
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    workers_ = static_cast<unsigned>(
        std::min<std::size_t>(options.parallel > 0 ? options.parallel : cores, std::max<std::size_t>(docs.size(), 1)));
    limits_ = options.pdf_limits;
    if (limits_.ocr_threads == 0 && workers_ > 1) limits_.ocr_threads = std::max(1u, cores / workers_);
    // One document per worker may be in memory (each at most max_file_size): the large
    // documents of a package are then read, hashed and parsed side by side too.
    memory_cap_ = workers_ * options.package_limits.max_file_size;
    // Smallest first. A scan costs seconds of text recognition whatever its size, a large text
    // document mostly hashing; started early, the scans' recognition runs beside the large
    // documents' reading instead of after it on one core while the other waits. The report
    // keeps the package's order.
    order_.resize(docs_.size());
    for (std::size_t i = 0; i < order_.size(); ++i) order_[i] = i;
    std::stable_sort(order_.begin(), order_.end(),
                     [&](std::size_t a, std::size_t b) { return docs_[a]->size < docs_[b]->size; });
  }

  // Runs the inspections; calls on_event on this thread. If on_event throws, the running
  // children are stopped and reaped and the threads joined before the exception leaves.
  void run(const std::function<void(const Event&)>& on_event) {
    if (docs_.empty()) return;
    std::vector<std::jthread> threads;
    struct StopFirst {  // destroyed before `threads` joins them
      std::stop_source& stop;
      ~StopFirst() { stop.request_stop(); }
    };
    for (unsigned k = 0; k < workers_; ++k) threads.emplace_back([this] { work(); });
    StopFirst stop_first{stop_};
    std::unique_lock lock(mutex_);
    while (true) {
      if (!events_.empty()) {
        std::vector<Event> batch;
        batch.swap(events_);
        lock.unlock();
        for (const auto& e : batch) on_event(e);
        lock.lock();
        continue;
      }
      if (finished_workers_ == workers_) break;
      if (stop_.stop_requested()) {
        changed_.wait(lock);
      } else if (changed_.wait_until(lock, deadline_) == std::cv_status::timeout && Clock::now() >= deadline_) {
        stop_.request_stop();  // the budget ran out: running children are killed
      }
    }
    if (failure_) std::rethrow_exception(failure_);
  }

  Inspected take(std::size_t i) {
    std::lock_guard lock(mutex_);
    return std::move(results_[i]);
  }
  bool finished(std::size_t i) const {
    std::lock_guard lock(mutex_);
    return done_[i];
  }
  // The tap's first failure, if any.
  const std::optional<Error>& tap_error() const {
    std::lock_guard lock(mutex_);
    return tap_error_;
  }
  // The first document (in package order) that could not be read, if any.
  const Error* read_error() const {
    std::lock_guard lock(mutex_);
    for (const auto& e : read_errors_) {
      if (e) return &*e;
    }
    return nullptr;
  }

 private:
  void work() {
    try {
      const std::stop_token stop = stop_.get_token();
      while (!stop.stop_requested()) {
        const std::size_t n = next_.fetch_add(1);
        if (n >= docs_.size()) break;
        inspect(order_[n], stop);
      }
    } catch (...) {
      std::lock_guard lock(mutex_);
      if (!failure_) failure_ = std::current_exception();
      stop_.request_stop();
    }
    std::lock_guard lock(mutex_);
    ++finished_workers_;
    changed_.notify_all();
  }

  void inspect(std::size_t i, const std::stop_token& stop) {
    const io::PackageFile& file = *docs_[i];
    post({i, file.path, false});
    Inspected r;
    if (file.size > options_.pdf_limits.max_bytes || file.size > options_.package_limits.max_file_size) {
      r.too_large = true;
      const std::uint64_t limit =
          std::min<std::uint64_t>(options_.pdf_limits.max_bytes, options_.package_limits.max_file_size);
      r.limit = std::to_string(limit / io::kMiB) + " MiB";
      finish(i, std::move(r), 0);
      return;
    }
    {
      std::unique_lock lock(mutex_);
      const bool room =
          changed_.wait(lock, stop, [&] { return in_memory_ == 0 || in_memory_ + file.size <= memory_cap_; });
      if (!room || stop.stop_requested()) return;  // the budget ran out while it waited
      in_memory_ += file.size;
    }
    // The document goes straight from the package into the parser's memfd, hashed on the way:
    // this process holds a piece of it at a time, never the whole.
    crypto::Sha256 sha;
    std::optional<Error> tap_error;
    auto document = read(i, file, sha, tap_error);
    if (tap_error) {  // the tap's own failure (seal could not write), not the package's
      std::lock_guard lock(mutex_);
      in_memory_ -= file.size;
      if (!tap_error_) tap_error_ = std::move(tap_error);
      stop_.request_stop();
      changed_.notify_all();
      return;
    }
    if (!document) {
      std::lock_guard lock(mutex_);
      in_memory_ -= file.size;
      read_errors_[i] = document.error();
      stop_.request_stop();  // the package cannot be trusted: nothing else matters
      changed_.notify_all();
      return;
    }
    r.sha256 = sha.hex_final();
    // Scanned pages take seconds each: the progress line names the page being recognised.
    const std::function<void(int, int)> pages = [&](int done, int total) {
      post({i, file.path + " (" + std::to_string(done) + "/" + std::to_string(total) + ")", false});
    };
    r.info = io::inspect_pdf(*document, file.path, limits_, pages, stop);
    *document = io::PdfDocument{};  // the memfd's memory goes back now
    if (stop.stop_requested() && !r.info && r.info.error().code == Errc::limit) {
      release(file.size);  // stopped by the budget: not read
      return;
    }
    finish(i, std::move(r), file.size);
  }

  // ZIP reads change libzip's state: one at a time. Folder reads (each through its own file
  // descriptor) run side by side, and with them the hashing, which costs more than the reading.
  // The tap (CheckOptions::tap) sees the very pieces that are hashed and parsed; its own
  // failure is also put in `tap_error`.
  Result<io::PdfDocument> read(std::size_t i, const io::PackageFile& file, crypto::Sha256& sha,
                               std::optional<Error>& tap_error) {
    auto document = io::PdfDocument::create();
    if (!document) return document;
    std::unique_lock<std::mutex> lock;
    if (package_.is_zip()) lock = std::unique_lock(read_mutex_);
    const auto& tap = options_.tap;
    auto done = package_.read_to(file, [&](std::span<const std::uint8_t> part) -> Result<void> {
      sha.update(part);
      if (tap.piece) {
        if (auto t = tap.piece(i, part); !t) {
          tap_error = t.error();
          return t;
        }
      }
      return document->append(part);
    });
    if (!done) return tl::unexpected(done.error());
    if (tap.end) {
      if (auto t = tap.end(i); !t) {
        tap_error = t.error();
        return tl::unexpected(t.error());
      }
    }
    return document;
  }

  void post(Event e) {
    std::lock_guard lock(mutex_);
    events_.push_back(std::move(e));
    changed_.notify_all();
  }

  void release(std::uint64_t bytes) {
    std::lock_guard lock(mutex_);
    in_memory_ -= bytes;
    changed_.notify_all();
  }

  void finish(std::size_t i, Inspected r, std::uint64_t bytes) {
    std::lock_guard lock(mutex_);
    in_memory_ -= bytes;
    results_[i] = std::move(r);
    done_[i] = true;
    events_.push_back({i, "", true});
    changed_.notify_all();
  }

  const io::Package& package_;
  const std::vector<const io::PackageFile*>& docs_;
  const CheckOptions& options_;
  const Clock::time_point deadline_;
  io::PdfLimits limits_;
  unsigned workers_ = 1;
  std::uint64_t memory_cap_ = 0;

  mutable std::mutex mutex_;  // guards everything below but next_
  std::condition_variable_any changed_;
  std::vector<Event> events_;
  std::vector<Inspected> results_;
  std::vector<bool> done_;
  std::vector<std::optional<Error>> read_errors_;
  std::optional<Error> tap_error_;
  std::uint64_t in_memory_ = 0;
  unsigned finished_workers_ = 0;
  std::exception_ptr failure_;
  std::stop_source stop_;
  std::vector<std::size_t> order_;  // the documents in the order they are inspected
  std::atomic<std::size_t> next_{0};
  std::mutex read_mutex_;
};

// Turns what the inspection found into the document's facts; the text is read as evidence here,
// on the calling thread, and dropped.
void read_document(Inspected r, const std::optional<std::string>& declared_date, const Profile& profile,
                   DocumentFacts& d) {
  if (r.too_large) {
    d.outcome = DocOutcome::too_large;
    d.detail = std::move(r.limit);
    return;
  }
  d.sha256 = std::move(r.sha256);
  d.declared_date = declared_date;
  if (!r.info) {
    d.outcome = DocOutcome::unsafe;
    d.detail = r.info.error().message;
  } else {
    const io::PdfInfo& info = *r.info;
    d.outcome = to_outcome(info.outcome);
    d.detail = info.detail;
    d.pages = info.pages;
    d.has_text = info.has_text;
    d.text_source = io::text_source_name(info.text_source);
    d.pages_read = info.pages_read;
    d.pages_ocr = info.pages_ocr;
    d.ocr_confidence = info.ocr_confidence;
    d.limit_note = info.limit_note;
    d.active_content = info.active_content;
    read_evidence(info.text, profile, d);
  }
  if (!d.date && d.declared_date) {
    d.date = d.declared_date;
    d.date_source = "referral";
  }
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

unsigned time_limit_of(const CheckOptions& options) {
  if (options.time_limit_seconds > 0) return options.time_limit_seconds;
  if (const char* env = std::getenv("DOSSIER_TIME_LIMIT"); env != nullptr) {
    if (auto seconds = parse_time_limit(env)) return *seconds;
  }
  return kDefaultTimeLimitSeconds;
}

std::optional<unsigned> parse_time_limit(std::string_view text) {
  if (text.empty() || text.size() > 7) return std::nullopt;
  unsigned seconds = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    seconds = seconds * 10 + static_cast<unsigned>(c - '0');
  }
  if (seconds == 0 || seconds > kMaxTimeLimitSeconds) return std::nullopt;
  return seconds;
}

Result<Report> run_check(const std::filesystem::path& path, const CheckOptions& options, const Catalogue& messages) {
  // An unknown profile is the user's mistake, whatever the package holds.
  if (!options.profile.empty()) {
    auto p = app::load_profile(options.data_dir, options.profile);
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
  auto checked = check_package(package, display_name, options, messages);
  if (!checked) return tl::unexpected(checked.error());
  return std::move(checked->report);
}

Result<CheckedPackage> check_package(const io::Package& package, const std::string& display_name,
                                     const CheckOptions& options, const Catalogue& messages) {
  const unsigned budget = time_limit_of(options);
  const auto deadline = Clock::now() + std::chrono::seconds(budget);
  CheckedPackage out;
  // Twins would be one file on Windows or macOS: nothing else can be judged reliably.
  if (!package.name_problems().empty()) {
    out.report = package_failure(display_name, describe(package.name_problems(), messages), options, messages);
    return out;
  }
  Referral referral = Referral::missing();
  if (const auto* rf = package.find("referral.xml")) {
    auto xsd = app::read_referral_schema(options.data_dir);
    if (!xsd) return tl::unexpected(xsd.error());
    auto bytes = package.read(*rf);
    if (!bytes) {
      out.report = package_failure(display_name, bytes.error().message, options, messages);
      return out;
    }
    out.referral_xml.emplace(bytes->begin(), bytes->end());
    referral = Referral::parse(*out.referral_xml, *xsd);
  }
  auto profile = choose_profile(options, referral);
  if (!profile) return tl::unexpected(profile.error());

  Report& report = out.report;
  report.package = display_name;
  report.check_date = check_date_of(options);
  report.profile_id = profile->id();
  report.profile_version = profile->version();
  report.profile_title = profile->title().get(messages.lang());

  std::vector<const io::PackageFile*> docs;
  for (const auto& f : package.files()) {
    if (f.path != "referral.xml") docs.push_back(&f);
  }
  // What the package says of each document; the inspection adds what it reads.
  report.documents.resize(docs.size());
  std::vector<std::optional<std::string>> declared_dates(docs.size());
  for (std::size_t i = 0; i < docs.size(); ++i) {
    DocumentFacts& d = report.documents[i];
    d.path = docs[i]->path;
    d.size = docs[i]->size;
    const auto slash = d.path.find('/');
    d.folder = slash == std::string::npos ? "" : d.path.substr(0, slash);
    if (const auto* e = profile->evidence_by_folder(d.folder); e != nullptr && slash != std::string::npos) d.evidence = e->id;
    const auto declared = std::find_if(referral.documents().begin(), referral.documents().end(),
                                       [&](const DeclaredDocument& x) { return x.path == d.path; });
    d.declared = declared != referral.documents().end();
    if (d.declared && !declared->date.empty()) declared_dates[i] = declared->date;
  }

  out.text_layers.resize(docs.size());
  out.thumbnails.resize(docs.size());
  Inspections inspections(package, docs, options, deadline);
  inspections.run([&](const Inspections::Event& e) {
    if (!e.label.empty() && options.progress) options.progress(e.index, docs.size(), e.label);
    if (e.finished) {
      Inspected taken = inspections.take(e.index);
      if (taken.info) {
        out.text_layers[e.index] = std::move(taken.info->text_layers);
        out.thumbnails[e.index] = std::move(taken.info->thumbnail);
      }
      read_document(std::move(taken), declared_dates[e.index], *profile, report.documents[e.index]);
    }
  });
  if (const auto& tapped = inspections.tap_error()) return tl::unexpected(*tapped);
  if (const auto* error = inspections.read_error()) {
    // A ZIP entry that fails its size or CRC check, or a file that changes while it is read:
    // the package as a whole cannot be trusted.
    out.report = package_failure(display_name, error->message, options, messages);
    out.referral_xml.reset();
    return out;
  }
  for (std::size_t i = 0; i < docs.size(); ++i) {
    if (inspections.finished(i)) continue;
    DocumentFacts& d = report.documents[i];
    d.outcome = DocOutcome::not_read;
    d.detail = std::to_string(budget);
  }

  CheckInput in;
  in.profile = &*profile;
  in.referral = &referral;
  in.referral_text = out.referral_xml.value_or(std::string());
  in.documents = report.documents;
  in.check_date = report.check_date;
  if (auto tpl = app::read_data_file(options.data_dir + "/templates/referral-template.xml")) in.template_text = *tpl;
  report.findings = evaluate(in, messages);
  report.verdict = verdict_of(report.findings);
  report.complete = report.verdict == Verdict::complete;
  return out;
}

}  // namespace dossier::app

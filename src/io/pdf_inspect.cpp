#include "io/pdf_inspect.hpp"

#include "io/thumbnail.hpp"

#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-global.h>
#include <poppler/cpp/poppler-page.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <limits>
#include <memory>
#include <mutex>
#include <new>
#include <string_view>

#include "core/text.hpp"
#include "core/unicode.hpp"
#include "io/pdf_ocr.hpp"
#include "io/fd.hpp"
#include "io/pdf_child.hpp"
#include "io/pdf_structure.hpp"

extern char** environ;

namespace dossier::io {

using Outcome = PdfInfo::Outcome;

const char* outcome_name(Outcome outcome) noexcept {
  switch (outcome) {
    case Outcome::ok: return "ok";
    case Outcome::not_pdf: return "not-pdf";
    case Outcome::empty: return "empty";
    case Outcome::damaged: return "damaged";
    case Outcome::locked: return "locked";
    case Outcome::encrypted: return "encrypted";
    case Outcome::unsafe: return "unsafe";
  }
  return "unknown";
}

const char* text_source_name(TextSource s) noexcept {
  switch (s) {
    case TextSource::none: return "none";
    case TextSource::text_layer: return "text-layer";
    case TextSource::ocr: return "ocr";
    case TextSource::mixed: return "mixed";
  }
  return "unknown";
}

namespace {

constexpr std::size_t kHeaderWindow = 1024;
constexpr std::size_t kSerialOverhead = 64u * 1024u;  // detail, active content, date, limit note
constexpr std::size_t kMaxNoteBytes = 4096;             // detail and limit_note are cut here
// A page whose text layer has fewer letters and digits than this is "without usable text"
// (a scan, photo or fax, perhaps with a stamped page number) and is recognised by OCR.
constexpr int kMinLettersForTextLayer = 16;
constexpr const char* kPageSeparator = "\n\f\n";
constexpr std::uint32_t kMaxPages = 100'000'000u;

// ---- serialisation of PdfInfo over the pipe (length-prefixed, little-endian) ----

using detail::put_u32;
using detail::write_all;

void put_str(std::string& out, std::string_view s) {
  put_u32(out, static_cast<std::uint32_t>(s.size()));
  out.append(s);
}

std::string serialise(const PdfInfo& info) {
  std::string out = "DPI3";
  put_u32(out, static_cast<std::uint32_t>(info.outcome));
  put_str(out, info.detail);
  put_u32(out, static_cast<std::uint32_t>(std::max(info.pages, 0)));
  put_u32(out, info.has_text ? 1u : 0u);
  put_str(out, info.text);
  put_u32(out, static_cast<std::uint32_t>(info.active_content.size()));
  for (const auto& a : info.active_content) put_str(out, a);
  put_u32(out, info.date ? 1u : 0u);
  if (info.date) put_str(out, *info.date);
  put_u32(out, static_cast<std::uint32_t>(info.text_source));
  put_u32(out, static_cast<std::uint32_t>(std::max(info.pages_read, 0)));
  put_u32(out, static_cast<std::uint32_t>(std::max(info.pages_ocr, 0)));
  put_u32(out, static_cast<std::uint32_t>(info.ocr_confidence + 1));  // -1..100 -> 0..101
  put_str(out, info.limit_note);
  put_u32(out, static_cast<std::uint32_t>(info.text_layers.size()));
  for (const auto& l : info.text_layers) {
    put_u32(out, static_cast<std::uint32_t>(l.page));
    put_u32(out, static_cast<std::uint32_t>(l.turn));
    put_str(out, l.pdf);
  }
  put_str(out, info.thumbnail);
  return out;
}

class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  bool u32(std::uint32_t& v) {
    if (data_.size() - pos_ < 4) return false;
    v = 0;
    for (std::size_t i = 0; i < 4; ++i)
      v |= static_cast<std::uint32_t>(static_cast<unsigned char>(data_[pos_ + i])) << (8 * i);
    pos_ += 4;
    return true;
  }
  bool str(std::string& s) {
    std::uint32_t n = 0;
    if (!u32(n) || data_.size() - pos_ < n) return false;
    s.assign(data_.substr(pos_, n));
    pos_ += n;
    return true;
  }
  bool magic(std::string_view m) {
    if (data_.substr(0, m.size()) != m) return false;
    pos_ = m.size();
    return true;
  }
  bool at_end() const { return pos_ == data_.size(); }

 private:
  std::string_view data_;
  std::size_t pos_ = 0;
};

// Text layers a result may hold: one per page read by OCR.
std::uint32_t ocr_pages_cap(const PdfInfo& info) { return static_cast<std::uint32_t>(std::max(info.pages_ocr, 0)); }

std::optional<PdfInfo> deserialise(std::string_view data, std::size_t max_text_bytes) {
  Reader r(data);
  PdfInfo info;
  std::uint32_t outcome = 0, pages = 0, has_text = 0, count = 0, has_date = 0;
  if (!r.magic("DPI3") || !r.u32(outcome) || outcome > static_cast<std::uint32_t>(Outcome::unsafe) ||
      !r.str(info.detail) || info.detail.size() > kMaxNoteBytes || !r.u32(pages) || pages > kMaxPages ||
      !r.u32(has_text) ||
      !r.str(info.text) || info.text.size() > max_text_bytes || !r.u32(count) || count > 64)
    return std::nullopt;
  info.outcome = static_cast<Outcome>(outcome);
  info.pages = static_cast<int>(pages);
  info.has_text = has_text != 0;
  for (std::uint32_t i = 0; i < count; ++i) {
    std::string a;
    if (!r.str(a)) return std::nullopt;
    info.active_content.push_back(std::move(a));
  }
  if (!r.u32(has_date)) return std::nullopt;
  if (has_date != 0) {
    std::string d;
    if (!r.str(d) || d.size() != 10) return std::nullopt;
    info.date = std::move(d);
  }
  std::uint32_t source = 0, read = 0, ocr = 0, confidence = 0;
  if (!r.u32(source) || source > static_cast<std::uint32_t>(TextSource::mixed) || !r.u32(read) || read > pages ||
      !r.u32(ocr) || ocr > read || !r.u32(confidence) || confidence > 101 || !r.str(info.limit_note) ||
      info.limit_note.size() > kMaxNoteBytes)
    return std::nullopt;
  info.text_source = static_cast<TextSource>(source);
  info.pages_read = static_cast<int>(read);
  info.pages_ocr = static_cast<int>(ocr);
  info.ocr_confidence = static_cast<int>(confidence) - 1;
  std::uint32_t layers = 0;
  if (!r.u32(layers) || layers > ocr_pages_cap(info)) return std::nullopt;
  std::size_t layer_bytes = 0;
  for (std::uint32_t i = 0; i < layers; ++i) {
    PdfInfo::TextLayer l;
    std::uint32_t page = 0, turn = 0;
    if (!r.u32(page) || page >= pages || !r.u32(turn) || turn % 90 != 0 || turn >= 360 || !r.str(l.pdf)) return std::nullopt;
    layer_bytes += l.pdf.size();
    if (layer_bytes > kMaxTextLayerBytes) return std::nullopt;
    l.page = static_cast<int>(page);
    l.turn = static_cast<int>(turn);
    info.text_layers.push_back(std::move(l));
  }
  if (!r.str(info.thumbnail) || info.thumbnail.size() > kMaxThumbnailBytes)
    return std::nullopt;
  if (!r.at_end()) return std::nullopt;
  return info;
}

// ---- the work done inside the child ----


// Cuts s to at most max bytes without splitting a UTF-8 sequence.
void cap_utf8(std::string& s, std::size_t max) {
  if (s.size() <= max) return;
  std::size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0u) == 0x80u) --cut;
  s.resize(cut);
}

bool non_blank(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    return c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v';
  });
}

// qpdf's part (io/pdf_structure.cpp). Returns false when the outcome is final (damaged/locked)
// and poppler must not be asked.
bool inspect_structure(std::span<const std::uint8_t> bytes, const std::string& name, PdfInfo& info,
                       bool& encrypted, std::size_t& warnings) {
  detail::PdfStructure found = detail::inspect_pdf_structure(bytes.data(), bytes.size(), name);
  encrypted = found.encrypted;
  warnings += found.warnings;
  info.active_content = std::move(found.active_content);
  if (found.verdict == detail::PdfStructure::Verdict::ok) return true;
  info.outcome = found.verdict == detail::PdfStructure::Verdict::locked ? Outcome::locked : Outcome::damaged;
  info.detail = std::move(found.detail);
  return false;
}

void silence_poppler(const std::string&, void*) {}

// ---- the pipe from the child: framed records ----
//
// Each record is one type byte, a u32 payload length and the payload:
//   'P' done, total (u32 each): page progress;
//   'O' ocr pages (u32): text recognition starts, the OCR wall-clock limit applies from now;
//   'R' the serialised PdfInfo: the result, always the last record.
constexpr char kFrameProgress = 'P';
constexpr char kFrameOcr = 'O';
using detail::kFrameResult;
constexpr std::size_t kFrameHeader = 5;
constexpr std::size_t kMaxFrames = 1'000'000;  // progress records the parent accepts

// The child's end of the pipe; OCR threads report progress through it concurrently.
class Channel {
 public:
  explicit Channel(int fd) : fd_(fd) {}
  bool send(char type, std::string_view payload) {
    std::string frame(1, type);
    put_u32(frame, static_cast<std::uint32_t>(payload.size()));
    frame.append(payload);
    std::lock_guard lock(mutex_);
    return write_all(fd_, frame);
  }
  void progress(int done, int total) {
    std::string p;
    put_u32(p, static_cast<std::uint32_t>(done));
    put_u32(p, static_cast<std::uint32_t>(total));
    send(kFrameProgress, p);
  }

 private:
  int fd_;
  std::mutex mutex_;
};

// Letters and digits in UTF-8 text: ASCII letters and digits, Latin letters with
// diacritics (U+00C0..U+024F without x and division sign) and the letters of other scripts
// (U+0370..U+1FFF, U+3040..U+9FFF, U+AC00..U+D7AF); not punctuation, symbols, private use
// or U+FFFD. A text layer of a scan often has a few of these (a page number, a stamp).
int count_letters_digits(std::string_view s) {
  int n = 0;
  for (std::size_t i = 0; i < s.size();) {
    const auto [cp, len] = unicode::decode_utf8(s.substr(i));
    if (len == 0) {  // not UTF-8 here: no letter
      ++i;
      continue;
    }
    i += len;
    const bool ascii = (cp >= '0' && cp <= '9') || (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z');
    const bool latin = cp >= 0xC0u && cp <= 0x24Fu && cp != 0xD7u && cp != 0xF7u;
    const bool other = (cp >= 0x370u && cp <= 0x1FFFu) || (cp >= 0x3040u && cp <= 0x9FFFu) ||
                       (cp >= 0xAC00u && cp <= 0xD7AFu);
    if (ascii || latin || other) ++n;
  }
  return n;
}

std::string plural(std::size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

// Where the child is in its time budget.
struct Budget {
  std::chrono::steady_clock::time_point start;
};

// Soft end of an OCR budget: stop in time to report what was read before the hard limit.
// The margin covers a page being rendered or laid out (neither can be cancelled) and
// Tesseract winding down: 10 %, at least 3 s.
unsigned soft_seconds(unsigned hard) { return hard - std::min(hard, std::max(3u, hard / 10u)); }

void inspect_text(std::span<const std::uint8_t> bytes, const PdfLimits& limits, PdfInfo& info, Channel& channel,
                  const Budget& budget, std::vector<std::string>& notes, std::vector<std::string>& details) {
  poppler::set_debug_error_function(silence_poppler, nullptr);
  std::unique_ptr<poppler::document> doc(poppler::document::load_from_raw_data(
      reinterpret_cast<const char*>(bytes.data()), static_cast<int>(bytes.size())));
  if (!doc) {
    info.outcome = Outcome::damaged;
    info.detail = "poppler could not open the document";
    return;
  }
  // Poppler 22.12 crashes in pages()/has_embedded_files() on a locked document.
  if (doc->is_locked()) {
    info.outcome = Outcome::locked;
    info.detail = "a user password is needed to open the document";
    return;
  }
  info.pages = doc->pages();
  if (info.pages <= 0) {
    info.outcome = Outcome::damaged;
    info.detail = "the document has no pages";
    return;
  }

  // Pass 1: the text layer of each page; pages without usable text are marked for OCR.
  enum class Via { unread, layer, ocr };
  const int last = std::min(info.pages, static_cast<int>(std::min(limits.max_pages_for_text, 100'000u)));
  std::vector<Via> via(static_cast<std::size_t>(last), Via::unread);
  std::vector<std::string> page_text(static_cast<std::size_t>(last));
  std::vector<int> need_ocr;
  std::size_t layer_bytes = 0, too_large = 0, over_ocr_limit = 0;
  int end = last;  // pages from here on are not read (text byte limit)
  for (int i = 0; i < last; ++i) {
    if (layer_bytes >= limits.max_text_bytes) {
      end = i;
      break;
    }
    std::unique_ptr<poppler::page> page(doc->create_page(i));
    if (!page) continue;
    poppler::byte_array utf8 = page->text().to_utf8();
    std::string t(utf8.data(), utf8.size());
    const auto k = static_cast<std::size_t>(i);
    if (count_letters_digits(t) >= kMinLettersForTextLayer) {
      layer_bytes += t.size() + 3;
      page_text[k] = std::move(t);
      via[k] = Via::layer;
      // The first page's picture for the review report, while the page is open (a scanned first
      // page gets it from its OCR render instead).
      if (i == 0) {
        std::string png = page_thumbnail_png(*page);
        if (png.size() <= kMaxThumbnailBytes) info.thumbnail = std::move(png);
      }
      continue;
    }
    const poppler::rectf box = page->page_rect(poppler::crop_box);
    if (ocr::render_dpi(box.width(), box.height(), limits) == 0) {
      ++too_large;
    } else if (need_ocr.size() >= limits.max_ocr_pages) {
      ++over_ocr_limit;
    } else {
      need_ocr.push_back(i);
      via[k] = Via::ocr;
    }
  }
  doc.reset();
  int layer_pages = static_cast<int>(std::count(via.begin(), via.end(), Via::layer));
  const int total = layer_pages + static_cast<int>(need_ocr.size());
  channel.progress(layer_pages, total);

  // Pass 2: OCR, in parallel, under the OCR budget.
  if (!need_ocr.empty()) {
    const unsigned cpu_hard = std::max(limits.cpu_seconds, limits.ocr_cpu_seconds);
    const unsigned wall_hard = std::max(limits.wall_seconds, limits.ocr_wall_seconds);
    std::string n;
    put_u32(n, static_cast<std::uint32_t>(need_ocr.size()));
    channel.send(kFrameOcr, n);
    // Raise the soft limits to the hard ones set for OCR at the start (apply_child_limits).
    for (auto resource : {RLIMIT_CPU, RLIMIT_AS}) {
      rlimit lim{};
      if (getrlimit(resource, &lim) != 0) continue;
      lim.rlim_cur = resource == RLIMIT_CPU ? std::min<rlim_t>(cpu_hard, lim.rlim_max) : lim.rlim_max;
      setrlimit(resource, &lim);
    }
    setenv("OMP_THREAD_LIMIT", "1", 1);  // for a Tesseract whose OpenMP is loaded later (see pdf_ocr.cpp)
    const unsigned threads = ocr::thread_count(limits, need_ocr.size());
#ifndef DOSSIER_ASAN
    // Each thread would get its own malloc arena, reserving 64 MiB or more of address space
    // apiece under RLIMIT_AS. One arena: measured with 2 threads on 4 dense A4 pages, the
    // child's peak address space fell from 363 to 264 MB at the same CPU time.
    mallopt(M_ARENA_MAX, 1);
#endif
    const auto wall_end = budget.start + std::chrono::seconds(soft_seconds(wall_hard));
    const ocr::Run run = ocr::recognise(bytes, need_ocr, limits, threads, wall_end, soft_seconds(cpu_hard),
                                        [&](int finished) { channel.progress(layer_pages + finished, total); });
    int confidence_sum = 0, confident_pages = 0;
    std::size_t recognised = 0, unrendered = 0, layer_total = 0;
    for (std::size_t k = 0; k < need_ocr.size(); ++k) {
      const auto i = static_cast<std::size_t>(need_ocr[k]);
      const ocr::PageResult& r = run.pages[k];
      if (r.status == ocr::PageResult::Status::done) {
        page_text[i] = r.text;
        ++recognised;
        if (i == 0 && r.thumbnail.size() <= kMaxThumbnailBytes) info.thumbnail = r.thumbnail;
        if (!r.layer.empty() && layer_total + r.layer.size() <= kMaxTextLayerBytes) {
          layer_total += r.layer.size();
          info.text_layers.push_back({static_cast<int>(i), r.turn, r.layer});
        }
        if (r.confidence >= 0 && non_blank(r.text)) {
          confidence_sum += r.confidence;
          ++confident_pages;
        }
      } else {
        via[i] = Via::unread;
        if (r.status == ocr::PageResult::Status::render_failed) ++unrendered;
        if (r.status == ocr::PageResult::Status::too_large) ++too_large;
      }
    }
    if (confident_pages > 0) info.ocr_confidence = (confidence_sum + confident_pages / 2) / confident_pages;
    if (run.stop == ocr::Stop::time)
      notes.push_back("text recognition stopped after " + plural(recognised, "page", "pages") + " (time limit)");
    else if (run.stop == ocr::Stop::memory)
      notes.push_back("text recognition stopped after " + plural(recognised, "page", "pages") + " (memory limit)");
    else if (run.stop == ocr::Stop::failed)
      details.push_back(run.error);
    if (unrendered > 0) details.push_back(plural(unrendered, "page", "pages") + " could not be rendered for text recognition");
  }

  if (over_ocr_limit > 0)
    notes.push_back("text recognition stopped after " + plural(limits.max_ocr_pages, "page", "pages") + " (limit); " +
                    plural(over_ocr_limit, "more page", "more pages") + " without a text layer not read");
  if (too_large > 0)
    notes.push_back(plural(too_large, "page", "pages") + " without a text layer too large to render (over " +
                    std::to_string(limits.max_page_pixels) + " pixels at " + std::to_string(ocr::kMinDpi) +
                    " dpi, limit) not read");
  if (end < last || last < info.pages)
    notes.push_back("text taken from the first " + plural(static_cast<std::size_t>(end), "page", "pages") + " of " +
                    std::to_string(info.pages) + " (limit)");

  // The text of the pages read, in page order.
  std::string text;
  bool from_layer = false, from_ocr = false;
  for (std::size_t i = 0; i < via.size(); ++i) {
    if (via[i] == Via::unread) continue;
    if (info.pages_read > 0) text += kPageSeparator;
    text += page_text[i];
    ++info.pages_read;
    if (via[i] == Via::ocr) ++info.pages_ocr;
    if (non_blank(page_text[i])) (via[i] == Via::ocr ? from_ocr : from_layer) = true;
  }
  if (text.size() > limits.max_text_bytes)
    notes.push_back("text cut at " + std::to_string(limits.max_text_bytes) + " bytes (limit)");
  cap_utf8(text, limits.max_text_bytes);
  info.text_source = from_layer && from_ocr ? TextSource::mixed
                     : from_ocr             ? TextSource::ocr
                     : from_layer           ? TextSource::text_layer
                                            : TextSource::none;
  info.has_text = non_blank(text);
  info.date = find_first_date(text);
  info.text = std::move(text);
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += "; ";
    out += p;
  }
  cap_utf8(out, kMaxNoteBytes);
  return out;
}

PdfInfo inspect_in_child(std::span<const std::uint8_t> bytes, const std::string& name, const PdfLimits& limits,
                         Channel& channel, const Budget& budget) {
  PdfInfo info;
  try {
    bool encrypted = false;
    std::size_t warnings = 0;
    if (!inspect_structure(bytes, name, info, encrypted, warnings)) {
      cap_utf8(info.detail, kMaxNoteBytes);
      return info;
    }
    std::vector<std::string> notes, details;
    inspect_text(bytes, limits, info, channel, budget, notes, details);
    if (info.outcome != Outcome::ok) return info;
    info.limit_note = join(notes);
    if (encrypted) {
      info.outcome = Outcome::encrypted;
      details.insert(details.begin(), "encrypted (opens without a user password, but an owner password restricts it)");
    } else if (warnings > 0) {
      details.insert(details.begin(), "repaired: " + std::to_string(warnings) + " structural warning(s) from qpdf");
    }
    info.detail = join(details);
  } catch (const std::bad_alloc&) {
    info = PdfInfo{};
    info.outcome = Outcome::unsafe;
    info.detail = "could not be inspected safely: memory limit reached";
  } catch (const std::exception& e) {
    info = PdfInfo{};
    info.outcome = Outcome::damaged;
    info.detail = std::string("parser error: ") + e.what();
    cap_utf8(info.detail, kMaxNoteBytes);
  } catch (...) {
    info = PdfInfo{};
    info.outcome = Outcome::damaged;
    info.detail = "parser error";
  }
  return info;
}

}  // namespace

namespace {

void apply_child_limits(const PdfLimits& limits) {
  rlimit core{0, 0};
  setrlimit(RLIMIT_CORE, &core);
  // The soft limit is for parsing and the text layer; the child raises it to
  // ocr_cpu_seconds itself when it starts text recognition (up to the hard limit).
  const rlim_t cpu_hard = std::max(limits.cpu_seconds, limits.ocr_cpu_seconds);
  rlimit cpu{limits.cpu_seconds, cpu_hard + 1};
  setrlimit(RLIMIT_CPU, &cpu);
#ifndef DOSSIER_ASAN
  // ASan reserves terabytes of shadow memory, so an address-space limit breaks it.
  // max_memory is what the parser may add to its size at start (its libraries and the mapped
  // document), and ocr_max_memory once it starts text recognition (it raises the soft limit then).
  const auto base = static_cast<rlim_t>(detail::own_address_space());
  const rlim_t soft = static_cast<rlim_t>(limits.max_memory) + base;
  const rlim_t hard = static_cast<rlim_t>(std::max(limits.max_memory, limits.ocr_max_memory)) + base;
  rlimit as{soft, hard};
  setrlimit(RLIMIT_AS, &as);
#endif
}

// ---- the parser program: its command line ----
//
// The parent starts dossier-pdf-inspector (posix_spawn, so nothing of the parent runs in the new
// process: no locks another thread held, no copy of the parent's memory and its keys) as
//   dossier-pdf-inspector --dossier-internal-v1 PARENT_PID LIMITS NAME
// with the document in a sealed memfd as fd 3, the write end of the pipe as fd 4, /dev/null as
// stdin, stdout and stderr, and no other descriptor.
constexpr const char* kInspectorProgram = "dossier-pdf-inspector";
constexpr std::string_view kInspectorFlag = "--dossier-internal-v1";
constexpr int kDocumentFd = 3;
constexpr int kPipeFd = 4;

std::string serialise_limits(const PdfLimits& l) {
  const std::array<std::uint64_t, 13> v{l.max_bytes,         l.max_memory,      l.cpu_seconds,    l.wall_seconds,
                                        l.max_text_bytes,    l.max_pages_for_text, l.max_ocr_pages, l.ocr_dpi,
                                        l.max_page_pixels,   l.ocr_cpu_seconds, l.ocr_wall_seconds, l.ocr_max_memory,
                                        l.ocr_threads};
  std::string out;
  for (auto x : v) {
    if (!out.empty()) out += ',';
    out += std::to_string(x);
  }
  return out;
}

template <typename T>
bool narrow(std::uint64_t v, T& out) {
  if (v > std::numeric_limits<T>::max()) return false;
  out = static_cast<T>(v);
  return true;
}

std::optional<PdfLimits> parse_limits(std::string_view text) {
  std::array<std::uint64_t, 13> v{};
  std::size_t i = 0;
  const char* p = text.data();
  const char* end = text.data() + text.size();
  while (true) {
    if (i == v.size()) return std::nullopt;
    auto [next, ec] = std::from_chars(p, end, v[i]);
    if (ec != std::errc{} || next == p) return std::nullopt;
    ++i;
    p = next;
    if (p == end) break;
    if (*p != ',') return std::nullopt;
    ++p;
  }
  if (i != v.size()) return std::nullopt;
  PdfLimits l;
  const bool ok = narrow(v[0], l.max_bytes) && narrow(v[1], l.max_memory) && narrow(v[2], l.cpu_seconds) &&
                  narrow(v[3], l.wall_seconds) && narrow(v[4], l.max_text_bytes) &&
                  narrow(v[5], l.max_pages_for_text) && narrow(v[6], l.max_ocr_pages) && narrow(v[7], l.ocr_dpi) &&
                  narrow(v[8], l.max_page_pixels) && narrow(v[9], l.ocr_cpu_seconds) &&
                  narrow(v[10], l.ocr_wall_seconds) && narrow(v[11], l.ocr_max_memory) && narrow(v[12], l.ocr_threads);
  if (!ok) return std::nullopt;
  return l;
}

// A descriptor above those a child is given, so that the spawn's dup2 onto them never meets it.
UniqueFd above_targets(UniqueFd fd) { return detail::above_child_fds(std::move(fd)); }

}  // namespace

namespace detail {

namespace {
bool executable(const std::string& path) { return !path.empty() && access(path.c_str(), X_OK) == 0; }
}  // namespace

std::optional<std::string> find_helper_program(const char* program, const char* variable, const char* built) {
  if (const char* env = std::getenv(variable); env != nullptr && *env != '\0') return std::string(env);
  std::array<char, 4096> self{};
  const ssize_t n = readlink("/proc/self/exe", self.data(), self.size() - 1);
  if (n > 0) {
    std::string dir(self.data(), static_cast<std::size_t>(n));
    dir.erase(dir.find_last_of('/') + 1);
    for (const std::string& candidate : {dir + program, dir + "../libexec/dossier/" + program})
      if (executable(candidate)) return candidate;
  }
  if (built != nullptr && executable(built)) return std::string(built);
  return std::nullopt;
}

Result<std::string> helper_program(const char* role, const char* program, const char* variable, const char* built) {
  if (auto found = find_helper_program(program, variable, built)) return *found;
  return fail(Errc::io, std::string("the PDF ") + role + " program " + program +
                            " is not next to this program nor in ../libexec/dossier: reinstall dossier, or set " +
                            variable + " to its path");
}

UniqueFd above_child_fds(UniqueFd fd) {
  if (!fd || fd.get() >= kFirstFreeFd) return fd;
  return UniqueFd(fcntl(fd.get(), F_DUPFD_CLOEXEC, kFirstFreeFd));
}

Result<pid_t> spawn_helper(const std::string& program, const std::vector<std::string>& arguments,
                           const std::vector<int>& fds) {
  if (fds.size() > static_cast<std::size_t>(kFirstFreeFd - 3)) return fail(Errc::usage, "too many descriptors for the child");
  UniqueFd null = above_child_fds(UniqueFd(open("/dev/null", O_RDWR | O_CLOEXEC)));
  if (!null) return fail(Errc::io, std::string("/dev/null: ") + std::strerror(errno));
  std::vector<std::string> args{program};
  args.insert(args.end(), arguments.begin(), arguments.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);
  for (int target : {STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO}) posix_spawn_file_actions_adddup2(&actions, null.get(), target);
  for (std::size_t i = 0; i < fds.size(); ++i) posix_spawn_file_actions_adddup2(&actions, fds[i], 3 + static_cast<int>(i));
  posix_spawn_file_actions_addclosefrom_np(&actions, 3 + static_cast<int>(fds.size()));
  // Signals as a fresh process has them: the parent blocks Ctrl-C and friends in its threads
  // (for its cleanup thread, see staging.hpp) and may ignore SIGPIPE.
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGXCPU, SIGXFSZ}) sigaddset(&defaults, sig);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = -1;
  const int err = posix_spawn(&pid, program.c_str(), &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (err != 0) return fail(Errc::io, program + ": " + std::strerror(err));
  return pid;
}

}  // namespace detail

namespace {

// Starts the parser on `document` (a memfd) writing to `pipe_w`: its pid, or Errc::io naming the program.
Result<pid_t> spawn_inspector(const std::string& program, int document, int pipe_w, const std::string& name,
                              const PdfLimits& limits) {
  return detail::spawn_helper(program,
                              {std::string(kInspectorFlag), std::to_string(getpid()), serialise_limits(limits), name},
                              {document, pipe_w});
}

PdfInfo unsafe(std::string why) {
  PdfInfo info;
  info.outcome = Outcome::unsafe;
  info.detail = "could not be inspected safely: " + why;
  return info;
}

// What is decided without parsing: empty, too large, no PDF header in the first 1024 bytes.
std::optional<PdfInfo> judged_before_parsing(std::uint64_t size, std::string_view head, const PdfLimits& limits) {
  PdfInfo info;
  if (size == 0) {
    info.outcome = Outcome::empty;
    info.detail = "the file is empty";
    return info;
  }
  if (size > limits.max_bytes) return unsafe("larger than " + std::to_string(limits.max_bytes) + " bytes");
  if (head.find("%PDF-") == std::string_view::npos) {
    info.outcome = Outcome::not_pdf;
    info.detail = "no %PDF- header in the first 1024 bytes";
    return info;
  }
  return std::nullopt;
}

std::string describe_status(int status) {
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    if (sig == SIGXCPU) return "CPU time limit exceeded";
    const char* desc = strsignal(sig);
    return std::string("parser died of signal ") + std::to_string(sig) + " (" + (desc ? desc : "?") + ")";
  }
  if (WIFEXITED(status)) return "parser exited with status " + std::to_string(WEXITSTATUS(status));
  return "parser stopped";
}

// The parent's side of a running child: kills and reaps it unless it was reaped already,
// also when page_progress throws.
class ChildProcess {
 public:
  ChildProcess(pid_t pid, int fd) : pid_(pid), fd_(fd) {}
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess() {
    close_pipe();
    if (!reaped_) {
      kill(pid_, SIGKILL);
      int status = 0;
      while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
    }
  }
  pid_t pid() const { return pid_; }
  int fd() const { return fd_; }
  void close_pipe() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }
  void set_reaped() { reaped_ = true; }

 private:
  pid_t pid_;
  int fd_;
  bool reaped_ = false;
};

// Reads the framed records of the child as they arrive.
class FrameReader {
 public:
  FrameReader(std::size_t result_cap, const std::function<void(int, int)>* progress)
      : cap_(result_cap), progress_(progress) {}
  enum class State { more, result, bad, oversize };
  bool ocr_started() const { return ocr_; }
  const std::string& result() const { return result_; }

  State feed(const char* data, std::size_t n) {
    if (state_ != State::more) return n == 0 ? state_ : (state_ = State::bad);
    buf_.append(data, n);
    while (state_ == State::more && buf_.size() - pos_ >= kFrameHeader) {
      const char type = buf_[pos_];
      std::uint32_t len = 0;
      for (std::size_t i = 0; i < 4; ++i)
        len |= static_cast<std::uint32_t>(static_cast<unsigned char>(buf_[pos_ + 1 + i])) << (8 * i);
      if (type == kFrameResult && len > cap_) return state_ = State::oversize;
      if (type != kFrameResult && len != (type == kFrameProgress ? 8u : 4u)) return state_ = State::bad;
      if (type != kFrameResult && type != kFrameProgress && type != kFrameOcr) return state_ = State::bad;
      if (buf_.size() - pos_ - kFrameHeader < len) break;
      const std::string_view payload(buf_.data() + pos_ + kFrameHeader, len);
      pos_ += kFrameHeader + len;
      if (type == kFrameResult) {
        result_.assign(payload);
        state_ = pos_ == buf_.size() ? State::result : State::bad;  // nothing may follow
      } else if (++frames_ > kMaxFrames) {
        state_ = State::bad;
      } else if (type == kFrameOcr) {
        ocr_ = true;
      } else if (!progress_record(payload)) {
        state_ = State::bad;
      }
    }
    if (pos_ > 0 && pos_ == buf_.size()) {
      buf_.clear();
      pos_ = 0;
    }
    return state_;
  }

 private:
  bool progress_record(std::string_view p) {
    Reader r(p);
    std::uint32_t done = 0, total = 0;
    if (!r.u32(done) || !r.u32(total) || total > kMaxPages || done > total) return false;
    if (*progress_ && (done > last_done_ || !reported_)) {
      reported_ = true;
      last_done_ = done;
      (*progress_)(static_cast<int>(done), static_cast<int>(total));
    }
    return true;
  }

  std::size_t cap_;
  const std::function<void(int, int)>* progress_;
  std::string buf_;
  std::size_t pos_ = 0;
  std::string result_;
  State state_ = State::more;
  std::size_t frames_ = 0;
  bool ocr_ = false;
  bool reported_ = false;
  std::uint32_t last_done_ = 0;
};

}  // namespace

namespace detail {

std::string ChildEnd::describe() const { return describe_status(status); }

bool ChildEnd::exited_cleanly() const { return exiting || (WIFEXITED(status) && WEXITSTATUS(status) == 0); }

ChildEnd wait_for_child(pid_t pid, UniqueFd read_fd, std::chrono::steady_clock::time_point start,
                        unsigned wall_seconds, unsigned ocr_wall_seconds, std::size_t result_cap,
                        const std::function<void(int done, int total)>& progress, std::stop_token stop,
                        bool leave_exiting) {
  using Clock = std::chrono::steady_clock;
  ChildProcess child(pid, read_fd.release());
  const int fd = child.fd();
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);

  // Parsing and the text layer have wall_seconds; a document that needs OCR has
  // ocr_wall_seconds (counted from the start as well) once the child says so.
  ChildEnd end;
  auto deadline = start + std::chrono::seconds(wall_seconds);
  end.wall_limit = wall_seconds;
  FrameReader frames(result_cap, &progress);
  FrameReader::State state = FrameReader::State::more;
  bool eof = false, reaped = false;
  int status = 0;
  char buf[65536];

  auto drain = [&]() {
    for (;;) {
      ssize_t n = read(fd, buf, sizeof buf);
      if (n > 0) {
        state = frames.feed(buf, static_cast<std::size_t>(n));
        if (frames.ocr_started() && ocr_wall_seconds > end.wall_limit) {
          end.wall_limit = ocr_wall_seconds;
          deadline = start + std::chrono::seconds(end.wall_limit);
        }
        if (state == FrameReader::State::bad || state == FrameReader::State::oversize) return;
        continue;
      }
      if (n == 0) eof = true;
      else if (errno == EINTR) continue;
      return;  // EAGAIN: nothing more for now
    }
  };
  auto broken = [&] { return state == FrameReader::State::bad || state == FrameReader::State::oversize; };

  while (!eof && !broken()) {
    auto now = Clock::now();
    if (now >= deadline) {
      end.timed_out = true;
      break;
    }
    if (stop.stop_requested()) {
      end.stopped = true;
      break;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
    pollfd p{fd, POLLIN, 0};
    int r = poll(&p, 1, static_cast<int>(std::min<long long>(left, 100)));
    if (r < 0 && errno != EINTR) break;
    if (r > 0) drain();
    // Stop when the child has exited, also if something else still held the pipe open.
    if (!eof && !broken() && waitpid(pid, &status, WNOHANG) == pid) {
      reaped = true;
      child.set_reaped();
      drain();
      break;
    }
  }
  child.close_pipe();
  if (!reaped && leave_exiting && eof && state == FrameReader::State::result && !end.timed_out && !end.stopped) {
    child.set_reaped();  // the caller's now
    end.exiting = true;
  } else if (!reaped) {
    if (end.timed_out || end.stopped || broken()) kill(pid, SIGKILL);
    // After EOF the child is exiting; give it until the deadline, then kill it. Its pidfd
    // becomes readable the moment it exits (no polling interval added to every document).
    const UniqueFd exited(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
    while (true) {
      pid_t w = waitpid(pid, &status, WNOHANG);
      if (w == pid) break;
      if (w < 0 && errno != EINTR) break;
      const auto now = Clock::now();
      if (now >= deadline) {
        kill(pid, SIGKILL);
        end.timed_out = true;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        break;
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count() + 1;
      if (exited) {
        pollfd p{exited.get(), POLLIN, 0};
        (void)poll(&p, 1, static_cast<int>(std::min<long long>(left, 100)));
      } else {
        usleep(2000);  // a kernel without pidfd_open (before 5.3)
      }
    }
    child.set_reaped();
  }
  end.status = status;
  end.oversize = state == FrameReader::State::oversize;
  end.bad = state == FrameReader::State::bad;
  if (state == FrameReader::State::result) {
    end.have_result = true;
    end.result = frames.result();
  }
  return end;
}

}  // namespace detail

Result<PdfInfo> inspect_pdf(std::span<const std::uint8_t> bytes, const PdfLimits& limits) {
  return inspect_pdf(bytes, "document.pdf", limits, {});
}

Result<PdfInfo> inspect_pdf(std::span<const std::uint8_t> bytes, std::string_view display_name,
                            const PdfLimits& limits) {
  return inspect_pdf(bytes, display_name, limits, {});
}

Result<PdfInfo> inspect_pdf(std::span<const std::uint8_t> bytes, std::string_view display_name,
                            const PdfLimits& limits, const std::function<void(int done, int total)>& page_progress) {
  return inspect_pdf(bytes, display_name, limits, page_progress, std::stop_token{});
}

Result<PdfInfo> inspect_pdf(std::span<const std::uint8_t> bytes, std::string_view display_name,
                            const PdfLimits& limits, const std::function<void(int done, int total)>& page_progress,
                            std::stop_token stop) {
  const std::string_view head(reinterpret_cast<const char*>(bytes.data()), std::min(bytes.size(), kHeaderWindow));
  if (auto early = judged_before_parsing(bytes.size(), head, limits)) return *early;
  auto doc = PdfDocument::create();
  if (!doc) return tl::unexpected(doc.error());
  if (auto w = doc->append(bytes); !w) return tl::unexpected(w.error());
  return inspect_pdf(*doc, display_name, limits, page_progress, stop);
}

Result<PdfDocument> PdfDocument::create() {
  UniqueFd fd(memfd_create("dossier-document", MFD_CLOEXEC | MFD_ALLOW_SEALING));
  if (!fd) return fail(Errc::io, std::string("memfd_create: ") + std::strerror(errno));
  fd = above_targets(std::move(fd));
  if (!fd) return fail(Errc::io, std::string("memfd: ") + std::strerror(errno));
  PdfDocument doc;
  doc.fd_ = std::move(fd);
  return doc;
}

Result<void> PdfDocument::append(std::span<const std::uint8_t> part) {
  if (!fd_) return fail(Errc::usage, "append to an empty PdfDocument");
  if (!write_all(fd_.get(), std::string_view(reinterpret_cast<const char*>(part.data()), part.size())))
    return fail(Errc::io, std::string("memfd: ") + std::strerror(errno));
  size_ += part.size();
  if (head_.size() < kHeaderWindow) {
    const std::size_t take = std::min(part.size(), kHeaderWindow - head_.size());
    head_.append(reinterpret_cast<const char*>(part.data()), take);
  }
  return {};
}

Result<PdfInfo> inspect_pdf(const PdfDocument& document, std::string_view display_name, const PdfLimits& limits,
                            const std::function<void(int done, int total)>& page_progress, std::stop_token stop) {
  if (auto early = judged_before_parsing(document.size(), document.head(), limits)) return *early;

#ifdef DOSSIER_PDF_INSPECTOR_BUILD
  const auto program = detail::helper_program("parser", kInspectorProgram, "DOSSIER_PDF_INSPECTOR", DOSSIER_PDF_INSPECTOR_BUILD);
#else
  const auto program = detail::helper_program("parser", kInspectorProgram, "DOSSIER_PDF_INSPECTOR", nullptr);
#endif
  if (!program) return tl::unexpected(program.error());
  // Sealed against any change from now on (the parser maps it read-only; nobody writes it).
  fcntl(document.fd(), F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE);
  // From its first byte, for a parser that reads rather than maps it.
  if (lseek(document.fd(), 0, SEEK_SET) != 0) return fail(Errc::io, std::string("memfd: ") + std::strerror(errno));
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return fail(Errc::io, std::string("pipe: ") + std::strerror(errno));
  UniqueFd read_end(fds[0]);
  UniqueFd write_end = above_targets(UniqueFd(fds[1]));
  if (!write_end) return fail(Errc::io, std::string("pipe: ") + std::strerror(errno));
  const auto start = std::chrono::steady_clock::now();
  auto spawned = spawn_inspector(*program, document.fd(), write_end.get(), std::string(display_name), limits);
  write_end = UniqueFd();
  if (!spawned) return tl::unexpected(spawned.error());
  const std::size_t cap = limits.max_text_bytes + kSerialOverhead + kMaxTextLayerBytes + kMaxThumbnailBytes;
  const detail::ChildEnd end = detail::wait_for_child(*spawned, std::move(read_end), start, limits.wall_seconds,
                                                      limits.ocr_wall_seconds, cap, page_progress, stop);
  if (end.stopped) return fail(Errc::limit, "stopped: the inspection was cancelled before it ended");
  if (end.timed_out) return unsafe("wall-clock limit of " + std::to_string(end.wall_limit) + " s exceeded");
  if (end.oversize) return unsafe("result larger than " + std::to_string(cap) + " bytes");
  if (!end.exited_cleanly()) return unsafe(end.describe());
  if (!end.have_result) return unsafe("unreadable result from the parser process");
  auto parsed = deserialise(end.result, limits.max_text_bytes);
  if (!parsed) return unsafe("unreadable result from the parser process");
  return *parsed;
}

int run_pdf_inspector(int argc, char** argv) {
  if (argc != 5 || std::string_view(argv[1]) != kInspectorFlag) {
    std::fputs(
        "dossier-pdf-inspector is the sandboxed PDF parser of dossier: dossier starts it for each document\n"
        "it reads (docs/pdf-inspection.md) and it does nothing on its own. Use `dossier check` instead.\n",
        stderr);
    return 2;
  }
  detail::bind_to_parent(argv[2]);
  const auto limits = parse_limits(argv[3]);
  const std::string name(argv[4]);
  struct stat st {};
  if (!limits || fstat(kDocumentFd, &st) != 0 || st.st_size <= 0 ||
      static_cast<std::uint64_t>(st.st_size) > limits->max_bytes)
    _exit(3);
  const auto size = static_cast<std::size_t>(st.st_size);
  void* map = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, kDocumentFd, 0);
  if (map == MAP_FAILED) _exit(3);
  close(kDocumentFd);
  Budget budget{std::chrono::steady_clock::now()};
  apply_child_limits(*limits);
  bool ok = false;
  {
    Channel channel(kPipeFd);
    const std::span<const std::uint8_t> bytes(static_cast<const std::uint8_t*>(map), size);
    PdfInfo info = inspect_in_child(bytes, name, *limits, channel, budget);
    ok = channel.send(kFrameResult, serialise(info));
  }
  close(kPipeFd);
  // No exit handlers: the libraries' static destructors and a leak check have nothing to add.
  _exit(ok ? 0 : 3);
}

}  // namespace dossier::io

// Safe inspection of one PDF held in memory.
//
// The PDF is parsed in a child process, the program dossier-pdf-inspector (started with
// posix_spawn: it shares no memory with the caller), with an address-space limit, a CPU limit
// and no core dumps; the parent enforces a wall-clock limit and kills the child if it is
// exceeded. A child that crashes, hangs or exhausts its limits yields Outcome::unsafe instead
// of taking the caller down. See docs/pdf-inspection.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <stop_token>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "io/fd.hpp"

namespace dossier::io {

// Where the text of a document came from: its text layer, text recognition (OCR) of
// rendered pages, or some pages each way. none: no page gave any text.
enum class TextSource { none, text_layer, ocr, mixed };

const char* text_source_name(TextSource s) noexcept;  // "none" | "text-layer" | "ocr" | "mixed"

// The asan build (AddressSanitizer at -O0) runs our code several times slower: its default
// time limits for a document are 4 times the release ones (docs/limits.md). Explicit limits
// are taken as given.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr unsigned kDefaultTimeScale = 4;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr unsigned kDefaultTimeScale = 4;
#else
inline constexpr unsigned kDefaultTimeScale = 1;
#endif
#else
inline constexpr unsigned kDefaultTimeScale = 1;
#endif

struct PdfLimits {
  std::size_t max_bytes = 64u * 1024u * 1024u;         // larger input -> unsafe (not parsed)
  std::uint64_t max_memory = 512ull * 1024u * 1024u;   // address space the child may add to what it
                                                       // inherits (RLIMIT_AS; not under ASan)
  unsigned cpu_seconds = 10 * kDefaultTimeScale;       // RLIMIT_CPU of the child
  unsigned wall_seconds = 15 * kDefaultTimeScale;      // parent kills the child after this (0: at once)
  std::size_t max_text_bytes = 256u * 1024u;           // extracted text is cut here (UTF-8 safe)
  unsigned max_pages_for_text = 50;                    // text is taken from the first N pages
  // Text recognition (OCR) of pages without a usable text layer (fewer than 16 letters or
  // digits), inside the same child. See docs/pdf-inspection.md and docs/limits.md.
  unsigned max_ocr_pages = 30;                         // at most N pages are recognised
  unsigned ocr_dpi = 300;                              // resolution pages are rendered at
  std::uint64_t max_page_pixels = 20'000'000;          // a larger render is made at a lower dpi;
                                                       // below 70 dpi the page is skipped
  unsigned ocr_cpu_seconds = 300;                      // RLIMIT_CPU (all threads) once OCR starts
  unsigned ocr_wall_seconds = 180;                     // wall-clock limit of a document needing OCR
  std::uint64_t ocr_max_memory = 1024ull * 1024u * 1024u;  // max_memory once OCR starts
  unsigned ocr_threads = 0;                            // pages recognised in parallel; 0: the
                                                       // hardware concurrency, at most 4, and at
                                                       // most 1 per 192 MiB of ocr_max_memory
};

struct PdfInfo {
  enum class Outcome {
    ok,         // parsed; see active_content for risky features
    not_pdf,    // no "%PDF-" header within the first 1024 bytes
    empty,      // zero bytes
    damaged,    // the structure cannot be parsed (qpdf or poppler gave up)
    locked,     // a user password is needed to open it
    encrypted,  // encrypted (also owner-password-only, which opens without a password)
    unsafe,     // too big, crashed, or exceeded memory/CPU/wall-time limits
  };
  Outcome outcome = Outcome::ok;
  std::string detail;                       // technical, English
  int pages = 0;
  bool has_text = false;                    // extracted text has a non-whitespace character
  std::string text;                         // UTF-8 of the pages read, separated by "\n\f\n";
                                            // at most PdfLimits::max_text_bytes
  // Risky features, each named once in order of discovery: "JavaScript", "OpenAction",
  // "Launch", "AA (additional actions)", "EmbeddedFile", "RichMedia", "XFA", "GoToR",
  // "SubmitForm", "ImportData", "Movie", "Sound", "Rendition", "3D".
  std::vector<std::string> active_content;
  std::optional<std::string> date;          // first date in the text, ISO yyyy-mm-dd
  TextSource text_source = TextSource::none;  // where the text came from (mixed: some pages each way)
  int pages_read = 0;        // pages whose text was taken (text layer or OCR), <= pages
  int pages_ocr = 0;         // of those, recognised by OCR
  int ocr_confidence = -1;   // mean Tesseract confidence (MeanTextConf) over OCR'd pages with text, 0..100; -1 without OCR
  std::string limit_note;    // English, empty unless a limit stopped reading (e.g. "text recognition stopped after 30 pages (limit)")
  // The text layers of the pages read by OCR (io/pdf_ocr.hpp, PageResult::layer), for the
  // assembly (io/pdf_assemble.hpp): at most kMaxTextLayerBytes in all; pages beyond get none.
  struct TextLayer {
    int page = 0;  // 0-based
    int turn = 0;  // clockwise turn the page was read at (0, 90, 180, 270)
    std::string pdf;
  };
  std::vector<TextLayer> text_layers;
  // The first page's picture (PNG, io/thumbnail.hpp) when OCR rendered it; at most
  // kMaxThumbnailBytes. Empty otherwise: the assembly draws it then.
  std::string thumbnail;
};

// A thumbnail one inspection returns at most, in bytes.
inline constexpr std::size_t kMaxThumbnailBytes = 1024u * 1024u;

// The text layers one inspection returns at most, in bytes (docs/limits.md).
inline constexpr std::size_t kMaxTextLayerBytes = 8u * 1024u * 1024u;

const char* outcome_name(PdfInfo::Outcome outcome) noexcept;

// Never throws for hostile input; an Error is returned only when the inspection itself
// could not be set up (Errc::io): dossier-pdf-inspector not found or not started, no pipe.
// The program is looked for in $DOSSIER_PDF_INSPECTOR, next to the running program, in
// ../libexec/dossier from it, and in the build tree.
Result<PdfInfo> inspect_pdf(std::span<const std::uint8_t> bytes, const PdfLimits& limits = {});

// Same; display_name (e.g. the file name) only labels parser diagnostics and detail.
Result<PdfInfo> inspect_pdf(std::span<const std::uint8_t> bytes, std::string_view display_name,
                            const PdfLimits& limits = {});

// Same; page_progress(done, total) is called on the calling thread while the child reads
// pages: total is the number of pages that will be read, done grows towards it (OCR pages
// are reported one by one as they finish). It must not throw.
Result<PdfInfo> inspect_pdf(std::span<const std::uint8_t> bytes, std::string_view display_name,
                            const PdfLimits& limits,
                            const std::function<void(int done, int total)>& page_progress);

// Same; when `stop` is requested before the child has finished (checked at least every 100 ms),
// the child is killed and reaped and the result is Errc::limit ("stopped"): the caller's own
// time budget ran out, which says nothing about the document (docs/limits.md, "Time").
Result<PdfInfo> inspect_pdf(std::span<const std::uint8_t> bytes, std::string_view display_name,
                            const PdfLimits& limits,
                            const std::function<void(int done, int total)>& page_progress, std::stop_token stop);

// The parser process itself: the whole of dossier-pdf-inspector's main(). Run by anyone but
// inspect_pdf, it explains itself and returns 2.
int run_pdf_inspector(int argc, char** argv);

// A document to inspect, in a memfd (memory, never a file on disk) rather than this process's
// heap, filled piece by piece: a caller that streams a file into it never holds the document
// whole, and the parser process maps it read-only (it is sealed against writes when inspected).
class PdfDocument {
 public:
  static Result<PdfDocument> create();  // Errc::io
  Result<void> append(std::span<const std::uint8_t> part);  // Errc::io
  std::uint64_t size() const noexcept { return size_; }
  std::string_view head() const noexcept { return head_; }  // the first 1024 bytes
  int fd() const noexcept { return fd_.get(); }

 private:
  UniqueFd fd_;
  std::uint64_t size_ = 0;
  std::string head_;
};

// inspect_pdf on a PdfDocument: the same checks and results as on bytes held in memory.
Result<PdfInfo> inspect_pdf(const PdfDocument& document, std::string_view display_name, const PdfLimits& limits,
                            const std::function<void(int done, int total)>& page_progress, std::stop_token stop);

}  // namespace dossier::io

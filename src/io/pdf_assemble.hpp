// The dossier PDF: the cover sheet and every document's pages copied into one PDF, with an
// outline, page labels, document information, text layers over scanned pages, and a thumbnail
// of each document's first page (PNG). Documents are hostile input, so this runs in a sandboxed
// helper process like the inspection's, the program dossier-pdf-assembler (with its own limits,
// linking only qpdf, Poppler and cairo); the dossier is written to a file the caller opened, and
// nothing else is written anywhere.
// See docs/assembly.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <chrono>
#include <string>
#include <sys/types.h>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "io/fd.hpp"
#include "io/thumbnail.hpp"

namespace dossier::io {

struct AssemblyPart {
  std::string outline;                     // the document's bookmark
  std::string label;                       // its pages are labelled "label 1/3", ...
  std::span<const std::uint8_t> pdf;       // the document; empty: it is left out for the notice
  std::span<const std::uint8_t> notice;    // one page (made by dossier) saying why it is not in
  // Text-only PDF pages laid over the document's pages (OCR of scanned pages).
  struct Layer {
    int page = 0;  // 0-based
    int turn = 0;  // the clockwise turn its page was read at; the layer is turned back
    std::span<const std::uint8_t> pdf;
  };
  std::vector<Layer> layers;
  // Its first page's picture (PNG) when the caller has one (the check's OCR drew it): the helper
  // then does not draw it again, and AssembledPart::thumbnail is this.
  std::span<const std::uint8_t> thumbnail;
};

struct AssemblySection {
  std::string outline;             // the evidence type's bookmark
  std::vector<std::size_t> parts;  // indexes into AssemblyInput::parts
};

struct AssemblyInput {
  std::span<const std::uint8_t> cover;  // the cover sheet (a PDF made by dossier)
  std::string cover_outline;
  std::string cover_label;
  std::vector<AssemblyPart> parts;
  std::vector<AssemblySection> sections;
  std::string title, subject, language;
};

struct AssemblyLimits {
  std::uint64_t max_input_bytes = 256ull * 1024u * 1024u;    // the documents, layers and cover together
                                                             // (held in memory for the helper)
  std::uint64_t max_output_bytes = 2048ull * 1024u * 1024u;  // dossier.pdf (RLIMIT_FSIZE of the helper)
  int max_pages = 5000;                                      // pages of dossier.pdf; later documents are
                                                             // left out with their notice
  std::uint64_t max_memory = 2048ull * 1024u * 1024u;        // address space of the helper
  unsigned cpu_seconds = 120;                                // RLIMIT_CPU of the helper
  unsigned wall_seconds = 180;                               // the helper is killed after this
  unsigned thumbnail_width = kThumbnailWidth;                // pixels; the height follows the page
  unsigned thumbnail_max_height = kThumbnailMaxHeight;       // pixels, for very long pages
};

struct AssembledPart {
  std::string name;        // the caller's name for it (app: its path in the package)
  bool included = false;   // its pages are in dossier.pdf (else its notice is)
  int first_page = 0;      // 0-based page of dossier.pdf where it (or its notice) starts
  int pages = 0;           // pages it takes in dossier.pdf
  int layers = 0;          // text layers laid over its pages
  std::string note;        // technical, English: why it was left out or a layer was not laid
  std::string thumbnail;   // PNG of its first page; empty when it could not be rendered
};

struct Assembly {
  int cover_pages = 0;
  int pages = 0;  // of dossier.pdf
  std::vector<AssembledPart> parts;
};

// Writes dossier.pdf to out_fd (a new, empty file or memfd the caller owns and commits).
// Errc::io when the helper cannot be started; Errc::limit when the input is over
// max_input_bytes; Errc::damaged when the helper failed (crashed, over a limit, or qpdf could
// not write the cover sheet), with why. A single document qpdf cannot copy is not an error: it
// is left out with its notice (AssembledPart::note says why).
Result<Assembly> assemble_pdf(const AssemblyInput& input, int out_fd, const AssemblyLimits& limits = {});

// The same with the cover sheet laid out while the helper copies the documents' pages:
// `input.cover` is empty, and `late_cover` is called once the helper has started. Its bytes
// must stay valid until assemble_pdf returns; its error is assemble_pdf's.
using LateCover = std::function<Result<std::span<const std::uint8_t>>()>;
Result<Assembly> assemble_pdf(const AssemblyInput& input, int out_fd, const AssemblyLimits& limits,
                              const LateCover& late_cover);

// The helper, started before its plan is ready, so that its start (loading its libraries) runs
// while the caller prepares the documents, notices and layers. assemble_pdf is start() and then
// assemble().
class AssemblyHelper {
 public:
  // Starts dossier-pdf-assembler, which will write dossier.pdf to out_fd (a new, empty file or
  // memfd the caller owns) and waits for its plan. Errc::io when it cannot be started.
  static Result<AssemblyHelper> start(int out_fd, const AssemblyLimits& limits = {});
  // Hands the helper its plan and waits for it: as assemble_pdf. Once per helper.
  Result<Assembly> assemble(const AssemblyInput& input, const LateCover& late_cover = {});

  AssemblyHelper(AssemblyHelper&& other) noexcept;
  AssemblyHelper& operator=(AssemblyHelper&& other) noexcept;
  AssemblyHelper(const AssemblyHelper&) = delete;
  AssemblyHelper& operator=(const AssemblyHelper&) = delete;
  // A helper never given its plan (or not waited for) is killed and reaped.
  ~AssemblyHelper();

 private:
  AssemblyHelper() = default;
  void reap() noexcept;
  pid_t pid_ = -1;
  AssemblyLimits limits_;
  std::chrono::steady_clock::time_point started_;
  UniqueFd plan_, result_, control_;
};

// The largest cover sheet assemble_pdf hands the helper (docs/limits.md).
inline constexpr std::size_t kMaxCoverBytes = 64u * 1024u * 1024u;

// The helper's side: the whole of dossier-pdf-assembler's main().
int run_pdf_assembler(int argc, char** argv);
inline constexpr const char* kAssemblerFlag = "--dossier-assemble-v1";

}  // namespace dossier::io

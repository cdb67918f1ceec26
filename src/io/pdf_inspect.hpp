// Safe inspection of one PDF held in memory.
//
// The PDF is parsed in a forked child process with an address-space limit, a CPU
// limit and no core dumps; the parent enforces a wall-clock limit and kills the child
// if it is exceeded. A child that crashes, hangs or exhausts its limits yields
// Outcome::unsafe instead of taking the caller down. See docs/pdf-inspection.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace dossier::io {

struct PdfLimits {
  std::size_t max_bytes = 64u * 1024u * 1024u;         // larger input -> unsafe (not parsed)
  std::uint64_t max_memory = 512ull * 1024u * 1024u;   // address space the child may add to what it
                                                       // inherits (RLIMIT_AS; not under ASan)
  unsigned cpu_seconds = 10;                           // RLIMIT_CPU of the child
  unsigned wall_seconds = 15;                          // parent kills the child after this (0: at once)
  std::size_t max_text_bytes = 256u * 1024u;           // extracted text is cut here (UTF-8 safe)
  unsigned max_pages_for_text = 50;                    // text is taken from the first N pages
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
  std::string text;                         // UTF-8, at most PdfLimits::max_text_bytes
  // Risky features, each named once in order of discovery: "JavaScript", "OpenAction",
  // "Launch", "AA (additional actions)", "EmbeddedFile", "RichMedia", "XFA", "GoToR",
  // "SubmitForm", "ImportData", "Movie", "Sound", "Rendition", "3D".
  std::vector<std::string> active_content;
  std::optional<std::string> date;          // first date in the text, ISO yyyy-mm-dd
};

const char* outcome_name(PdfInfo::Outcome outcome) noexcept;

// Never throws for hostile input; an Error is returned only when the inspection itself
// could not be set up (pipe/fork failed: Errc::io).
Result<PdfInfo> inspect_pdf(std::span<const std::uint8_t> bytes, const PdfLimits& limits = {});

// Same; display_name (e.g. the file name) only labels parser diagnostics and detail.
Result<PdfInfo> inspect_pdf(std::span<const std::uint8_t> bytes, std::string_view display_name,
                            const PdfLimits& limits = {});

}  // namespace dossier::io

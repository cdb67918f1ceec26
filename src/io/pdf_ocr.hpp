// Text recognition (OCR) of PDF pages, used only inside the sandboxed child of
// inspect_pdf (src/io/pdf_inspect.cpp): pages are rendered with poppler's page renderer
// and recognised with Tesseract 5 ("nld+eng"), several pages in parallel. Nothing is
// written to disk. Not for use outside that child: it assumes the child's resource
// limits and may leave the process with changed OpenMP settings.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "io/pdf_inspect.hpp"

namespace dossier::io::ocr {

// Pages are rendered at no less than this resolution; a page that would need less to stay
// within max_page_pixels is skipped (text at under 70 dpi is not legible to Tesseract).
inline constexpr unsigned kMinDpi = 70;
// Neither side of a rendered page may exceed this many pixels (Tesseract and Leptonica
// work with 16-bit-safe sizes far below their own limits this way).
inline constexpr unsigned kMaxSidePixels = 30'000;
// Tesseract languages, Dutch first.
inline constexpr const char* kLanguages = "nld+eng";

// The resolution a page of width x height points is rendered at: ocr_dpi, or less so that
// the render stays within max_page_pixels and kMaxSidePixels; 0 if that would be below
// kMinDpi, or the size is not a real size.
unsigned render_dpi(double width_pt, double height_pt, const PdfLimits& limits);

struct PageResult {
  enum class Status {
    not_done,       // not reached (stopped before it)
    done,           // recognised (the text may be empty: a blank page)
    too_large,      // skipped: would need fewer than kMinDpi
    render_failed,  // poppler could not render it
    cancelled,      // stopped while being recognised (time budget)
  };
  Status status = Status::not_done;
  std::string text;     // UTF-8, trailing whitespace removed
  int confidence = -1;  // MeanTextConf, -1 when no text
  unsigned dpi = 0;
  // The page's text as an invisible text layer: a one-page PDF from Tesseract's text-only PDF
  // renderer (textonly_pdf), the size of the rendered page; empty when the page has no text or
  // the renderer failed. Its text is upright: `turn` is the clockwise turn (0, 90, 180, 270) the
  // rendered page was given to read it (orientation detection), which the layer must undo.
  std::string layer;
  int turn = 0;
  // For the document's first page (index 0) only: its picture for the review report
  // (io/thumbnail.hpp), made from this very render; empty otherwise.
  std::string thumbnail;
};

enum class Stop { none, time, memory, failed };

struct Run {
  std::vector<PageResult> pages;  // one per requested page, same order
  Stop stop = Stop::none;
  std::string error;              // technical, when stop == failed (e.g. no language data)
  unsigned threads = 0;           // threads used
};

// Recognises the 0-based pages of the document in bytes with up to `threads` threads, each
// with its own poppler::document and TessBaseAPI. Work stops (Stop::time) once the wall
// clock passes wall_end or the process CPU time passes cpu_end_seconds: no new page is
// started and Tesseract is cancelled in the middle of a page. page_finished is called
// (serialised, from any worker thread) after each page with the number of pages finished.
Run recognise(std::span<const std::uint8_t> bytes, const std::vector<int>& pages, const PdfLimits& limits,
              unsigned threads, std::chrono::steady_clock::time_point wall_end, double cpu_end_seconds,
              const std::function<void(int finished)>& page_finished);

// Address space one recognising thread may need: measured 165 MB per extra thread on A3
// pages at 300 dpi (17.4 million pixels, just under max_page_pixels); the rest of the
// child (poppler, the first thread's share) needs about 200 MB.
inline constexpr std::uint64_t kThreadMemory = 192ull * 1024u * 1024u;
inline constexpr std::uint64_t kBaseMemory = 128ull * 1024u * 1024u;

// Threads to use for `pages` pages: limits.ocr_threads, or when it is 0 the hardware
// concurrency capped at 4 and at (ocr_max_memory - kBaseMemory) / kThreadMemory; never
// more than the pages, at least 1.
unsigned thread_count(const PdfLimits& limits, std::size_t pages);

}  // namespace dossier::io::ocr

// The PDF inspector (io/pdf_inspect.hpp) in its sandbox: qpdf and poppler run in a forked child
// with memory, CPU and wall-clock limits, and the parent reads the child's result back. What is
// fuzzed here is that contract: whatever the bytes, the caller gets a result (a crashing or
// hanging child is Outcome::unsafe) that keeps the documented bounds. libFuzzer's coverage
// counters of the child die with it, so the guidance comes from the parent's side only.
#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"
#include "io/pdf_inspect.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dossier;
  io::PdfLimits limits;
  limits.max_bytes = 1024 * 1024;
  limits.cpu_seconds = 5;
  limits.wall_seconds = 8;
  limits.max_text_bytes = 16 * 1024;
  limits.max_pages_for_text = 5;
  limits.max_ocr_pages = 0;  // text recognition takes seconds a page: out of reach of a fuzzer
  auto info = io::inspect_pdf({data, size}, "fuzz.pdf", limits);
  if (!info) fuzz::broken("inspection could not be set up");
  if (info->text.size() > limits.max_text_bytes) fuzz::broken("text beyond max_text_bytes");
  if (info->pages < 0 || info->pages_read < 0 || info->pages_read > info->pages) fuzz::broken("page counts");
  if (info->pages_ocr != 0) fuzz::broken("OCR ran with max_ocr_pages = 0");
  if (size == 0 && info->outcome != io::PdfInfo::Outcome::empty) fuzz::broken("empty input not reported empty");
  (void)io::outcome_name(info->outcome);
  return 0;
}

// qpdf's part of the PDF inspection (io/pdf_inspect.hpp): the structure, encryption and active
// content of a PDF. Called inside the inspection's sandboxed child only.
//
// A file of its own, in C++17 terms, because clang 14 (the fuzz preset, docs/fuzzing.md) cannot
// read qpdf 11's headers in C++20 mode with libstdc++ 12: it instantiates the constexpr
// destructor of std::vector<JSON> inside JSON.hh while JSON is still incomplete. Under clang
// this one file is compiled as C++17 (src/CMakeLists.txt); nothing else includes qpdf.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace dossier::io::detail {

struct PdfStructure {
  enum class Verdict { ok, damaged, locked };
  Verdict verdict = Verdict::ok;   // damaged / locked: final, poppler is not asked
  std::string detail;              // why, when not ok
  bool encrypted = false;
  std::size_t warnings = 0;        // qpdf's repairs, and objects that could not be scanned
  std::vector<std::string> active_content;  // each named once, in order of discovery
};

// std::bad_alloc passes through (the child's memory limit); every other qpdf error is a verdict.
PdfStructure inspect_pdf_structure(const std::uint8_t* data, std::size_t size, const std::string& name);

}  // namespace dossier::io::detail

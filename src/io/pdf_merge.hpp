// qpdf's part of the assembly (io/pdf_assemble.hpp): copies the pages of the cover sheet and of
// every document into one PDF, with an outline, page labels and document information. Called
// inside the sandboxed helper process only. C++17 terms, like io/pdf_structure.hpp (why: there).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace dossier::io::detail {

struct Bytes {
  const std::uint8_t* data = nullptr;
  std::size_t size = 0;
};

struct MergePart {
  std::string outline;  // the document's bookmark
  std::string label;    // page labels "label 1/3", "label 2/3", ...
  Bytes pdf;            // the document; size 0: the notice stands in for it
  Bytes notice;         // a page (made by dossier) that says why the document is not in the dossier
  bool draw_thumbnail = true;  // false: the caller has the first page's picture already
  // Text-only pages (a text layer, invisible text) laid over the document's 0-based pages.
  struct Layer {
    int page = 0;
    int turn = 0;  // clockwise turn (0, 90, 180, 270) its page was read at: turned back when laid
    Bytes pdf;
  };
  std::vector<Layer> layers;
};

struct MergeSection {
  std::string outline;             // the evidence type's bookmark
  std::vector<std::size_t> parts;  // indexes into MergePlan::parts, in order
};

struct MergePlan {
  Bytes cover;  // empty: late_cover gives it, once the documents' pages are copied
  std::function<std::string()> late_cover;
  std::string cover_outline;
  std::string cover_label;
  std::vector<MergePart> parts;        // in the dossier's order
  std::vector<MergeSection> sections;  // each part in exactly one, in the same order
  std::string title;
  std::string subject;
  std::string language;  // BCP 47, e.g. "nl"
  int max_pages = 0;     // more document pages (the cover's not counted): the parts beyond are
                         // left out with their notice
  bool exit_after = false;  // the caller exits right after (the helper): the parsed documents are
                            // left to the exit instead of freed one object at a time (about 7 ms
                            // of 300 pages)
};

struct MergedPart {
  bool included = false;  // its own pages are in the dossier (else its notice is)
  int first_page = 0;     // 0-based page of the dossier where it starts
  int pages = 0;          // pages it takes in the dossier (the notice's when not included)
  int layers = 0;         // text layers laid over its pages
  std::string note;       // technical, English, when not included or a layer could not be laid
};

struct MergeResult {
  int cover_pages = 0;
  int pages = 0;
  std::vector<MergedPart> parts;
};

// Writes the dossier to out_fd. std::bad_alloc passes through (the child's memory limit); a
// document qpdf cannot copy gets its notice; any other failure throws std::runtime_error.
MergeResult merge_pdf(const MergePlan& plan, int out_fd);

}  // namespace dossier::io::detail

// The labelled evidence set (tests/data/evidence/*.doc, format in its README.md): synthetic
// documents as real senders write them, each filed in a package folder by a coordinator and
// labelled with what it really is. Used to measure the evidence reader.
//
// Typical use in a test:
//   for (const auto& doc : test::evidence::load_set()) {
//     const std::string pdf = doc.pdf();            // generated in memory, deterministic
//     ... run the reader on pdf as if it were <doc.package_path()> ...
//     expect: accepted in doc.folder  <=>  doc.belongs_in_folder()
//             recognised as            doc.label   (for label != "none")
//   }
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "mkpdf.hpp"

namespace dossier::test::evidence {

// The labels, in a fixed order; "none" means: not evidence of any type.
const std::vector<std::string>& labels();
// The package folders a coordinator files documents in (one per evidence type).
const std::vector<std::string>& folders();
// The folder where a document of this type belongs ("politie" for "police", ...);
// empty for "none" and unknown labels.
std::string folder_for(std::string_view label);
// The evidence type a folder holds ("police" for "politie"); empty for an unknown folder.
std::string label_for(std::string_view folder);

struct EvidenceDoc {
  std::filesystem::path file;      // the .doc file
  std::string name;                // file name without .doc, e.g. "police-avim-intake-01"
  std::string folder;              // where the coordinator filed it, e.g. "politie"
  std::string label;               // the truth: what the document really is
  bool scan = false;               // a scanned document (page images, no text layer)
  double rotate = 0;               // scan rotation in degrees (clockwise)
  unsigned noise = 0;              // scan noise seed (0 = clean)
  int dpi = 200;                   // scan resolution
  int pages = 1;
  std::string title;               // may be empty (a blank page)
  std::vector<std::string> lines;  // the text lines in order; "" is an empty line
  std::vector<std::string> notes;  // remarks for the reader of the test (not in the PDF)

  bool is_evidence() const { return label != "none"; }
  // True when the document is evidence of the type its folder asks for: the reader should
  // accept it there. False for "none" and for misfiled evidence.
  bool belongs_in_folder() const { return is_evidence() && label == label_for(folder); }
  bool misfiled() const { return is_evidence() && !belongs_in_folder(); }
  // Path inside a package: "<folder>/<name>.pdf".
  std::string package_path() const { return folder + "/" + name + ".pdf"; }
  // The generator spec and the PDF itself (deterministic).
  mkpdf::PdfSpec spec() const;
  std::string pdf() const;
};

// The folder of the set: tests/data/evidence in the source tree.
std::filesystem::path set_dir();

// Parses one .doc file. Throws std::runtime_error ("file:line: why") on a malformed file,
// an unknown key, label or folder, or a missing required key (folder, label, scan, title).
EvidenceDoc parse_doc(const std::filesystem::path& file);

// All *.doc files of the folder, sorted by name.
std::vector<std::filesystem::path> doc_files(const std::filesystem::path& dir = set_dir());

// Parses all of them (throws like parse_doc).
std::vector<EvidenceDoc> load_set(const std::filesystem::path& dir = set_dir());

}  // namespace dossier::test::evidence

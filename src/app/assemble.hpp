// Assembly: the dossier a reviewer reads. From a checked package it makes
//   dossier.pdf                  the cover sheet, then every document's pages (copied intact) in
//                                the profile's order of evidence types, with an outline,
//                                page labels and document information;
//   voorblad.pdf / cover-sheet.pdf   the cover sheet alone;
//   rapport.html / report.html       the review report: the same facts, findings and documents,
//                                with thumbnails, and the signature when `open` made it.
// `dossier assemble` writes them for the coordinator's preview; seal and open carry them.
// Wording: templates/assembly/*.mustache and the catalogues' assemble.* keys. See docs/assembly.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <future>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "app/check.hpp"
#include "core/messages.hpp"
#include "core/report.hpp"
#include "core/result.hpp"
#include "io/pdf_assemble.hpp"
#include "io/pdf_inspect.hpp"

namespace dossier::app {

// The signature as `open` verified it, for the report.
struct SignatureFacts {
  std::string signer_key_id;
  std::string dossier_id;
  std::string signed_at;
  std::string purpose;  // "referral" | "advice-request"
  std::size_t digests = 0;
  // The reading copy the bundle carried (dossier.pdf and the cover sheet as the coordinator
  // sealed them): their file names and dossier.pdf's SHA-256, as checked; empty: none carried.
  std::string sealed_dossier, sealed_cover, sealed_sha256;
};

struct AssemblySettings {
  std::string data_dir;
  std::string purpose = "referral";               // shown on the cover sheet and in the report
  std::optional<SignatureFacts> signature;         // open's verified signature; none before sealing
  bool sealing = false;                            // made by seal, to travel in the bundle
  io::AssemblyLimits limits{};
};

// The names of the three files in the catalogue's language.
struct AssemblyNames {
  std::string dossier = "dossier.pdf";
  std::string cover;   // voorblad.pdf | cover-sheet.pdf
  std::string report;  // rapport.html | report.html
  // The report that travelled in the bundle, as open writes it beside its own:
  // rapport-bij-verzegelen.html | report-as-sealed.html
  std::string sealed_report;
};
AssemblyNames assembly_names(Lang lang);

// Where `dossier open` puts the reading copy of DIR: beside it, "DIR-leesexemplaar" (nl) or
// "DIR-reading-copy" (en), so that DIR itself stays the package as sealed.
std::filesystem::path reading_copy_dir(const std::filesystem::path& dir, Lang lang);

// Made before a package is checked for an assembly: the fonts' first start (fontconfig and the
// first font load, about 5 ms once per process) runs on a thread while the check does
// (io::warm_up_fonts), instead of before the first notice or cover page. Joins when it goes.
class FontWarmUp {
 public:
  FontWarmUp();

 private:
  std::jthread thread_;
};

struct AssemblyOutput {
  std::future<int> dossier_synced;  // fsync of dossier.pdf, begun when it was complete: 0 or errno
  std::optional<io::AssemblyHelper> helper;  // the helper, exiting; reaped when this goes
  std::string cover_pdf;
  std::string report_html;
  io::Assembly assembly;  // what dossier.pdf holds, part by part in Report::documents order
};

// Makes the three from what one check read: `documents[i]` holds the bytes of
// report.documents[i] as the check read them (empty when it did not read it). dossier.pdf is
// written to dossier_fd. Errors: Errc::io (the helper, a template file), Errc::malformed (a
// template is broken), Errc::limit (an assembly limit).
using TextLayers = std::vector<std::vector<io::PdfInfo::TextLayer>>;

// `text_layers[i]` (may be shorter, or empty) holds the OCR text layers of report.documents[i]:
// laid over its scanned pages, they make them searchable. `thumbnails[i]` (may be shorter, or
// empty) is its first page's picture as the check drew it (CheckedPackage::thumbnails); the
// helper draws those that are missing.
Result<AssemblyOutput> assemble_dossier(const Report& report, const std::optional<std::string>& referral_xml,
                                        const std::vector<std::vector<std::uint8_t>>& documents,
                                        const TextLayers& text_layers,
                                        const AssemblySettings& settings, const Catalogue& messages,
                                        int dossier_fd, const std::vector<std::string>& thumbnails = {});

// The check options with a tap that keeps each document the check reads whole in
// documents[i] (as in Report::documents), and leaves it empty when the check did not read it
// whole. `documents` must outlive the check; it is sized by the caller to the package's
// document count.
CheckOptions keeping_documents(const CheckOptions& check, std::vector<std::vector<std::uint8_t>>& documents,
                               std::vector<std::uint8_t>& whole);

// assemble_dossier into `folder` (a Staging folder): the three files of assembly_names(lang).
// On failure no file of the three is left in folder.
Result<io::Assembly> write_assembly(const std::filesystem::path& folder, const Report& report,
                                    const std::optional<std::string>& referral_xml,
                                    const std::vector<std::vector<std::uint8_t>>& documents,
                                    const TextLayers& text_layers,
                                    const AssemblySettings& settings, const Catalogue& messages,
                                    const std::vector<std::string>& thumbnails = {});

struct AssembleResult {
  Report report;
  AssemblyNames names;
  io::Assembly assembly;
  std::filesystem::path out;
  bool written = false;  // out holds the three files
  double check_seconds = 0;     // wall clock of the check (reading every document)
  double assembly_seconds = 0;  // wall clock of the assembly and writing the three files
};

// `dossier assemble PACKAGE -o DIR`: checks the package (reading each document once) and writes
// DIR with the three files, all or nothing (DIR must not exist). Errc::not_found for a missing
// package, Errc::usage for an existing DIR or an unknown profile. A package that cannot be
// read gives a report and no DIR.
Result<AssembleResult> run_assemble(const std::filesystem::path& package, const std::filesystem::path& out,
                                    const CheckOptions& check, const AssemblySettings& settings,
                                    const Catalogue& messages);

}  // namespace dossier::app

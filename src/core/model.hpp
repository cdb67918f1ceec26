// The values the check works on: facts about documents and findings about rules.
// Pure data; no I/O. Everything user-visible in a finding is already in the chosen language.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dossier {

enum class Lang { nl, en };
enum class Severity { fail, warn, info };
enum class Status { passed, failed, warning, info };
// What a rule judges: completeness (the coordinator fixes the package: missing, unreadable, not
// evidence, malformed) or eligibility (a refusal ground CoMensha weighs).
enum class RuleKind { completeness, eligibility };
// complete: nothing failed; incomplete: a completeness rule failed; not-eligible: complete,
// but an eligibility rule failed (may be sent only as an advice request).
enum class Verdict { complete, incomplete, not_eligible };

const char* status_name(Status s) noexcept;  // "passed" | "failed" | "warning" | "info"
const char* lang_code(Lang l) noexcept;      // "nl" | "en"
const char* rule_kind_name(RuleKind k) noexcept;  // "completeness" | "eligibility"
const char* verdict_name(Verdict v) noexcept;     // "complete" | "incomplete" | "not-eligible"

// What inspecting one file of the package found. Produced at the edge (PDF inspection);
// consumed by the pure rule engine.
// not_read: the check's time budget ran out before the document was read (docs/limits.md, "Time").
enum class DocOutcome { ok, not_pdf, empty, damaged, locked, encrypted, unsafe, too_large, not_read };
const char* doc_outcome_name(DocOutcome o) noexcept;

struct DocumentFacts {
  std::string path;      // package-relative, forward slashes
  std::string folder;    // first path component ("" at the root)
  std::string evidence;  // evidence type id from the profile, "" when the folder is unknown
  std::uint64_t size = 0;
  std::string sha256;    // hex of the file as found
  DocOutcome outcome = DocOutcome::ok;
  std::string detail;    // technical detail for outcome != ok (English)
  int pages = 0;
  bool has_text = false;            // text from the text layer or OCR
  std::string text_source = "none";  // "none" | "text-layer" | "ocr" | "mixed"
  int pages_read = 0;               // pages whose text was read
  int pages_ocr = 0;                // of those, by text recognition
  int ocr_confidence = -1;          // Tesseract's mean confidence 0..100; -1 without OCR
  std::string limit_note;           // English; set when a limit stopped reading
  std::optional<std::string> date;  // ISO yyyy-mm-dd: the document's own date (its date fact)
  std::string date_source;          // "text" | "referral" | ""
  std::optional<std::string> declared_date;  // the date referral.xml gives it
  std::optional<std::string> expiry;         // a validity end found in the text
  std::vector<std::string> active_content;
  // Evidence reading (facts declared by the profile for this document's evidence type).
  struct Fact {
    std::string id;
    std::string value;    // normalised value (date, code, the profile's word); "" if not shown
    std::string matched;  // words as found; terminal only (--show-evidence), never JSON
    std::string label_nl, label_en;  // the profile's name of the fact
  };
  std::vector<Fact> facts;
  std::vector<std::string> missing_identifying;
  std::vector<std::string> missing_supporting;
  bool is_evidence = false;  // text read and every identifying fact found
  std::string reads_like;    // another evidence type this document reads as, or ""
  int bsn_like = 0;          // count of BSN-like numbers in the text (never the numbers)
  bool declared = false;  // listed in referral.xml <documents>

  bool usable() const noexcept { return outcome == DocOutcome::ok && active_content.empty(); }
  // Counts toward rules that require documents of its evidence type.
  bool counts_as_evidence() const noexcept { return usable() && is_evidence; }
};

struct FileNote {
  std::string file;
  std::string note;
};

struct Finding {
  std::string rule;
  std::string ground;
  RuleKind kind = RuleKind::completeness;
  Status status = Status::passed;
  std::string message;  // the requirement, in the chosen language
  std::string fix;      // what to do; empty when passed
  std::vector<std::string> files;  // package-relative paths involved
  std::vector<FileNote> notes;     // per-file or per-line explanations
};

}  // namespace dossier

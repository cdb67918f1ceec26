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

const char* status_name(Status s) noexcept;  // "passed" | "failed" | "warning" | "info"
const char* lang_code(Lang l) noexcept;      // "nl" | "en"

// What inspecting one file of the package found. Produced at the edge (PDF inspection);
// consumed by the pure rule engine.
enum class DocOutcome { ok, not_pdf, empty, damaged, locked, encrypted, unsafe, too_large };
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
  bool has_text = false;
  std::optional<std::string> date;  // ISO yyyy-mm-dd
  std::string date_source;          // "text" | "referral" | ""
  std::vector<std::string> active_content;
  std::vector<std::string> keywords_found;
  bool declared = false;  // listed in referral.xml <documents>

  bool usable() const noexcept { return outcome == DocOutcome::ok && active_content.empty(); }
};

struct FileNote {
  std::string file;
  std::string note;
};

struct Finding {
  std::string rule;
  std::string ground;
  Status status = Status::passed;
  std::string message;  // the requirement, in the chosen language
  std::string fix;      // what to do; empty when passed
  std::vector<std::string> files;  // package-relative paths involved
  std::vector<FileNote> notes;     // per-file or per-line explanations
};

}  // namespace dossier

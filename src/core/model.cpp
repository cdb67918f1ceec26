#include "core/model.hpp"

namespace dossier {

const char* status_name(Status s) noexcept {
  switch (s) {
    case Status::passed: return "passed";
    case Status::failed: return "failed";
    case Status::warning: return "warning";
    case Status::info: return "info";
  }
  return "info";
}

const char* lang_code(Lang l) noexcept { return l == Lang::nl ? "nl" : "en"; }

const char* rule_kind_name(RuleKind k) noexcept {
  return k == RuleKind::eligibility ? "eligibility" : "completeness";
}

const char* verdict_name(Verdict v) noexcept {
  switch (v) {
    case Verdict::complete: return "complete";
    case Verdict::incomplete: return "incomplete";
    case Verdict::not_eligible: return "not-eligible";
  }
  return "incomplete";
}

const char* doc_outcome_name(DocOutcome o) noexcept {
  switch (o) {
    case DocOutcome::ok: return "ok";
    case DocOutcome::not_pdf: return "not-pdf";
    case DocOutcome::empty: return "empty";
    case DocOutcome::damaged: return "damaged";
    case DocOutcome::locked: return "locked";
    case DocOutcome::encrypted: return "encrypted";
    case DocOutcome::unsafe: return "unsafe";
    case DocOutcome::too_large: return "too-large";
    case DocOutcome::not_read: return "not-read";
  }
  return "damaged";
}

}  // namespace dossier

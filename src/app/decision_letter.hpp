// The decision letter: what CoMensha decided on one referral, as a PDF for the care coordinator
// (issue 11; docs/decisions.md). Drawn from a decision.xml (core/decision), the profile it is for
// (each ground's own wording and sources, each missing evidence type's name, folder and facts)
// and the bundle it answers, in the decision's language (decision.lang: nl, or en on request).
// Wording: templates/decision/letter.mustache and the catalogues' letter.* keys.
#pragma once

#include <string>

#include "core/decision.hpp"
#include "core/messages.hpp"
#include "core/profile.hpp"
#include "core/result.hpp"
#include "io/paged_pdf.hpp"

namespace dossier::app {

struct LetterContext {
  std::string dossier_id;     // the answered bundle's id (32 hex)
  std::string sealed;         // when that bundle was sealed, "YYYY-MM-DDTHH:MM:SSZ"
  std::string signer_key_id;  // CoMensha's minisign key id that signs the decision
};

// The decision letter as PDF in the decision's language (decision.lang, nl or en). `messages`
// is used when it is that language's catalogue; otherwise the catalogue for decision.lang is
// read from data_dir(). Every value (the reviewer's words, the profile's, the context's) is
// shown as text, never as markup. Errc::io / Errc::malformed when a template or catalogue cannot
// be read, Errc::usage for a language other than nl or en.
Result<io::PagedPdf> render_decision_letter(const Decision& d, const Profile& profile, const Catalogue& messages,
                                            const LetterContext& ctx);

}  // namespace dossier::app

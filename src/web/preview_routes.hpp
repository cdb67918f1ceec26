// The preview of the assembled dossier in `dossier serve` (docs/web.md, "Preview"): what
// `dossier assemble` makes (dossier.pdf, the cover sheet, the review report), made in memory
// only for the page to show: the cover sheet's pages as pictures, the three files to open in
// the browser. Nothing of it is written to disk; the server holds one preview at a time.
#pragma once

#include <httplib.h>

#include "web/workspace.hpp"

namespace dossier::web {

// The cover sheet pages shown as pictures, at most (docs/limits.md).
inline constexpr unsigned kPreviewCoverPages = 6;

void add_preview_routes(httplib::Server& svr, Workspace& workspace);

}  // namespace dossier::web

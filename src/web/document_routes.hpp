// One package's documents in `dossier serve` (docs/web.md, "Documents"): what each one is and
// says (evidence type, text source, OCR confidence, facts found), its first page's picture, the
// words each fact matched (on demand), adding one by upload and removing one, and the progress
// of a running check.
#pragma once

#include <cstddef>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "core/report.hpp"
#include "web/workspace.hpp"

namespace dossier::web {

void add_document_routes(httplib::Server& svr, Workspace& workspace, std::size_t max_upload_bytes);

// The documents of a check as the page shows them, in the page's language: per document its
// index, path, evidence type and its name, pages, what became of it, text source and
// confidence, date, whether it is evidence, the facts found (name and value, never the words
// matched), the identifying facts missing, the type it reads like, and whether it has a picture.
nlohmann::ordered_json documents_view(const Report& report, const Workspace& workspace, Lang lang);

}  // namespace dossier::web

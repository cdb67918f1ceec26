// One package's documents in `dossier serve`: see web/document_routes.hpp.
#include "web/document_routes.hpp"

#include <algorithm>
#include <optional>

#include "app/data_files.hpp"
#include "core/profile.hpp"
#include "io/fd.hpp"
#include "web/http.hpp"

namespace dossier::web {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

std::string fact_label(const Profile* profile, const std::string& evidence, const std::string& fact, Lang lang) {
  if (profile != nullptr)
    for (const auto& e : profile->evidence())
      if (e.id == evidence)
        for (const auto& f : e.facts)
          if (f.id == fact) return f.label(lang == Lang::nl);
  return fact;
}

std::string evidence_name(const Profile* profile, const std::string& evidence, Lang lang) {
  if (profile != nullptr)
    for (const auto& e : profile->evidence())
      if (e.id == evidence) return e.name.get(lang);
  return evidence;
}

// The document of the package's current check named by ?path= (its package-relative path).
const DocumentFacts* named_document(const Report& report, const std::string& path, std::size_t* index) {
  for (std::size_t i = 0; i < report.documents.size(); ++i)
    if (report.documents[i].path == path) {
      *index = i;
      return &report.documents[i];
    }
  return nullptr;
}

}  // namespace

json documents_view(const Report& report, const Workspace& workspace, Lang lang) {
  const Catalogue& words = workspace.words(lang);
  auto loaded = app::load_profile(workspace.data_dir(), report.profile_id);
  const Profile* profile = loaded ? &*loaded : nullptr;
  json out = json::array();
  for (std::size_t i = 0; i < report.documents.size(); ++i) {
    const DocumentFacts& d = report.documents[i];
    json facts = json::array();
    for (const auto& f : d.facts)
      facts.push_back({{"label", (lang == Lang::nl || f.label_en.empty()) ? f.label_nl : f.label_en},
                       {"value", f.value}});
    json missing = json::array();
    for (const auto& m : d.missing_identifying) missing.push_back(fact_label(profile, d.evidence, m, lang));
    out.push_back({{"index", i},
                   {"path", d.path},
                   {"evidence", d.evidence},
                   {"evidence_name", d.evidence.empty() ? json(nullptr) : json(evidence_name(profile, d.evidence, lang))},
                   {"pages", d.pages},
                   {"read", d.outcome == DocOutcome::ok},
                   {"outcome", words.get("doc.outcome." + std::string(doc_outcome_name(d.outcome)))},
                   {"source", words.get("doc.source." + d.text_source)},
                   {"confidence", d.ocr_confidence >= 0 ? json(d.ocr_confidence) : json(nullptr)},
                   {"date", d.date ? json(*d.date) : json(nullptr)},
                   {"is_evidence", d.is_evidence},
                   {"facts", facts},
                   {"missing", missing},
                   {"reads_like", d.reads_like.empty() ? json(nullptr) : json(evidence_name(profile, d.reads_like, lang))},
                   {"active_content", !d.active_content.empty()}});
  }
  return out;
}

void add_document_routes(httplib::Server& svr, Workspace& ws, std::size_t max_upload_bytes) {
  // The first page's picture, as the check drew it (in the sandboxed inspection), from memory.
  svr.Get(R"(/api/packages/([^/]+)/thumbnail)", [&ws](const httplib::Request& req, httplib::Response& res) {
    auto package = ws.package(req.matches[1]);
    if (!package) return refuse(res, status_of(package.error()), package.error().message);
    auto report = ws.check(*package, lang_of(req));
    if (!report) return refuse(res, 422, report.error().message);
    std::size_t index = 0;
    if (named_document(*report, req.get_param_value("path"), &index) == nullptr)
      return refuse(res, 404, "no such document in this package");
    auto png = ws.thumbnail(*package, index);
    if (!png) return refuse(res, 404, "this document has no picture (it was not read)");
    res.set_content(*png, "image/png");
  });

  // The words each fact matched, on demand: they come from the document's text, so they are
  // sent only when the coordinator asks for them, and never kept by the page.
  svr.Get(R"(/api/packages/([^/]+)/evidence)", [&ws](const httplib::Request& req, httplib::Response& res) {
    auto package = ws.package(req.matches[1]);
    if (!package) return refuse(res, status_of(package.error()), package.error().message);
    const Lang lang = lang_of(req);
    auto report = ws.check(*package, lang);
    if (!report) return refuse(res, 422, report.error().message);
    std::size_t index = 0;
    const DocumentFacts* d = named_document(*report, req.get_param_value("path"), &index);
    if (d == nullptr) return refuse(res, 404, "no such document in this package");
    json facts = json::array();
    for (const auto& f : d->facts)
      facts.push_back({{"label", (lang == Lang::nl || f.label_en.empty()) ? f.label_nl : f.label_en},
                       {"value", f.value},
                       {"matched", f.matched}});
    res.set_content(json{{"path", d->path}, {"facts", facts}}.dump(), "application/json");
  });

  // How far the check of a package is, while the page waits for it.
  svr.Get(R"(/api/packages/([^/]+)/progress)", [&ws](const httplib::Request& req, httplib::Response& res) {
    auto package = ws.package(req.matches[1]);
    if (!package) return refuse(res, status_of(package.error()), package.error().message);
    res.set_content(json{{"progress", ws.progress(*package)}}.dump(), "application/json");
  });

  // A document added: written whole or not at all, never over another.
  svr.Post(R"(/api/packages/([^/]+)/documents)", [&ws, max_upload_bytes](const httplib::Request& req, httplib::Response& res) {
    auto folder = ws.evidence_folder(req.matches[1], req.has_file("folder") ? req.get_file_value("folder").content : "");
    if (!folder) return refuse(res, status_of(folder.error()), folder.error().message);
    if (!req.has_file("file")) return refuse(res, 400, "send the document as the form field \"file\"");
    const auto file = req.get_file_value("file");
    if (!Workspace::single_name(file.filename) || !has_extension(file.filename, "pdf"))
      return refuse(res, 400, "a document is a .pdf with a plain file name (no folder, not hidden)");
    if (file.content.size() > max_upload_bytes) return refuse(res, 413, "the document is larger than the limit");
    const auto lock = ws.write_lock();
    auto placed = io::publish_new_file(*folder, file.filename, file.content);
    if (!placed)
      return refuse(res, placed.error().code == Errc::usage ? 409 : 500,
                    placed.error().code == Errc::usage ? file.filename + " is in that folder already: remove it first"
                                                       : placed.error().message);
    res.status = 201;
    res.set_content(json{{"added", folder->filename().string() + "/" + file.filename}}.dump(), "application/json");
  });

  // A document removed: only a regular file inside one of the package's folders.
  svr.Delete(R"(/api/packages/([^/]+)/documents)", [&ws](const httplib::Request& req, httplib::Response& res) {
    const std::string path = req.get_param_value("path");
    const auto slash = path.find('/');
    if (slash == std::string::npos) return refuse(res, 400, "name the document as folder/file.pdf");
    auto folder = ws.evidence_folder(req.matches[1], path.substr(0, slash));
    if (!folder) return refuse(res, status_of(folder.error()), folder.error().message);
    const std::string name = path.substr(slash + 1);
    if (!Workspace::single_name(name)) return refuse(res, 400, "name the document as folder/file.pdf");
    const auto lock = ws.write_lock();
    std::error_code ec;
    if (!fs::is_regular_file(fs::symlink_status(*folder / name, ec))) return refuse(res, 404, path + " is not a document of this package");
    if (!fs::remove(*folder / name, ec) || ec) return refuse(res, 500, path + ": " + ec.message());
    res.set_content(json{{"removed", path}}.dump(), "application/json");
  });
}

}  // namespace dossier::web

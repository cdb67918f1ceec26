// The preview of the assembled dossier: see web/preview_routes.hpp.
#include "web/preview_routes.hpp"

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/assemble.hpp"
#include "app/check.hpp"
#include "io/fd.hpp"
#include "io/package.hpp"
#include "io/thumbnail.hpp"
#include "web/http.hpp"

namespace dossier::web {
namespace {

using json = nlohmann::ordered_json;

struct Preview {
  std::string package;
  Lang lang = Lang::nl;
  std::string dossier_pdf, cover_pdf, report_html;
  std::vector<std::string> cover_pages;  // PNG
  int pages = 0;
};

// The one preview the server holds (in memory only), and who may read it.
struct Previews {
  std::mutex mutex;
  std::optional<Preview> current;
};

Result<Preview> make_preview(Workspace& ws, const std::filesystem::path& path, const std::string& name, Lang lang) {
  const Catalogue& words = ws.words(lang);
  auto package = io::Package::open(path);
  if (!package) return tl::unexpected(package.error());
  app::AssemblySettings settings;
  settings.data_dir = ws.data_dir();
  std::uint64_t total = 0;
  std::size_t count = 0;
  for (const auto& f : package->files()) {
    total += f.size;
    if (f.path != "referral.xml") ++count;
  }
  if (total > settings.limits.max_input_bytes)
    return fail(Errc::limit, "the documents together are larger than the assembly limit of " +
                                 std::to_string(settings.limits.max_input_bytes >> 20) + " MiB (docs/limits.md)");
  std::vector<std::vector<std::uint8_t>> kept(count);
  std::vector<std::uint8_t> whole(kept.size(), 0);
  app::CheckOptions options;
  options.data_dir = ws.data_dir();
  const app::CheckOptions check = app::keeping_documents(options, kept, whole);
  app::FontWarmUp warm_up;
  auto checked = app::check_package(*package, name, check, words);
  if (!checked) return tl::unexpected(checked.error());
  if (checked->report.documents.size() != count)
    return fail(Errc::malformed, "the package could not be read as a whole: see its checklist");
  for (std::size_t i = 0; i < kept.size(); ++i)
    if (!whole[i]) kept[i].clear();
  auto fd = io::memory_file("dossier-preview");
  if (!fd) return tl::unexpected(fd.error());
  auto out = app::assemble_dossier(checked->report, checked->referral_xml, kept, checked->text_layers, settings, words,
                                   fd->get(), checked->thumbnails);
  if (!out) return tl::unexpected(out.error());
  auto mapped = io::MappedFile::map(fd->get());
  if (!mapped) return tl::unexpected(mapped.error());
  Preview p;
  p.package = name;
  p.lang = lang;
  p.dossier_pdf.assign(reinterpret_cast<const char*>(mapped->bytes().data()), mapped->bytes().size());
  p.cover_pdf = std::move(out->cover_pdf);
  p.report_html = std::move(out->report_html);
  p.pages = out->assembly.pages;
  p.cover_pages = io::own_pdf_pages_png(p.cover_pdf, kPreviewCoverPages, 800, 1200);
  return p;
}

}  // namespace

void add_preview_routes(httplib::Server& svr, Workspace& ws) {
  auto previews = std::make_shared<Previews>();

  svr.Post(R"(/api/packages/([^/]+)/preview)", [&ws, previews](const httplib::Request& req, httplib::Response& res) {
    const std::string name = req.matches[1];
    auto path = ws.package(name);
    if (!path) return refuse(res, status_of(path.error()), path.error().message);
    const Lang lang = lang_of(req);
    auto made = make_preview(ws, *path, name, lang);
    if (!made) return refuse(res, made.error().code == Errc::limit ? 413 : 422, made.error().message);
    const app::AssemblyNames names = app::assembly_names(lang);
    const std::string base = "/api/packages/" + httplib::detail::encode_query_param(name) + "/preview/";
    json cover = json::array();
    for (std::size_t i = 0; i < made->cover_pages.size(); ++i) cover.push_back(base + "cover-" + std::to_string(i + 1) + ".png");
    json answer{{"package", name},
                {"pages", made->pages},
                {"files", {{"dossier", {{"name", names.dossier}, {"href", base + "dossier.pdf"}, {"bytes", made->dossier_pdf.size()}}},
                           {"cover", {{"name", names.cover}, {"href", base + "cover.pdf"}, {"bytes", made->cover_pdf.size()}}},
                           {"report", {{"name", names.report}, {"href", base + "report.html"}, {"bytes", made->report_html.size()}}}}},
                {"cover_pages", cover}};
    std::lock_guard lock(previews->mutex);
    previews->current = std::move(*made);
    res.status = 201;
    res.set_content(answer.dump(), "application/json");
  });

  svr.Get(R"(/api/packages/([^/]+)/preview/([a-z0-9.-]+))", [previews](const httplib::Request& req, httplib::Response& res) {
    const std::string name = req.matches[1];
    const std::string file = req.matches[2];
    std::lock_guard lock(previews->mutex);
    if (!previews->current || previews->current->package != name)
      return refuse(res, 404, "no preview of " + name + ": make one first");
    const Preview& p = *previews->current;
    const app::AssemblyNames names = app::assembly_names(p.lang);
    if (file == "dossier.pdf") {
      res.set_header("Content-Disposition", "inline; filename=\"" + names.dossier + "\"");
      return res.set_content(p.dossier_pdf, "application/pdf");
    }
    if (file == "cover.pdf") {
      res.set_header("Content-Disposition", "inline; filename=\"" + names.cover + "\"");
      return res.set_content(p.cover_pdf, "application/pdf");
    }
    if (file == "report.html") {
      // The report is one self-contained page with its own inline style and pictures, and no
      // script: it gets a policy of its own that allows exactly that, in a sandbox.
      res.headers.erase("Content-Security-Policy");
      res.set_header("Content-Security-Policy", "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:");
      res.set_header("Content-Disposition", "inline; filename=\"" + names.report + "\"");
      return res.set_content(p.report_html, "text/html; charset=utf-8");
    }
    if (file.starts_with("cover-") && file.ends_with(".png")) {
      const std::string number = file.substr(6, file.size() - 10);
      if (!number.empty() && number.size() <= 2 && number.find_first_not_of("0123456789") == std::string::npos) {
        const std::size_t n = std::stoul(number);
        if (n >= 1 && n <= p.cover_pages.size()) return res.set_content(p.cover_pages[n - 1], "image/png");
      }
    }
    refuse(res, 404, file + " is not part of the preview");
  });
}

}  // namespace dossier::web

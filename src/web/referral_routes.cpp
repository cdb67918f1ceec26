// The referral facts as a form: see web/referral_routes.hpp; the form itself is
// web/referral_form.hpp.
//
//   GET  /api/packages/{name}/referral           {form, values, issues, editable[, reason]}
//   POST /api/packages/{name}/referral/validate  {values} -> {issues}; writes nothing
//   PUT  /api/packages/{name}/referral           {values} -> {saved, issues}; 422 with the issues
//                                                when the new text would not pass the check
//
// A package is named through the Workspace only; a .zip is read, never changed. referral.xml is
// read through its folder without following a link, and replaced whole (io::replace_file) under
// the workspace's write lock, so saves of one package happen one after the other and the file is
// always one whole version.
#include "web/referral_routes.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/data_files.hpp"
#include "core/referral.hpp"
#include "io/fd.hpp"
#include "io/package.hpp"
#include "web/referral_form.hpp"

namespace dossier::web {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

// A request body holds the values of one referral.xml (itself at most 1 MiB, in practice a few
// KiB): 256 KiB is far more than a form sends, and little to hold in memory.
constexpr std::size_t kMaxBody = 256 * 1024;
constexpr const char* kFile = "referral.xml";

Lang lang_of(const httplib::Request& req) { return req.get_param_value("lang") == "en" ? Lang::en : Lang::nl; }

void answer(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

void refuse(httplib::Response& res, int status, const std::string& why) { answer(res, status, refusal(why)); }

// referral.xml of a folder package, opened through the folder: never through a link, never
// waiting on a FIFO, at most the size Referral::parse accepts (one byte more tells it is larger).
Result<std::string> read_folder_referral(const fs::path& package) {
  io::UniqueFd folder(::open(package.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!folder) return fail(Errc::io, std::string("the package folder: ") + std::strerror(errno));
  io::OpenedFile file;
  file.fd = io::UniqueFd(::openat(folder.get(), kFile, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
  if (!file.fd) {
    const int err = errno;
    if (err == ENOENT) return fail(Errc::not_found, "the package has no referral.xml");
    if (err == ELOOP) return fail(Errc::hostile, "referral.xml is a symbolic link: it is never followed");
    return fail(Errc::io, std::string("referral.xml: ") + std::strerror(err));
  }
  struct stat st {};
  if (::fstat(file.fd.get(), &st) != 0) return fail(Errc::io, std::string("referral.xml: ") + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return fail(Errc::hostile, "referral.xml is " + io::kind_of(st.st_mode) + ", not a regular file");
  file.size = static_cast<std::uint64_t>(st.st_size);
  file.mode = st.st_mode;
  std::vector<unsigned char> buf(ReferralLimits{}.max_bytes + 1);
  auto n = io::read_all(file, kFile, buf);
  if (!n) return tl::unexpected(n.error());
  return std::string(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(*n));
}

// referral.xml of a .zip package, through the package reader (docs/zip-safety.md).
Result<std::string> read_zip_referral(const fs::path& package) {
  auto opened = io::Package::open(package);
  if (!opened) return tl::unexpected(opened.error());
  const auto* file = opened->find(kFile);
  if (file == nullptr) return fail(Errc::not_found, "the package has no referral.xml");
  if (file->size > ReferralLimits{}.max_bytes) return fail(Errc::limit, "referral.xml is larger than 1 MiB");
  auto bytes = opened->read(*file);
  if (!bytes) return tl::unexpected(bytes.error());
  return std::string(bytes->begin(), bytes->end());
}

// The form in the request's language, from the schema as it is now.
struct Schema {
  std::string xsd;
  json form;
};
Result<Schema> schema_for(Workspace& workspace, Lang lang) {
  auto xsd = app::read_referral_schema(workspace.data_dir());
  if (!xsd) return tl::unexpected(xsd.error());
  auto form = derive_form(*xsd, workspace.words(lang));
  if (!form) return tl::unexpected(form.error());
  return Schema{std::move(*xsd), std::move(*form)};
}

// The values a page sent: {"values": {...}} of at most kMaxBody bytes. On failure the status and why.
std::optional<std::pair<int, std::string>> values_of(const httplib::Request& req, json& values) {
  if (req.body.size() > kMaxBody) return std::pair(413, "the values are larger than 256 KiB");
  json body = json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object() || !body.contains("values") || !body["values"].is_object())
    return std::pair(400, "send the values as JSON: {\"values\": {...}}");
  values = std::move(body["values"]);
  return std::nullopt;
}

// The new text of a package's referral.xml with `values`, and what the check says of it.
struct Outcome {
  int status = 200;
  std::string error;
  Rewritten rewritten;
  json issues = json::array();
};
Outcome rewrite(Workspace& workspace, const fs::path& package, const json& values, Lang lang) {
  Outcome out;
  auto schema = schema_for(workspace, lang);
  if (!schema) return {500, schema.error().message, {}, {}};
  auto text = read_folder_referral(package);
  if (!text) return {text.error().code == Errc::not_found ? 404 : 409, text.error().message, {}, {}};
  auto rewritten = write_values(schema->form, *text, values, workspace.words(lang));
  if (!rewritten) {
    if (rewritten.error().code == Errc::usage) return {400, "the values do not fit the form: " + rewritten.error().message, {}, {}};
    return {409, rewritten.error().message + ": it must be repaired by hand before the form can change it", {}, {}};
  }
  out.rewritten = std::move(*rewritten);
  out.issues = out.rewritten.issues;
  for (auto& issue : find_issues(schema->form, out.rewritten.text, schema->xsd, workspace.words(lang)))
    out.issues.push_back(std::move(issue));
  return out;
}

}  // namespace

void add_referral_routes(httplib::Server& svr, Workspace& workspace) {
  svr.Get(R"(/api/packages/([^/]+)/referral)", [&workspace](const httplib::Request& req, httplib::Response& res) {
    const Lang lang = lang_of(req);
    auto package = workspace.package(req.matches[1]);
    if (!package) return refuse(res, status_of(package.error()), package.error().message);
    const auto folder = workspace.folder_package(req.matches[1]);
    auto schema = schema_for(workspace, lang);
    if (!schema) return refuse(res, 500, schema.error().message);
    auto text = folder ? read_folder_referral(*package) : read_zip_referral(*package);
    if (!text) return refuse(res, text.error().code == Errc::not_found ? 404 : 422, text.error().message);
    json out{{"form", schema->form}};
    auto values = read_values(schema->form, *text);
    out["values"] = values ? *values : json(nullptr);
    out["issues"] = find_issues(schema->form, *text, schema->xsd, workspace.words(lang));
    out["editable"] = folder && values;
    if (!folder) out["reason"] = folder.error().message;
    else if (!values) out["reason"] = values.error().message + ": it must be repaired by hand before the form can change it";
    answer(res, 200, out);
  });

  svr.Post(R"(/api/packages/([^/]+)/referral/validate)", [&workspace](const httplib::Request& req, httplib::Response& res) {
    auto package = workspace.folder_package(req.matches[1]);
    if (!package) return refuse(res, status_of(package.error()), package.error().message);
    json values;
    if (auto bad = values_of(req, values)) return refuse(res, bad->first, bad->second);
    const Outcome out = rewrite(workspace, *package, values, lang_of(req));
    if (!out.error.empty()) return refuse(res, out.status, out.error);
    answer(res, 200, {{"issues", out.issues}});
  });

  svr.Put(R"(/api/packages/([^/]+)/referral)", [&workspace](const httplib::Request& req, httplib::Response& res) {
    auto package = workspace.folder_package(req.matches[1]);
    if (!package) return refuse(res, status_of(package.error()), package.error().message);
    json values;
    if (auto bad = values_of(req, values)) return refuse(res, bad->first, bad->second);
    // Read, change and replace under one lock: saves of a package never interleave.
    const auto lock = workspace.write_lock();
    const Outcome out = rewrite(workspace, *package, values, lang_of(req));
    if (!out.error.empty()) return refuse(res, out.status, out.error);
    if (has_errors(out.issues))
      return answer(res, 422, {{"error", "referral.xml would not pass the check: nothing was saved"}, {"issues", out.issues}});
    if (out.rewritten.changed)
      if (auto saved = io::replace_file(*package, kFile, out.rewritten.text); !saved) return refuse(res, 500, saved.error().message);
    answer(res, 200, {{"saved", out.rewritten.changed}, {"issues", out.issues}});
  });
}

}  // namespace dossier::web

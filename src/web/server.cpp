// The coordinators' local web interface: see web/server.hpp and docs/web.md.
#include "web/server.hpp"

#include <sys/stat.h>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <string_view>
#include <thread>
#include <utility>

#include "app/check.hpp"
#include "app/data_files.hpp"
#include "app/init.hpp"
#include "core/report.hpp"
#include "crypto/secret.hpp"
#include "io/fd.hpp"
#include "io/safe_path.hpp"
#include "web/document_routes.hpp"
#include "web/http.hpp"
#include "web/preview_routes.hpp"
#include "web/referral_routes.hpp"
#include "web/seal_routes.hpp"
#include "web/workspace.hpp"

namespace dossier::web {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

constexpr const char* kCookie = "dossier_token";
// No inline script or style, nothing from another host, no framing, no plugins.
constexpr const char* kPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
constexpr const char* kNoTokenPage =
    "<!doctype html><html lang=\"nl\"><meta charset=\"utf-8\"><title>dossier</title>"
    "<h1>Open het adres dat dossier serve gaf</h1>"
    "<p>Dit adres mist de sleutel van deze sessie. Kopieer het volledige adres (met <code>?token=</code>) "
    "uit het venster waarin u <code>dossier serve</code> startte.</p>"
    "<h1 lang=\"en\">Open the address dossier serve printed</h1>"
    "<p lang=\"en\">This address lacks this session's key. Copy the whole address (with <code>?token=</code>) "
    "from the window where you started <code>dossier serve</code>.</p></html>";
// The pages: the only files served, each by its own name (no directory is ever listed).
const std::map<std::string, std::string, std::less<>> kPages = {
    {"/", "index.html"}, {"/app.js", "app.js"}, {"/style.css", "style.css"}, {"/form.js", "form.js"}, {"/form.css", "form.css"},
    {"/seal.js", "seal.js"}, {"/preview.js", "preview.js"}};

std::string content_type(std::string_view file) {
  if (file.ends_with(".html")) return "text/html; charset=utf-8";
  if (file.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (file.ends_with(".css")) return "text/css; charset=utf-8";
  return "application/octet-stream";
}

std::optional<std::string> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The value of cookie `name` in a Cookie header ("a=1; b=2").
std::string cookie_value(const std::string& header, std::string_view name) {
  std::string_view rest(header);
  while (!rest.empty()) {
    const auto end = rest.find(';');
    std::string_view item = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    if (item.size() > name.size() && item.substr(0, name.size()) == name && item[name.size()] == '=')
      return std::string(item.substr(name.size() + 1));
  }
  return {};
}


class HttpServer final : public Server {
 public:
  explicit HttpServer(ServeOptions options) : o_(std::move(options)) {}

  Result<void> start() {
    std::error_code ec;
    if (!fs::is_directory(o_.workspace, ec))
      return fail(Errc::not_found, o_.workspace.string() + ": no such folder");
    o_.workspace = fs::canonical(o_.workspace, ec);
    if (ec) return fail(Errc::io, o_.workspace.string() + ": " + ec.message());
    token_ = o_.token.empty() ? crypto::random_hex(32) : o_.token;
    auto seal = load_seal_setup(o_.recipients, o_.signing_key);
    if (!seal) return tl::unexpected(seal.error());
    seal_ = std::move(*seal);
    auto ws = Workspace::open(o_.workspace, o_.data_dir);
    if (!ws) return tl::unexpected(ws.error());
    ws_.emplace(std::move(*ws));
    for (httplib::Server* svr : {&v4_, &v6_}) configure(*svr);
    port_ = o_.port == 0 ? v4_.bind_to_any_port("127.0.0.1") : (v4_.bind_to_port("127.0.0.1", o_.port) ? o_.port : -1);
    if (port_ <= 0) return fail(Errc::io, "cannot listen on 127.0.0.1" + (o_.port ? ":" + std::to_string(o_.port) : std::string()));
    // ::1 too, on the same port, where this machine has IPv6 (a browser may try localhost there).
    v6_bound_ = v6_.bind_to_port("::1", port_);
    return {};
  }

  void configure(httplib::Server& svr) {
    svr.set_payload_max_length(o_.max_request_bytes);
    svr.set_default_headers({{"Content-Security-Policy", kPolicy},
                             {"X-Content-Type-Options", "nosniff"},
                             {"Referrer-Policy", "no-referrer"},
                             {"X-Frame-Options", "DENY"},
                             {"Cross-Origin-Opener-Policy", "same-origin"},
                             {"Cross-Origin-Resource-Policy", "same-origin"},
                             {"Cache-Control", "no-store"}});
    svr.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      return guard(req, res);
    });
    routes(svr);
  }

  int port() const override { return port_; }
  std::string address() const override { return origin() + "/?token=" + token_; }
  const std::string& token() const override { return token_; }
  // Both listeners on threads of their own until stop(). A listener stopped before it began to
  // listen would listen on for ever (cpp-httplib's stop() acts only on a running one), so each
  // is stopped again until its thread has ended.
  void run() override {
    std::atomic<bool> v4_done = false, v6_done = !v6_bound_;
    const auto listen = [this](httplib::Server& svr, std::atomic<bool>& done) {
      svr.listen_after_bind();
      done = true;
      std::lock_guard lock(stop_mutex_);
      stop_changed_.notify_all();
    };
    std::thread v4(listen, std::ref(v4_), std::ref(v4_done));
    std::thread v6;
    if (v6_bound_) v6 = std::thread(listen, std::ref(v6_), std::ref(v6_done));
    {
      std::unique_lock lock(stop_mutex_);
      stop_changed_.wait(lock, [&] { return stop_requested_ || v4_done; });
    }
    while (!v4_done || !v6_done) {
      v4_.stop();
      v6_.stop();
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    v4.join();
    if (v6.joinable()) v6.join();
  }
  void stop() override {
    std::lock_guard lock(stop_mutex_);
    stop_requested_ = true;
    stop_changed_.notify_all();
  }

 private:
  std::string origin() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // Every request: this server's own name in Host, the token, and for a change its own Origin.
  httplib::Server::HandlerResponse guard(const httplib::Request& req, httplib::Response& res) {
    using HR = httplib::Server::HandlerResponse;
    const std::string host = req.get_header_value("Host");
    const std::string p = std::to_string(port_);
    if (host != "127.0.0.1:" + p && host != "localhost:" + p && host != "[::1]:" + p) {
      refuse(res, 421, "this server answers only to 127.0.0.1:" + p + ", [::1]:" + p + " and localhost:" + p);
      return HR::Handled;
    }
    const bool changes = req.method != "GET" && req.method != "HEAD";
    if (changes && req.get_header_value("Origin") != "http://" + host) {
      refuse(res, 403, "a change must come from this server's own pages (Origin)");
      return HR::Handled;
    }
    if (crypto::equal_in_constant_time(cookie_value(req.get_header_value("Cookie"), kCookie), token_))
      return HR::Unhandled;
    // The first address carries the token: it becomes a cookie, and leaves the address bar.
    if (req.method == "GET" && req.path == "/" && req.has_param("token") &&
        crypto::equal_in_constant_time(req.get_param_value("token"), token_)) {
      res.status = 303;
      res.set_header("Location", "/");
      res.set_header("Set-Cookie", std::string(kCookie) + "=" + token_ + "; Path=/; HttpOnly; SameSite=Strict");
      return HR::Handled;
    }
    if (req.path.rfind("/api/", 0) == 0) {
      refuse(res, 403, "open the address that `dossier serve` printed: it carries this run's token");
    } else {  // a person at the browser: say it in words, in both languages
      res.status = 403;
      res.set_content(kNoTokenPage, "text/html; charset=utf-8");
    }
    return HR::Handled;
  }

  void routes(httplib::Server& svr) {
    add_referral_routes(svr, *ws_);
    add_document_routes(svr, *ws_, o_.max_request_bytes);
    add_seal_routes(svr, *ws_, seal_);
    add_preview_routes(svr, *ws_);
    for (const auto& [path, file] : kPages) {
      svr.Get(path, [this, file = file](const httplib::Request&, httplib::Response& res) {
        auto body = read_file(fs::path(o_.data_dir) / "templates" / "web" / file);
        if (!body) return refuse(res, 500, "templates/web/" + file + " is missing: reinstall dossier");
        res.set_content(*body, content_type(file));
      });
    }
    svr.Get("/api/words", [this](const httplib::Request& req, httplib::Response& res) {
      res.set_content(words(lang_of(req)).dump(), "application/json");
    });
    svr.Get("/api/packages", [this](const httplib::Request& req, httplib::Response& res) {
      res.set_content(list(lang_of(req)).dump(), "application/json");
    });
    svr.Get(R"(/api/packages/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
      auto path = ws_->package(req.matches[1]);
      if (!path) return refuse(res, path.error().code == Errc::not_found ? 404 : 400, path.error().message);
      auto report = ws_->check(*path, lang_of(req));
      if (!report) return refuse(res, 422, report.error().message);
      json out = to_json(*report, lang_of(req));
      out["folders"] = ws_->folders_of(*path);
      out["view"] = documents_view(*report, *ws_, lang_of(req));
      res.set_content(out.dump(), "application/json");
    });
    // A package as a ZIP file (as coordinators get them by e-mail or on a stick): written whole
    // into the workspace, never over another; the check reads it as any ZIP package.
    svr.Post("/api/packages/import", [this](const httplib::Request& req, httplib::Response& res) {
      if (!req.has_file("file")) return refuse(res, 400, "send the package as the form field \"file\"");
      const auto file = req.get_file_value("file");
      if (!Workspace::single_name(file.filename) || !has_extension(file.filename, "zip"))
        return refuse(res, 400, "a package to import is a .zip with a plain file name (no folder, not hidden)");
      if (file.content.size() > o_.max_request_bytes) return refuse(res, 413, "the package is larger than the limit");
      if (file.content.size() < 4 || file.content.compare(0, 4, "PK\x03\x04") != 0)
        return refuse(res, 400, file.filename + " is not a ZIP file");
      const auto lock = ws_->write_lock();
      std::error_code ec;
      if (fs::exists(fs::symlink_status(ws_->root() / file.filename, ec)))
        return refuse(res, 409, file.filename + " is in the workspace already: rename it or remove the other first");
      auto placed = io::publish_new_file(ws_->root(), file.filename, file.content);
      if (!placed)
        return refuse(res, placed.error().code == Errc::usage ? 409 : 500,
                      placed.error().code == Errc::usage ? file.filename + " is in the workspace already" : placed.error().message);
      res.status = 201;
      res.set_content(json{{"name", file.filename}}.dump(), "application/json");
    });
    svr.Post("/api/packages", [this](const httplib::Request& req, httplib::Response& res) {
      const auto body = json::parse(req.body, nullptr, false);
      if (!body.is_object() || !body.contains("name") || !body["name"].is_string())
        return refuse(res, 400, "give the new package's name as {\"name\": \"...\"}");
      const std::string name = body["name"].get<std::string>();
      if (!Workspace::single_name(name)) return refuse(res, 400, "a package name is one folder name, without / or ..");
      const auto lock = ws_->write_lock();
      std::error_code ec;
      if (fs::exists(fs::symlink_status(ws_->root() / name, ec))) return refuse(res, 409, name + " exists already");
      // The profile as `dossier init --profile`; the same default.
      const std::string profile = body.contains("profile") && body["profile"].is_string()
                                      ? body["profile"].get<std::string>()
                                      : std::string("omm-eerste-fase");
      if (profile.empty() || profile.size() > 64 ||
          profile.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos)
        return refuse(res, 400, "a profile is named by its id (dossier rules lists them), not by a file");
      auto made = app::init_package(ws_->root() / name, o_.data_dir, profile);
      if (!made) return refuse(res, 400, made.error().message);
      res.status = 201;
      res.set_content(json{{"name", name}, {"created", *made}}.dump(), "application/json");
    });
  }


  // Every word of the pages: the catalogue's web.* messages, and the evidence types' names.
  json words(Lang lang) const {
    json out = json::object();
    for (const auto& [key, text] : ws_->words(lang).with_prefix("web.")) out["web." + key] = text;
    for (const auto& [key, text] : ws_->words(lang).with_prefix("evidence.")) out["evidence." + key] = text;
    out["lang"] = lang_code(lang);
    return out;
  }

  json list(Lang lang) {
    json out = json::array();
    for (const auto& name : ws_->packages()) {
      json item{{"name", name}};
      auto report = ws_->check(ws_->root() / name, lang);
      if (report) {
        item["verdict"] = verdict_name(report->verdict);
        item["documents"] = report->documents.size();
      } else {
        item["verdict"] = "unreadable";
        item["error"] = report.error().message;
      }
      out.push_back(std::move(item));
    }
    return out;
  }

  ServeOptions o_;
  std::optional<Workspace> ws_;
  SealSetup seal_;
  std::mutex stop_mutex_;
  std::condition_variable stop_changed_;
  bool stop_requested_ = false;
  httplib::Server v4_, v6_;
  bool v6_bound_ = false;
  int port_ = -1;
  std::string token_;
};

}  // namespace

Result<std::unique_ptr<Server>> Server::create(const ServeOptions& options) {
  auto server = std::make_unique<HttpServer>(options);
  if (auto started = server->start(); !started) return tl::unexpected(started.error());
  return std::unique_ptr<Server>(std::move(server));
}

}  // namespace dossier::web

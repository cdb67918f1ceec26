// The coordinators' local web interface (`dossier serve`, docs/web.md): an HTTP server on the
// loopback interface only, for one person on this machine, that reads and writes only inside its
// workspace folder. Every request must carry the per-run token (from the first address as a
// cookie), name this server in its Host header (no DNS rebinding) and, when it changes
// anything, come from this server's own pages (Origin). The pages are plain HTML, CSS and
// JavaScript from the data folder (templates/web), with a strict Content-Security-Policy.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/messages.hpp"
#include "core/result.hpp"

namespace dossier::web {

struct ServeOptions {
  std::filesystem::path workspace;  // the folder of referral packages
  std::string data_dir;             // profiles, schemas, templates (templates/web: the pages)
  int port = 0;                     // 0: a free port
  std::string token;                // empty: 32 random bytes, hex
  std::size_t max_request_bytes = 64u * 1024u * 1024u;  // docs/limits.md, "Web interface"
  // Sealing from the page (web/seal_routes.hpp): CoMensha's public keys (age1... or files) and
  // the coordinator's secret signing key file. Both empty: the page says how to set it up.
  std::vector<std::string> recipients;
  std::string signing_key;
};

class Server {
 public:
  // Binds 127.0.0.1 (Errc::io when it cannot, e.g. the port is taken); refuses a workspace that
  // is not a folder (Errc::not_found).
  static Result<std::unique_ptr<Server>> create(const ServeOptions& options);
  virtual ~Server() = default;
  virtual int port() const = 0;
  // The first address to open: http://127.0.0.1:PORT/?token=TOKEN
  virtual std::string address() const = 0;
  virtual const std::string& token() const = 0;
  // Serves until stop() (from another thread or a signal handler's thread).
  virtual void run() = 0;
  virtual void stop() = 0;
};

}  // namespace dossier::web

// A `dossier serve` server running in the test, on 127.0.0.1, with cpp-httplib's client (the
// web tests: web_server_test.cpp, web_referral_form_test.cpp).
#pragma once

#include <httplib.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "web/server.hpp"

namespace dossier::test::web {

class RunningServer {
 public:
  // Starts it and waits until it answers; started() says whether it did, error() why not.
  explicit RunningServer(const dossier::web::ServeOptions& options) {
    auto server = dossier::web::Server::create(options);
    if (!server) {
      error_ = server.error().message;
      return;
    }
    server_ = std::move(*server);
    thread_ = std::thread([this] { server_->run(); });
    for (int i = 0; i < 100 && !client().Get("/style.css"); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  RunningServer(const RunningServer&) = delete;
  RunningServer& operator=(const RunningServer&) = delete;
  ~RunningServer() {
    if (server_) server_->stop();
    if (thread_.joinable()) thread_.join();
  }

  bool started() const { return server_ != nullptr; }
  const std::string& error() const { return error_; }
  dossier::web::Server* get() const { return server_.get(); }
  std::string host() const { return "127.0.0.1:" + std::to_string(server_->port()); }
  // A client that waits long enough for a check with OCR, or a seal, under the sanitizers.
  httplib::Client client() const {
    httplib::Client c("127.0.0.1", server_->port());
    c.set_read_timeout(300);
    return c;
  }
  // The headers of the page: the token's cookie; for a change, this server's Origin too.
  httplib::Headers reading() const { return {{"Cookie", "dossier_token=" + server_->token()}}; }
  httplib::Headers changing() const {
    return {{"Cookie", "dossier_token=" + server_->token()}, {"Origin", "http://" + host()}};
  }

 private:
  std::unique_ptr<dossier::web::Server> server_;
  std::thread thread_;
  std::string error_;
};

}  // namespace dossier::test::web

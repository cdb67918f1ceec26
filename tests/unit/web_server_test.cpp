// The local web interface's server (web/server.hpp, docs/web.md): what it refuses, and that
// what it allows works. A real server on 127.0.0.1 and cpp-httplib's client.
#include <gtest/gtest.h>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "bundle_support.hpp"
#include "test_support.hpp"
#include "web/server.hpp"

namespace dossier {
namespace {

namespace fs = std::filesystem;
using test::bundle::TempDir;

class WebServer : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::copy(fs::path(test::source_dir()) / "examples" / "complete", dir_.path() / "complete", fs::copy_options::recursive);
    web::ServeOptions options;
    options.workspace = dir_.path();
    options.data_dir = test::source_dir();
    options.max_request_bytes = 64 * 1024;
    auto server = web::Server::create(options);
    ASSERT_TRUE(server) << server.error().message;
    server_ = std::move(*server);
    thread_ = std::thread([this] { server_->run(); });
    host_ = "127.0.0.1:" + std::to_string(server_->port());
    for (int i = 0; i < 100 && !client().Get("/style.css"); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  void TearDown() override {
    if (server_) server_->stop();
    if (thread_.joinable()) thread_.join();
  }
  httplib::Client client() const { return httplib::Client("127.0.0.1", server_->port()); }
  httplib::Headers with_token() const { return {{"Cookie", "dossier_token=" + server_->token()}}; }
  httplib::Headers changing() const {
    return {{"Cookie", "dossier_token=" + server_->token()}, {"Origin", "http://" + host_}};
  }
  httplib::Result create(const std::string& name, const httplib::Headers& headers) {
    return client().Post("/api/packages", headers, nlohmann::json{{"name", name}}.dump(), "application/json");
  }

  TempDir dir_;
  std::unique_ptr<web::Server> server_;
  std::thread thread_;
  std::string host_;
};

TEST_F(WebServer, EveryRequestNeedsTheToken) {
  for (const char* path : {"/", "/app.js", "/api/packages", "/api/packages/complete", "/api/words"}) {
    auto none = client().Get(path);
    ASSERT_TRUE(none) << path;
    EXPECT_EQ(none->status, 403) << path;
    auto wrong = client().Get(path, {{"Cookie", "dossier_token=" + std::string(64, '0')}});
    ASSERT_TRUE(wrong) << path;
    EXPECT_EQ(wrong->status, 403) << path;
  }
  auto page = client().Get("/");
  EXPECT_NE(page->body.find("dossier serve"), std::string::npos) << "a person is told what to do";
  EXPECT_EQ(page->body.find(server_->token()), std::string::npos);
  // Only the first address may carry it, only as itself.
  EXPECT_EQ(client().Get("/api/packages?token=" + server_->token())->status, 403);
  EXPECT_EQ(client().Get("/?token=" + server_->token().substr(1))->status, 403);
}

TEST_F(WebServer, TheFirstAddressBecomesACookieAndLeavesTheAddressBar) {
  ASSERT_EQ(server_->address(), "http://" + host_ + "/?token=" + server_->token());
  EXPECT_EQ(server_->token().size(), 64u);
  auto first = client().Get("/?token=" + server_->token());
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 303);
  EXPECT_EQ(first->get_header_value("Location"), "/");
  const std::string cookie = first->get_header_value("Set-Cookie");
  EXPECT_NE(cookie.find("dossier_token=" + server_->token()), std::string::npos);
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos);
  auto page = client().Get("/", with_token());
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("<script src=\"/app.js\""), std::string::npos);
}

// DNS rebinding: a page of another site whose name now points at 127.0.0.1 sends its own Host.
TEST_F(WebServer, AForeignHostIsRefusedEvenWithTheToken) {
  const std::string port = std::to_string(server_->port());
  for (const std::string& host : std::vector<std::string>{"evil.example:" + port, "127.0.0.1", "127.0.0.1:1", "localhost.evil.example:" + port, ""}) {
    auto headers = with_token();
    headers.emplace("Host", host);
    auto r = client().Get("/api/packages", headers);
    ASSERT_TRUE(r) << host;
    EXPECT_EQ(r->status, 421) << host;
  }
  auto local = with_token();
  local.emplace("Host", "localhost:" + port);
  EXPECT_EQ(client().Get("/api/words", local)->status, 200);
}

TEST_F(WebServer, AnswersOnIpv6LoopbackToo) {
  httplib::Client v6("::1", server_->port());
  auto r = v6.Get("/api/words", with_token());
  if (!r) GTEST_SKIP() << "this machine has no IPv6 loopback (::1): only 127.0.0.1 is served";
  EXPECT_EQ(r->status, 200);
  auto named = with_token();
  named.emplace("Host", "[::1]:" + std::to_string(server_->port()));
  EXPECT_EQ(client().Get("/api/words", named)->status, 200);
}

TEST_F(WebServer, AChangeFromAnyOtherOriginIsRefused) {
  auto foreign = with_token();
  foreign.emplace("Origin", "http://evil.example");
  EXPECT_EQ(create("nieuw", foreign)->status, 403);
  EXPECT_EQ(create("nieuw", with_token())->status, 403) << "no Origin at all";
  auto other_port = with_token();
  other_port.emplace("Origin", "http://127.0.0.1:1");
  EXPECT_EQ(create("nieuw", other_port)->status, 403);
  EXPECT_FALSE(fs::exists(dir_.path() / "nieuw"));

  auto made = create("nieuw", changing());
  ASSERT_TRUE(made);
  EXPECT_EQ(made->status, 201) << made->body;
  EXPECT_TRUE(fs::is_regular_file(dir_.path() / "nieuw" / "referral.xml"));
  EXPECT_EQ(create("nieuw", changing())->status, 409) << "never over an existing package";
  auto by_file = client().Post("/api/packages", changing(), R"({"name": "ander", "profile": "/etc/passwd"})",
                               "application/json");
  EXPECT_EQ(by_file->status, 400) << "a profile is an id, never a file";
  EXPECT_FALSE(fs::exists(dir_.path() / "ander"));
}

TEST_F(WebServer, PathsStayInsideTheWorkspace) {
  const fs::path outside = dir_.path().parent_path() / ("outside-" + dir_.path().filename().string());
  fs::copy(dir_.path() / "complete", outside, fs::copy_options::recursive);
  fs::create_directory_symlink(outside, dir_.path() / "link");
  for (const char* path : {"/api/packages/..", "/api/packages/..%2F..%2Fetc", "/api/packages/%2Fetc%2Fpasswd",
                           "/api/packages/link", "/api/packages/complete%2F..%2F..", "/api/packages/.hidden",
                           "/api/packages/nothing-here", "/api/packages/complete%00x"}) {
    auto r = client().Get(path, with_token());
    ASSERT_TRUE(r) << path;
    EXPECT_TRUE(r->status == 400 || r->status == 404) << path << ": " << r->status;
  }
  for (const std::string& name : std::vector<std::string>{"..", ".", "a/b", "../x", "/tmp/x", ".hidden", "x\\y", std::string("a\0b", 3), ""}) {
    auto r = create(name, changing());
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << name;
  }
  auto list = nlohmann::json::parse(client().Get("/api/packages", with_token())->body);
  ASSERT_EQ(list.size(), 1u) << list.dump() << ": a symbolic link is not a package of the workspace";
  EXPECT_EQ(list[0]["name"], "complete");
  EXPECT_EQ(list[0]["verdict"], "complete");
  fs::remove_all(outside);
}

TEST_F(WebServer, NoDirectoryIsListedAndEveryAnswerCarriesThePolicy) {
  for (const char* path : {"/templates/", "/templates/web/app.js", "/web/", "/static/", "/app.js/..", "/.."}) {
    auto r = client().Get(path, with_token());
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 404) << path;
  }
  for (const char* path : {"/", "/app.js", "/style.css", "/api/words", "/nothing"}) {
    auto r = client().Get(path, with_token());
    ASSERT_TRUE(r) << path;
    const std::string policy = r->get_header_value("Content-Security-Policy");
    EXPECT_NE(policy.find("default-src 'none'"), std::string::npos) << path;
    EXPECT_NE(policy.find("script-src 'self'"), std::string::npos) << path;
    EXPECT_EQ(policy.find("unsafe"), std::string::npos) << path;
    EXPECT_EQ(r->get_header_value("X-Content-Type-Options"), "nosniff") << path;
    EXPECT_EQ(r->get_header_value("X-Frame-Options"), "DENY") << path;
  }
  EXPECT_EQ(client().Get("/app.js", with_token())->get_header_value("Content-Type"), "text/javascript; charset=utf-8");
}

TEST_F(WebServer, AnOversizedRequestIsRefused) {
  const std::string big(128 * 1024, 'x');
  auto r = client().Post("/api/packages", changing(), "{\"name\": \"" + big + "\"}", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
}

// Two pages (or two clicks) creating the same package at once: one is made, the other told.
TEST_F(WebServer, ConcurrentCreationsOfOnePackageMakeItOnce) {
  std::atomic<int> made = 0, refused = 0;
  std::vector<std::thread> threads;
  for (int i = 0; i < 6; ++i)
    threads.emplace_back([&] {
      auto r = create("samen", changing());
      if (r && r->status == 201) ++made;
      if (r && r->status == 409) ++refused;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(made.load(), 1);
  EXPECT_EQ(refused.load(), 5);
  EXPECT_TRUE(fs::is_regular_file(dir_.path() / "samen" / "referral.xml"));
}

TEST_F(WebServer, TheChecklistIsTheChecksReportInTheChosenLanguage) {
  auto nl = client().Get("/api/packages/complete", with_token());
  ASSERT_TRUE(nl);
  ASSERT_EQ(nl->status, 200) << nl->body;
  const auto report = nlohmann::json::parse(nl->body);
  EXPECT_EQ(report["verdict"], "complete");
  EXPECT_EQ(report["language"], "nl");
  EXPECT_EQ(report["documents"].size(), 7u);
  auto en = nlohmann::json::parse(client().Get("/api/packages/complete?lang=en", with_token())->body);
  EXPECT_EQ(en["language"], "en");
  auto words = nlohmann::json::parse(client().Get("/api/words?lang=en", with_token())->body);
  EXPECT_EQ(words["web.packages"], "Referral packages");
  // A document removed: the failure appears (the cache follows the folder).
  fs::remove(dir_.path() / "complete" / "toestemming" / "toestemmingsverklaring.pdf");
  auto after = nlohmann::json::parse(client().Get("/api/packages/complete", with_token())->body);
  EXPECT_EQ(after["verdict"], "incomplete");
}

// A document added from the page lands whole in its evidence folder, or not at all; never
// outside the package, never over another, never larger than the limit.
TEST_F(WebServer, AnUploadLandsWholeInItsFolderOrNotAtAll) {
  const fs::path consent = dir_.path() / "complete" / "toestemming" / "toestemmingsverklaring.pdf";
  const std::string pdf = test::read_text(consent);
  const auto before = test::bundle::listing(dir_.path() / "complete");
  auto upload = [&](const std::string& folder, const std::string& filename, const std::string& content,
                    const httplib::Headers& headers) {
    httplib::MultipartFormDataItems items{{"folder", folder, "", ""}, {"file", content, filename, "application/pdf"}};
    return client().Post("/api/packages/complete/documents", headers, items);
  };
  EXPECT_EQ(upload("toestemming", "tweede.pdf", pdf, with_token())->status, 403) << "no Origin";
  auto made = upload("toestemming", "tweede.pdf", pdf, changing());
  ASSERT_TRUE(made);
  EXPECT_EQ(made->status, 201) << made->body;
  EXPECT_EQ(test::read_text(dir_.path() / "complete" / "toestemming" / "tweede.pdf"), pdf);
  EXPECT_EQ(upload("toestemming", "tweede.pdf", "%PDF-other", changing())->status, 409) << "never over a document";
  EXPECT_EQ(test::read_text(dir_.path() / "complete" / "toestemming" / "tweede.pdf"), pdf);
  for (const auto& [folder, filename] : std::vector<std::pair<std::string, std::string>>{
           {"..", "x.pdf"}, {"toestemming/..", "x.pdf"}, {"/tmp", "x.pdf"}, {"nergens", "x.pdf"},
           {"toestemming", "../x.pdf"}, {"toestemming", "sub/x.pdf"}, {"toestemming", ".x.pdf"},
           {"toestemming", "x.exe"}, {"toestemming", ""}}) {
    auto r = upload(folder, filename, pdf, changing());
    ASSERT_TRUE(r) << folder << " " << filename;
    EXPECT_TRUE(r->status == 400 || r->status == 404) << folder << " " << filename << ": " << r->status;
  }
  auto big = upload("toestemming", "groot.pdf", std::string(80 * 1024, 'x'), changing());
  ASSERT_TRUE(big);
  EXPECT_EQ(big->status, 413);
  EXPECT_FALSE(fs::exists(dir_.path() / "complete" / "toestemming" / "groot.pdf"));
  const auto listing = test::bundle::listing(dir_.path() / "complete");
  EXPECT_EQ(listing.count("toestemming/tweede.pdf"), 1u);
  EXPECT_EQ(listing.size(), before.size() + 1) << "nothing but the one document was added";
  for (const auto& e : fs::recursive_directory_iterator(dir_.path()))
    EXPECT_EQ(e.path().filename().string().rfind(".dossier-new-", 0), std::string::npos) << "a temporary file was left: " << e.path();
}

TEST_F(WebServer, ADocumentIsRemovedOnlyFromInsideItsPackage) {
  auto remove = [&](const std::string& path, const httplib::Headers& headers) {
    return client().Delete("/api/packages/complete/documents?path=" + httplib::detail::encode_query_param(path), headers);
  };
  const fs::path consent = dir_.path() / "complete" / "toestemming" / "toestemmingsverklaring.pdf";
  EXPECT_EQ(remove("toestemming/toestemmingsverklaring.pdf", with_token())->status, 403) << "no Origin";
  EXPECT_TRUE(fs::exists(consent));
  fs::create_directory(dir_.path() / "buiten");
  test::bundle::write_bytes(dir_.path() / "buiten" / "x.pdf", test::bundle::span_of("%PDF-"));
  for (const std::string& path : std::vector<std::string>{"../buiten/x.pdf", "toestemming/../../buiten/x.pdf", "/etc/passwd",
                                                          "toestemming", "toestemming/", "toestemming/nergens.pdf", "x.pdf"}) {
    auto r = remove(path, changing());
    ASSERT_TRUE(r) << path;
    EXPECT_TRUE(r->status == 400 || r->status == 404) << path << ": " << r->status;
  }
  EXPECT_TRUE(fs::exists(dir_.path() / "buiten" / "x.pdf"));
  auto removed = remove("toestemming/toestemmingsverklaring.pdf", changing());
  ASSERT_TRUE(removed);
  EXPECT_EQ(removed->status, 200) << removed->body;
  EXPECT_FALSE(fs::exists(consent));
  auto report = nlohmann::json::parse(client().Get("/api/packages/complete", with_token())->body);
  EXPECT_EQ(report["verdict"], "incomplete");
  EXPECT_NE(std::find(report["folders"].begin(), report["folders"].end(), "toestemming"), report["folders"].end());
}

TEST(WebServerStart, AWorkspaceThatIsNotAFolderIsRefused) {
  web::ServeOptions options;
  options.workspace = "/nonexistent/werkmap";
  options.data_dir = test::source_dir();
  auto server = web::Server::create(options);
  ASSERT_FALSE(server);
  EXPECT_EQ(server.error().code, Errc::not_found);
}

}  // namespace
}  // namespace dossier

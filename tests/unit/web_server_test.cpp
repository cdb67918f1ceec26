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
#include "web_support.hpp"
#include "io/zip_writer.hpp"
#include "web/seal_routes.hpp"
#include "web/server.hpp"
#include "app/bundle.hpp"
#include "app/keys.hpp"

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
    running_ = std::make_unique<test::web::RunningServer>(options);
    ASSERT_TRUE(running_->started()) << running_->error();
    server_ = running_->get();
    host_ = running_->host();
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
  std::unique_ptr<test::web::RunningServer> running_;
  web::Server* server_ = nullptr;
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

// Each document as the page shows it: its evidence type by name, text source, the facts found
// (their names and values only); its first page's picture; the words matched only on demand.
TEST_F(WebServer, DocumentsShowWhatTheyAreAndTheirWordsOnlyOnDemand) {
  auto page = client().Get("/api/packages/complete", with_token());
  ASSERT_TRUE(page);
  ASSERT_EQ(page->status, 200);
  const auto report = nlohmann::json::parse(page->body);
  ASSERT_EQ(report["view"].size(), report["documents"].size());
  const nlohmann::json* police = nullptr;
  const nlohmann::json* scan = nullptr;
  for (const auto& d : report["view"]) {
    if (d["path"] == "politie/intake-avim.pdf") police = &d;
    if (d["confidence"].is_number()) scan = &d;
  }
  ASSERT_NE(police, nullptr);
  EXPECT_EQ((*police)["evidence"], "police");
  EXPECT_EQ((*police)["evidence_name"], "bevestiging door de politie (intake of aangifte)");
  EXPECT_EQ((*police)["source"], "tekstlaag");
  EXPECT_TRUE((*police)["is_evidence"].get<bool>());
  ASSERT_FALSE((*police)["facts"].empty());
  EXPECT_EQ(page->body.find("\"matched\""), std::string::npos) << "the package page never carries the document's words";
  ASSERT_NE(scan, nullptr) << "the example has a scanned document";
  EXPECT_EQ((*scan)["source"], "tekstherkenning (OCR)");

  auto en = nlohmann::json::parse(client().Get("/api/packages/complete?lang=en", with_token())->body);
  for (const auto& d : en["view"])
    if (d["path"] == "politie/intake-avim.pdf") {
      EXPECT_EQ(d["evidence_name"], "police confirmation (intake or report)");
    }

  for (const auto& d : report["view"]) {
    auto png = client().Get("/api/packages/complete/thumbnail?path=" + httplib::detail::encode_query_param(d["path"]), with_token());
    ASSERT_TRUE(png);
    ASSERT_EQ(png->status, 200) << d["path"];
    EXPECT_EQ(png->get_header_value("Content-Type"), "image/png");
    EXPECT_EQ(png->body.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8)) << d["path"];
  }

  auto words = client().Get("/api/packages/complete/evidence?path=politie%2Fintake-avim.pdf", with_token());
  ASSERT_TRUE(words);
  ASSERT_EQ(words->status, 200);
  const auto found = nlohmann::json::parse(words->body);
  ASSERT_EQ(found["facts"].size(), (*police)["facts"].size());
  for (const auto& f : found["facts"]) EXPECT_FALSE(f["matched"].get<std::string>().empty()) << f["label"];

  // Only documents of this check, by their exact path; nothing without the token.
  for (const std::string& path : std::vector<std::string>{"", "politie", "../complete/politie/intake-avim.pdf",
                                                          "politie%2F..%2Freferral.xml", "referral.xml", "%2Fetc%2Fpasswd"}) {
    for (const char* what : {"thumbnail", "evidence"}) {
      auto r = client().Get(std::string("/api/packages/complete/") + what + "?path=" + path, with_token());
      ASSERT_TRUE(r);
      EXPECT_EQ(r->status, 404) << what << " " << path;
    }
  }
  EXPECT_EQ(client().Get("/api/packages/complete/evidence?path=politie%2Fintake-avim.pdf")->status, 403);
  for (const char* package : {"..", "..%2Fcomplete", "%2E%2E"}) {
    const int status = client().Get(std::string("/api/packages/") + package + "/thumbnail?path=politie%2Fintake-avim.pdf", with_token())->status;
    EXPECT_TRUE(status == 400 || status == 404) << package << ": " << status;
  }
  // No check runs now.
  auto progress = client().Get("/api/packages/complete/progress", with_token());
  ASSERT_TRUE(progress);
  EXPECT_TRUE(nlohmann::json::parse(progress->body)["progress"].is_null());
}

// While a package is checked (its scanned page read by OCR), the page can ask how far it is.
TEST_F(WebServer, ARunningCheckSaysHowFarItIs) {
  std::atomic<bool> done = false;
  std::thread check([&] {
    auto r = client().Get("/api/packages/complete", with_token());
    EXPECT_TRUE(r && r->status == 200);
    done = true;
  });
  nlohmann::json seen;
  while (!done && seen.is_null()) {
    auto p = client().Get("/api/packages/complete/progress", with_token());
    if (p && p->status == 200) seen = nlohmann::json::parse(p->body)["progress"];
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  check.join();
  ASSERT_FALSE(seen.is_null()) << "no progress was seen while the package was checked";
  EXPECT_GE(seen["document"].get<int>(), 1);
  EXPECT_EQ(seen["count"].get<int>(), 7);
  EXPECT_FALSE(seen["label"].get<std::string>().empty());
  EXPECT_TRUE(nlohmann::json::parse(client().Get("/api/packages/complete/progress", with_token())->body)["progress"].is_null());
}

// Sealing from the page: the keys named at start, the passphrase typed in the page for each
// seal, the bundle in verzegeld/ verified with the public key only, and downloadable.
class WebSeal : public ::testing::Test {
 protected:
  static constexpr const char* kPassphrase = "paard batterij nietje correct";
  void SetUp() override {
    fs::create_directory(dir_.path() / "werkmap");
    fs::copy(fs::path(test::source_dir()) / "examples" / "complete", dir_.path() / "werkmap" / "complete", fs::copy_options::recursive);
    fs::copy(fs::path(test::source_dir()) / "examples" / "incomplete", dir_.path() / "werkmap" / "incomplete", fs::copy_options::recursive);
    const std::string pass = kPassphrase;
    const crypto::SecretBytes secret(reinterpret_cast<const std::uint8_t*>(pass.data()), pass.size());
    ASSERT_TRUE(app::keygen_signing(dir_.path() / "zorgcoordinator", &secret, crypto::minisign::KdfParams::light()));
    ASSERT_TRUE(app::keygen_encryption(dir_.path() / "comensha", nullptr));
    web::ServeOptions options;
    options.workspace = dir_.path() / "werkmap";
    options.data_dir = test::source_dir();
    options.recipients = {(dir_.path() / "comensha.pub").string()};
    options.signing_key = (dir_.path() / "zorgcoordinator.key").string();
    running_ = std::make_unique<test::web::RunningServer>(options);
    ASSERT_TRUE(running_->started()) << running_->error();
    server_ = running_->get();
    host_ = running_->host();
  }
  httplib::Client client() const {
    httplib::Client c("127.0.0.1", server_->port());
    c.set_read_timeout(300);
    return c;
  }
  httplib::Headers changing() const {
    return {{"Cookie", "dossier_token=" + server_->token()}, {"Origin", "http://" + host_}};
  }
  httplib::Result seal(const std::string& package, const std::string& passphrase, const std::string& purpose = "referral") {
    return client().Post("/api/packages/" + package + "/seal", changing(),
                         nlohmann::json{{"passphrase", passphrase}, {"purpose", purpose}}.dump(), "application/json");
  }
  std::vector<fs::path> sealed() const {
    std::vector<fs::path> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir_.path() / "werkmap" / "verzegeld", ec)) out.push_back(e.path());
    return out;
  }

  TempDir dir_;
  std::unique_ptr<test::web::RunningServer> running_;
  web::Server* server_ = nullptr;
  std::string host_;
};

TEST_F(WebSeal, ACompletePackageIsSealedVerifiedAndDownloaded) {
  auto setup = client().Get("/api/seal", {{"Cookie", "dossier_token=" + server_->token()}});
  ASSERT_TRUE(setup);
  const auto s = nlohmann::json::parse(setup->body);
  EXPECT_TRUE(s["ready"].get<bool>());
  EXPECT_EQ(s["recipients"], nlohmann::json::array({"comensha.pub"}));
  auto pub = app::load_public_key(dir_.path() / "zorgcoordinator.pub");
  ASSERT_TRUE(pub);
  EXPECT_EQ(s["signer_key_id"], pub->key_id_hex());
  EXPECT_EQ(setup->body.find(kPassphrase), std::string::npos);

  auto r = seal("complete", kPassphrase);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 201) << r->body;
  const auto done = nlohmann::json::parse(r->body);
  EXPECT_TRUE(done["verify"]["valid"].get<bool>()) << r->body;
  EXPECT_EQ(done["verify"]["signer_key_id"], pub->key_id_hex());
  EXPECT_EQ(done["verify"]["manifest"]["purpose"], "referral");
  const fs::path bundle = dir_.path() / "werkmap" / "verzegeld" / done["file"].get<std::string>();
  ASSERT_TRUE(fs::is_regular_file(bundle));
  EXPECT_EQ(sealed().size(), 1u);
  // Verified again here, as an auditor would, and the download is that very file.
  auto verified = app::verify_bundle(bundle, *pub);
  ASSERT_TRUE(verified);
  EXPECT_TRUE(verified->valid);
  auto download = client().Get(done["download"].get<std::string>(), {{"Cookie", "dossier_token=" + server_->token()}});
  ASSERT_TRUE(download);
  ASSERT_EQ(download->status, 200);
  EXPECT_EQ(download->body, test::read_text(bundle));
  EXPECT_NE(download->get_header_value("Content-Disposition").find("attachment"), std::string::npos);
  EXPECT_EQ(client().Get(done["download"].get<std::string>())->status, 403) << "not without the token";
  // The passphrase is nowhere in the workspace, the bundle included.
  for (const auto& e : fs::recursive_directory_iterator(dir_.path() / "werkmap"))
    if (e.is_regular_file()) {
      EXPECT_EQ(test::read_text(e.path()).find(kPassphrase), std::string::npos) << e.path();
    }
  // A second seal of the same package never replaces the first.
  auto again = seal("complete", kPassphrase);
  ASSERT_EQ(again->status, 201);
  EXPECT_NE(nlohmann::json::parse(again->body)["file"], done["file"]);
  EXPECT_EQ(sealed().size(), 2u);
}

TEST_F(WebSeal, NothingIsSealedWithoutTheRightPassphraseACompletePackageOrTheOrigin) {
  auto wrong = seal("complete", "niet de goede");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 403);
  EXPECT_EQ(nlohmann::json::parse(wrong->body)["error"], "De wachtwoordzin klopt niet. Probeer het opnieuw.");
  auto empty = seal("complete", "");
  EXPECT_EQ(empty->status, 403);
  auto incomplete = seal("incomplete", kPassphrase);
  ASSERT_TRUE(incomplete);
  EXPECT_EQ(incomplete->status, 422);
  EXPECT_EQ(nlohmann::json::parse(incomplete->body)["verdict"], "incomplete");
  auto purpose = seal("complete", kPassphrase, "anything");
  EXPECT_EQ(purpose->status, 400);
  auto foreign = client().Post("/api/packages/complete/seal", {{"Cookie", "dossier_token=" + server_->token()}, {"Origin", "http://evil.example"}},
                               nlohmann::json{{"passphrase", kPassphrase}}.dump(), "application/json");
  EXPECT_EQ(foreign->status, 403);
  auto huge = client().Post("/api/packages/complete/seal", changing(), std::string(web::kMaxSealRequestBytes + 1, ' '), "application/json");
  EXPECT_EQ(huge->status, 413);
  for (const char* package : {"..", "%2E%2E", "nergens"}) {
    auto r = seal(package, kPassphrase);
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->status == 400 || r->status == 404) << package << ": " << r->status;
  }
  EXPECT_TRUE(sealed().empty()) << "nothing sealed, not even a temporary file";
}

TEST_F(WebSeal, OnlySealedBundlesOfTheWorkspaceAreDownloaded) {
  fs::create_directory(dir_.path() / "werkmap" / "verzegeld");
  test::bundle::write_bytes(dir_.path() / "geheim.dossier", test::bundle::span_of("geheim"));
  fs::create_symlink(dir_.path() / "geheim.dossier", dir_.path() / "werkmap" / "verzegeld" / "link.dossier");
  const httplib::Headers token{{"Cookie", "dossier_token=" + server_->token()}};
  for (const std::string& name : std::vector<std::string>{"link.dossier", "..%2F..%2Fgeheim.dossier", "..", "complete",
                                                          "nergens.dossier", "%2E%2E%2Fgeheim.dossier"}) {
    auto r = client().Get("/api/bundles/" + name, token);
    ASSERT_TRUE(r) << name;
    EXPECT_TRUE(r->status == 400 || r->status == 404) << name << ": " << r->status;
    EXPECT_EQ(r->body.find("geheim\"") , std::string::npos);
  }
}

TEST(WebSealSetup, WithoutKeysThePageSaysHowAndNothingIsSealed) {
  TempDir dir;
  fs::copy(fs::path(test::source_dir()) / "examples" / "complete", dir.path() / "complete", fs::copy_options::recursive);
  web::ServeOptions options;
  options.workspace = dir.path();
  options.data_dir = test::source_dir();
  {
    test::web::RunningServer running(options);
    ASSERT_TRUE(running.started()) << running.error();
    auto setup = running.client().Get("/api/seal", running.reading());
    ASSERT_TRUE(setup);
    EXPECT_FALSE(nlohmann::json::parse(setup->body)["ready"].get<bool>());
    auto r = running.client().Post("/api/packages/complete/seal", running.changing(), R"({"passphrase":"x"})", "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 409);
  }
  EXPECT_FALSE(fs::exists(dir.path() / "verzegeld"));

  // Keys named but missing or wrong: the server does not start.
  options.signing_key = (dir.path() / "nergens.key").string();
  options.recipients = {(dir.path() / "nergens.pub").string()};
  EXPECT_FALSE(web::Server::create(options));
  options.recipients = {"age1notarecipient"};
  EXPECT_FALSE(web::Server::create(options));
  options.recipients = {};
  EXPECT_FALSE(web::Server::create(options)) << "a signing key without a recipient";
}

// The preview: dossier.pdf, the cover sheet and the report made in memory for the page, the
// cover's pages as pictures; the report under a policy of its own (no script, in a sandbox).
TEST_F(WebServer, APreviewShowsTheAssembledDossierWithoutWritingIt) {
  std::vector<fs::path> before;
  for (const auto& e : fs::recursive_directory_iterator(dir_.path())) before.push_back(e.path());
  httplib::Client c = client();
  c.set_read_timeout(300);
  auto made = c.Post("/api/packages/complete/preview", changing(), "", "application/json");
  ASSERT_TRUE(made);
  ASSERT_EQ(made->status, 201) << made->body;
  const auto p = nlohmann::json::parse(made->body);
  EXPECT_GE(p["pages"].get<int>(), 8) << "the cover sheet and the seven documents";
  EXPECT_EQ(p["files"]["dossier"]["name"], "dossier.pdf");
  EXPECT_EQ(p["files"]["cover"]["name"], "voorblad.pdf");
  ASSERT_FALSE(p["cover_pages"].empty());
  auto pdf = c.Get(p["files"]["dossier"]["href"].get<std::string>(), with_token());
  ASSERT_TRUE(pdf);
  EXPECT_EQ(pdf->status, 200);
  EXPECT_EQ(pdf->body.substr(0, 5), "%PDF-");
  EXPECT_EQ(pdf->body.size(), p["files"]["dossier"]["bytes"].get<std::size_t>());
  auto cover = c.Get(p["cover_pages"][0].get<std::string>(), with_token());
  ASSERT_TRUE(cover);
  EXPECT_EQ(cover->status, 200);
  EXPECT_EQ(cover->body.substr(1, 3), "PNG");
  auto report = c.Get(p["files"]["report"]["href"].get<std::string>(), with_token());
  ASSERT_TRUE(report);
  EXPECT_EQ(report->status, 200);
  EXPECT_NE(report->body.find("<html"), std::string::npos);
  EXPECT_EQ(report->get_header_value_count("Content-Security-Policy"), 1u);
  EXPECT_EQ(report->get_header_value("Content-Security-Policy").rfind("sandbox;", 0), 0u);
  // Nothing new on disk, and nothing of it for another package, a name not in it, or without the token.
  std::vector<fs::path> after;
  for (const auto& e : fs::recursive_directory_iterator(dir_.path())) after.push_back(e.path());
  EXPECT_EQ(before, after);
  ASSERT_TRUE(create("nieuw", changing()));
  for (const std::string& path : std::vector<std::string>{"/api/packages/nieuw/preview/dossier.pdf", "/api/packages/complete/preview/cover-99.png",
                                                          "/api/packages/complete/preview/cover-0.png", "/api/packages/complete/preview/referral.xml",
                                                          "/api/packages/complete/preview/..%2Freferral.xml"}) {
    auto r = c.Get(path, with_token());
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 404) << path;
  }
  EXPECT_EQ(c.Get(p["files"]["dossier"]["href"].get<std::string>())->status, 403);
  EXPECT_EQ(c.Post("/api/packages/complete/preview", with_token(), "", "application/json")->status, 403) << "Origin";
}

// Stopped at once, before its listeners may have begun: run() still returns (a listener that
// began late is stopped too).
TEST(WebServerStart, AServerStoppedAtOnceStillEnds) {
  TempDir dir;
  web::ServeOptions options;
  options.workspace = dir.path();
  options.data_dir = test::source_dir();
  for (int i = 0; i < 20; ++i) {
    auto server = web::Server::create(options);
    ASSERT_TRUE(server);
    std::thread run([&] { (*server)->run(); });
    (*server)->stop();
    run.join();
  }
}

// A package imported as a ZIP: written whole into the workspace, never over another, then read
// as any ZIP package (the example without its scan, which is over this fixture's 64 KiB limit:
// the check then misses the local care report).
TEST_F(WebServer, AZipPackageIsImportedWholeAndNeverOverAnother) {
  const fs::path source = fs::path(test::source_dir()) / "examples" / "complete";
  const fs::path zip_path = dir_.path() / ".." / (dir_.path().filename().string() + "-import.zip");
  {
    auto zip = io::ZipWriter::create(zip_path);
    ASSERT_TRUE(zip);
    for (const auto& e : fs::recursive_directory_iterator(source)) {
      if (!e.is_regular_file() || e.path().parent_path().filename() == "lokale-zorg") continue;
      const std::string text = test::read_text(e.path());
      ASSERT_TRUE(zip->add_deflated(fs::relative(e.path(), source).generic_string(), std::vector<std::uint8_t>(text.begin(), text.end())));
    }
    ASSERT_TRUE(zip->close());
  }
  const std::string bytes = test::read_text(zip_path);
  fs::remove(zip_path);
  const auto import = [&](const std::string& name, const std::string& content, const httplib::Headers& headers) {
    httplib::MultipartFormDataItems items{{"file", content, name, "application/zip"}};
    return client().Post("/api/packages/import", headers, items);
  };
  auto r = import("CL-2026-0050.zip", bytes, changing());
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 201) << r->body;
  EXPECT_EQ(test::read_text(dir_.path() / "CL-2026-0050.zip"), bytes);
  auto list = nlohmann::json::parse(client().Get("/api/packages", with_token())->body);
  bool listed = false;
  for (const auto& p : list)
    if (p["name"] == "CL-2026-0050.zip") listed = p["verdict"] == "incomplete" && p["documents"] == 6;
  EXPECT_TRUE(listed) << list.dump();
  // Never over another, never outside, only a ZIP, only within the limit, only from this page.
  EXPECT_EQ(import("CL-2026-0050.zip", "PK\x03\x04 other", changing())->status, 409);
  EXPECT_EQ(test::read_text(dir_.path() / "CL-2026-0050.zip"), bytes);
  for (const std::string& name : std::vector<std::string>{"../buiten.zip", ".verborgen.zip", "pakket.pdf", "a/b.zip", ""}) {
    auto bad = import(name, bytes, changing());
    ASSERT_TRUE(bad);
    EXPECT_EQ(bad->status, 400) << name;
  }
  EXPECT_EQ(import("geen-zip.zip", "%PDF-1.7", changing())->status, 400);
  EXPECT_EQ(import("groot.zip", "PK\x03\x04" + std::string(64 * 1024, 'x'), changing())->status, 413);
  EXPECT_EQ(import("zonder-origin.zip", bytes, with_token())->status, 403);
  EXPECT_FALSE(fs::exists(dir_.path().parent_path() / "buiten.zip"));
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir_.path())) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"CL-2026-0050.zip", "complete"})) << "nothing else written, no temporary file";
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

// Sealing from the page in `dossier serve`: see web/seal_routes.hpp.
#include "web/seal_routes.hpp"

#include <fstream>
#include <memory>

#include <nlohmann/json.hpp>

#include "app/bundle.hpp"
#include "app/check.hpp"
#include "app/keys.hpp"
#include "crypto/secret.hpp"
#include "web/http.hpp"

namespace dossier::web {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

// A new bundle's name in verzegeld/: PACKAGE-DATE.dossier, then -2, -3, ... (never over one).
fs::path new_bundle_path(const fs::path& folder, const std::string& package, const std::string& date) {
  std::string stem = package;
  if (stem.size() > 4 && stem.ends_with(".zip")) stem.resize(stem.size() - 4);
  std::error_code ec;
  for (int n = 1;; ++n) {
    const fs::path p = folder / (stem + "-" + date + (n == 1 ? "" : "-" + std::to_string(n)) + ".dossier");
    if (!fs::exists(fs::symlink_status(p, ec))) return p;
  }
}

json verification(const app::VerifyResult& v) {
  json problems = json::array();
  for (const auto& p : v.problems)
    problems.push_back({{"check", app::check_name(p.check)}, {"entry", p.entry}, {"detail", p.detail}});
  json out{{"valid", v.valid}, {"signer_key_id", v.signer_key_id}, {"problems", problems}};
  if (v.manifest)
    out["manifest"] = {{"dossier_id", v.manifest->dossier_id}, {"created", v.manifest->created},
                       {"purpose", v.manifest->purpose}, {"verdict", v.manifest->verdict},
                       {"entries", v.manifest->entries.size()}};
  return out;
}

}  // namespace

Result<SealSetup> load_seal_setup(const std::vector<std::string>& recipients, const std::string& signing_key) {
  SealSetup setup;
  if (recipients.empty() && signing_key.empty()) return setup;
  if (recipients.empty()) return fail(Errc::usage, "sealing needs CoMensha's public key too (-r)");
  if (signing_key.empty()) return fail(Errc::usage, "sealing needs your signing key too (-s)");
  auto loaded = app::load_recipients(recipients);
  if (!loaded) return tl::unexpected(loaded.error());
  setup.recipients = std::move(*loaded);
  for (const auto& r : recipients) setup.recipient_names.push_back(r.rfind("age1", 0) == 0 ? r : fs::path(r).filename().string());
  std::error_code ec;
  if (!fs::is_regular_file(signing_key, ec)) return fail(Errc::not_found, signing_key + ": no such key file");
  setup.signing_key = fs::absolute(signing_key, ec);
  fs::path pub = setup.signing_key;
  pub.replace_extension(".pub");
  if (auto key = app::load_public_key(pub)) setup.signer = *key;
  return setup;
}

void add_seal_routes(httplib::Server& svr, Workspace& ws, const SealSetup& setup) {
  // What sealing will use, for the page to show before the passphrase is asked.
  svr.Get("/api/seal", [&setup](const httplib::Request&, httplib::Response& res) {
    json recipients = json::array();
    for (const auto& r : setup.recipient_names) recipients.push_back(r);
    res.set_content(json{{"ready", !setup.signing_key.empty()},
                         {"recipients", recipients},
                         {"signing_key", setup.signing_key.empty() ? json(nullptr) : json(setup.signing_key.filename().string())},
                         {"signer_key_id", setup.signer ? json(setup.signer->key_id_hex()) : json(nullptr)}}
                        .dump(),
                    "application/json");
  });

  svr.Post(R"(/api/packages/([^/]+)/seal)", [&ws, &setup](const httplib::Request& req, httplib::Response& res) {
    // The passphrase arrived in ordinary memory: wipe every copy of it, whatever happens.
    // (The request is the server's own object; only its body is wiped.)
    std::string& body = const_cast<std::string&>(req.body);
    const bool too_large = body.size() > kMaxSealRequestBytes;
    json request = too_large ? json() : json::parse(body, nullptr, false);
    crypto::wipe(body);
    crypto::SecretBytes passphrase;
    std::string purpose = "referral";
    if (request.is_object() && request.contains("passphrase") && request["passphrase"].is_string()) {
      auto& text = request["passphrase"].get_ref<std::string&>();
      passphrase = crypto::SecretBytes(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
      crypto::wipe(text);
    }
    if (request.is_object() && request.contains("purpose") && request["purpose"].is_string())
      purpose = request["purpose"].get<std::string>();
    const Lang lang = lang_of(req);
    const Catalogue& words = ws.words(lang);
    if (setup.signing_key.empty()) return refuse(res, 409, words.get("web.seal.not-set-up"));
    if (too_large) return refuse(res, 413, "the request is larger than the limit");
    if (purpose != "referral" && purpose != "advice-request") return refuse(res, 400, "purpose is referral or advice-request");
    auto package = ws.package(req.matches[1]);
    if (!package) return refuse(res, status_of(package.error()), package.error().message);

    const auto prompt = [&passphrase](const std::string&) -> Result<crypto::SecretBytes> {
      if (passphrase.empty()) return fail(Errc::bad_passphrase, "no passphrase was typed");
      return passphrase.clone();
    };
    auto key = app::load_signing_key(setup.signing_key, app::PassphraseSource(std::nullopt, prompt), {});
    passphrase = crypto::SecretBytes();
    if (!key) {
      if (key.error().code == Errc::bad_passphrase) return refuse(res, 403, words.get("web.seal.bad-passphrase"));
      return refuse(res, 500, key.error().message);
    }

    const auto lock = ws.write_lock();  // no document changes while it is sealed
    const fs::path folder = ws.root() / kSealedFolder;
    std::error_code ec;
    if (fs::is_symlink(folder, ec) || (fs::exists(folder, ec) && !fs::is_directory(folder, ec)))
      return refuse(res, 500, std::string(kSealedFolder) + " in the workspace is not a folder");
    fs::create_directory(folder, ec);
    if (ec) return refuse(res, 500, folder.string() + ": " + ec.message());
    app::SealOptions options;
    options.check.data_dir = ws.data_dir();
    options.recipients = setup.recipients;
    options.signer = &*key;
    options.advice_request = purpose == "advice-request";
    const fs::path out = new_bundle_path(folder, package->filename().string(), app::today_in_amsterdam());
    auto sealed = app::seal_bundle(*package, out, options, words);
    if (!sealed) return refuse(res, 500, sealed.error().message);
    if (!sealed->sealed) {
      res.status = 422;
      res.set_content(json{{"error", words.get(sealed->report.verdict == Verdict::not_eligible && !options.advice_request
                                                   ? "web.seal.not-eligible"
                                                   : "web.seal.incomplete")},
                           {"verdict", verdict_name(sealed->report.verdict)}}
                          .dump(),
                      "application/json");
      return;
    }
    // Verified at once, as an auditor would: with the public key only.
    auto verified = app::verify_bundle(out, key->public_key());
    json answer{{"sealed", true},
                {"file", out.filename().string()},
                {"folder", kSealedFolder},
                {"bytes", sealed->bytes},
                {"download", "/api/bundles/" + out.filename().string()},
                {"reading_copy", sealed->reading_copy.has_value()},
                {"verify", verified ? verification(*verified) : json{{"valid", false}, {"error", verified.error().message}}}};
    res.status = 201;
    res.set_content(answer.dump(), "application/json");
  });

  // A sealed bundle of the workspace, to download (it holds only ciphertext and signed metadata).
  svr.Get(R"(/api/bundles/([^/]+))", [&ws](const httplib::Request& req, httplib::Response& res) {
    const std::string name = req.matches[1];
    if (!Workspace::single_name(name) || !name.ends_with(".dossier"))
      return refuse(res, 400, "a bundle is named by its file name, NAME.dossier");
    const fs::path file = ws.root() / kSealedFolder / name;
    std::error_code ec;
    if (fs::is_symlink(ws.root() / kSealedFolder, ec) || !fs::is_regular_file(fs::symlink_status(file, ec)))
      return refuse(res, 404, name + " is not a sealed bundle of this workspace");
    auto in = std::make_shared<std::ifstream>(file, std::ios::binary);
    const auto size = fs::file_size(file, ec);
    if (!*in || ec) return refuse(res, 500, name + ": cannot be read");
    res.set_header("Content-Disposition", "attachment; filename=\"" + name + "\"");
    res.set_content_provider(static_cast<std::size_t>(size), app::kBundleMimetype,
                             [in](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
                               std::vector<char> buffer(std::min<std::size_t>(length, 1u << 16));
                               in->seekg(static_cast<std::streamoff>(offset));
                               in->read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
                               const auto got = in->gcount();
                               if (got <= 0) return false;
                               sink.write(buffer.data(), static_cast<std::size_t>(got));
                               return true;
                             });
  });
}

}  // namespace dossier::web

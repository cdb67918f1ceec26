// Sealed bundles (issue 3, docs/bundle-format.md): round trip, what seal refuses, no plaintext
// on disk, keys and passphrases, and the canonical manifest. Tampering: bundle_tamper_test.cpp.
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <map>
#include <iostream>
#include <random>

#include "app/assemble.hpp"
#include "app/keys.hpp"
#include "core/unicode.hpp"
#include "crypto/digest.hpp"
#include "bundle_support.hpp"

namespace dossier::test::bundle {
namespace {

class Bundle : public ::testing::Test {
 protected:
  const Keys& k = Keys::get();
  TempDir tmp;
  fs::path pkg = tmp.path() / "pakket";
  fs::path out_dir = tmp.path() / "out";
  fs::path bundle = out_dir / "CL-2026-0042.dossier";
  fs::path open_parent = tmp.path() / "opened";
  fs::path open_dir = open_parent / "CL-2026-0042";

  void SetUp() override {
    fs::create_directories(out_dir);
    fs::create_directories(open_parent);
  }

  app::SealResult seal(const app::SealOptions& o) {
    auto r = app::seal_bundle(pkg, bundle, o, k.messages);
    if (!r) throw std::runtime_error("seal: " + r.error().message);
    return *r;
  }

  // Opening failed (the result says why) and left nothing at DIR or next to it.
  void expect_open_fails(const app::OpenOptions& o, Errc code) {
    auto r = app::open_bundle(bundle, open_dir, o, k.messages);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_FALSE(r->opened);
    EXPECT_EQ(r->error_code, code) << (r->error ? app::check_name(r->error->check) + std::string(": ") + r->error->detail : "");
    EXPECT_TRUE(r->files.empty());
    EXPECT_TRUE(listing(open_parent).empty());
  }
};

// ---- round trip ----

TEST_F(Bundle, RoundTripRestoresEveryFileByteForByte) {
  copy_package(pkg);
  const auto docs = package_documents(pkg);
  ASSERT_EQ(docs.size(), 7u);
  auto sealed = seal(k.seal_options(k.signer));
  ASSERT_TRUE(sealed.sealed);
  EXPECT_TRUE(sealed.report.complete);
  EXPECT_EQ(listing(out_dir), std::set<std::string>{bundle.filename().string()});
  EXPECT_EQ(sealed.bytes, fs::file_size(bundle));

  // The manifest as sealed, as stored and as verified.
  const auto& m = sealed.manifest;
  EXPECT_EQ(m.format, "1");
  EXPECT_TRUE(crypto::is_lower_hex(m.dossier_id, 32)) << m.dossier_id;
  // YYYY-MM-DDTHH:MM:SSZ, and within a minute of now (std::regex trips GCC 12's
  // -Wmaybe-uninitialized in the ASan build, so the shape is checked by hand).
  ASSERT_EQ(m.created.size(), 20u) << m.created;
  for (std::size_t i = 0; i < m.created.size(); ++i) {
    const char want = std::string_view("0000-00-00T00:00:00Z")[i];
    if (want == '0') {
      EXPECT_TRUE(m.created[i] >= '0' && m.created[i] <= '9') << m.created;
    } else {
      EXPECT_EQ(m.created[i], want) << m.created;
    }
  }
  std::tm tm{};
  ASSERT_NE(strptime(m.created.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm), nullptr) << m.created;
  const auto sealed_at = timegm(&tm);
  EXPECT_LE(std::abs(static_cast<long>(std::time(nullptr) - sealed_at)), 60L) << m.created;
  EXPECT_EQ(m.profile_id, "omm-eerste-fase");
  EXPECT_EQ(m.profile_version, "1.0.0");
  EXPECT_EQ(m.verdict, "complete");
  EXPECT_EQ(m.signer_key_id, k.signer.key_id_hex());
  // The index, the documents, then the reading copy: dossier.pdf, the cover sheet, the report.
  ASSERT_TRUE(sealed.reading_copy) << sealed.reading_copy_error;
  EXPECT_TRUE(sealed.reading_copy_error.empty());
  ASSERT_EQ(sealed.reading_copy_files.size(), 3u);
  const auto copy_names = app::assembly_names(k.messages.lang());
  EXPECT_EQ(sealed.reading_copy_files[0].name, copy_names.dossier);
  EXPECT_EQ(sealed.reading_copy_files[1].name, copy_names.cover);
  EXPECT_EQ(sealed.reading_copy_files[2].name, copy_names.report);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(sealed.reading_copy_files[i].role, ::dossier::bundle::kReadingCopyRoles[i]);
    EXPECT_EQ(sealed.reading_copy_files[i].entry, app::payload_entry_name(docs.size() + 1 + i));
  }
  EXPECT_EQ(sealed.reading_copy->pages, sealed.reading_copy->cover_pages + 7);  // one page per example document
  ASSERT_EQ(m.entries.size(), docs.size() + 1 + 3);
  EXPECT_EQ(m.entries[0].path, "payload/index.age");
  for (std::size_t i = 1; i < m.entries.size(); ++i) EXPECT_EQ(m.entries[i].path, app::payload_entry_name(i));
  auto stored = app::read_manifest(bundle);
  ASSERT_TRUE(stored) << stored.error().message;
  EXPECT_EQ(stored->serialise(), m.serialise());

  // The container: exactly the documented entries, in order, all stored.
  auto entries = BundleEntries::load(bundle);
  std::vector<std::string> names;
  for (const auto& e : entries.entries) names.push_back(e.name);
  std::vector<std::string> want = {"mimetype", app::kManifestEntry, app::kSignatureEntry, app::kIndexEntry};
  for (std::size_t i = 1; i <= docs.size() + 3; ++i) want.push_back(app::payload_entry_name(i));
  EXPECT_EQ(names, want);
  EXPECT_EQ(entries.text("mimetype"), app::kBundleMimetype);
  for (const auto& l : locate_entries(read_bytes(bundle))) {
    EXPECT_EQ(l.method, 0) << l.name;
  }
  for (const auto& me : m.entries) {
    crypto::Blake2b512 h;
    h.update(entries.at(me.path).data);
    EXPECT_EQ(me.size, entries.at(me.path).data.size()) << me.path;
    EXPECT_EQ(me.blake2b, h.hex_final()) << me.path;
  }
  // No document name or personal data in clear anywhere in the bundle.
  const std::string raw = read_text(bundle);
  for (const auto& d : docs) EXPECT_EQ(raw.find(fs::path(d).stem().string()), std::string::npos) << d;
  EXPECT_EQ(raw.find("CL-2026-0042"), std::string::npos);
  EXPECT_EQ(raw.find("Voorbeeld"), std::string::npos);

  auto v = app::verify_bundle(bundle, k.signer_pub);
  ASSERT_TRUE(v);
  EXPECT_TRUE(v->valid) << (v->problems.empty() ? "" : app::check_name(v->problems[0].check) + std::string(": ") + v->problems[0].detail);
  EXPECT_TRUE(v->problems.empty());
  ASSERT_TRUE(v->manifest);
  EXPECT_EQ(v->manifest->serialise(), m.serialise());
  EXPECT_EQ(v->trusted_comment, app::trusted_comment_for(m));
  EXPECT_EQ(v->trusted_comment, "dossier-bundle format=1 id=" + m.dossier_id + " created=" + m.created);

  std::vector<std::string> progress;
  auto oo = k.open_options(k.comensha, k.signer_pub);
  oo.progress = [&](std::size_t, std::size_t, const std::string& what) { progress.push_back(what); };
  auto opened = app::open_bundle(bundle, open_dir, oo, k.messages);
  ASSERT_TRUE(opened) << opened.error().message;
  ASSERT_TRUE(opened->opened) << (opened->error ? opened->error->detail : "");
  EXPECT_TRUE(opened->verify.valid);
  ASSERT_TRUE(opened->report);
  EXPECT_TRUE(opened->report->complete);
  EXPECT_EQ(opened->report->profile_id, "omm-eerste-fase");
  EXPECT_EQ(progress, docs);

  // DIR holds exactly the package (no scratch file, no staging folder), byte for byte; the
  // reading copy (dossier.pdf, the cover sheet and the report with the verified signature) is in
  // a folder of its own beside it.
  std::set<std::string> want_files = {"referral.xml"};
  for (const auto& d : docs) want_files.insert(d);
  std::set<std::string> got_files;
  for (const auto& p : listing(open_dir)) {
    if (fs::is_regular_file(open_dir / p)) got_files.insert(p);
  }
  EXPECT_EQ(got_files, want_files);
  // The reading copy is the one sealed: dossier.pdf and the cover sheet byte for byte as the
  // index's SHA-256 says, the sealed report beside open's own (which names the signature).
  EXPECT_TRUE(opened->assembly_error.empty()) << opened->assembly_error;
  ASSERT_TRUE(opened->assembly);
  EXPECT_TRUE(opened->sealed_copy);
  const auto reading = app::assembly_names(k.messages.lang());
  EXPECT_EQ(opened->assembly_dir, app::reading_copy_dir(open_dir, k.messages.lang()));
  const std::vector<std::string> copy_files = {reading.dossier, reading.cover, reading.sealed_report, reading.report};
  EXPECT_EQ(opened->assembly_files, copy_files);
  EXPECT_EQ(listing(opened->assembly_dir), std::set<std::string>(copy_files.begin(), copy_files.end()));
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(crypto::sha256_hex(read_bytes(opened->assembly_dir / copy_files[i])), sealed.reading_copy_files[i].sha256)
        << copy_files[i];
  }
  const std::string report_html = read_text(opened->assembly_dir / reading.report);
  EXPECT_NE(report_html.find(m.dossier_id), std::string::npos) << "the report names the signed dossier";
  EXPECT_NE(report_html.find(v->signer_key_id), std::string::npos) << "and its signer";
  EXPECT_NE(report_html.find(sealed.reading_copy_files[0].sha256), std::string::npos) << "and the sealed dossier.pdf";
  const std::string sealed_report = read_text(opened->assembly_dir / reading.sealed_report);
  EXPECT_EQ(sealed_report.find(m.dossier_id), std::string::npos) << "made before the bundle had an id";
  EXPECT_NE(sealed_report.find(k.messages.get("assemble.signature-sealing")), std::string::npos);
  EXPECT_EQ(std::set<std::string>(opened->files.begin(), opened->files.end()), want_files);
  for (const auto& f : want_files) EXPECT_TRUE(read_text(open_dir / f) == read_text(pkg / f)) << f;
  EXPECT_EQ(listing(open_parent).count("CL-2026-0042"), 1u);
  EXPECT_EQ(listing(open_parent).count(opened->assembly_dir.filename().string()), 1u);
  EXPECT_TRUE(staging_leftovers(open_parent).empty());
  EXPECT_TRUE(staging_leftovers(out_dir).empty());

  // Opening again into the same DIR is refused: never into an existing folder.
  auto again = app::open_bundle(bundle, open_dir, oo, k.messages);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::usage);
}

TEST_F(Bundle, MultiChunkDocumentRoundTrips) {
  copy_package(pkg);
  // A 200 KiB request: four 64 KiB STREAM chunks, the last one partial.
  const fs::path big = pkg / "aanmelding/plaatsingsverzoek.pdf";
  const std::string padded = padded_pdf(read_text(big), 200 * 1024);
  write_bytes(big, span_of(padded));
  auto sealed = seal(k.seal_options(k.signer));
  ASSERT_TRUE(sealed.sealed) << render_text(sealed.report, k.messages, false);
  ASSERT_GE(sealed.manifest.entries.size(), 2u);
  EXPECT_GT(sealed.manifest.entries[1].size, 3 * crypto::age::kChunkSize);
  auto opened = app::open_bundle(bundle, open_dir, k.open_options(k.comensha, k.signer_pub), k.messages);
  ASSERT_TRUE(opened) << opened.error().message;
  ASSERT_TRUE(opened->opened) << (opened->error ? opened->error->detail : "");
  EXPECT_TRUE(read_text(open_dir / "aanmelding/plaatsingsverzoek.pdf") == padded);
}

TEST_F(Bundle, EmptyFileCannotBeSealed) {
  // An empty file is never a readable PDF (documents.readable fails), so no complete package
  // holds one and seal refuses it: the age empty-payload case is covered in age_roundtrip_test.
  copy_package(pkg);
  write_bytes(pkg / "aanmelding/leeg.pdf", {});
  auto sealed = seal(k.seal_options(k.signer));
  EXPECT_FALSE(sealed.sealed);
  EXPECT_FALSE(sealed.report.complete);
  const auto readable = std::find_if(sealed.report.findings.begin(), sealed.report.findings.end(),
                                     [](const Finding& f) { return f.rule == "documents.readable"; });
  ASSERT_NE(readable, sealed.report.findings.end());
  EXPECT_EQ(readable->status, Status::failed);
  EXPECT_EQ(readable->files, std::vector<std::string>{"aanmelding/leeg.pdf"});
  EXPECT_TRUE(listing(out_dir).empty());
}

TEST_F(Bundle, TwoRecipientsCanEachOpen) {
  copy_package(pkg);
  auto o = k.seal_options(k.signer);
  o.recipients.push_back(k.stranger.recipient());
  ASSERT_TRUE(seal(o).sealed);
  auto first = app::open_bundle(bundle, open_dir, k.open_options(k.comensha, k.signer_pub), k.messages);
  ASSERT_TRUE(first && first->opened);
  auto second = app::open_bundle(bundle, open_parent / "two", k.open_options(k.stranger, k.signer_pub), k.messages);
  ASSERT_TRUE(second && second->opened);
}

// ---- what seal refuses ----

TEST_F(Bundle, SealRefusesAnIncompletePackageAndWritesNothing) {
  copy_package(pkg, "incomplete");
  const auto before = listing(tmp.path());
  auto sealed = seal(k.seal_options(k.signer));
  EXPECT_FALSE(sealed.sealed);
  EXPECT_FALSE(sealed.report.complete);
  EXPECT_FALSE(sealed.report.findings.empty());
  EXPECT_EQ(sealed.bytes, 0u);
  EXPECT_TRUE(listing(out_dir).empty());
  EXPECT_EQ(listing(tmp.path()), before);
}

TEST_F(Bundle, SealRefusesAnExistingOutput) {
  copy_package(pkg);
  write_bytes(bundle, span_of("keep me"));
  auto r = app::seal_bundle(pkg, bundle, k.seal_options(k.signer), k.messages);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::usage);
  EXPECT_EQ(read_text(bundle), "keep me");
  EXPECT_EQ(listing(out_dir), std::set<std::string>{bundle.filename().string()});
}

TEST_F(Bundle, SealUsageAndNotFoundErrors) {
  copy_package(pkg);
  auto none = k.seal_options(k.signer);
  none.recipients.clear();
  auto r = app::seal_bundle(pkg, bundle, none, k.messages);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::usage);

  auto unsigned_opts = k.seal_options(k.signer);
  unsigned_opts.signer = nullptr;
  r = app::seal_bundle(pkg, bundle, unsigned_opts, k.messages);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::usage);

  r = app::seal_bundle(tmp.path() / "no-such-package", bundle, k.seal_options(k.signer), k.messages);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::not_found);

  r = app::seal_bundle(pkg, tmp.path() / "no-such-folder" / "x.dossier", k.seal_options(k.signer), k.messages);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::not_found);
  EXPECT_TRUE(listing(out_dir).empty());
  EXPECT_TRUE(staging_leftovers(tmp.path()).empty());
}

TEST_F(Bundle, SealRefusesAnOutputInsideThePackage) {
  copy_package(pkg);
  const auto before = listing(pkg);
  for (const auto& inside : {pkg / "CL.dossier", pkg / "politie" / "CL.dossier", pkg / "politie" / ".." / "CL.dossier"}) {
    auto r = app::seal_bundle(pkg, inside, k.seal_options(k.signer), k.messages);
    ASSERT_FALSE(r) << inside;
    EXPECT_EQ(r.error().code, Errc::usage) << inside;
    EXPECT_NE(r.error().message.find("inside the package"), std::string::npos) << r.error().message;
  }
  EXPECT_EQ(listing(pkg), before);
  // Next to it is fine, also when the names share a prefix ("pakket" and "pakket-uit").
  fs::create_directories(tmp.path() / "pakket-uit");
  auto r = app::seal_bundle(pkg, tmp.path() / "pakket-uit" / "CL.dossier", k.seal_options(k.signer), k.messages);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->sealed);
}

TEST_F(Bundle, SealFailingHalfwayLeavesNothing) {
  // A document that changes size after the package was listed (here: as the check starts, when
  // seal's staging folder already holds the ciphertext it writes as the check reads) makes the
  // check fail the package: nothing is sealed, and the staging folder must be gone.
  copy_package(pkg);
  const auto docs = package_documents(pkg);
  auto o = k.seal_options(k.signer);
  o.check.parallel = 1;  // the documents in order: the last one is changed before it is read
  bool staged = false;
  bool changed = false;
  o.check.progress = [&](std::size_t, std::size_t, const std::string&) {
    if (changed) return;
    changed = true;
    staged = !staging_leftovers(out_dir).empty();
    write_bytes(pkg / docs.back(), span_of(read_text(pkg / docs.back()) + "\n% changed\n"));
  };
  auto r = app::seal_bundle(pkg, bundle, o, k.messages);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(r->sealed);
  EXPECT_FALSE(r->report.complete);
  EXPECT_TRUE(staged);
  EXPECT_TRUE(listing(out_dir).empty());
}

// ---- issue 8: every byte sealed is a byte the check judged ----

// referral.xml replaced by an incomplete version once the check has read it (its first progress
// call comes after that): the bundle carries the version that was judged complete, as read once.
// Before, seal read referral.xml three times (a hash, the check, the index), and swapping two
// versions in the right moments sealed one the check had not seen.
TEST_F(Bundle, SealCarriesTheReferralTheCheckJudged) {
  copy_package(pkg);
  const std::string judged = read_text(pkg / "referral.xml");
  const std::string other = replace_once(judged, "<consent basis=\"written-consent\">", "<consent basis=\"none\">");
  auto o = k.seal_options(k.signer);
  bool swapped = false;
  o.check.progress = [&](std::size_t, std::size_t, const std::string&) {
    if (swapped) return;
    swapped = true;
    write_bytes(pkg / "referral.xml", span_of(other));
  };
  const auto sealed = seal(o);
  ASSERT_TRUE(swapped);
  ASSERT_TRUE(sealed.sealed);
  EXPECT_TRUE(sealed.report.complete);
  auto opened = app::open_bundle(bundle, open_dir, k.open_options(k.comensha, k.signer_pub), k.messages);
  ASSERT_TRUE(opened && opened->opened);
  EXPECT_TRUE(read_text(open_dir / "referral.xml") == judged);
  // The version on disk now is one the check would not pass.
  auto now = app::run_check(pkg, k.seal_options(k.signer).check, k.messages);
  ASSERT_TRUE(now);
  EXPECT_FALSE(now->complete);
}

TEST_F(Bundle, SealReadsReferralXmlOnce) {
  copy_package(pkg);
  const int watch = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  ASSERT_GE(watch, 0);
  ASSERT_GE(::inotify_add_watch(watch, (pkg / "referral.xml").c_str(), IN_OPEN), 0);
  ASSERT_TRUE(seal(k.seal_options(k.signer)).sealed);
  int opens = 0;
  alignas(inotify_event) char buf[4096];
  for (ssize_t n; (n = ::read(watch, buf, sizeof buf)) > 0;) {
    for (ssize_t at = 0; at < n;) {
      const auto* e = reinterpret_cast<const inotify_event*>(buf + at);
      opens += (e->mask & IN_OPEN) != 0 ? 1 : 0;
      at += static_cast<ssize_t>(sizeof(inotify_event) + e->len);
    }
  }
  ::close(watch);
  EXPECT_EQ(opens, 1);
}

// Seal encrypts the pieces the check reads (one read of each document), so a document changed
// once the check has read it, keeping its size, changes nothing: the bundle holds the bytes that
// were judged. (Before, seal read each document again to encrypt it and compared hashes.)
TEST_F(Bundle, DocumentChangedAfterTheCheckReadItIsSealedAsJudged) {
  copy_package(pkg);
  const auto docs = package_documents(pkg);
  const std::string judged = read_text(pkg / docs[0]);
  auto o = k.seal_options(k.signer);
  bool changed = false;
  o.progress = [&](std::size_t, std::size_t, const std::string&) {
    if (changed) return;  // the check is over: seal writes the bundle
    changed = true;
    std::string other = judged;
    other[other.size() / 2] = static_cast<char>(other[other.size() / 2] ^ 0x20);
    write_bytes(pkg / docs[0], span_of(other));
  };
  const auto sealed = seal(o);
  ASSERT_TRUE(changed);
  ASSERT_TRUE(sealed.sealed);
  EXPECT_EQ(sealed.report.documents[0].sha256, crypto::sha256_hex(span_of(judged)));
  auto opened = app::open_bundle(bundle, open_dir, k.open_options(k.comensha, k.signer_pub), k.messages);
  ASSERT_TRUE(opened && opened->opened);
  EXPECT_TRUE(read_text(open_dir / docs[0]) == judged);
  EXPECT_FALSE(read_text(pkg / docs[0]) == judged);
}

// The ciphertexts are written once, into their places behind room reserved for the head; the
// encrypted index is padded (JSON whitespace) so that the head fills that room. A head that does
// not fit (here: a reserve of 1 KiB) takes the slower way, the ciphertexts copied into a second
// file. Both bundles verify and open to the same package; only the padded one is larger.
TEST_F(Bundle, HeadInTheReserveOrCopiedBehindItGiveTheSamePackage) {
  copy_package(pkg);
  const auto docs = package_documents(pkg);
  auto o = k.seal_options(k.signer);
  const auto padded = seal(o);
  ASSERT_TRUE(padded.sealed);
  o.head_reserve = 1024;
  const fs::path copied = out_dir / "copied.dossier";
  auto r = app::seal_bundle(pkg, copied, o, k.messages);
  ASSERT_TRUE(r && r->sealed);
  EXPECT_TRUE(listing(out_dir) == (std::set<std::string>{bundle.filename().string(), "copied.dossier"}));
  for (const fs::path& b : {bundle, copied}) {
    auto v = app::verify_bundle(b, k.signer_pub);
    ASSERT_TRUE(v);
    EXPECT_TRUE(v->valid) << b;
    const fs::path dir = open_dir.parent_path() / ("open-" + b.stem().string());
    auto opened = app::open_bundle(b, dir, k.open_options(k.comensha, k.signer_pub), k.messages);
    ASSERT_TRUE(opened && opened->opened) << b;
    for (const auto& d : docs) EXPECT_TRUE(read_text(dir / d) == read_text(pkg / d)) << b << " " << d;
    EXPECT_TRUE(read_text(dir / "referral.xml") == read_text(pkg / "referral.xml"));
  }
  // The payload entries are the same size in both; the index carries the padding.
  EXPECT_EQ(padded.manifest.entries.size(), r->manifest.entries.size());
  for (std::size_t i = 1; i < padded.manifest.entries.size(); ++i) {
    EXPECT_EQ(padded.manifest.entries[i].size, r->manifest.entries[i].size);
  }
  EXPECT_GT(padded.manifest.entries[0].size, r->manifest.entries[0].size);
  EXPECT_GT(fs::file_size(bundle), fs::file_size(copied));
}

// Each document is opened once by seal: by the check, whose read the encryption shares.
TEST_F(Bundle, SealOpensEachDocumentOnce) {
  copy_package(pkg);
  const auto docs = package_documents(pkg);
  const int watch = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  ASSERT_GE(watch, 0);
  std::map<int, std::string> watched;
  for (const auto& d : docs) {
    const int wd = ::inotify_add_watch(watch, (pkg / d).c_str(), IN_OPEN);
    ASSERT_GE(wd, 0);
    watched[wd] = d;
  }
  ASSERT_TRUE(seal(k.seal_options(k.signer)).sealed);
  std::map<std::string, int> opens;
  alignas(inotify_event) char buf[4096];
  for (ssize_t n; (n = ::read(watch, buf, sizeof buf)) > 0;) {
    for (ssize_t at = 0; at < n;) {
      const auto* e = reinterpret_cast<const inotify_event*>(buf + at);
      if ((e->mask & IN_OPEN) != 0) ++opens[watched[e->wd]];
      at += static_cast<ssize_t>(sizeof(inotify_event) + e->len);
    }
  }
  ::close(watch);
  ASSERT_EQ(opens.size(), docs.size());
  for (const auto& [doc, n] : opens) EXPECT_EQ(n, 1) << doc;
}

// Issue 8: seal applies open's rules for document paths, so it never seals what open refuses:
// a document referral.xml does not declare, names that differ only in
// case, a name that is not NFC. Nothing is written.
TEST_F(Bundle, SealRefusesDocumentNamesOpenWouldRefuse) {
  const std::string police = "politie/intake-avim.pdf";
  auto declare = [&](const std::string& path) {
    const auto xml = read_text(pkg / "referral.xml");
    write_bytes(pkg / "referral.xml",
                span_of(replace_once(xml, "  </documents>", "    <document path=\"" + path +
                                                                "\" date=\"2026-10-02\" issuer=\"Politie, AVIM\"/>\n  </documents>")));
  };
  struct Case {
    std::string why;
    std::string path;  // a copy of the police intake, under this name
    bool declared;
  };
  const std::vector<Case> cases = {
      {"an undeclared document", "politie/extra-verslag.pdf", false},
      {"names that differ only in case", "politie/Intake-avim.pdf", true},
      {"a decomposed (NFD) name", "politie/cafe\xCC\x81.pdf", true},
  };
  for (const auto& c : cases) {
    fs::remove_all(pkg);
    copy_package(pkg);
    fs::copy_file(pkg / police, pkg / c.path);
    if (c.declared) declare(c.path);
    auto r = app::seal_bundle(pkg, bundle, k.seal_options(k.signer), k.messages);
    // Name twins and non-NFC names fail the check (package.readable), an undeclared document
    // fails it too (documents.declared), so seal does not seal: the coordinator sees why in
    // the report, as with `dossier check`.
    ASSERT_TRUE(r) << c.why << ": " << r.error().message;
    EXPECT_FALSE(r->sealed) << c.why;
    EXPECT_FALSE(r->report.complete) << c.why;
    EXPECT_TRUE(listing(out_dir).empty()) << c.why;
  }
  // The same package with the copy declared under a name of its own seals.
  fs::remove_all(pkg);
  copy_package(pkg);
  fs::copy_file(pkg / police, pkg / "politie/extra-verslag.pdf");
  declare("politie/extra-verslag.pdf");
  EXPECT_TRUE(seal(k.seal_options(k.signer)).sealed);
}

// ---- no plaintext on disk ----

TEST_F(Bundle, SealWritesNoPlaintextToDisk) {
  copy_package(pkg);
  const auto slices = plaintext_slices(pkg);
  ASSERT_EQ(slices.size(), 8u);  // seven PDFs and referral.xml
  std::vector<std::string> hits;
  std::size_t calls = 0;
  bool saw_staging = false;
  auto o = k.seal_options(k.signer);
  o.progress = [&](std::size_t, std::size_t, const std::string&) {
    ++calls;
    saw_staging = saw_staging || !staging_leftovers(out_dir).empty();
    for (auto& h : files_containing(out_dir, slices)) hits.push_back(std::move(h));
  };
  // And while the check reads the documents, which seal encrypts as they are read.
  std::size_t check_calls = 0;
  o.check.progress = [&](std::size_t, std::size_t, const std::string&) {
    ++check_calls;
    for (auto& h : files_containing(out_dir, slices)) hits.push_back(std::move(h));
  };
  ASSERT_TRUE(seal(o).sealed);
  EXPECT_EQ(calls, 2u);  // as the head is written behind the ciphertexts already in place, and at the end
  EXPECT_GE(check_calls, 7u);
  EXPECT_TRUE(saw_staging);  // the scans did look inside the staging folder
  for (auto& h : files_containing(out_dir, slices)) hits.push_back(std::move(h));
  EXPECT_TRUE(hits.empty()) << hits.front();
  // The scan can find plaintext: the same slices are in the package itself.
  EXPECT_EQ(files_containing(pkg, slices).size(), slices.size());
}

TEST_F(Bundle, OpenKeepsPlaintextInsideAPrivateStagingFolder) {
  copy_package(pkg);
  ASSERT_TRUE(seal(k.seal_options(k.signer)).sealed);
  const auto slices = plaintext_slices(pkg);
  std::vector<std::string> outside;
  std::size_t calls = 0;
  auto oo = k.open_options(k.comensha, k.signer_pub);
  oo.progress = [&](std::size_t, std::size_t, const std::string&) {
    ++calls;
    EXPECT_FALSE(fs::exists(open_dir));
    const auto staged = staging_leftovers(open_parent);
    ASSERT_EQ(staged.size(), 1u);
    struct stat sb {};
    ASSERT_EQ(::stat((open_parent / staged[0]).c_str(), &sb), 0);
    EXPECT_EQ(sb.st_mode & 0777, 0700u);
    for (const auto& e : fs::directory_iterator(open_parent)) {
      if (e.path().filename() == staged[0]) continue;
      for (auto& h : files_containing(e.path(), slices)) outside.push_back(std::move(h));
    }
  };
  auto r = app::open_bundle(bundle, open_dir, oo, k.messages);
  ASSERT_TRUE(r && r->opened);
  EXPECT_EQ(calls, 7u);
  EXPECT_TRUE(outside.empty()) << outside.front();
}

TEST_F(Bundle, FailedOpenLeavesNoPlaintext) {
  // The last document's ciphertext is damaged in its last chunk and the manifest re-signed by
  // the right key: verify holds, six documents decrypt into staging, the seventh fails.
  copy_package(pkg);
  ASSERT_TRUE(seal(k.seal_options(k.signer)).sealed);
  auto b = BundleEntries::load(bundle);
  auto& last = b.at(app::payload_entry_name(7)).data;
  last[last.size() - 5] ^= 0x20;
  b.resign(k.signer);
  b.save(bundle);
  auto v = app::verify_bundle(bundle, k.signer_pub);
  ASSERT_TRUE(v && v->valid);

  const auto slices = plaintext_slices(pkg);
  std::size_t calls = 0;
  bool plaintext_staged = false;
  auto oo = k.open_options(k.comensha, k.signer_pub);
  oo.progress = [&](std::size_t i, std::size_t, const std::string&) {
    ++calls;
    if (i == 6) plaintext_staged = !files_containing(open_parent, slices).empty();
  };
  auto r = app::open_bundle(bundle, open_dir, oo, k.messages);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(r->opened);
  EXPECT_EQ(r->error_code, Errc::crypto);
  ASSERT_TRUE(r->error);
  EXPECT_EQ(r->error->entry, app::payload_entry_name(7));
  EXPECT_EQ(calls, 7u);
  EXPECT_TRUE(plaintext_staged);  // there was something to clean up
  EXPECT_TRUE(listing(open_parent).empty());
  EXPECT_TRUE(files_containing(tmp.path() / "opened", slices).empty());
}

// ---- identities and keys ----

TEST_F(Bundle, WrongIdentityOpensNothing) {
  copy_package(pkg);
  ASSERT_TRUE(seal(k.seal_options(k.signer)).sealed);
  auto oo = k.open_options(k.stranger, k.signer_pub);
  expect_open_fails(oo, Errc::no_identity);
  auto r = app::open_bundle(bundle, open_dir, oo, k.messages);
  ASSERT_TRUE(r && r->error);
  EXPECT_EQ(r->error->check, app::BundleCheck::identity);
  EXPECT_TRUE(r->verify.valid);  // the bundle itself is fine
}

// CoMensha keeps a register of the care coordinators' public keys: the key whose id the
// signature names must be in it; no other key in it may stand in for it.
TEST_F(Bundle, VerifyAndOpenAgainstARegisterOfSigners) {
  copy_package(pkg);
  ASSERT_TRUE(seal(k.seal_options(k.signer)).sealed);
  const auto other = crypto::minisign::SecretKey::generate().public_key();
  const std::vector<crypto::minisign::PublicKey> with = {other, k.attacker_pub, k.signer_pub};
  auto v = app::verify_bundle(bundle, with);
  ASSERT_TRUE(v);
  EXPECT_TRUE(v->valid);
  EXPECT_EQ(v->signer_key_id, k.signer_pub.key_id_hex());

  const std::vector<crypto::minisign::PublicKey> without = {other, k.attacker_pub};
  v = app::verify_bundle(bundle, without);
  ASSERT_TRUE(v);
  EXPECT_FALSE(v->valid);
  EXPECT_TRUE(v->signer_key_id.empty());
  EXPECT_FALSE(v->manifest.has_value());
  ASSERT_EQ(v->problems.size(), 1u);
  EXPECT_EQ(v->problems[0].check, app::BundleCheck::signature);
  EXPECT_NE(v->problems[0].detail.find(k.signer_pub.key_id_hex()), std::string::npos);
  EXPECT_NE(v->problems[0].detail.find("none of the 2 trusted"), std::string::npos);
  EXPECT_FALSE(app::verify_bundle(bundle, std::vector<crypto::minisign::PublicKey>{}));  // usage

  auto oo = k.open_options(k.comensha, k.signer_pub);
  oo.signer = nullptr;
  oo.signers = without;
  expect_open_fails(oo, Errc::crypto);
  oo.signers = with;
  auto r = app::open_bundle(bundle, open_dir, oo, k.messages);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->opened);
  EXPECT_EQ(r->verify.signer_key_id, k.signer_pub.key_id_hex());
}

TEST_F(Bundle, PublicKeyRegisterFromFilesAndFolders) {
  const auto reg = tmp.path() / "zorgcoordinatoren";
  fs::create_directories(reg);
  const auto a = crypto::minisign::SecretKey::generate().public_key();
  const auto b = crypto::minisign::SecretKey::generate().public_key();
  std::ofstream(reg / "a.pub") << a.to_file("");
  std::ofstream(reg / "b.pub") << b.to_file("");
  std::ofstream(reg / "notes.txt") << "not a key\n";  // only *.pub files count
  auto keys = app::load_public_keys({reg.string(), (reg / "a.pub").string()});
  ASSERT_TRUE(keys) << keys.error().message;
  ASSERT_EQ(keys->size(), 2u);  // a.pub given twice counts once
  EXPECT_TRUE(((*keys)[0] == a && (*keys)[1] == b));
  const auto empty = tmp.path() / "leeg";
  fs::create_directories(empty);
  auto none = app::load_public_keys({empty.string()});
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, Errc::usage);
  auto missing = app::load_public_keys({(tmp.path() / "nope.pub").string()});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::not_found);
  std::ofstream(reg / "c.pub") << "untrusted comment: broken\nAAAA\n";
  auto broken = app::load_public_keys({reg.string()});
  ASSERT_FALSE(broken);
  EXPECT_NE(broken.error().message.find("c.pub"), std::string::npos);
}

TEST_F(Bundle, OpenUsageErrors) {
  copy_package(pkg);
  ASSERT_TRUE(seal(k.seal_options(k.signer)).sealed);
  auto oo = k.open_options(k.comensha, k.signer_pub);
  oo.identities.clear();
  auto r = app::open_bundle(bundle, open_dir, oo, k.messages);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::usage);
  oo = k.open_options(k.comensha, k.signer_pub);
  oo.signer = nullptr;
  r = app::open_bundle(bundle, open_dir, oo, k.messages);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::usage);
  r = app::open_bundle(out_dir / "missing.dossier", open_dir, k.open_options(k.comensha, k.signer_pub), k.messages);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::not_found);
  auto v = app::verify_bundle(out_dir / "missing.dossier", k.signer_pub);
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code, Errc::not_found);
  EXPECT_TRUE(listing(open_parent).empty());
}

class BundleKeyfiles : public ::testing::Test {
 protected:
  TempDir tmp;
  std::vector<std::string> warnings;
  app::Warn warn = [this](const std::string& w) { warnings.push_back(w); };

  fs::path passfile(const std::string& name, const std::string& pass) {
    const auto p = tmp.path() / name;
    write_bytes(p, span_of(pass + "\n"));
    return p;
  }
  static crypto::SecretBytes secret(const std::string& s) {
    return crypto::SecretBytes(span_of(s).data(), s.size());
  }
};

TEST_F(BundleKeyfiles, EncryptionKeyWithPassphrase) {
  const auto pass = secret("correct horse");
  auto made = app::keygen_encryption(tmp.path() / "comensha", &pass, 10);
  ASSERT_TRUE(made) << made.error().message;
  EXPECT_EQ(read_text(made->secret_file).rfind("-----BEGIN AGE ENCRYPTED FILE-----", 0), 0u);

  auto ok = app::load_identities(made->secret_file, app::PassphraseSource(passfile("good", "correct horse")), warn);
  ASSERT_TRUE(ok) << ok.error().message;
  ASSERT_EQ(ok->size(), 1u);
  EXPECT_EQ(ok->front().recipient().to_string(), made->public_text);
  EXPECT_TRUE(warnings.empty());  // keygen wrote it 0600

  auto bad = app::load_identities(made->secret_file, app::PassphraseSource(passfile("bad", "wrong horse")), warn);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::bad_passphrase);
  EXPECT_NE(bad.error().message.find(made->secret_file.string()), std::string::npos) << bad.error().message;

  auto none = app::load_identities(made->secret_file, app::PassphraseSource(passfile("empty", "")), warn);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, Errc::usage);
}

TEST_F(BundleKeyfiles, SigningKeyWithPassphrase) {
  const auto pass = secret("correct horse");
  auto made = app::keygen_signing(tmp.path() / "coordinator", &pass, crypto::minisign::KdfParams::light());
  ASSERT_TRUE(made) << made.error().message;
  auto ok = app::load_signing_key(made->secret_file, app::PassphraseSource(passfile("good", "correct horse")), warn);
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->key_id_hex(), made->public_text);
  auto pub = app::load_public_key(made->public_file);
  ASSERT_TRUE(pub) << pub.error().message;
  EXPECT_EQ(*pub, ok->public_key());
  EXPECT_TRUE(warnings.empty());

  auto bad = app::load_signing_key(made->secret_file, app::PassphraseSource(passfile("bad", "wrong horse")), warn);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::bad_passphrase);
  EXPECT_NE(bad.error().message.find(made->secret_file.string()), std::string::npos) << bad.error().message;
}

TEST_F(BundleKeyfiles, ReadableByOthersWarns) {
  auto sign = app::keygen_signing(tmp.path() / "coordinator", nullptr);
  auto enc = app::keygen_encryption(tmp.path() / "comensha", nullptr);
  ASSERT_TRUE(sign && enc);
  const app::PassphraseSource no_pass(std::nullopt);
  for (const auto& f : {sign->secret_file, enc->secret_file}) {
    struct stat sb {};
    ASSERT_EQ(::stat(f.c_str(), &sb), 0);
    EXPECT_EQ(sb.st_mode & 0777, 0600u) << f;
  }
  ASSERT_TRUE(app::load_signing_key(sign->secret_file, no_pass, warn));
  ASSERT_TRUE(app::load_identities(enc->secret_file, no_pass, warn));
  EXPECT_TRUE(warnings.empty());

  for (const auto& f : {sign->secret_file, enc->secret_file}) fs::permissions(f, fs::perms(0644));
  ASSERT_TRUE(app::load_signing_key(sign->secret_file, no_pass, warn));  // a warning, not an error
  ASSERT_TRUE(app::load_identities(enc->secret_file, no_pass, warn));
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_NE(warnings[0].find(sign->secret_file.string()), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[0].find("chmod 600"), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[1].find(enc->secret_file.string()), std::string::npos) << warnings[1];
}

TEST_F(BundleKeyfiles, CorruptKeyFilesAreMalformedAndNamed) {
  const app::PassphraseSource no_pass(std::nullopt);
  auto sign = app::keygen_signing(tmp.path() / "coordinator", nullptr);
  auto enc = app::keygen_encryption(tmp.path() / "comensha", nullptr);
  ASSERT_TRUE(sign && enc);

  // One base64 character changed, in each kind of key file.
  const auto damage = [](const fs::path& f, const std::string& marker) {
    std::string t = read_text(f);
    const auto at = t.find(marker);
    if (at == std::string::npos) throw std::runtime_error("fixture lacks " + marker);
    char& c = t[at + marker.size() + 3];
    c = c == 'Q' ? 'P' : 'Q';
    write_bytes(f, span_of(t));
  };
  damage(enc->secret_file, "AGE-SECRET-KEY-1");  // Bech32 checksum
  const std::string pub_text = read_text(sign->public_file);
  write_bytes(sign->public_file, span_of(pub_text.substr(0, pub_text.size() - 10) + "\n"));  // cut short
  write_bytes(sign->secret_file, span_of("untrusted comment: x\nnot base64 at all!\n"));

  auto ids = app::load_identities(enc->secret_file, no_pass, warn);
  ASSERT_FALSE(ids);
  EXPECT_EQ(ids.error().code, Errc::malformed) << ids.error().message;
  EXPECT_NE(ids.error().message.find(enc->secret_file.string()), std::string::npos) << ids.error().message;

  auto key = app::load_signing_key(sign->secret_file, no_pass, warn);
  ASSERT_FALSE(key);
  EXPECT_EQ(key.error().code, Errc::malformed) << key.error().message;
  EXPECT_NE(key.error().message.find(sign->secret_file.string()), std::string::npos) << key.error().message;

  auto pub = app::load_public_key(sign->public_file);
  ASSERT_FALSE(pub);
  EXPECT_EQ(pub.error().code, Errc::malformed) << pub.error().message;
  EXPECT_NE(pub.error().message.find(sign->public_file.string()), std::string::npos) << pub.error().message;

  auto gone = app::load_identities(tmp.path() / "missing.key", no_pass, warn);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, Errc::not_found);
}

// ---- the canonical manifest ----

class BundleManifest : public ::testing::Test {
 protected:
  app::Manifest m = [] {
    app::Manifest x;
    x.format = "1";
    x.dossier_id = "3f0c9a1b2c3d4e5f60718293a4b5c6d7";
    x.created = "2026-11-24T17:55:01Z";
    x.profile_id = "omm-eerste-fase";
    x.profile_version = "1.0.0";
    x.verdict = "complete";
    x.purpose = "referral";
    x.signer_key_id = "8DAB18866E8CB19";
    x.entries = {{"payload/index.age", 2345, std::string(128, 'a')},
                 {"payload/0001.age", 10512, std::string(64, '0') + std::string(64, 'f')}};
    return x;
  }();
  std::string xml = m.serialise();

  void expect_rejected(const std::string& bad, const std::string& why) {
    ASSERT_NE(bad, xml) << why;
    auto r = app::Manifest::parse(bad);
    EXPECT_FALSE(r) << why << "\n" << bad;
    if (!r) {
      EXPECT_TRUE(r.error().code == Errc::malformed || r.error().code == Errc::unsupported) << why;
    }
  }
};

TEST_F(BundleManifest, SerialiseIsTheDocumentedShape) {
  EXPECT_EQ(xml,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<manifest format=\"1\">\n"
            "  <dossier id=\"3f0c9a1b2c3d4e5f60718293a4b5c6d7\" created=\"2026-11-24T17:55:01Z\"/>\n"
            "  <profile id=\"omm-eerste-fase\" version=\"1.0.0\"/>\n"
            "  <check verdict=\"complete\" purpose=\"referral\"/>\n"
            "  <signer key-id=\"8DAB18866E8CB19\"/>\n"
            "  <entry path=\"payload/index.age\" size=\"2345\" blake2b-512=\"" + std::string(128, 'a') + "\"/>\n"
            "  <entry path=\"payload/0001.age\" size=\"10512\" blake2b-512=\"" + std::string(64, '0') +
                std::string(64, 'f') + "\"/>\n"
            "</manifest>\n");
}

TEST_F(BundleManifest, ParseAcceptsSerialiseOutput) {
  auto r = app::Manifest::parse(xml);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->serialise(), xml);
  EXPECT_EQ(r->dossier_id, m.dossier_id);
  EXPECT_EQ(r->created, m.created);
  EXPECT_EQ(r->signer_key_id, m.signer_key_id);
  ASSERT_EQ(r->entries.size(), 2u);
  EXPECT_EQ(r->entries[1].size, 10512u);
  EXPECT_EQ(r->entries[1].blake2b, m.entries[1].blake2b);
  // A profile label with characters that need escaping still round-trips.
  m.profile_version = "1.0 <\"&'>";
  auto escaped = app::Manifest::parse(m.serialise());
  ASSERT_TRUE(escaped) << escaped.error().message;
  EXPECT_EQ(escaped->profile_version, m.profile_version);
}

TEST_F(BundleManifest, AnAdviceRequestMayBeNotEligible) {
  app::Manifest advice = m;
  advice.verdict = "not-eligible";
  advice.purpose = "advice-request";
  const auto text = advice.serialise();
  EXPECT_NE(text.find("<check verdict=\"not-eligible\" purpose=\"advice-request\"/>"), std::string::npos);
  const auto back = app::Manifest::parse(text);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->purpose, "advice-request");
  EXPECT_EQ(back->verdict, "not-eligible");
}

TEST_F(BundleManifest, ParseRejectsAnythingElse) {
  const std::string check = "  <check verdict=\"complete\" purpose=\"referral\"/>\n";
  const std::string profile = "  <profile id=\"omm-eerste-fase\" version=\"1.0.0\"/>\n";
  const std::string dossier = "<dossier id=\"3f0c9a1b2c3d4e5f60718293a4b5c6d7\" created=\"2026-11-24T17:55:01Z\"/>";
  const std::string entry1 = "  <entry path=\"payload/0001.age\"";
  expect_rejected(xml + "\n", "trailing newline");
  expect_rejected(replace_once(replace_once(xml, check, ""), "  <entry", check + "  <entry"), "reordered elements");
  expect_rejected(replace_once(replace_once(xml, profile, ""), "  <dossier", profile + "  <dossier"),
                  "profile before dossier");
  expect_rejected("\xEF\xBB\xBF" + xml, "a byte order mark");
  app::Manifest no_entries = m;
  no_entries.entries.clear();
  expect_rejected(no_entries.serialise(), "no entries");

  // One substitution each: whitespace, markup, attributes and elements not as serialise()
  // writes them, and a digest, entry name, number, time or id not in canonical form.
  const std::vector<std::array<std::string, 3>> substitutions = {
      {"  <check", "   <check", "extra indentation"},
      {"\"/>\n  <check", "\" />\n  <check", "space before />"},
      {"\n", "\r\n", "CRLF"},
      {"  <check", "  <!-- hi -->\n  <check", "a comment"},
      {"<check verdict=\"complete\"", "<check verdict=\"complete\" verdict=\"complete\"", "a duplicated attribute"},
      {"<signer key-id", "<signer key-id=\"8DAB18866E8CB19\" key-id", "a duplicated attribute before the real one"},
      {"created=\"2026-11-24T17:55:01Z\"/>", "created=\"2026-11-24T17:55:01Z\" x=\"1\"/>", "an extra attribute"},
      {dossier, "<dossier created=\"2026-11-24T17:55:01Z\" id=\"3f0c9a1b2c3d4e5f60718293a4b5c6d7\"/>",
       "reordered attributes"},
      {"  <signer", "  <extra/>\n  <signer", "an extra element"},
      {"<check verdict=\"complete\" purpose=\"referral\"/>", "<check verdict=\"complete\" purpose=\"referral\"></check>",
       "an element not self-closed"},
      {"purpose=\"referral\"", "purpose=\"\"", "no purpose"},
      {"purpose=\"referral\"", "purpose=\"advice\"", "an unknown purpose"},
      {"verdict=\"complete\" purpose=\"referral\"", "verdict=\"not-eligible\" purpose=\"referral\"",
       "a not-eligible referral (only an advice request may be not eligible)"},
      {"verdict=\"complete\" purpose=\"referral\"", "purpose=\"referral\" verdict=\"complete\"", "reordered check attributes"},
      {"</manifest>\n", "</manifest>\n<manifest/>\n", "a second root"},
      {check, check + check, "a duplicated element"},
      {entry1, "  <entry path=\"payload/0001.age\" size=\"1\" blake2b-512=\"" + std::string(128, 'b') + "\"/>\n" + entry1,
       "a duplicated entry"},
      {std::string(64, 'f'), std::string(64, 'F'), "an uppercase digest"},
      {std::string(128, 'a'), std::string(126, 'a'), "a short digest"},
      {"payload/0001.age", "payload/0002.age", "an entry out of sequence"},
      {"payload/0001.age", "payload/../x.age", "a traversing entry name"},
      {"payload/0001.age", "payload/1.age", "an unpadded entry name"},
      {"payload/index.age", "payload/0000.age", "no index first"},
      {"size=\"10512\"", "size=\"+10512\"", "a signed size"},
      {"size=\"10512\"", "size=\"010512\"", "a zero-padded size"},
      {"format=\"1\"", "format=\"&#x31;\"", "a character reference"},
      {"3f0c9a1b", "3F0C9A1B", "an uppercase dossier id"},
      {"17:55:01Z", "17:55:01+01:00", "a time zone offset"},
      {"8DAB18866E8CB19", "8dab18866e8cb19", "a lowercase key id"},
      {"complete", "incomplete", "an incomplete verdict"},
      {"verdict=\"complete\" purpose=\"referral\"", "verdict=\"incomplete\" purpose=\"advice-request\"",
       "an incomplete advice request"},
      {"format=\"1\"", "format=\"2\"", "another format"},
  };
  for (const auto& [from, to, why] : substitutions) expect_rejected(replace_once(xml, from, to), why);
}

// Issue 8: `created` is a real UTC instant, and the labels dossier copies from a profile hold
// nothing a terminal hides or obeys (they are printed by verify, open and inspect).
TEST_F(BundleManifest, CreatedIsARealUtcTime) {
  for (const char* ok : {"2026-11-24T17:55:01Z", "2000-01-01T00:00:00Z", "2028-02-29T23:59:59Z"}) {
    m.created = ok;
    auto r = app::Manifest::parse(m.serialise());
    EXPECT_TRUE(r) << ok << ": " << (r ? "" : r.error().message);
  }
  for (const char* bad : {"9999-99-99T99:99:99Z", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2027-02-29T12:00:00Z",
                          "2026-11-24T24:00:00Z", "2026-11-24T17:60:01Z", "2026-11-24T17:55:60Z", "2026-00-10T10:00:00Z",
                          "2026-11-00T10:00:00Z"}) {
    m.created = bad;
    auto r = app::Manifest::parse(m.serialise());
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, Errc::malformed) << bad;
    EXPECT_NE(r.error().message.find(bad), std::string::npos) << r.error().message;
  }
}

TEST_F(BundleManifest, LabelsHoldNoHiddenCharacters) {
  for (const std::string bad : {"omm\xE2\x80\xAE" "esaf-etsree", "omm\xE2\x81\xA6x\xE2\x81\xA9", "omm\xE2\x80\x8E",
                                "omm\xC2\x85", "omm\xC2\x9B" "31m", "omm\x7F", "omm\xFF", "omm\xEF\xBB\xBF"}) {
    for (auto* field : {&m.profile_id, &m.profile_version}) {
      const std::string keep = *field;
      *field = bad;
      EXPECT_FALSE(app::Manifest::parse(m.serialise())) << unicode::escape_for_terminal(bad);
      *field = keep;
    }
  }
  m.profile_version = "1.0 \xC3\xA9t\xC3\xA9";  // other UTF-8 is fine
  EXPECT_TRUE(app::Manifest::parse(m.serialise()));
}

TEST_F(BundleManifest, ErrorsShowHiddenCharactersEscaped) {
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"format=\"1\"", "format=\"1\xE2\x80\xAE\""},
           {"verdict=\"complete\"", "verdict=\"\xE2\x80\xAE" "complete\""},
           {"payload/0001.age", "payload/\xE2\x80\xAE" "0001.age"},
           {"created=\"2026-11-24T17:55:01Z\"", "created=\"2026\xE2\x80\xAE-11-24T17:55:01Z\""}}) {
    auto r = app::Manifest::parse(replace_once(xml, from, to));
    ASSERT_FALSE(r) << to;
    EXPECT_NE(r.error().message.find("<U+202E>"), std::string::npos) << r.error().message;
    EXPECT_EQ(r.error().message.find("\xE2\x80\xAE"), std::string::npos) << "raw U+202E in: " << to;
  }
}

// Random mutation (seeded, so a failure reproduces): whatever parse accepts is canonical, and it
// never crashes.
TEST_F(BundleManifest, WhatParseAcceptsUnderRandomMutationIsCanonical) {
  const std::string good = m.serialise();
  ASSERT_TRUE(app::Manifest::parse(good));
  std::mt19937_64 rng(20261201);
  const std::string alphabet = "<>/=\"' \n\t&;#x0123456789abcdefABCDEF-_.:?!payloadentry";
  std::size_t accepted = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string x = good;
    const int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits; ++e) {
      const auto at = static_cast<std::size_t>(rng() % x.size());
      switch (rng() % 4) {
        case 0: x[at] = static_cast<char>(rng() % 256); break;                    // any byte
        case 1: x[at] = alphabet[rng() % alphabet.size()]; break;                  // a plausible one
        case 2: x.insert(at, 1, alphabet[rng() % alphabet.size()]); break;         // insert
        default: x.erase(at, 1 + rng() % 8); break;                                 // delete a run
      }
      if (x.empty()) x = "<";
    }
    auto parsed = app::Manifest::parse(x);
    if (!parsed) continue;
    ++accepted;
    ASSERT_EQ(parsed->serialise(), x) << "accepted a non-canonical manifest in round " << round;
  }
  std::cout << "accepted " << accepted << " of 20000 mutated manifests, each canonical\n";
  // Some mutations keep the manifest valid (a digit of a size or digest): the test exercises both sides.
  EXPECT_GT(accepted, 0u);
  EXPECT_LT(accepted, 20000u);
}

}  // namespace
}  // namespace dossier::test::bundle

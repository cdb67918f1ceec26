// The referral loop of issue 11 at the app layer (app/bundle.hpp, app/decide.hpp;
// docs/decisions.md, docs/bundle-format.md "Supplements"): the care coordinator seals a referral,
// CoMensha decides on it (a .besluit bound to that bundle), the coordinator opens the decision and
// sends what was missing as a supplement, CoMensha opens the supplement with its base and decides
// again. Then every refusal of the loop: decisions bound to another bundle, tampered or signed by
// another key, decisions that are not valid or do not fit, supplements without (the right) base,
// superseded versions and chains of other signers; and the keyed fingerprints of the manifest.
//
// Bundles are sealed lazily and at most once per process (ctest runs each test in a process of
// its own), so that each test pays only for the seals it uses.
#include <algorithm>
#include <functional>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "app/bundle.hpp"
#include "app/decide.hpp"
#include "bundle_support.hpp"
#include "crypto/digest.hpp"

namespace dossier::test::loop {
namespace {

namespace fs = std::filesystem;
namespace tb = ::dossier::test::bundle;
using ::dossier::bundle::BundleRef;
using tb::BundleEntries;
using tb::listing;
using tb::TempDir;

// ---- keys: who is who ----

struct LoopKeys {
  // The care coordinator signs referrals and supplements and decrypts decisions.
  crypto::minisign::SecretKey coordinator = crypto::minisign::SecretKey::generate();
  crypto::minisign::PublicKey coordinator_pub = coordinator.public_key();
  crypto::age::X25519Identity coordinator_age = crypto::age::X25519Identity::generate();
  // Another care coordinator (a stranger to this referral).
  crypto::minisign::SecretKey other = crypto::minisign::SecretKey::generate();
  crypto::minisign::PublicKey other_pub = other.public_key();
  // CoMensha decrypts referrals and signs decisions.
  crypto::age::X25519Identity comensha_age = crypto::age::X25519Identity::generate();
  crypto::minisign::SecretKey comensha = crypto::minisign::SecretKey::generate();
  crypto::minisign::PublicKey comensha_pub = comensha.public_key();
  // A key that claims to be CoMensha's.
  crypto::minisign::SecretKey impostor = crypto::minisign::SecretKey::generate();
  crypto::minisign::PublicKey impostor_pub = impostor.public_key();
  Catalogue messages = *app::load_catalogue(source_dir(), Lang::nl);

  static const LoopKeys& get() {
    static const LoopKeys k;
    return k;
  }

  app::CheckOptions check() const {
    app::CheckOptions c;
    c.data_dir = source_dir();
    return c;
  }
  app::SealOptions seal(const crypto::minisign::SecretKey& key, std::optional<fs::path> supplements = std::nullopt,
                        bool reading_copy = true) const {
    app::SealOptions o;
    o.check = check();
    o.recipients = {comensha_age.recipient()};
    o.signer = &key;
    o.supplements = std::move(supplements);
    o.reading_copy = reading_copy;
    return o;
  }
  // CoMensha opening what coordinators sealed (trusting `trusted`).
  app::OpenOptions open_referral(std::vector<crypto::minisign::PublicKey> trusted) const {
    app::OpenOptions o;
    o.identities = {&comensha_age};
    o.signers = std::move(trusted);
    o.check = check();
    return o;
  }
  app::OpenOptions open_referral() const { return open_referral({coordinator_pub}); }
  // The coordinator opening a decision (signed with `signer`, by default CoMensha's key).
  app::OpenOptions open_decision(std::optional<BundleRef> answers,
                                 const crypto::minisign::PublicKey* signer = nullptr) const {
    app::OpenOptions o;
    o.identities = {&coordinator_age};
    o.signer = signer != nullptr ? signer : &comensha_pub;
    o.check = check();
    o.expect_answers = std::move(answers);
    return o;
  }
  app::DecideOptions decide(const fs::path& answered, std::optional<fs::path> record = std::nullopt) const {
    app::DecideOptions o;
    o.data_dir = source_dir();
    o.answered = answered;
    o.senders = {coordinator_pub};
    o.recipients = {coordinator_age.recipient(), comensha_age.recipient()};
    o.signer = &comensha;
    o.record = std::move(record);
    return o;
  }
};

// ---- decision.xml ----

const char* const kSafetyLine = "veiligheid/contactverbod.pdf";

// A decision of the first-phase profile for the example client; `answers` is an <answers>
// element or "" (decide fills it in).
std::string decision_xml(const std::string& grounds, const std::string& outcome, const std::string& answers = "") {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<decision version=\"1\" profile=\"omm-eerste-fase\" lang=\"nl\">\n" +
         answers +
         "  <client pseudonym=\"CL-2026-0042\"/>\n"
         "  <date>2026-11-20</date>\n"
         "  <reviewer role=\"beoordelaar OMM\"/>\n"
         "  <grounds>\n" +
         grounds + "  </grounds>\n" + outcome + "</decision>\n";
}

std::string more_information(const std::string& evidence = "safety", const std::string& answers = "") {
  return decision_xml("    <ground id=\"incomplete\" assessment=\"not-met\" reason=\"missing-documents\">"
                      "Het contactverbod ontbreekt.</ground>\n",
                      "  <outcome type=\"more-information\">\n"
                      "    <missing evidence=\"" + evidence + "\">Het contactverbod van het OM.</missing>\n"
                      "    <explanation>Stuur het contactverbod na.</explanation>\n"
                      "  </outcome>\n",
                      answers);
}

std::string placed(const std::string& provider_attribute = " provider=\"OMM Voorbeeld\"") {
  return decision_xml("    <ground id=\"incomplete\" assessment=\"met\"/>\n"
                      "    <ground id=\"trafficking\" assessment=\"met\"/>\n",
                      "  <outcome type=\"placed\"" + provider_attribute + ">\n"
                      "    <explanation>Intake volgt.</explanation>\n"
                      "  </outcome>\n");
}

std::string answers_element(const std::string& id, const std::string& sha, const std::string& sealed) {
  return "  <answers dossier-id=\"" + id + "\" manifest-sha256=\"" + sha + "\" sealed=\"" + sealed + "\"/>\n";
}

BundleRef ref_of(const app::Manifest& m) { return BundleRef{m.dossier_id, app::manifest_sha256(m)}; }

std::string sha256_of_file(const fs::path& p) {
  const std::string s = read_text(p);
  return crypto::sha256_hex(tb::span_of(s));
}

std::string problems_of(const app::DecideResult& r) {
  std::string s;
  for (const auto& i : r.issues) s += "issue " + std::to_string(i.line) + ": " + i.message + "\n";
  for (const auto& p : r.problems) s += "problem: " + p + "\n";
  if (r.answered) {
    for (const auto& p : r.answered->problems) s += "answered: " + std::string(app::check_name(p.check)) + ": " + p.detail + "\n";
  }
  return s;
}

std::string error_of(const app::OpenResult& r) {
  std::string s = r.error ? std::string(app::check_name(r.error->check)) + " (" + r.error->entry + "): " + r.error->detail
                          : std::string("no error");
  for (const auto& p : r.verify.problems) s += "; verify: " + std::string(app::check_name(p.check)) + ": " + p.detail;
  return s;
}

// The names in `dir`, not recursive.
std::set<std::string> names_in(const fs::path& dir) {
  std::set<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.insert(e.path().filename().string());
  return out;
}

bool contains(const std::vector<std::string>& list, const std::string& words) {
  return std::any_of(list.begin(), list.end(), [&](const std::string& s) { return s.find(words) != std::string::npos; });
}

// ---- the bundles, sealed once per process when first asked for ----

struct Sealed {
  fs::path file;
  app::SealResult result;
  BundleRef ref() const { return ref_of(result.manifest); }
};

class Bundles {
 public:
  static Bundles& get() {
    static Bundles b;
    return b;
  }

  // examples/complete without veiligheid/ (the folder and its line in referral.xml): complete,
  // with a warning, sealed by the coordinator.
  const Sealed& b1() { return lazy(b1_, [&] { return seal(partial(), "b1.dossier", k.coordinator); }); }
  // The same package sealed by another coordinator.
  const Sealed& foreign() {
    return lazy(foreign_, [&] { return seal(partial(), "foreign.dossier", k.other, std::nullopt, false); });
  }
  // The whole of examples/complete, as a supplement of b1: only the safety document is sent.
  const Sealed& b2() { return lazy(b2_, [&] { return seal(whole(), "b2.dossier", k.coordinator, b1().file); }); }
  // Another supplement of b1 (a second version of b2).
  const Sealed& b3() {
    return lazy(b3_, [&] { return seal(whole(), "b3.dossier", k.coordinator, b1().file, false); });
  }
  // The whole package as a bundle of its own (unrelated to b1).
  const Sealed& unrelated() {
    return lazy(unrelated_, [&] { return seal(whole(), "unrelated.dossier", k.coordinator, std::nullopt, false); });
  }
  // CoMensha's decision on b1: more information (the safety evidence), with its record.
  struct Decided {
    fs::path file;
    fs::path record;
    app::DecideResult result;
  };
  const Decided& d1() {
    return lazy(d1_, [&] {
      Decided d{dir_.path() / "b1.besluit", dir_.path() / "b1-besluit.xml", {}};
      auto r = app::decide(more_information(), d.file, k.decide(b1().file, d.record), k.messages);
      if (!r) throw std::runtime_error("fixture decide: " + r.error().message);
      if (!r->sealed) throw std::runtime_error("fixture decide: not sealed\n" + problems_of(*r));
      d.result = std::move(*r);
      return d;
    });
  }

  const fs::path& dir() const { return dir_.path(); }

  // The example package without the safety document.
  fs::path partial() {
    const fs::path p = dir_.path() / "pakket-zonder-veiligheid";
    if (!fs::exists(p)) {
      tb::copy_package(p);
      fs::remove_all(p / "veiligheid");
      std::string xml = read_text(p / "referral.xml");
      const auto at = xml.find(std::string("path=\"") + kSafetyLine + "\"");
      if (at == std::string::npos) throw std::runtime_error("referral.xml lacks the safety document");
      const auto begin = xml.rfind('\n', at) + 1;
      const auto end = xml.find('\n', at) + 1;
      xml.erase(begin, end - begin);
      tb::write_bytes(p / "referral.xml", tb::span_of(xml));
    }
    return p;
  }
  fs::path whole() {
    const fs::path p = dir_.path() / "pakket";
    if (!fs::exists(p)) tb::copy_package(p);
    return p;
  }

 private:
  Bundles() = default;

  template <typename T, typename Make>
  const T& lazy(std::optional<T>& slot, Make make) {
    if (!slot) slot.emplace(make());
    return *slot;
  }

  Sealed seal(const fs::path& package, const std::string& name, const crypto::minisign::SecretKey& key,
              std::optional<fs::path> supplements = std::nullopt, bool reading_copy = true) {
    Sealed s{dir_.path() / name, {}};
    auto r = app::seal_bundle(package, s.file, k.seal(key, std::move(supplements), reading_copy), k.messages);
    if (!r) throw std::runtime_error("fixture seal " + name + ": " + r.error().message);
    if (!r->sealed) throw std::runtime_error("fixture seal " + name + ": not sealed");
    s.result = std::move(*r);
    return s;
  }

  const LoopKeys& k = LoopKeys::get();
  TempDir dir_;
  std::optional<Sealed> b1_, foreign_, b2_, b3_, unrelated_;
  std::optional<Decided> d1_;
};

// Each test: a private folder `tmp` with `out` for what it seals and `opened` for what it opens;
// both must stay empty when something is refused.
class Loop : public ::testing::Test {
 protected:
  const LoopKeys& k = LoopKeys::get();
  Bundles& b = Bundles::get();
  TempDir tmp;
  fs::path out_parent = tmp.path() / "out";
  fs::path out = out_parent / "besluit.besluit";
  fs::path record = out_parent / "besluit.xml";
  fs::path open_parent = tmp.path() / "opened";
  fs::path open_dir = open_parent / "CL-2026-0042";

  void SetUp() override {
    fs::create_directories(out_parent);
    fs::create_directories(open_parent);
  }

  // A decide that seals nothing and writes nothing.
  app::DecideResult refused_decision(const std::string& xml, app::DecideOptions o) {
    o.record = record;
    auto r = app::decide(xml, out, o, k.messages);
    if (!r) throw std::runtime_error("decide error instead of a result: " + r.error().message);
    EXPECT_FALSE(r->sealed) << problems_of(*r);
    EXPECT_FALSE(r->decision.has_value());
    EXPECT_TRUE(listing(out_parent).empty()) << *listing(out_parent).begin();
    return *r;
  }

  // An open (of a bundle or a supplement chain) that was refused and left nothing behind.
  void expect_refused(const Result<app::OpenResult>& r, std::optional<app::BundleCheck> check,
                      const std::string& detail = "") {
    ASSERT_TRUE(r) << "open error instead of a result: " << r.error().message;
    EXPECT_FALSE(r->opened) << error_of(*r);
    EXPECT_TRUE(r->files.empty());
    EXPECT_FALSE(r->decision.has_value());
    if (check) {
      ASSERT_TRUE(r->error.has_value()) << error_of(*r);
      EXPECT_EQ(app::check_name(r->error->check), std::string(app::check_name(*check))) << error_of(*r);
      EXPECT_NE(r->error->detail.find(detail), std::string::npos) << error_of(*r);
    }
    EXPECT_TRUE(listing(open_parent).empty()) << *listing(open_parent).begin();
  }
};

// ---- 1. the whole loop ----

TEST_F(Loop, ReferralDecisionSupplementDecision) {
  // The referral, without the safety document.
  const Sealed& b1 = b.b1();
  EXPECT_TRUE(b1.result.report.complete);
  EXPECT_EQ(b1.result.manifest.purpose, "referral");
  EXPECT_TRUE(b1.result.manifest.supplements.empty());
  EXPECT_TRUE(b1.result.manifest.answers.empty());
  EXPECT_TRUE(b1.result.carried.empty());
  const BundleRef b1_ref = b1.ref();
  EXPECT_TRUE(crypto::is_lower_hex(b1_ref.manifest_sha256, 64)) << b1_ref.manifest_sha256;
  // The reference is that of the manifest as stored and signed.
  auto stored = app::read_manifest(b1.file);
  ASSERT_TRUE(stored) << stored.error().message;
  EXPECT_EQ(app::manifest_sha256(*stored), b1_ref.manifest_sha256);
  {
    const auto entries = BundleEntries::load(b1.file);
    const std::string text = entries.text(app::kManifestEntry);
    EXPECT_EQ(crypto::sha256_hex(tb::span_of(text)), b1_ref.manifest_sha256);
  }

  // CoMensha asks for more information: the safety evidence.
  const fs::path d1 = out_parent / "b1.besluit";
  const fs::path d1_record = out_parent / "b1-besluit.xml";
  auto decided = app::decide(more_information(), d1, k.decide(b1.file, d1_record), k.messages);
  ASSERT_TRUE(decided) << decided.error().message;
  ASSERT_TRUE(decided->sealed) << problems_of(*decided);
  EXPECT_TRUE(decided->issues.empty());
  EXPECT_TRUE(decided->problems.empty());
  ASSERT_TRUE(decided->answered.has_value());
  EXPECT_TRUE(decided->answered->valid);
  EXPECT_EQ(decided->answered->signer_key_id, k.coordinator.key_id_hex());
  ASSERT_TRUE(decided->decision.has_value());
  ASSERT_TRUE(decided->decision->answers.has_value());
  EXPECT_EQ(decided->decision->answers->dossier_id, b1_ref.dossier_id);
  EXPECT_EQ(decided->decision->answers->manifest_sha256, b1_ref.manifest_sha256);
  EXPECT_EQ(decided->decision->answers->sealed, b1.result.manifest.created);
  EXPECT_GE(decided->letter_pages, 1u);
  const app::Manifest& d1m = decided->manifest;
  EXPECT_EQ(d1m.purpose, "decision");
  EXPECT_EQ(d1m.verdict, "decided");
  EXPECT_EQ(d1m.answers, b1_ref);
  EXPECT_TRUE(d1m.supplements.empty());
  EXPECT_EQ(d1m.profile_id, "omm-eerste-fase");
  EXPECT_EQ(d1m.signer_key_id, k.comensha.key_id_hex());
  EXPECT_NE(d1m.dossier_id, b1_ref.dossier_id);
  EXPECT_EQ(listing(out_parent), (std::set<std::string>{"b1.besluit", "b1-besluit.xml"}));
  // The record: the bound decision.xml, as sealed.
  const std::string record_text = read_text(d1_record);
  EXPECT_EQ(record_text, decided->decision->serialise());
  EXPECT_NE(record_text.find("<answers dossier-id=\"" + b1_ref.dossier_id + "\" manifest-sha256=\"" +
                             b1_ref.manifest_sha256 + "\""),
            std::string::npos)
      << record_text;
  EXPECT_NE(record_text.find("evidence=\"safety\""), std::string::npos) << record_text;

  // The coordinator verifies it with CoMensha's public key...
  auto v = app::verify_bundle(d1, k.comensha_pub);
  ASSERT_TRUE(v) << v.error().message;
  ASSERT_TRUE(v->valid) << (v->problems.empty() ? "" : v->problems.front().detail);
  ASSERT_TRUE(v->manifest.has_value());
  EXPECT_EQ(v->manifest->purpose, "decision");
  EXPECT_EQ(v->manifest->answers, b1_ref);
  EXPECT_EQ(v->manifest->serialise(), d1m.serialise());
  EXPECT_EQ(v->signer_key_id, k.comensha.key_id_hex());

  // ...and opens it as the answer to the bundle it sent.
  const fs::path d1_dir = open_parent / "besluit-1";
  auto opened = app::open_bundle(d1, d1_dir, k.open_decision(b1_ref), k.messages);
  ASSERT_TRUE(opened) << opened.error().message;
  ASSERT_TRUE(opened->opened) << error_of(*opened);
  ASSERT_TRUE(opened->decision.has_value());
  EXPECT_EQ(opened->decision->outcome, "more-information");
  ASSERT_EQ(opened->decision->missing.size(), 1u);
  EXPECT_EQ(opened->decision->missing[0].evidence, "safety");
  ASSERT_TRUE(opened->decision->answers.has_value());
  EXPECT_EQ(opened->decision->answers->dossier_id, b1_ref.dossier_id);
  EXPECT_EQ(opened->decision->answers->manifest_sha256, b1_ref.manifest_sha256);
  EXPECT_EQ(opened->files, (std::vector<std::string>{app::kDecisionFile, "besluit.pdf"}));
  EXPECT_EQ(listing(d1_dir), (std::set<std::string>{app::kDecisionFile, "besluit.pdf"}));
  EXPECT_EQ(names_in(open_parent), std::set<std::string>{"besluit-1"});  // nothing beside DIR
  EXPECT_EQ(read_text(d1_dir / app::kDecisionFile), record_text);
  const std::string letter = read_text(d1_dir / "besluit.pdf");
  EXPECT_TRUE(letter.starts_with("%PDF-")) << letter.substr(0, 16);
  EXPECT_GT(letter.size(), 1000u);

  // The supplement: the whole package, sent against b1. Only the safety document goes again.
  const fs::path b2 = out_parent / "b2.dossier";
  auto sealed = app::seal_bundle(b.whole(), b2, k.seal(k.coordinator, b1.file), k.messages);
  ASSERT_TRUE(sealed) << sealed.error().message;
  ASSERT_TRUE(sealed->sealed);
  EXPECT_TRUE(sealed->report.complete);
  EXPECT_EQ(sealed->manifest.supplements, b1_ref);
  EXPECT_TRUE(sealed->manifest.answers.empty());
  EXPECT_EQ(sealed->manifest.purpose, "referral");
  auto carried = sealed->carried;
  std::sort(carried.begin(), carried.end());
  EXPECT_EQ(carried, (std::vector<std::string>{"aanmelding/plaatsingsverzoek.pdf", "diagnostiek/ggz-verslag.pdf",
                                               "lokale-zorg/verslag-beschermd-wonen.pdf", "politie/intake-avim.pdf",
                                               "toestemming/toestemmingsverklaring.pdf",
                                               "verblijfsstatus/verblijfsdocument.pdf"}));
  // The index, one document, and the reading copy.
  EXPECT_EQ(sealed->manifest.entries.size(), 2 + sealed->reading_copy_files.size());
  EXPECT_EQ(sealed->manifest.fingerprints.size(), 7u);
  const BundleRef b2_ref = ref_of(sealed->manifest);

  // CoMensha opens it with its base: the whole current package.
  const fs::path whole_dir = open_parent / "CL-2026-0042";
  auto both = app::open_supplement(b2, {b1.file}, whole_dir, k.open_referral(), k.messages);
  ASSERT_TRUE(both) << both.error().message;
  ASSERT_TRUE(both->opened) << error_of(*both);
  ASSERT_TRUE(both->report.has_value());
  EXPECT_TRUE(both->report->complete);
  EXPECT_EQ(both->report->documents.size(), 7u);
  EXPECT_TRUE(both->removed.empty());
  const fs::path example = fs::path(source_dir()) / "examples" / "complete";
  std::set<std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(whole_dir)) {
    if (e.is_regular_file()) files.insert(e.path().lexically_relative(whole_dir).generic_string());
  }
  EXPECT_EQ(files.size(), 8u);
  EXPECT_EQ(std::set<std::string>(both->files.begin(), both->files.end()), files);
  for (const auto& f : files) {
    EXPECT_EQ(read_text(whole_dir / f), read_text(example / f)) << f;  // byte for byte the package sealed
  }
  ASSERT_EQ(both->history.size(), 8u);
  for (const auto& h : both->history) {
    const bool new_in_b2 = h.path == kSafetyLine || h.path == "referral.xml";
    EXPECT_EQ(h.bundle, new_in_b2 ? 1u : 0u) << h.path;
    EXPECT_EQ(h.dossier_id, new_in_b2 ? b2_ref.dossier_id : b1_ref.dossier_id) << h.path;
    EXPECT_EQ(h.created, new_in_b2 ? sealed->manifest.created : b1.result.manifest.created) << h.path;
    EXPECT_EQ(h.sha256, sha256_of_file(example / h.path)) << h.path;
  }
  // Nothing but DIR, the decision opened before and the reading copy beside DIR.
  for (const auto& name : listing(open_parent)) {
    EXPECT_EQ(name.find(".partial-"), std::string::npos) << name;
    EXPECT_EQ(name.find(".delen"), std::string::npos) << name;
  }

  // CoMensha places the client, on the supplement.
  const fs::path d2 = out_parent / "b2.besluit";
  auto placed_on_b2 = app::decide(placed(), d2, k.decide(b2), k.messages);
  ASSERT_TRUE(placed_on_b2) << placed_on_b2.error().message;
  ASSERT_TRUE(placed_on_b2->sealed) << problems_of(*placed_on_b2);
  EXPECT_EQ(placed_on_b2->manifest.answers, b2_ref);
  EXPECT_NE(placed_on_b2->manifest.dossier_id, d1m.dossier_id);
  // It answers the supplement, not the referral.
  auto wrong = app::open_bundle(d2, open_parent / "besluit-2", k.open_decision(b1_ref), k.messages);
  ASSERT_TRUE(wrong) << wrong.error().message;
  EXPECT_FALSE(wrong->opened);
  ASSERT_TRUE(wrong->error.has_value());
  EXPECT_EQ(wrong->error->check, app::BundleCheck::binding);
  EXPECT_FALSE(fs::exists(open_parent / "besluit-2"));
  auto d2_opened = app::open_bundle(d2, open_parent / "besluit-2", k.open_decision(b2_ref), k.messages);
  ASSERT_TRUE(d2_opened) << d2_opened.error().message;
  ASSERT_TRUE(d2_opened->opened) << error_of(*d2_opened);
  ASSERT_TRUE(d2_opened->decision.has_value());
  EXPECT_EQ(d2_opened->decision->outcome, "placed");
  EXPECT_EQ(d2_opened->decision->provider, "OMM Voorbeeld");
  ASSERT_TRUE(d2_opened->decision->answers.has_value());
  EXPECT_EQ(d2_opened->decision->answers->dossier_id, b2_ref.dossier_id);
  EXPECT_EQ(d2_opened->decision->answers->sealed, sealed->manifest.created);
  EXPECT_TRUE(read_text(open_parent / "besluit-2" / "besluit.pdf").starts_with("%PDF-"));
}

// A decision.xml that already names the very bundle decided on (e.g. the record of an earlier
// decide) is accepted: <answers> must only not name another one.
TEST_F(Loop, DecisionAlreadyBoundToTheSameBundleIsSealed) {
  const auto& d1 = b.d1();
  auto r = app::decide(read_text(d1.record), out, k.decide(b.b1().file), k.messages);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_TRUE(r->sealed) << problems_of(*r);
  EXPECT_EQ(r->manifest.answers, b.b1().ref());
  EXPECT_EQ(r->decision->serialise(), read_text(d1.record));
}

// ---- 2. refusals ----

TEST_F(Loop, DecisionOpenedAsTheAnswerToAnotherBundleIsRefused) {
  const auto& d1 = b.d1();
  const auto b1_ref = b.b1().ref();
  std::string other_sha = b1_ref.manifest_sha256;
  other_sha[0] = other_sha[0] == '0' ? '1' : '0';
  const std::vector<BundleRef> others = {
      {b1_ref.dossier_id, other_sha},                                 // another version of b1's manifest
      {"0123456789abcdef0123456789abcdef", b1_ref.manifest_sha256},  // another dossier id
      {"0123456789abcdef0123456789abcdef", std::string(64, 'a')},
  };
  for (const auto& other : others) {
    SCOPED_TRACE(other.dossier_id + " " + other.manifest_sha256);
    expect_refused(app::open_bundle(d1.file, open_dir, k.open_decision(other), k.messages), app::BundleCheck::binding);
  }
  // A referral is not the answer to anything.
  auto o = k.open_referral();
  o.expect_answers = b1_ref;
  expect_refused(app::open_bundle(b.b1().file, open_dir, o, k.messages), app::BundleCheck::binding, "not a decision");
}

TEST_F(Loop, TamperedDecisionIsNotValid) {
  const auto& d1 = b.d1();
  const auto b1_ref = b.b1().ref();
  const fs::path tampered = tmp.path() / "tampered.besluit";
  const auto original = BundleEntries::load(d1.file);
  ASSERT_EQ(original.entries.size(), 5u);  // mimetype, manifest, signature, index, the letter

  struct Case {
    std::string what;
    std::function<void(BundleEntries&)> change;
  };
  const std::vector<Case> cases = {
      {"a byte of the letter's ciphertext",
       [](BundleEntries& e) {
         auto& d = e.at(app::payload_entry_name(1)).data;
         d[d.size() / 2] ^= 0x01;
       }},
      {"a byte of the index's ciphertext",
       [](BundleEntries& e) {
         auto& d = e.at(app::kIndexEntry).data;
         d[d.size() - 20] ^= 0x01;
       }},
      {"the answered bundle in the manifest",
       [&](BundleEntries& e) {
         auto& d = e.at(app::kManifestEntry).data;
         std::string text(d.begin(), d.end());
         const auto at = text.find(b1_ref.manifest_sha256);
         if (at == std::string::npos) throw std::runtime_error("manifest lacks the answered bundle");
         text[at] = text[at] == 'a' ? 'b' : 'a';
         d.assign(text.begin(), text.end());
       }},
      {"re-signed by an impostor",
       [&](BundleEntries& e) { e.resign(k.impostor); }},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    BundleEntries e = original;
    c.change(e);
    e.save(tampered);
    auto v = app::verify_bundle(tampered, k.comensha_pub);
    ASSERT_TRUE(v) << v.error().message;
    EXPECT_FALSE(v->valid);
    EXPECT_FALSE(v->problems.empty());
    expect_refused(app::open_bundle(tampered, open_dir, k.open_decision(b1_ref), k.messages), std::nullopt);
    expect_refused(app::open_bundle(tampered, open_dir, k.open_decision(std::nullopt), k.messages), std::nullopt);
  }

  // Signed again by CoMensha itself, but the manifest names another bundle than decision.xml
  // inside does: open trusts neither alone.
  BundleEntries e = original;
  BundleRef moved = b1_ref;
  moved.manifest_sha256 = std::string(64, 'c');
  e.resign(k.comensha, [&](app::Manifest& m) { m.answers = moved; });
  e.save(tampered);
  auto v = app::verify_bundle(tampered, k.comensha_pub);
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_TRUE(v->valid) << "the test expects a validly signed manifest";
  expect_refused(app::open_bundle(tampered, open_dir, k.open_decision(moved), k.messages), app::BundleCheck::binding,
                 "answers another bundle");
}

TEST_F(Loop, DecisionWithAnotherCoMenshaKeyIsNotValid) {
  const auto& d1 = b.d1();
  auto v = app::verify_bundle(d1.file, k.impostor_pub);
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_FALSE(v->valid);
  EXPECT_FALSE(v->problems.empty());
  EXPECT_TRUE(v->signer_key_id.empty());
  auto r = app::open_bundle(d1.file, open_dir, k.open_decision(b.b1().ref(), &k.impostor_pub), k.messages);
  expect_refused(r, std::nullopt);
  EXPECT_EQ(r->error_code, Errc::crypto);
  // Nor is a decision of the impostor's valid with CoMensha's key.
  auto o = k.decide(b.b1().file);
  o.signer = &k.impostor;
  const fs::path forged = tmp.path() / "forged.besluit";
  auto f = app::decide(more_information(), forged, o, k.messages);
  ASSERT_TRUE(f && f->sealed);
  auto fv = app::verify_bundle(forged, k.comensha_pub);
  ASSERT_TRUE(fv) << fv.error().message;
  EXPECT_FALSE(fv->valid);
  expect_refused(app::open_bundle(forged, open_dir, k.open_decision(b.b1().ref()), k.messages), std::nullopt);
}

TEST_F(Loop, DecideRefusesABundleOfAnUnknownCoordinator) {
  auto o = k.decide(b.b1().file);
  o.senders = {k.other_pub, k.impostor_pub};
  const auto r = refused_decision(more_information(), o);
  ASSERT_TRUE(r.answered.has_value());
  EXPECT_FALSE(r.answered->valid);
  EXPECT_FALSE(r.answered->problems.empty());
}

TEST_F(Loop, DecideRefusesADecisionBoundToAnotherBundle) {
  const auto& b1 = b.b1();
  const auto b1_ref = b1.ref();
  const std::string other_id = "0123456789abcdef0123456789abcdef";
  auto r = refused_decision(more_information("safety", answers_element(other_id, std::string(64, 'a'),
                                                                       "2026-10-28T14:02:11Z")),
                            k.decide(b1.file));
  EXPECT_TRUE(r.issues.empty()) << problems_of(r);
  EXPECT_TRUE(contains(r.problems, "already answers bundle " + other_id)) << problems_of(r);
  // b1's id and manifest, but another time sealed: another version of it.
  r = refused_decision(more_information("safety", answers_element(b1_ref.dossier_id, b1_ref.manifest_sha256,
                                                                  "2000-01-01T00:00:00Z")),
                       k.decide(b1.file));
  EXPECT_TRUE(contains(r.problems, "already answers bundle " + b1_ref.dossier_id)) << problems_of(r);
  // The record of the decision on b1, given for the supplement b2.
  r = refused_decision(read_text(b.d1().record), k.decide(b.b2().file));
  EXPECT_TRUE(contains(r.problems, "already answers bundle " + b1_ref.dossier_id)) << problems_of(r);
}

TEST_F(Loop, DecideRefusesAnInvalidDecision) {
  const auto& b1 = b.b1();
  // Placed, but with whom?
  auto r = refused_decision(placed(""), k.decide(b1.file));
  EXPECT_FALSE(r.issues.empty()) << problems_of(r);
  // Not even XML.
  r = refused_decision("<decision", k.decide(b1.file));
  EXPECT_FALSE(r.issues.empty());
  // More information, but none asked for.
  r = refused_decision(decision_xml("", "  <outcome type=\"more-information\"/>\n"), k.decide(b1.file));
  EXPECT_FALSE(r.issues.empty()) << problems_of(r);
}

TEST_F(Loop, DecideRefusesEvidenceTheProfileDoesNotKnow) {
  auto r = refused_decision(more_information("nonsense"), k.decide(b.b1().file));
  EXPECT_TRUE(r.issues.empty()) << problems_of(r);
  EXPECT_TRUE(contains(r.problems, "nonsense")) << problems_of(r);
  // A profile that is not the bundle's (or no profile at all).
  r = refused_decision(test::replace_once(more_information(), "profile=\"omm-eerste-fase\"", "profile=\"onbekend\""),
                       k.decide(b.b1().file));
  EXPECT_FALSE(r.problems.empty()) << problems_of(r);
}

TEST_F(Loop, DecideRefusesADecisionAsTheAnsweredBundle) {
  auto o = k.decide(b.d1().file);
  o.senders = {k.coordinator_pub, k.comensha_pub};  // so that the .besluit verifies
  const auto r = refused_decision(more_information(), o);
  ASSERT_TRUE(r.answered.has_value());
  EXPECT_TRUE(r.answered->valid);
  EXPECT_TRUE(contains(r.problems, "itself a decision")) << problems_of(r);
}

TEST_F(Loop, DecideNeverReplacesAFile) {
  tb::write_bytes(record, tb::span_of("mine"));
  auto r = app::decide(more_information(), out, k.decide(b.b1().file, record), k.messages);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::usage);
  EXPECT_FALSE(fs::exists(out));
  EXPECT_EQ(read_text(record), "mine");
}

// The record is written after the .besluit; when it cannot be, the .besluit goes too.
TEST_F(Loop, DecideWritesTheDecisionAndItsRecordOrNeither) {
  auto r = app::decide(more_information(), out, k.decide(b.b1().file, out_parent / "no-such-folder" / "besluit.xml"),
                       k.messages);
  EXPECT_FALSE(r);
  EXPECT_TRUE(listing(out_parent).empty()) << *listing(out_parent).begin();
}

TEST_F(Loop, SupplementAloneIsNotOpened) {
  expect_refused(app::open_bundle(b.b2().file, open_dir, k.open_referral(), k.messages), app::BundleCheck::binding,
                 b.b1().result.manifest.dossier_id);
}

TEST_F(Loop, SupplementWithoutItsBaseIsNotOpened) {
  const auto& b2 = b.b2();
  expect_refused(app::open_supplement(b2.file, {}, open_dir, k.open_referral(), k.messages), app::BundleCheck::binding);
  expect_refused(app::open_supplement(b2.file, {b.unrelated().file}, open_dir, k.open_referral(), k.messages),
                 app::BundleCheck::binding, "not among the bundles given");
  // The base twice, or the base after the supplement.
  expect_refused(app::open_supplement(b2.file, {b.b1().file, b.b1().file}, open_dir, k.open_referral(), k.messages),
                 app::BundleCheck::binding, "given twice");
  expect_refused(app::open_supplement(b.b1().file, {b2.file}, open_dir, k.open_referral(), k.messages),
                 app::BundleCheck::binding);
  // The supplement as its own base.
  expect_refused(app::open_supplement(b2.file, {b.b1().file, b2.file}, open_dir, k.open_referral(), k.messages),
                 app::BundleCheck::binding, "given twice");
  // A decision is no base.
  auto o = k.open_referral({k.coordinator_pub, k.comensha_pub});
  expect_refused(app::open_supplement(b2.file, {b.d1().file}, open_dir, o, k.messages), app::BundleCheck::binding);
}

TEST_F(Loop, SupersededVersionIsRefused) {
  const auto& b1 = b.b1();
  const auto& b2 = b.b2();
  const auto& b3 = b.b3();
  EXPECT_EQ(b3.result.manifest.supplements, b1.ref());
  EXPECT_NE(b3.ref(), b2.ref());
  expect_refused(app::open_supplement(b3.file, {b1.file, b2.file}, open_dir, k.open_referral(), k.messages),
                 app::BundleCheck::binding, "superseded");
  // On its own base, b3 opens.
  auto o = k.open_referral();
  o.assemble = false;
  auto r = app::open_supplement(b3.file, {b1.file}, open_dir, o, k.messages);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->opened) << error_of(*r);
}

TEST_F(Loop, SupplementOfAnotherSignersBundleIsNotSealed) {
  const auto& foreign = b.foreign();
  const fs::path bundle = out_parent / "b2.dossier";
  auto r = app::seal_bundle(b.whole(), bundle, k.seal(k.coordinator, foreign.file), k.messages);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::crypto) << r.error().message;
  EXPECT_TRUE(listing(out_parent).empty()) << *listing(out_parent).begin();
  // Nor of a decision (signed by CoMensha, not by the coordinator).
  r = app::seal_bundle(b.whole(), bundle, k.seal(k.coordinator, b.d1().file), k.messages);
  ASSERT_FALSE(r);
  EXPECT_TRUE(listing(out_parent).empty()) << *listing(out_parent).begin();
}

TEST_F(Loop, SupplementChainOfTwoSignersIsRefused) {
  const auto& b2 = b.b2();
  const auto& foreign = b.foreign();
  // Both coordinators trusted: the chain is refused for its two signers.
  expect_refused(app::open_supplement(b2.file, {foreign.file}, open_dir, k.open_referral({k.coordinator_pub, k.other_pub}),
                                      k.messages),
                 app::BundleCheck::binding, "same signer");
  // Only this coordinator trusted: the foreign base is not valid.
  auto r = app::open_supplement(b2.file, {foreign.file}, open_dir, k.open_referral(), k.messages);
  expect_refused(r, app::BundleCheck::binding, "earlier bundle");
  EXPECT_EQ(r->error_code, Errc::crypto);
  EXPECT_FALSE(r->verify.problems.empty()) << "the problems say why the earlier bundle is not valid";
  // The real base, but b2's signer not trusted.
  r = app::open_supplement(b2.file, {b.b1().file}, open_dir, k.open_referral({k.other_pub}), k.messages);
  expect_refused(r, std::nullopt);
}

// ---- 3. the manifest's fingerprints ----

TEST_F(Loop, FingerprintsAreKeyedSortedAndOnePerDocument) {
  const auto& b1 = b.b1();
  const auto& fp = b1.result.manifest.fingerprints;
  ASSERT_EQ(fp.size(), 6u);  // the package without the safety document
  for (const auto& f : fp) EXPECT_TRUE(crypto::is_lower_hex(f, 64)) << f;
  EXPECT_TRUE(std::is_sorted(fp.begin(), fp.end()));
  EXPECT_EQ(std::set<std::string>(fp.begin(), fp.end()).size(), fp.size());
  // As stored and signed.
  auto v = app::verify_bundle(b1.file, k.coordinator_pub);
  ASSERT_TRUE(v && v->valid);
  EXPECT_EQ(v->manifest->fingerprints, fp);
  // They are no plain digest of a document.
  for (const auto& doc : tb::package_documents(b.partial())) {
    const std::string sha = sha256_of_file(b.partial() / doc);
    EXPECT_EQ(std::find(fp.begin(), fp.end(), sha), fp.end()) << doc;
  }
  // The same documents sealed by another key: other fingerprints, none shared.
  const auto& other = b.foreign().result.manifest.fingerprints;
  ASSERT_EQ(other.size(), 6u);
  EXPECT_TRUE(std::is_sorted(other.begin(), other.end()));
  std::vector<std::string> shared;
  std::set_intersection(fp.begin(), fp.end(), other.begin(), other.end(), std::back_inserter(shared));
  EXPECT_TRUE(shared.empty()) << shared.size() << " shared";
  // The supplement by the same key: the same six and one more.
  const auto& b2fp = b.b2().result.manifest.fingerprints;
  ASSERT_EQ(b2fp.size(), 7u);
  EXPECT_TRUE(std::is_sorted(b2fp.begin(), b2fp.end()));
  EXPECT_TRUE(std::includes(b2fp.begin(), b2fp.end(), fp.begin(), fp.end()));
}

}  // namespace
}  // namespace dossier::test::loop

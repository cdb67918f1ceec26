// The formats of a sealed bundle (docs/bundle-format.md) that are ours: the public manifest
// (XML, signed with minisign) and the encrypted index (JSON, inside payload/index.age), with
// their entry names and limits. Pure formats: no files, no keys beyond the signer's public key
// the index is bound to. app/bundle.cpp seals, verifies and opens with them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.hpp"
#include "crypto/minisign.hpp"

namespace dossier::bundle {

inline constexpr const char* kBundleMimetype = "application/vnd.dossier.bundle+zip";
inline constexpr const char* kBundleFormat = "1";
inline constexpr const char* kManifestEntry = "META-INF/manifest.xml";
inline constexpr const char* kSignatureEntry = "META-INF/manifest.xml.minisig";
inline constexpr const char* kIndexEntry = "payload/index.age";

inline constexpr std::uint64_t kMaxReferralBytes = 1u << 20;  // referral.xml in the index, as the check reads it

// Limits on what verify/open accept (docs/limits.md).
struct BundleLimits {
  std::size_t max_documents = 500;                // as io::PackageLimits::max_files (+ the reading copy's 3)
  std::uint64_t max_manifest_bytes = 1u << 20;    // META-INF/manifest.xml
  std::uint64_t max_signature_bytes = 16u << 10;  // META-INF/manifest.xml.minisig
  std::uint64_t max_index_bytes = 16u << 20;      // payload/index.age, encrypted and decrypted
  std::uint64_t max_entry_bytes = 260ull << 20;   // one payload entry (a 256 MiB document + age overhead)
  std::uint64_t max_bundle_bytes = 4ull << 30;    // the .dossier file, and the sum of its entries
};

struct ManifestEntry {
  std::string path;     // "payload/index.age", "payload/0001.age", ...
  std::uint64_t size = 0;
  std::string blake2b;  // 128 lowercase hex digits, as b2sum prints
};

struct BundleRef {
  std::string dossier_id;       // 32 lowercase hex digits
  std::string manifest_sha256;  // 64 lowercase hex digits, of META-INF/manifest.xml as signed
  bool empty() const noexcept { return dossier_id.empty(); }
  bool operator==(const BundleRef&) const = default;
};

struct Manifest {
  std::string format;          // "1"
  std::string dossier_id;      // 32 lowercase hex digits (128 random bits)
  std::string created;         // UTC, "YYYY-MM-DDTHH:MM:SSZ"
  std::string profile_id;
  std::string profile_version;
  std::string verdict;         // "complete", "not-eligible" (only with purpose advice-request),
                               // "decided" (only with purpose decision)
  std::string purpose;         // "referral", "advice-request" (CoMensha is asked for advice) or
                               // "decision" (CoMensha's answer, a .besluit: docs/decisions.md)
  // The bundle this one is bound to, by its dossier id and the SHA-256 of its signed manifest:
  // a decision names the bundle it answers; a supplement the bundle it supplements (the previous
  // one of the same referral: docs/bundle-format.md, "Supplements"). Empty when not bound.
  BundleRef answers;
  BundleRef supplements;
  std::string signer_key_id;   // as minisign prints it
  // Keyed fingerprints of the documents of the package as sealed (document_fingerprint), sorted:
  // only the signer can compute them, so they show nothing about the documents to anyone else,
  // and let the signer's next seal (a supplement) send only what changed.
  std::vector<std::string> fingerprints;
  std::vector<ManifestEntry> entries;

  // The exact bytes that are signed. parse() accepts only what serialise() writes.
  std::string serialise() const;
  static Result<Manifest> parse(std::string_view xml);
};

// The minisign trusted comment that binds the signature to this dossier.
std::string trusted_comment_for(const Manifest& m);
// The untrusted comment seal writes ("signature from dossier signing key <key id>"). Not signed,
// so verify accepts only this exact text: it must not be a place for unsigned data.
std::string untrusted_comment_for(const Manifest& m);

// The fingerprint of a document the signer seals: BLAKE2b-256 of "path NUL sha256-hex" keyed with
// `key` (32 bytes the signer derives from its secret key: minisign::SecretKey::derive_key).
std::string document_fingerprint(std::span<const std::uint8_t> key, std::string_view path, std::string_view sha256);

// "payload/0001.age" for index 1.
std::string payload_entry_name(std::size_t number);

// ---- the index (docs/bundle-format.md, "The index") ----

// The decrypted payload/index.age (docs/bundle-format.md, "The index"), as open reads it.
struct IndexDocument {
  std::string entry;
  std::string path;
  std::uint64_t size = 0;
  std::string sha256;
};

// One file of the reading copy seal carries after the documents (docs/bundle-format.md, "The
// reading copy"): what the coordinator previewed with `dossier assemble`, made from the very
// bytes sealed. `role` is "dossier", "cover" or "report"; `name` is the file's name in the
// language it was made in (dossier.pdf; voorblad.pdf | cover-sheet.pdf; rapport.html | report.html).
struct IndexFile {
  std::string entry;
  std::string role;
  std::string name;
  std::uint64_t size = 0;
  std::string sha256;
};

// The roles of the reading copy, in payload order, and the names each may have.
inline constexpr const char* kReadingCopyRoles[] = {"dossier", "cover", "report"};
bool is_reading_copy_name(std::string_view role, std::string_view name) noexcept;

struct Index {
  std::string referral_xml;
  std::vector<IndexDocument> documents;
  // A supplement: the documents of the package that earlier bundles brought and this one does
  // not send again (entry ""), by path, size and SHA-256.
  std::vector<IndexDocument> carried;
  std::vector<IndexFile> reading_copy;  // empty, or the three roles in order
};

// The index text checked against the verified manifest and the key that signed it: what open
// reads (tests/fuzz/fuzz_index.cpp fuzzes it).
Result<Index> parse_index(std::string_view text, const Manifest& m, const crypto::minisign::PublicKey& signer,
                          const BundleLimits& limits);

// The index seal writes: the manifest's identity (dossier id, creation time, signer, profile),
// referral.xml and its SHA-256, the documents in payload order, and the check's report as JSON.
// `reading_copy` (may be empty) follows the documents in payload order.
std::string index_text(const Manifest& m, std::string_view referral_xml, const std::vector<IndexDocument>& documents,
                       const nlohmann::ordered_json& check, const std::vector<IndexFile>& reading_copy = {},
                       const std::vector<IndexDocument>& carried = {});

// ---- the index of a decision (purpose "decision": docs/decisions.md) ----

inline constexpr std::uint64_t kMaxDecisionBytes = 1u << 20;  // decision.xml in the index, as read_decision reads it

// The decrypted index of a decision: decision.xml itself, and the letter (the one payload entry
// after the index; role "letter", named besluit.pdf or decision.pdf).
struct DecisionIndex {
  std::string decision_xml;
  IndexFile letter;
};
bool is_letter_name(std::string_view name) noexcept;

std::string decision_index_text(const Manifest& m, std::string_view decision_xml, const IndexFile& letter);
Result<DecisionIndex> parse_decision_index(std::string_view text, const Manifest& m,
                                           const crypto::minisign::PublicKey& signer, const BundleLimits& limits);

}  // namespace dossier::bundle

// Sealed dossier bundles (docs/bundle-format.md): seal, verify, inspect, open.
//
// seal   runs the check, refuses an incomplete package, encrypts every document and an index to
//        every recipient (age v1), writes the public manifest and signs it (minisign), and
//        writes OUT atomically.
// verify needs no secret key: signature, trusted comment, signer key id, exact entry list and
//        every entry's size and BLAKE2b-512 digest.
// open   verifies first, then decrypts into a temporary sibling of DIR, checks every plaintext
//        digest and the inner signer id, re-runs the check, and renames into DIR at the end.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "app/check.hpp"
#include "core/report.hpp"
#include "core/result.hpp"
#include "crypto/age.hpp"
#include "crypto/minisign.hpp"

namespace dossier::app {

inline constexpr const char* kBundleMimetype = "application/vnd.dossier.bundle+zip";
inline constexpr const char* kBundleFormat = "1";

// Limits on what verify/open accept (docs/limits.md).
struct BundleLimits {
  std::size_t max_entries = 1002;                 // 1000 documents + index + ...
  std::uint64_t max_manifest_bytes = 1u << 20;    // META-INF/manifest.xml
  std::uint64_t max_signature_bytes = 16u << 10;  // META-INF/manifest.xml.minisig
  std::uint64_t max_index_bytes = 16u << 20;      // decrypted payload/index.age
  std::uint64_t max_bundle_bytes = 4ull << 30;    // the .dossier file
};

struct ManifestEntry {
  std::string path;     // "payload/index.age", "payload/0001.age", ...
  std::uint64_t size = 0;
  std::string blake2b;  // 128 lowercase hex digits, as b2sum prints
};

struct Manifest {
  std::string format;          // "1"
  std::string dossier_id;      // 32 lowercase hex digits (128 random bits)
  std::string created;         // UTC, "YYYY-MM-DDTHH:MM:SSZ"
  std::string profile_id;
  std::string profile_version;
  std::string verdict;         // "complete"
  std::string signer_key_id;   // as minisign prints it
  std::vector<ManifestEntry> entries;
};

// The minisign trusted comment that binds the signature to this dossier.
std::string trusted_comment_for(const Manifest& m);

struct SealOptions {
  CheckOptions check;
  std::vector<crypto::age::X25519Recipient> recipients;
  const crypto::minisign::SecretKey* signer = nullptr;
  std::function<void(const std::string& what)> progress;  // may be empty
};

struct SealResult {
  Report report;          // the check that decided
  bool sealed = false;    // false: incomplete, nothing written
  Manifest manifest;      // when sealed
};

// Errors: not_found (package), usage (OUT exists, no recipients), io. An incomplete package is
// not an error: sealed == false and nothing is written.
Result<SealResult> seal_bundle(const std::filesystem::path& package, const std::filesystem::path& out,
                               const SealOptions& options, const Catalogue& messages);

struct VerifyResult {
  bool valid = false;
  std::vector<std::string> problems;  // technical English, each naming the entry concerned
  std::optional<Manifest> manifest;   // parsed when the signature held
  std::string trusted_comment;
};

// Errors only for not_found (the bundle file). Everything else is a problem in the result.
Result<VerifyResult> verify_bundle(const std::filesystem::path& bundle,
                                   const crypto::minisign::PublicKey& signer, const BundleLimits& limits = {});

// The manifest as stored, NOT verified (for `dossier inspect`).
Result<Manifest> read_manifest(const std::filesystem::path& bundle, const BundleLimits& limits = {});

struct OpenOptions {
  std::vector<const crypto::age::Identity*> identities;
  const crypto::minisign::PublicKey* signer = nullptr;
  CheckOptions check;
  BundleLimits limits;
  std::function<void(const std::string& what)> progress;
};

struct OpenResult {
  VerifyResult verify;
  bool opened = false;
  std::string error;                 // why not opened (technical English)
  Errc error_code = Errc::internal;  // e.g. no_identity, crypto
  std::optional<Report> report;      // the re-check of the extracted package
  std::vector<std::string> files;    // package-relative paths written into DIR
};

// Errors: not_found (bundle), usage (DIR exists). Any failure after that leaves nothing in DIR.
Result<OpenResult> open_bundle(const std::filesystem::path& bundle, const std::filesystem::path& dir,
                               const OpenOptions& options, const Catalogue& messages);

}  // namespace dossier::app

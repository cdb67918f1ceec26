// Sealed dossier bundles (docs/bundle-format.md): seal, verify, inspect, open.
//
// seal   runs the check, refuses an incomplete package and document paths open would refuse,
//        encrypts every document and an index to every recipient (age v1), writes the public
//        manifest and signs it (minisign), and writes OUT atomically. No plaintext is written
//        anywhere: documents are encrypted as they are read.
// verify needs no secret key: signature, trusted comment, signer key id, exact entry list,
//        every byte of the ZIP container (rebuilt from the manifest) and every entry's size
//        and BLAKE2b-512 digest.
// open   verifies first, then decrypts into a private staging folder next to DIR, checks every
//        ciphertext digest again, every document path (docs/bundle-format.md, "Document
//        paths"), every plaintext size and SHA-256 and the inner signer id and dossier id,
//        re-runs the check, and renames the staging folder to DIR at the end. On any failure
//        the staging folder is removed: nothing is left.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "app/check.hpp"
#include "io/pdf_assemble.hpp"
#include "bundle/format.hpp"
#include "core/decision.hpp"
#include "core/report.hpp"
#include "core/result.hpp"
#include "crypto/age.hpp"
#include "crypto/minisign.hpp"

namespace dossier::app {

// The bundle's own formats (bundle/format.hpp), under the names the jobs and their callers use.
using bundle::kBundleFormat;
using bundle::kBundleMimetype;
using bundle::kIndexEntry;
using bundle::kManifestEntry;
using bundle::kSignatureEntry;
using bundle::BundleLimits;
using bundle::Index;
using bundle::IndexDocument;
using bundle::Manifest;
using bundle::ManifestEntry;
using bundle::payload_entry_name;
using bundle::trusted_comment_for;
using bundle::untrusted_comment_for;

using Progress = std::function<void(std::size_t index, std::size_t count, const std::string& what)>;

struct SealOptions {
  CheckOptions check;
  std::vector<crypto::age::X25519Recipient> recipients;
  const crypto::minisign::SecretKey* signer = nullptr;
  // Ask CoMensha's advice: the only way to seal a package that is complete but not eligible
  // (a refusal ground applies). Signed in the manifest as purpose="advice-request".
  bool advice_request = false;
  Progress progress;  // (0, 1) as the bundle's head is written, (1, 1) when it is done; may be empty
  // Bytes reserved for the bundle's head (mimetype, manifest, signature, index) before the
  // check; 0: enough for referral.xml and the report. A head that does not fit is written with
  // the ciphertexts copied behind it (slower, same bundle format); tests set a small reserve to
  // take that way.
  std::uint64_t head_reserve = 0;
  // Also seal the reading copy (app/assemble.hpp: dossier.pdf, the cover sheet and the report,
  // in the catalogue's language), made from the very bytes sealed, encrypted after the
  // documents. Left out, with reading_copy_error saying why, for documents over the assembly's
  // input limit or when it cannot be made; the package is sealed all the same.
  bool reading_copy = true;
  // A supplement (docs/bundle-format.md, "Supplements"): the earlier bundle of this referral,
  // sealed with the same key. Only the documents that are new or changed since it are
  // encrypted; the others are listed as carried over (path, size, SHA-256), and the signed
  // manifest names it. PACKAGE is still the whole current package, checked as a whole.
  std::optional<std::filesystem::path> supplements;
};

struct SealResult {
  Report report;          // the check that decided
  bool sealed = false;    // false: incomplete (or not eligible without advice_request), nothing written
  Manifest manifest;      // when sealed
  std::uint64_t bytes = 0;  // size of OUT
  std::optional<io::Assembly> reading_copy;  // what the sealed dossier.pdf holds, when one was sealed
  std::vector<bundle::IndexFile> reading_copy_files;
  std::string reading_copy_error;            // why none was sealed (technical English)
  std::vector<std::string> carried;          // a supplement: the documents carried over, not sent again
};

// The keyed fingerprints of `documents` (path and SHA-256) for the manifest, sorted: the
// signer's own (bundle::document_fingerprint with a key derived from its secret key).
inline constexpr std::uint64_t kFingerprintSubkey = 1;
inline constexpr const char* kFingerprintContext = "dossierF";
std::vector<std::string> document_fingerprints(const crypto::minisign::SecretKey& signer,
                                               const std::vector<IndexDocument>& documents);

// Errors: not_found (package, or OUT's folder), usage (OUT exists, no recipients, no signer),
// io. An incomplete package is not an error: sealed == false and nothing is written.
Result<SealResult> seal_bundle(const std::filesystem::path& package, const std::filesystem::path& out,
                               const SealOptions& options, const Catalogue& messages);

// Which check of docs/bundle-format.md a problem belongs to.
enum class BundleCheck {
  container,        // the file, the ZIP structure
  mimetype,         // the first entry does not say "dossier bundle"
  entries,          // the entry list is not the signed one
  signature,        // the minisign signature does not hold with a trusted key
  trusted_comment,  // the signed comment is not this manifest's
  signer,           // the manifest names another signer
  manifest,         // the signed manifest is not canonical
  digest,           // an entry is not what the manifest signs
  index,            // the encrypted index does not match the manifest (open)
  path,             // a document path no package seal accepts can hold (open; seal refuses it)
  names,            // two document names one file system may take for one (open; seal refuses it)
  document,         // a document does not decrypt to what was sealed (open)
  identity,         // none of the identities can decrypt (open)
  binding,          // bound to another bundle than the one it must answer or supplement (open)
};
// The stable key of a check: "container", ..., "trusted-comment". The CLI words it in the
// user's language (bundle.problem.KEY) and prints it in JSON.
const char* check_name(BundleCheck check) noexcept;

// One reason a bundle is not valid. `entry` names the ZIP entry concerned ("" for the whole
// bundle); `detail` is technical English.
struct BundleProblem {
  BundleCheck check;
  std::string entry;
  std::string detail;
};

struct VerifyResult {
  bool valid = false;
  std::vector<BundleProblem> problems;
  std::optional<Manifest> manifest;   // parsed only when the signature held
  std::string trusted_comment;        // as verified
  std::string signer_key_id;          // the trusted key whose signature held ("" when none did)
};

// Errors only for not_found (the bundle file). Everything else is a problem in the result.
Result<VerifyResult> verify_bundle(const std::filesystem::path& bundle,
                                   const crypto::minisign::PublicKey& signer, const BundleLimits& limits = {});
// The same against a register of trusted keys (e.g. every care coordinator's): the key whose id
// the signature names must be among them. Errc::usage for an empty register.
Result<VerifyResult> verify_bundle(const std::filesystem::path& bundle,
                                   const std::vector<crypto::minisign::PublicKey>& trusted,
                                   const BundleLimits& limits = {});

// The manifest as stored, NOT verified (for `dossier inspect`). Errors: not_found, or whatever
// makes the container or manifest unreadable.
Result<Manifest> read_manifest(const std::filesystem::path& bundle, const BundleLimits& limits = {});

struct OpenOptions {
  std::vector<const crypto::age::Identity*> identities;
  const crypto::minisign::PublicKey* signer = nullptr;   // the sender's key, or
  std::vector<crypto::minisign::PublicKey> signers;     // a register of trusted keys (or both)
  CheckOptions check;
  BundleLimits limits;
  Progress progress;  // while decrypting; may be empty
  // Internal (open_supplement): open a supplement on its own, as one part of a chain.
  bool supplement_part = false;
  // Open only a decision that answers this bundle (the coordinator's own: `--answers`).
  std::optional<bundle::BundleRef> expect_answers;
  // Also write dossier.pdf, the cover sheet and the report (with the verified signature) into
  // the folder reading_copy_dir(DIR) beside DIR, in the catalogue's language (app/assemble.hpp).
  bool assemble = true;
};

struct OpenResult {
  VerifyResult verify;
  bool opened = false;               // DIR now holds the package
  std::optional<BundleProblem> error;  // why not opened, when verify held
  Errc error_code = Errc::internal;  // no_identity (not sealed for these keys), crypto, hostile, ...
  std::optional<Report> report;      // the re-check of the extracted package
  std::vector<std::string> files;    // package-relative paths written into DIR
  // The reading copy (OpenOptions::assemble): its folder beside DIR and its files, or why it
  // could not be made (the package is opened all the same).
  std::filesystem::path assembly_dir;
  std::vector<std::string> assembly_files;  // sealed: dossier.pdf, cover, sealed report, open's report
  std::optional<io::Assembly> assembly;      // what open's own assembly found (for its report)
  bool sealed_copy = false;                  // dossier.pdf and the cover sheet are the ones sealed
  std::string assembly_error;
  std::optional<Decision> decision;  // a decision (purpose "decision") opened: DIR holds decision.xml and the letter
  std::vector<IndexDocument> carried;  // a supplement: the documents it carries over from earlier bundles
  // A supplement opened with its bases: which bundle brought each file of DIR (referral.xml too).
  struct Version {
    std::string path;
    std::string sha256;
    std::string dossier_id;  // the bundle that brought this version
    std::string created;
    std::size_t bundle = 0;  // its place in the chain: 0 the first bundle, 1 the first supplement, ...
  };
  std::vector<Version> history;
  std::vector<std::string> removed;  // documents an earlier bundle had and the current package no longer has
};

// Errors: not_found (bundle, DIR's folder), usage (DIR exists, no identity, no signer). Any
// failure after that is in the result and leaves nothing at DIR or next to it.
Result<OpenResult> open_bundle(const std::filesystem::path& bundle, const std::filesystem::path& dir,
                               const OpenOptions& options, const Catalogue& messages);

// A supplement opened together with the bundles before it (`bases`, oldest first: the referral,
// then each earlier supplement): every bundle verified with the trusted keys and sealed by the
// same key, each supplementing the one before it (a supplement of a bundle that another
// supplement already continued is refused as superseded), decrypted into private folders, the
// current package built in DIR (documents replaced by path, carried ones checked against the
// version the earlier bundle brought, documents no longer listed left out) and checked as a
// whole. The last supplement's sealed reading copy (made from the whole package when it was
// sealed) goes beside DIR. Errors as open_bundle.
Result<OpenResult> open_supplement(const std::filesystem::path& bundle, const std::vector<std::filesystem::path>& bases,
                                   const std::filesystem::path& dir, const OpenOptions& options, const Catalogue& messages);

// ---- decisions (docs/decisions.md) ----

// The name of decision.xml in an opened decision's folder.
inline constexpr const char* kDecisionFile = "decision.xml";

// The SHA-256 of a verified manifest as signed (its canonical text), lowercase hex: what binds a
// decision or a supplement to a bundle.
std::string manifest_sha256(const Manifest& m);

struct DecisionSeal {
  std::string decision_xml;  // canonical (Decision::serialise), bound to `answers`
  std::string letter_pdf;
  std::string letter_name;   // besluit.pdf | decision.pdf
  std::string profile_id, profile_version;
  bundle::BundleRef answers;
  std::vector<crypto::age::X25519Recipient> recipients;  // the care coordinator's (and CoMensha's own)
  const crypto::minisign::SecretKey* signer = nullptr;   // CoMensha's
};
// Writes OUT (a .besluit: the bundle container with purpose "decision") whole or not at all.
// Errors: usage (OUT exists, no recipients, no signer), not_found (OUT's folder), io.
Result<Manifest> seal_decision(const std::filesystem::path& out, const DecisionSeal& in);

}  // namespace dossier::app

// Sealing from the page in `dossier serve` (docs/web.md, "Sealing"): the recipients (CoMensha's
// public keys) and the coordinator's signing key are named when the server starts (`dossier
// serve -r comensha.pub -s zorgcoordinator.key`); the passphrase is typed in the page for each
// seal, used once and wiped, never stored or logged. The bundle goes into the workspace's
// folder `verzegeld/`, is verified at once with the signer's public key, and can be downloaded.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <httplib.h>

#include "core/result.hpp"
#include "crypto/age.hpp"
#include "crypto/minisign.hpp"
#include "web/workspace.hpp"

namespace dossier::web {

// The folder of the workspace that holds the sealed bundles.
inline constexpr const char* kSealedFolder = "verzegeld";

struct SealSetup {
  std::vector<std::string> recipient_names;  // as given: a file's name, or the age1... recipient
  std::vector<crypto::age::X25519Recipient> recipients;
  std::filesystem::path signing_key;  // empty: sealing is not set up
  std::optional<crypto::minisign::PublicKey> signer;  // NAME.pub beside NAME.key, when there
};

// Reads the recipients (each an age1... recipient or a file of them) and checks that the
// signing key file exists; its passphrase is asked only when sealing. Errc::not_found for a
// missing file, the recipients' own errors otherwise. Both empty: sealing is not set up.
Result<SealSetup> load_seal_setup(const std::vector<std::string>& recipients, const std::string& signing_key);

// The largest passphrase request body accepted, in bytes (docs/limits.md).
inline constexpr std::size_t kMaxSealRequestBytes = 4096;

void add_seal_routes(httplib::Server& svr, Workspace& workspace, const SealSetup& setup);

}  // namespace dossier::web

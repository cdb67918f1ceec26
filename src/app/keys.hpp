// Key files: where they come from (files or arguments), how secret ones are protected
// (passphrases, file modes) and how they are written (never over an existing file).
//
//   signing keys     minisign format: NAME.key (secret) and NAME.pub
//   encryption keys  age format: NAME.key (identity file, passphrase-protected by default: an
//                    armored age file encrypted with scrypt, as `age -p` writes it) and NAME.pub
//                    (the recipient line, age1...)
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "crypto/age.hpp"
#include "crypto/minisign.hpp"
#include "crypto/secret.hpp"

namespace dossier::app {

// Asks the user for a passphrase once and returns it (in guarded memory). The CLI asks on the
// terminal without echo; the web interface and the tests bring their own.
using PassphrasePrompt = std::function<Result<crypto::SecretBytes>(const std::string& prompt)>;

// Where a passphrase comes from: a file (its first line) or the user, through `prompt`. Never
// a command-line argument.
// What the prompt says, in the user's language: `for_file` with "{file}" for the key file.
struct PassphraseWords {
  std::string for_file = "Passphrase for {file}: ";
  std::string confirm = "Confirm passphrase: ";
};

class PassphraseSource {
 public:
  explicit PassphraseSource(std::optional<std::filesystem::path> file, PassphrasePrompt prompt = {},
                            PassphraseWords words = {})
      : file_(std::move(file)), prompt_(std::move(prompt)), words_(std::move(words)) {}
  // `confirm`: ask twice (for new keys). Errc::usage when there is no file and no prompt, or
  // the prompt cannot ask.
  Result<crypto::SecretBytes> get(const std::string& prompt, bool confirm = false) const;
  // The prompt for the key in `file`.
  std::string prompt_for(const std::filesystem::path& file) const;

 private:
  std::optional<std::filesystem::path> file_;
  PassphrasePrompt prompt_;
  PassphraseWords words_;
};

// Called with a warning for the user (e.g. a secret key readable by others); may be empty.
using Warn = std::function<void(const std::string&)>;

// Each argument is an age1... recipient or a file of them (one per line, '#' comments).
Result<std::vector<crypto::age::X25519Recipient>> load_recipients(const std::vector<std::string>& args);

// An age identity file, plain or passphrase-protected.
Result<std::vector<crypto::age::X25519Identity>> load_identities(const std::filesystem::path& file,
                                                                 const PassphraseSource& passphrase,
                                                                 const Warn& warn);

Result<crypto::minisign::SecretKey> load_signing_key(const std::filesystem::path& file,
                                                     const PassphraseSource& passphrase, const Warn& warn);
Result<crypto::minisign::PublicKey> load_public_key(const std::filesystem::path& file);
// Each argument is a minisign public key file or a folder of them (every *.pub in it, not in
// subfolders): a register of trusted signers. A key given twice counts once. Errc::not_found for
// a missing file or folder, Errc::usage for a folder without .pub files.
Result<std::vector<crypto::minisign::PublicKey>> load_public_keys(const std::vector<std::string>& args);

struct KeygenResult {
  std::filesystem::path secret_file;
  std::filesystem::path public_file;
  std::string public_text;  // the recipient (age1...) or the minisign key id
};

// Writes BASE.key (mode 0600) and BASE.pub; refuses when either exists; on failure neither is
// left behind. `passphrase` null: the secret key is stored unencrypted (--no-passphrase).
Result<KeygenResult> keygen_signing(const std::filesystem::path& base, const crypto::SecretBytes* passphrase,
                                    const crypto::minisign::KdfParams& kdf = {});
Result<KeygenResult> keygen_encryption(const std::filesystem::path& base, const crypto::SecretBytes* passphrase,
                                       int scrypt_work_factor = crypto::age::kDefaultScryptWorkFactor);

// Writes `content` to a new file (O_EXCL) with `mode`; Errc::usage when it exists.
Result<void> write_new_file(const std::filesystem::path& file, std::string_view content, unsigned mode);

}  // namespace dossier::app

#include "app/keys.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sodium.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/paths.hpp"

namespace dossier::app {
namespace {

namespace fs = std::filesystem;
constexpr std::size_t kMaxKeyFile = 64 * 1024;
constexpr std::size_t kMaxPassphrase = 1023;

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

Result<crypto::SecretBytes> read_tty_line(int fd) {
  crypto::SecretBytes buf(kMaxPassphrase + 1);
  std::size_t n = 0;
  for (;;) {
    char c = 0;
    const auto r = ::read(fd, &c, 1);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0 || c == '\n' || c == '\r') break;
    if (n >= kMaxPassphrase) return fail(Errc::usage, "passphrase longer than 1023 bytes");
    buf.expose()[n++] = static_cast<std::uint8_t>(c);
  }
  return crypto::SecretBytes(buf.expose().data(), n);
}

Result<crypto::SecretBytes> prompt_once(int fd, const std::string& prompt) {
  (void)!::write(fd, prompt.data(), prompt.size());
  termios old{};
  const bool have_termios = ::tcgetattr(fd, &old) == 0;
  if (have_termios) {
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(fd, TCSAFLUSH, &quiet);
  }
  auto line = read_tty_line(fd);
  if (have_termios) ::tcsetattr(fd, TCSAFLUSH, &old);
  (void)!::write(fd, "\n", 1);
  return line;
}

Result<std::string> read_key_file(const fs::path& file, bool secret, const Warn& warn) {
  std::error_code ec;
  if (!fs::exists(file, ec)) return fail(Errc::not_found, file.string() + ": no such file");
  if (secret) {
    struct stat sb {};
    if (::stat(file.c_str(), &sb) == 0 && (sb.st_mode & 077) != 0 && warn) {
      warn(file.string() + " can be read by other users; protect it with: chmod 600 " + file.string());
    }
  }
  auto text = read_small_file(file.string(), kMaxKeyFile);
  if (!text) return tl::unexpected(text.error());
  return text;
}

bool looks_age_encrypted(std::string_view text) {
  return text.rfind("age-encryption.org/", 0) == 0 || text.rfind("-----BEGIN AGE ENCRYPTED FILE-----", 0) == 0;
}

}  // namespace

Result<crypto::SecretBytes> PassphraseSource::get(const std::string& prompt, bool confirm) const {
  if (file_) {
    auto text = read_small_file(file_->string(), kMaxPassphrase + 2);
    if (!text) return tl::unexpected(text.error());
    auto end = text->find_first_of("\r\n");
    if (end == std::string::npos) end = text->size();
    crypto::SecretBytes out(reinterpret_cast<const std::uint8_t*>(text->data()), end);
    sodium_memzero(text->data(), text->size());
    if (out.empty()) return fail(Errc::usage, file_->string() + ": the passphrase file is empty");
    return out;
  }
  Fd tty{::open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY)};
  if (tty.fd < 0) {
    return fail(Errc::usage, "a passphrase is needed but there is no terminal to ask it on; use --passphrase-file FILE");
  }
  auto first = prompt_once(tty.fd, prompt);
  if (!first) return first;
  if (first->empty()) return fail(Errc::usage, "empty passphrase");
  if (confirm) {
    auto again = prompt_once(tty.fd, "Confirm passphrase: ");
    if (!again) return again;
    if (again->size() != first->size() ||
        sodium_memcmp(again->expose().data(), first->expose().data(), first->size()) != 0) {
      return fail(Errc::usage, "the passphrases do not match");
    }
  }
  return first;
}

Result<std::vector<crypto::age::X25519Recipient>> load_recipients(const std::vector<std::string>& args) {
  std::vector<crypto::age::X25519Recipient> out;
  for (const auto& a : args) {
    if (a.rfind("age1", 0) == 0) {
      auto r = crypto::age::X25519Recipient::parse(a);
      if (!r) return fail(Errc::usage, "recipient " + a + ": " + r.error().message);
      out.push_back(*r);
      continue;
    }
    auto text = read_key_file(a, false, nullptr);
    if (!text) {
      if (text.error().code == Errc::not_found) {
        return fail(Errc::not_found, a + ": not an age1... recipient and no such file");
      }
      return tl::unexpected(text.error());
    }
    auto rs = crypto::age::parse_recipients(*text);
    if (!rs) return fail(Errc::usage, a + ": " + rs.error().message);
    out.insert(out.end(), rs->begin(), rs->end());
  }
  if (out.empty()) return fail(Errc::usage, "no recipients");
  // The same key named twice (e.g. by -r age1... and in a file) gets one stanza, not two.
  std::vector<crypto::age::X25519Recipient> unique;
  for (const auto& r : out) {
    const auto same = [&](const crypto::age::X25519Recipient& u) { return u.to_string() == r.to_string(); };
    if (std::none_of(unique.begin(), unique.end(), same)) unique.push_back(r);
  }
  // One stanza per recipient in every age header; opening refuses more than kMaxStanzas.
  if (unique.size() > crypto::age::kMaxStanzas) {
    return fail(Errc::usage, std::to_string(unique.size()) + " recipients: at most " +
                                 std::to_string(crypto::age::kMaxStanzas) + " fit in an age header");
  }
  return unique;
}

Result<std::vector<crypto::age::X25519Identity>> load_identities(const fs::path& file,
                                                                 const PassphraseSource& passphrase,
                                                                 const Warn& warn) {
  auto text = read_key_file(file, true, warn);
  if (!text) return tl::unexpected(text.error());
  std::string plain = *text;
  if (looks_age_encrypted(*text)) {
    auto pass = passphrase.get("Passphrase for " + file.string() + ": ");
    if (!pass) return tl::unexpected(pass.error());
    crypto::age::ScryptIdentity id(std::move(*pass));
    auto dec = crypto::age::decrypt({&id}, std::span<const std::uint8_t>(
                                                 reinterpret_cast<const std::uint8_t*>(text->data()), text->size()));
    if (!dec) {
      if (dec.error().code == Errc::bad_passphrase) return fail(Errc::bad_passphrase, file.string() + ": wrong passphrase");
      return fail(dec.error().code, file.string() + ": " + dec.error().message);
    }
    plain.assign(dec->begin(), dec->end());
    sodium_memzero(dec->data(), dec->size());
  }
  auto ids = crypto::age::parse_identities(plain);
  sodium_memzero(plain.data(), plain.size());
  if (!ids) return fail(Errc::malformed, file.string() + ": " + ids.error().message);
  if (ids->empty()) return fail(Errc::malformed, file.string() + ": no identities in the file");
  return ids;
}

Result<crypto::minisign::SecretKey> load_signing_key(const fs::path& file, const PassphraseSource& passphrase,
                                                     const Warn& warn) {
  auto text = read_key_file(file, true, warn);
  if (!text) return tl::unexpected(text.error());
  auto key = crypto::minisign::SecretKey::parse(*text, [&] {
    return passphrase.get("Passphrase for " + file.string() + ": ");
  });
  if (!key) {
    if (key.error().code == Errc::bad_passphrase) return fail(Errc::bad_passphrase, file.string() + ": wrong passphrase");
    return fail(key.error().code, file.string() + ": " + key.error().message);
  }
  return key;
}

Result<crypto::minisign::PublicKey> load_public_key(const fs::path& file) {
  auto text = read_key_file(file, false, nullptr);
  if (!text) return tl::unexpected(text.error());
  auto key = crypto::minisign::PublicKey::parse(*text);
  if (!key) return fail(key.error().code, file.string() + ": " + key.error().message);
  return key;
}

Result<std::vector<crypto::minisign::PublicKey>> load_public_keys(const std::vector<std::string>& args) {
  std::vector<crypto::minisign::PublicKey> out;
  auto add = [&](const fs::path& file) -> Result<void> {
    auto key = load_public_key(file);
    if (!key) return tl::unexpected(key.error());
    if (std::none_of(out.begin(), out.end(), [&](const auto& k) { return k == *key; })) out.push_back(*key);
    return {};
  };
  for (const auto& a : args) {
    std::error_code ec;
    if (!fs::is_directory(a, ec)) {
      if (auto r = add(a); !r) return tl::unexpected(r.error());
      continue;
    }
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(a, ec)) {
      if (e.path().extension() == ".pub" && e.is_regular_file(ec)) files.push_back(e.path());
    }
    if (files.empty()) return fail(Errc::usage, a + ": a folder without .pub files");
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      if (auto r = add(f); !r) return tl::unexpected(r.error());
    }
  }
  if (out.empty()) return fail(Errc::usage, "no public keys");
  return out;
}

Result<void> write_new_file(const fs::path& file, std::string_view content, unsigned mode) {
  Fd fd{::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode)};
  if (fd.fd < 0) {
    if (errno == EEXIST) return fail(Errc::usage, file.string() + " already exists; dossier never overwrites a key");
    return fail(Errc::io, file.string() + ": " + std::strerror(errno));
  }
  ::fchmod(fd.fd, mode);  // the umask must not widen or narrow what we chose
  std::size_t done = 0;
  while (done < content.size()) {
    const auto n = ::write(fd.fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string why = std::strerror(errno);
      ::unlink(file.c_str());
      return fail(Errc::io, file.string() + ": " + why);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd.fd) != 0) {
    ::unlink(file.c_str());
    return fail(Errc::io, file.string() + ": fsync failed");
  }
  return {};
}

namespace {

Result<KeygenResult> write_pair(const fs::path& base, std::string_view secret_text, std::string_view public_text,
                                std::string public_summary) {
  KeygenResult r{fs::path(base.string() + ".key"), fs::path(base.string() + ".pub"), std::move(public_summary)};
  std::error_code ec;
  for (const auto& f : {r.secret_file, r.public_file}) {
    if (fs::exists(fs::symlink_status(f, ec))) {
      return fail(Errc::usage, f.string() + " already exists; dossier never overwrites a key");
    }
  }
  if (auto w = write_new_file(r.secret_file, secret_text, 0600); !w) return tl::unexpected(w.error());
  if (auto w = write_new_file(r.public_file, public_text, 0644); !w) {
    ::unlink(r.secret_file.c_str());
    return tl::unexpected(w.error());
  }
  return r;
}

}  // namespace

Result<KeygenResult> keygen_signing(const fs::path& base, const crypto::SecretBytes* passphrase,
                                    const crypto::minisign::KdfParams& kdf) {
  const auto key = crypto::minisign::SecretKey::generate();
  const auto id = key.key_id_hex();
  auto secret = key.to_file(passphrase, "dossier signing secret key " + id, kdf);
  if (!secret) return tl::unexpected(secret.error());
  const auto pub = key.public_key().to_file("minisign public key " + id);
  auto r = write_pair(base, *secret, pub, id);
  sodium_memzero(secret->data(), secret->size());
  return r;
}

Result<KeygenResult> keygen_encryption(const fs::path& base, const crypto::SecretBytes* passphrase,
                                       int scrypt_work_factor) {
  const auto id = crypto::age::X25519Identity::generate();
  const auto recipient = id.recipient().to_string();
  const auto secret = id.to_string();
  std::string identity_file = "# created by dossier keygen\n# public key: " + recipient + "\n";
  identity_file.append(reinterpret_cast<const char*>(secret.expose().data()), secret.size());
  identity_file += "\n";
  std::string stored = identity_file;
  if (passphrase != nullptr) {
    crypto::age::ScryptRecipient r(passphrase->clone(), scrypt_work_factor);
    auto enc = crypto::age::encrypt({&r}, std::span<const std::uint8_t>(
                                              reinterpret_cast<const std::uint8_t*>(identity_file.data()),
                                              identity_file.size()),
                                    /*armor=*/true);
    if (!enc) return tl::unexpected(enc.error());
    stored.assign(enc->begin(), enc->end());
  }
  sodium_memzero(identity_file.data(), identity_file.size());
  auto r = write_pair(base, stored, recipient + "\n", recipient);
  sodium_memzero(stored.data(), stored.size());
  return r;
}

}  // namespace dossier::app

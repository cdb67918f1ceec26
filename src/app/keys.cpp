#include "app/keys.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sodium.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "app/data_files.hpp"
#include "io/fd.hpp"
#include "io/staging.hpp"

namespace dossier::app {
namespace {

namespace fs = std::filesystem;
constexpr std::size_t kMaxKeyFile = 64 * 1024;
constexpr std::size_t kMaxPassphrase = 1023;


// A file read with read(2) straight into guarded memory: a secret key, an identity file or a
// passphrase file never passes through a std::string or a stream buffer. A FIFO or device is
// refused (a passphrase may come from a pipe: allow_pipe), never waited on.
Result<crypto::SecretBytes> read_secret_file(const io::OpenedFile& file, const fs::path& name, std::size_t max_bytes) {
  crypto::SecretBytes buf(max_bytes + 1);  // one byte more: a larger file is noticed
  auto got = io::read_all(file, name.string(), std::span<unsigned char>(buf.expose().data(), buf.size()));
  if (!got) return tl::unexpected(got.error());
  buf.shrink(*got);
  return buf;
}

Result<std::string> read_key_file(const fs::path& file) { return io::read_named_file(file, kMaxKeyFile); }

// A secret key file, in guarded memory; warns when others may read it.
Result<crypto::SecretBytes> read_secret_key_file(const fs::path& file, const Warn& warn) {
  auto opened = io::open_named_file(file);
  if (!opened) return tl::unexpected(opened.error());
  if ((opened->mode & 077) != 0 && warn) {
    warn(file.string() + " can be read by other users; protect it with: chmod 600 " + file.string());
  }
  return read_secret_file(*opened, file, kMaxKeyFile);
}

bool looks_age_encrypted(std::string_view text) {
  return text.rfind("age-encryption.org/", 0) == 0 || text.rfind("-----BEGIN AGE ENCRYPTED FILE-----", 0) == 0;
}

}  // namespace

Result<crypto::SecretBytes> PassphraseSource::get(const std::string& prompt, bool confirm) const {
  if (file_) {
    // The first line: up to 1023 bytes and its CR LF.
    auto opened = io::open_named_file(*file_, /*allow_pipe=*/true);
    if (!opened) return tl::unexpected(opened.error());
    auto text = read_secret_file(*opened, *file_, kMaxPassphrase + 2);
    if (!text) return tl::unexpected(text.error());
    const auto end = crypto::as_text(text->expose()).find_first_of("\r\n");
    if (end != std::string_view::npos) text->shrink(end);
    if (text->empty()) return fail(Errc::usage, file_->string() + ": the passphrase file is empty");
    return text;
  }
  if (!prompt_) return fail(Errc::usage, "a passphrase is needed and none was given");
  auto first = prompt_(prompt);
  if (!first) return first;
  if (first->empty()) return fail(Errc::usage, "empty passphrase");
  if (confirm) {
    auto again = prompt_(words_.confirm);
    if (!again) return again;
    if (again->size() != first->size() ||
        sodium_memcmp(again->expose().data(), first->expose().data(), first->size()) != 0) {
      return fail(Errc::usage, "the passphrases do not match");
    }
  }
  return first;
}

std::string PassphraseSource::prompt_for(const fs::path& file) const {
  std::string p = words_.for_file;
  if (const auto at = p.find("{file}"); at != std::string::npos) p.replace(at, 6, file.string());
  return p;
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
    auto text = read_key_file(a);
    if (!text) {
      if (text.error().code == Errc::not_found) {
        // An SSH key typed as -r "ssh-ed25519 AAAA...": say that it is one and unsupported.
        if (auto as_key = crypto::age::X25519Recipient::parse(a); !as_key && as_key.error().code == Errc::unsupported) {
          return fail(Errc::usage, "recipient " + a.substr(0, a.find(' ')) + "...: " + as_key.error().message);
        }
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
  auto text = read_secret_key_file(file, warn);
  if (!text) return tl::unexpected(text.error());
  crypto::SecretBytes plain;
  if (looks_age_encrypted(crypto::as_text(text->expose()))) {
    auto pass = passphrase.get(passphrase.prompt_for(file));
    if (!pass) return tl::unexpected(pass.error());
    crypto::age::ScryptIdentity id(std::move(*pass));
    auto dec = crypto::age::decrypt_secret({&id}, text->expose());
    if (!dec) {
      if (dec.error().code == Errc::bad_passphrase) return fail(Errc::bad_passphrase, file.string() + ": wrong passphrase");
      return fail(dec.error().code, file.string() + ": " + dec.error().message);
    }
    plain = std::move(*dec);
  } else {
    plain = std::move(*text);
  }
  auto ids = crypto::age::parse_identities(crypto::as_text(plain.expose()));
  if (!ids) return fail(Errc::malformed, file.string() + ": " + ids.error().message);
  if (ids->empty()) return fail(Errc::malformed, file.string() + ": no identities in the file");
  return ids;
}

Result<crypto::minisign::SecretKey> load_signing_key(const fs::path& file, const PassphraseSource& passphrase,
                                                     const Warn& warn) {
  auto text = read_secret_key_file(file, warn);
  if (!text) return tl::unexpected(text.error());
  auto key = crypto::minisign::SecretKey::parse(crypto::as_text(text->expose()), [&] {
    return passphrase.get(passphrase.prompt_for(file));
  });
  if (!key) {
    if (key.error().code == Errc::bad_passphrase) return fail(Errc::bad_passphrase, file.string() + ": wrong passphrase");
    return fail(key.error().code, file.string() + ": " + key.error().message);
  }
  return key;
}

Result<crypto::minisign::PublicKey> load_public_key(const fs::path& file) {
  auto text = read_key_file(file);
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
  io::UniqueFd fd{::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode)};
  if (!fd) {
    if (errno == EEXIST) return fail(Errc::usage, file.string() + " already exists; dossier never overwrites a key");
    return fail(Errc::io, file.string() + ": " + std::strerror(errno));
  }
  ::fchmod(fd.get(), mode);  // the umask must not widen or narrow what we chose
  std::size_t done = 0;
  while (done < content.size()) {
    const auto n = ::write(fd.get(), content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string why = std::strerror(errno);
      ::unlink(file.c_str());
      return fail(Errc::io, file.string() + ": " + why);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd.get()) != 0) {
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
  // Both files are written in a private staging folder (removed on error, Ctrl-C, SIGTERM or
  // SIGHUP) and then moved into place together, so no half-written key or secret key without
  // its public key is left behind.
  auto staging = io::Staging::create(r.secret_file);
  if (!staging) return tl::unexpected(staging.error());
  const fs::path secret_inside = staging->path() / "key";
  const fs::path public_inside = staging->path() / "pub";
  if (auto w = write_new_file(secret_inside, secret_text, 0600); !w) return tl::unexpected(w.error());
  if (auto w = write_new_file(public_inside, public_text, 0644); !w) return tl::unexpected(w.error());
  auto moved = staging->commit_files({{public_inside, r.public_file}, {secret_inside, r.secret_file}});
  if (!moved) return tl::unexpected(moved.error());
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
  return write_pair(base, crypto::as_text(secret->expose()), pub, id);
}

Result<KeygenResult> keygen_encryption(const fs::path& base, const crypto::SecretBytes* passphrase,
                                       int scrypt_work_factor) {
  const auto id = crypto::age::X25519Identity::generate();
  const auto recipient = id.recipient().to_string();
  const auto secret = id.to_string();
  const auto identity_file = crypto::join_secret(
      {"# created by dossier keygen\n# public key: ", recipient, "\n", crypto::as_text(secret.expose()), "\n"});
  if (passphrase == nullptr) {
    return write_pair(base, crypto::as_text(identity_file.expose()), recipient + "\n", recipient);
  }
  crypto::age::ScryptRecipient r(passphrase->clone(), scrypt_work_factor);
  auto enc = crypto::age::encrypt({&r}, identity_file.expose(), /*armor=*/true);
  if (!enc) return tl::unexpected(enc.error());
  const std::string_view stored(reinterpret_cast<const char*>(enc->data()), enc->size());
  return write_pair(base, stored, recipient + "\n", recipient);
}

}  // namespace dossier::app

// seal, verify and open (docs/bundle-format.md). The formats underneath are age v1
// (crypto/age.hpp), minisign (crypto/minisign.hpp) and ZIP (io/zip_reader.hpp,
// io/zip_writer.hpp); this file only decides what goes where and what must match.
#include "app/bundle.hpp"

#include "app/assemble.hpp"
#include "app/data_files.hpp"
#include "app/parallel.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <streambuf>

#include "app/keys.hpp"
#include "core/referral.hpp"
#include "core/unicode.hpp"
#include "crypto/base64.hpp"
#include "crypto/digest.hpp"
#include "io/fd.hpp"
#include "io/package.hpp"
#include "io/safe_path.hpp"
#include "io/staging.hpp"
#include "io/zip_reader.hpp"
#include "io/zip_writer.hpp"

namespace dossier::app {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

// A name no document may have: open's working copy of a ciphertext until it decrypted straight
// from the container; still refused, so that every version refuses the same bundles.
constexpr const char* kCipherScratch = ".dossier-ciphertext";

std::span<const std::uint8_t> bytes_of(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  std::tm g{};
  gmtime_r(&t, &g);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &g);
  return buf;
}

std::string random_id() {
  std::array<unsigned char, 16> raw{};
  randombytes_buf(raw.data(), raw.size());
  std::array<char, 33> hex{};
  sodium_bin2hex(hex.data(), hex.size(), raw.data(), raw.size());
  return std::string(hex.data(), 32);
}

// A write-only file opened with O_EXCL | O_NOFOLLOW, as a std::streambuf so that age::decrypt
// can stream into it, hashing what passes through.
class HashingFile : public std::streambuf {
 public:
  static Result<std::unique_ptr<HashingFile>> create(const fs::path& path) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return fail(Errc::io, path.string() + ": " + std::strerror(errno));
    return std::unique_ptr<HashingFile>(new HashingFile(fd));
  }
  HashingFile(const HashingFile&) = delete;
  HashingFile& operator=(const HashingFile&) = delete;
  ~HashingFile() override {
    if (fd_ >= 0) ::close(fd_);
  }
  // Flushes, fsyncs and closes; false on any write error.
  bool finish() {
    const bool ok = !failed_ && fd_ >= 0 && ::fsync(fd_) == 0;
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    return ok;
  }
  std::uint64_t size() const noexcept { return size_; }
  std::string sha256() { return sha_.hex_final(); }

 protected:
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    if (n <= 0) return 0;
    const auto len = static_cast<std::size_t>(n);
    sha_.update({reinterpret_cast<const std::uint8_t*>(s), len});
    size_ += len;
    std::size_t done = 0;
    while (done < len) {
      const auto w = ::write(fd_, s + done, len - done);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) {
        failed_ = true;
        return static_cast<std::streamsize>(done);
      }
      done += static_cast<std::size_t>(w);
    }
    return n;
  }
  int_type overflow(int_type ch) override {
    if (traits_type::eq_int_type(ch, traits_type::eof())) return traits_type::not_eof(ch);
    const char c = traits_type::to_char_type(ch);
    return xsputn(&c, 1) == 1 ? ch : traits_type::eof();
  }

 private:
  explicit HashingFile(int fd) : fd_(fd) {}
  int fd_ = -1;
  bool failed_ = false;
  std::uint64_t size_ = 0;
  crypto::Sha256 sha_;
};

std::vector<const crypto::age::Recipient*> recipient_ptrs(const std::vector<crypto::age::X25519Recipient>& rs) {
  std::vector<const crypto::age::Recipient*> out;
  for (const auto& r : rs) out.push_back(&r);
  return out;
}

// One document's ciphertext, written straight into its place in the bundle file while the check
// reads the document (CheckOptions::tap): the pieces the check hashes and parses are the pieces
// encrypted, so every byte sealed is a byte judged, each document is read once and each
// ciphertext written once. Its CRC-32 (for the ZIP headers) and BLAKE2b-512 (for the manifest)
// are computed on the way. A document that turns out longer or shorter than listed is not
// done(): the package reader reports the change, and nothing is sealed.
class CipherWriter {
 public:
  CipherWriter(const io::ReservedStoredZip& zip, std::size_t member, std::uint64_t expected,
               const std::vector<const crypto::age::Recipient*>& recipients)
      : zip_(zip), member_(member), expected_(expected), recipients_(recipients) {}
  CipherWriter(const CipherWriter&) = delete;
  CipherWriter& operator=(const CipherWriter&) = delete;

  Result<void> piece(std::span<const std::uint8_t> plain) {
    if (auto s = start(); !s) return s;
    return encryptor_->write(plain);
  }
  // The document was read whole: the final chunk.
  Result<void> end() {
    if (auto s = start(); !s) return s;
    if (auto f = encryptor_->finish(); !f) return f;
    encryptor_.reset();
    blake2b_ = hash_.hex_final();
    done_ = size_ == expected_;
    if (done_) zip_.written(member_);
    return {};
  }

  bool done() const noexcept { return done_; }
  std::uint64_t size() const noexcept { return size_; }
  std::uint32_t crc() const noexcept { return crc_; }
  const std::string& blake2b() const noexcept { return blake2b_; }

 private:
  Result<void> start() {
    if (!blake2b_.empty()) return fail(Errc::internal, "a document encrypted twice");
    if (encryptor_) return {};
    auto enc = crypto::age::Encryptor::start(recipients_, [this](const std::uint8_t* p, std::size_t n) { return emit(p, n); });
    if (!enc) return tl::unexpected(enc.error());
    encryptor_.emplace(std::move(*enc));
    return {};
  }
  Result<void> emit(const std::uint8_t* p, std::size_t n) {
    const std::span<const std::uint8_t> bytes(p, n);
    if (size_ + n > expected_) {  // longer than listed: not sealed (see above); nothing written past its place
      size_ += n;
      return {};
    }
    if (auto w = zip_.write_tail(member_, size_, bytes); !w) return w;
    crc_ = io::crc32_update(crc_, bytes);
    hash_.update(bytes);
    size_ += n;
    return {};
  }

  const io::ReservedStoredZip& zip_;
  std::size_t member_;
  std::uint64_t expected_;
  const std::vector<const crypto::age::Recipient*>& recipients_;
  std::optional<crypto::age::Encryptor> encryptor_;
  std::uint64_t size_ = 0;
  std::uint32_t crc_ = 0;
  crypto::Blake2b512 hash_;
  std::string blake2b_;
  bool done_ = false;
};

// The room seal reserves for the head of the bundle (mimetype, manifest, signature and index)
// before it knows them: the index holds referral.xml (JSON-escaped, at most about twice its
// size) and the check's report (a few KiB, more with many documents). What the head does not
// fill is padding inside the encrypted index (JSON whitespace), so the ciphertexts already in
// place need not move; a head that would not fit takes the slower way (write_container).
std::uint64_t head_reserve(std::uint64_t referral_bytes, std::size_t documents) {
  return 64 * 1024 + 2 * referral_bytes + 4096 * static_cast<std::uint64_t>(documents);
}

// The plaintext length whose age encryption (with a header of `header` bytes) has exactly
// `target` bytes; nullopt when none has (crossing a chunk boundary adds a 16-byte tag).
std::optional<std::uint64_t> plaintext_for(std::uint64_t header, std::uint64_t target) {
  const std::uint64_t overhead = crypto::age::encrypted_size(header, 0);  // header, nonce, one tag
  if (target < overhead) return std::nullopt;
  const std::uint64_t rough = (target - header - 16) / (crypto::age::kChunkSize + 16);
  for (std::uint64_t chunks = rough == 0 ? 1 : rough; chunks <= rough + 2; ++chunks) {
    if (target < header + 16 + 16 * chunks) break;
    const std::uint64_t plain = target - header - 16 - 16 * chunks;
    if (crypto::age::encrypted_size(header, plain) == target) return plain;
  }
  return std::nullopt;
}

struct Head {
  Manifest manifest;          // with the index entry
  std::string manifest_text;  // as signed
  std::string signature;
  std::vector<std::uint8_t> index;  // encrypted
};

// The head for the manifest `m` without its index entry: `index_text` encrypted (then wiped),
// its entry put first, the manifest serialised and signed.
Result<Head> sign_head(Manifest m, std::string index_text, const crypto::minisign::SecretKey& signer,
                       const std::vector<const crypto::age::Recipient*>& rs) {
  auto cipher = crypto::age::encrypt(rs, bytes_of(index_text));
  sodium_memzero(index_text.data(), index_text.size());
  if (!cipher) return tl::unexpected(cipher.error());
  crypto::Blake2b512 h;
  h.update(*cipher);
  m.entries.insert(m.entries.begin(), ManifestEntry{kIndexEntry, cipher->size(), h.hex_final()});
  Head head;
  head.manifest_text = m.serialise();
  auto signature = crypto::minisign::sign(signer, bytes_of(head.manifest_text), trusted_comment_for(m), untrusted_comment_for(m));
  if (!signature) return tl::unexpected(signature.error());
  head.signature = std::move(*signature);
  head.index = std::move(*cipher);
  head.manifest = std::move(m);
  return head;
}

// The head with the index padded so that it fills the reserve exactly. nullopt when no padding
// can (the index is too large for the reserve, or the one size that fits falls between two
// chunk sizes); `index_text` is wiped either way.
Result<std::optional<Head>> head_filling(const Manifest& m, std::string index_text, std::uint64_t reserve,
                                         std::uint64_t age_header, const crypto::minisign::SecretKey& signer,
                                         const std::vector<const crypto::age::Recipient*>& rs,
                                         std::uint64_t max_index_bytes) {
  struct Wipe {
    std::string& s;
    ~Wipe() { sodium_memzero(s.data(), s.size()); }
  } wipe{index_text};
  const auto member = [](const char* name, std::uint64_t size) { return io::stored_member_size(name, size); };
  Manifest probe_m = m;
  probe_m.entries.insert(probe_m.entries.begin(), ManifestEntry{kIndexEntry, 0, std::string(128, '0')});
  // The signature's length does not depend on the entries (its comments name the bundle only).
  auto probe = crypto::minisign::sign(signer, bytes_of(probe_m.serialise()), trusted_comment_for(probe_m),
                                      untrusted_comment_for(probe_m));
  if (!probe) return tl::unexpected(probe.error());
  const std::uint64_t fixed = member("mimetype", std::string_view(kBundleMimetype).size()) +
                              member(kSignatureEntry, probe->size()) + member(kIndexEntry, 0) +
                              member(kManifestEntry, 0);
  // The index's size is in the manifest, whose length depends on how many digits it has.
  std::uint64_t target = 0;
  for (int round = 0; round < 4; ++round) {
    const std::uint64_t manifest_bytes = probe_m.serialise().size();
    if (fixed + manifest_bytes >= reserve) return std::optional<Head>{};
    const std::uint64_t t = reserve - fixed - manifest_bytes;
    if (t == target) break;
    target = t;
    probe_m.entries.front().size = target;
  }
  if (fixed + probe_m.serialise().size() + target != reserve) return std::optional<Head>{};
  const auto plain = plaintext_for(age_header, target);
  if (!plain || *plain < index_text.size() || *plain > max_index_bytes) return std::optional<Head>{};
  index_text.resize(static_cast<std::size_t>(*plain), ' ');  // JSON allows whitespace after the value
  auto head = sign_head(m, index_text, signer, rs);
  if (!head) return tl::unexpected(head.error());
  if (head->index.size() != target || fixed + head->manifest_text.size() + target != reserve ||
      head->signature.size() != probe->size()) {
    return fail(Errc::internal, "the bundle's head is not the size foreseen");
  }
  return std::optional<Head>{std::move(*head)};
}

// The bundle file written the slower way (when the head does not fit seal's reserve): the
// entries in the order of docs/bundle-format.md ("Container"), in the one layout whose every
// other byte is fixed by them (io::stored_zip, "Container bytes"), the ciphertexts copied from
// their places in `from`. Written, fsynced and closed; removed again on failure.
Result<void> write_container(const fs::path& path, std::string_view manifest, std::string_view signature,
                             std::span<const std::uint8_t> index, const io::ReservedStoredZip& from,
                             const std::vector<io::stored_zip::Member>& tail, const std::vector<std::uint32_t>& crcs) {
  auto zip = io::StoredZipWriter::create(path);
  if (!zip) return tl::unexpected(zip.error());
  if (auto r = zip->add("mimetype", bytes_of(kBundleMimetype)); !r) return r;
  if (auto r = zip->add(kManifestEntry, bytes_of(manifest)); !r) return r;
  if (auto r = zip->add(kSignatureEntry, bytes_of(signature)); !r) return r;
  if (auto r = zip->add(kIndexEntry, index); !r) return r;
  for (std::size_t i = 0; i < tail.size(); ++i) {
    if (auto r = zip->add_copy(tail[i].name, from.path(), tail[i].size, crcs[i], from.tail_offset(i)); !r) return r;
  }
  return zip->close();
}

// ---- document paths ----
//
// The paths a bundle may carry for its documents (docs/bundle-format.md, "Document paths"):
// seal applies these rules before it writes the index and open when it reads it, so open
// never refuses what seal wrote. A path must be
//   1. a safe relative path within the package limits, not referral.xml and not the reserved
//      name kCipherScratch;
//   2. one the package reader does not skip (io::is_os_clutter: __MACOSX/..., ._*, .DS_Store,
//      Thumbs.db, desktop.ini): open would write it, and the re-check would not see it;
//   3. NFC (io::is_nfc, as the package reader): a decomposed name is another name on some systems;
//   4. declared in referral.xml's <documents>: what the sender's referral does not mention
//      has no place in the bundle;
//   5. listed once, and unlike every other path and referral.xml after case folding
//      (io::collision_key, as the package reader): a case-insensitive file system cannot keep
//      two such names apart;
//   6. not inside another document's path ("a" and "a/b").
// Refusals from 3 and 5 (BundleCheck::names, Errc::unsupported) are what an honest package
// from another system can hold; the others (BundleCheck::path, Errc::hostile) no package seal
// accepts can.

struct PathRefusal {
  Errc code;
  BundleCheck check;
  std::size_t document;  // index into the paths
  std::string detail;
};

std::string shown_path(std::string_view path) { return "\"" + unicode::escape_for_terminal(path) + "\""; }

std::optional<PathRefusal> refuse_document_paths(const std::vector<std::string>& paths,
                                                 const std::set<std::string>& declared,
                                                 const io::PackageLimits& limits) {
  const auto hostile = [](std::size_t i, std::string detail) {
    return PathRefusal{Errc::hostile, BundleCheck::path, i, std::move(detail)};
  };
  const auto names = [](std::size_t i, std::string detail) {
    return PathRefusal{Errc::unsupported, BundleCheck::names, i, std::move(detail)};
  };
  std::map<std::string, std::size_t> folded = {{"referral.xml", paths.size()}};  // folded path -> index
  for (std::size_t i = 0; i < paths.size(); ++i) {
    const std::string& path = paths[i];
    auto safe = io::normalise_entry_name(path, limits.max_depth, limits.max_path_length);
    if (!safe || *safe != path || path == "referral.xml" || path.rfind(kCipherScratch, 0) == 0) {
      return hostile(i, "unsafe path " + shown_path(path) + (safe ? std::string() : ": " + safe.error().message));
    }
    if (io::is_os_clutter(path)) {
      return hostile(i, shown_path(path) +
                            " is a name the package reader skips as operating-system clutter: it would be written, "
                            "but the check would not see it");
    }
    if (!io::is_nfc(path)) {
      return names(i, shown_path(path) +
                          " is not in Unicode NFC form (decomposed, as macOS may write it): some file systems take "
                          "it for another name");
    }
    if (declared.count(path) == 0) {
      return hostile(i, shown_path(path) + " is not declared in referral.xml's <documents>");
    }
    auto [it, inserted] = folded.emplace(io::collision_key(path), i);
    if (!inserted) {
      const std::string other = it->second == paths.size() ? "referral.xml" : paths[it->second];
      if (other == path) return hostile(i, shown_path(path) + " is listed twice");
      return names(i, shown_path(other) + " and " + shown_path(path) +
                          " differ only in case: a case-insensitive file system cannot keep them apart");
    }
  }
  // A file may not also be a folder of another ("a" and "a/b"), in any case.
  for (std::size_t i = 0; i < paths.size(); ++i) {
    const std::string key = io::collision_key(paths[i]);
    for (auto slash = key.find('/'); slash != std::string::npos; slash = key.find('/', slash + 1)) {
      const auto it = folded.find(key.substr(0, slash));
      if (it != folded.end()) {
        const std::string other = it->second == paths.size() ? "referral.xml" : paths[it->second];
        return hostile(i, shown_path(paths[i]) + " lies inside the document " + shown_path(other));
      }
    }
  }
  return std::nullopt;
}

// The same rules for the documents of a package the check has just read.
std::optional<PathRefusal> refuse_checked_paths(const Report& report, const io::PackageLimits& limits) {
  std::vector<std::string> paths;
  std::set<std::string> declared;
  for (const auto& d : report.documents) {
    paths.push_back(d.path);
    if (d.declared) declared.insert(d.path);
  }
  return refuse_document_paths(paths, declared, limits);
}

// The reading copy seal carries (docs/bundle-format.md, "The reading copy"): made from the
// documents the check read (`kept`), dossier.pdf in memory only (a memfd), the cover sheet and
// report as strings; nothing of it touches a disk before it is encrypted.
struct ReadingCopy {
  io::UniqueFd dossier_fd;
  std::optional<io::MappedFile> dossier;
  AssemblyOutput out;
  AssemblyNames names;
};

Result<ReadingCopy> make_reading_copy(const Report& report, const CheckedPackage& checked,
                                      const std::vector<std::vector<std::uint8_t>>& kept, const Manifest& m,
                                      const SealOptions& options, const Catalogue& messages) {
  ReadingCopy copy;
  copy.names = assembly_names(messages.lang());
  auto fd = io::memory_file("dossier-reading-copy");
  if (!fd) return tl::unexpected(fd.error());
  copy.dossier_fd = std::move(*fd);
  AssemblySettings settings;
  settings.data_dir = options.check.data_dir;
  settings.purpose = m.purpose;
  settings.sealing = true;
  auto out = assemble_dossier(report, checked.referral_xml, kept, checked.text_layers, settings, messages,
                              copy.dossier_fd.get(), checked.thumbnails);
  if (!out) return tl::unexpected(out.error());
  copy.out = std::move(*out);
  auto mapped = io::MappedFile::map(copy.dossier_fd.get());
  if (!mapped) return tl::unexpected(mapped.error());
  copy.dossier.emplace(std::move(*mapped));
  return copy;
}

}  // namespace

std::vector<std::string> document_fingerprints(const crypto::minisign::SecretKey& signer,
                                               const std::vector<IndexDocument>& documents) {
  const auto key = signer.derive_key(kFingerprintSubkey, kFingerprintContext);
  std::vector<std::string> out;
  for (const auto& d : documents) out.push_back(bundle::document_fingerprint(key.expose(), d.path, d.sha256));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// ---- seal ----

Result<SealResult> seal_bundle(const fs::path& package_path, const fs::path& out, const SealOptions& options,
                               const Catalogue& messages) {
  if (options.recipients.empty()) return fail(Errc::usage, "no recipients: name CoMensha's public key with -r");
  if (options.signer == nullptr) return fail(Errc::usage, "no signing key: name yours with -s");
  std::error_code ec;
  if (fs::exists(fs::symlink_status(out, ec))) {
    return fail(Errc::usage, out.string() + " already exists; dossier never replaces it");
  }
  const fs::path out_parent = out.parent_path().empty() ? fs::path(".") : out.parent_path();
  if (!fs::is_directory(out_parent, ec)) return fail(Errc::not_found, out_parent.string() + ": no such folder");
  // A bundle written into the package folder would become an undeclared file of the package.
  if (fs::is_directory(package_path, ec)) {
    const auto pkg_dir = fs::weakly_canonical(package_path, ec).lexically_normal();
    const auto rel = fs::weakly_canonical(out_parent, ec).lexically_normal().lexically_relative(pkg_dir);
    if (!rel.empty() && *rel.begin() != "..") {
      return fail(Errc::usage, out.string() + " lies inside the package " + package_path.string() +
                                   "; write the bundle next to it, not into it");
    }
  }

  SealResult result;
  auto pkg = io::Package::open(package_path, options.check.package_limits);
  if (!pkg) {
    if (pkg.error().code == Errc::not_found) return tl::unexpected(pkg.error());
    auto report = run_check(package_path, options.check, messages);  // words the failure
    if (!report) return tl::unexpected(report.error());
    result.report = std::move(*report);
    return result;
  }
  std::vector<const io::PackageFile*> files;  // the documents, in the check's order
  for (const auto& f : pkg->files()) {
    if (f.path != "referral.xml") files.push_back(&f);
  }

  // A supplement: the earlier bundle, verified with the signer's own public key, and which
  // documents it already holds (the same path and bytes: the same keyed fingerprint). Those
  // are carried over, not encrypted again.
  constexpr std::size_t kNotSent = static_cast<std::size_t>(-1);
  std::vector<std::size_t> sent_as(files.size());  // the document's place among those sent, or kNotSent
  std::vector<std::string> pre_sha(files.size());
  bundle::BundleRef base;
  if (options.supplements) {
    auto v = verify_bundle(*options.supplements, options.signer->public_key());
    if (!v) return tl::unexpected(v.error());
    if (!v->valid || !v->manifest) {
      const std::string why = v->problems.empty() ? "not valid" : v->problems.front().detail;
      return fail(Errc::crypto, options.supplements->string() +
                                    " is not a valid bundle sealed with this signing key (" + why +
                                    "); a supplement continues your own earlier bundle of this referral");
    }
    if (v->manifest->purpose == "decision") {
      return fail(Errc::usage, options.supplements->string() +
                                   " is a decision; name the bundle you sealed (the referral or the last supplement)");
    }
    base = bundle::BundleRef{v->manifest->dossier_id, manifest_sha256(*v->manifest)};
    const std::set<std::string> held(v->manifest->fingerprints.begin(), v->manifest->fingerprints.end());
    const auto key = options.signer->derive_key(kFingerprintSubkey, kFingerprintContext);
    for (std::size_t i = 0; i < files.size(); ++i) {
      crypto::Sha256 sha;
      if (auto r = pkg->read_to(*files[i], [&](std::span<const std::uint8_t> b) -> Result<void> {
            sha.update(b);
            return {};
          });
          !r) {
        return tl::unexpected(r.error());
      }
      pre_sha[i] = sha.hex_final();
      if (held.count(bundle::document_fingerprint(key.expose(), files[i]->path, pre_sha[i])) != 0) sent_as[i] = kNotSent;
    }
  }

  // The check reads each document once, and seal encrypts the pieces it reads (the tap) straight
  // into their places in the bundle file, behind room reserved for the head (head_reserve). The
  // staging folder, with whatever ciphertext it holds, goes when seal ends without a bundle.
  auto staging = io::Staging::create(out);
  if (!staging) return tl::unexpected(staging.error());
  const auto rs = recipient_ptrs(options.recipients);
  auto age_header = crypto::age::header_size(rs);
  if (!age_header) return tl::unexpected(age_header.error());
  std::vector<io::stored_zip::Member> tail;
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (sent_as[i] == kNotSent) continue;
    sent_as[i] = tail.size();
    tail.push_back({payload_entry_name(tail.size() + 1), crypto::age::encrypted_size(*age_header, files[i]->size), 0});
  }
  const std::size_t sent = tail.size();
  const io::PackageFile* referral_file = pkg->find("referral.xml");
  const std::uint64_t reserve = options.head_reserve != 0
                                    ? options.head_reserve
                                    : head_reserve(referral_file != nullptr ? referral_file->size : 0, files.size());
  auto zip = io::ReservedStoredZip::create(staging->path() / "bundle.dossier", reserve, tail);
  if (!zip) return tl::unexpected(zip.error());
  std::vector<std::unique_ptr<CipherWriter>> ciphers;  // per document; null for one carried over
  for (std::size_t i = 0; i < files.size(); ++i) {
    ciphers.push_back(sent_as[i] == kNotSent ? nullptr
                                             : std::make_unique<CipherWriter>(*zip, sent_as[i], tail[sent_as[i]].size, rs));
  }
  // The reading copy is made from the same pieces, kept in memory up to the assembly's limit.
  std::uint64_t total = 0;
  for (const auto& f : pkg->files()) total += f.size;
  const std::uint64_t copy_limit = io::AssemblyLimits{}.max_input_bytes;
  const bool keep = options.reading_copy && total <= copy_limit;
  if (options.reading_copy && !keep)
    result.reading_copy_error = "the documents together are larger than the assembly limit of " +
                                std::to_string(copy_limit >> 20) + " MiB (docs/limits.md)";
  std::vector<std::vector<std::uint8_t>> kept(keep ? files.size() : 0);
  CheckOptions check = options.check;
  check.tap.piece = [&](std::size_t i, std::span<const std::uint8_t> piece) -> Result<void> {
    if (ciphers.at(i)) {
      if (auto r = ciphers[i]->piece(piece); !r) return r;
    }
    if (keep) kept.at(i).insert(kept[i].end(), piece.begin(), piece.end());
    return {};
  };
  check.tap.end = [&](std::size_t i) { return ciphers.at(i) ? ciphers[i]->end() : Result<void>{}; };
  std::optional<FontWarmUp> warm_up;
  if (keep) warm_up.emplace();
  auto checked = check_package(*pkg, package_path.string(), check, messages);
  if (!checked) return tl::unexpected(checked.error());
  result.report = std::move(checked->report);
  // Never an incomplete package; a not-eligible one only as an advice request.
  if (result.report.verdict == Verdict::incomplete) return result;
  if (result.report.verdict == Verdict::not_eligible && !options.advice_request) return result;
  // Only what open will accept goes into a bundle.
  if (auto refused = refuse_checked_paths(result.report, options.check.package_limits)) {
    // Not hostile here: the coordinator's own package. The detail says what to change.
    return fail(Errc::unsupported, refused->detail + "; nothing was sealed");
  }
  if (result.report.documents.size() != files.size()) {
    return fail(Errc::internal, "the check reported another number of documents than the package holds");
  }
  for (std::size_t i = 0; i < files.size(); ++i) {
    const auto& d = result.report.documents[i];
    // A complete package's documents were all read whole, so all were encrypted.
    if (d.path != files[i]->path || (ciphers[i] && !ciphers[i]->done())) {
      return fail(Errc::internal, files[i]->path + " was not read whole by the check; nothing was sealed");
    }
    if (!ciphers[i] && d.sha256 != pre_sha[i]) {
      return fail(Errc::io, files[i]->path + " changed while it was sealed; nothing was sealed, seal again");
    }
  }

  Manifest m;
  m.format = kBundleFormat;
  m.dossier_id = random_id();
  m.created = utc_now();
  m.profile_id = result.report.profile_id;
  m.profile_version = result.report.profile_version;
  m.verdict = verdict_name(result.report.verdict);
  m.purpose = options.advice_request ? "advice-request" : "referral";
  m.signer_key_id = options.signer->key_id_hex();
  m.supplements = base;

  std::vector<IndexDocument> documents, carried;
  std::vector<std::uint32_t> crcs;
  for (std::size_t i = 0; i < files.size(); ++i) {
    const auto& d = result.report.documents[i];
    if (!ciphers[i]) {
      carried.push_back({"", d.path, d.size, d.sha256});
      result.carried.push_back(d.path);
      continue;
    }
    const auto& member = tail[sent_as[i]];
    documents.push_back({member.name, d.path, d.size, d.sha256});
    m.entries.push_back(ManifestEntry{member.name, ciphers[i]->size(), ciphers[i]->blake2b()});
    crcs.push_back(ciphers[i]->crc());
  }
  {
    std::vector<IndexDocument> all = documents;
    all.insert(all.end(), carried.begin(), carried.end());
    m.fingerprints = document_fingerprints(*options.signer, all);
  }

  if (!checked->referral_xml) return fail(Errc::internal, "a complete package without referral.xml");

  // The reading copy, encrypted after the documents into members appended to the bundle file.
  // One that cannot be made leaves the bundle without it (open then makes its own); one that
  // cannot be written is an error like any other write.
  std::vector<bundle::IndexFile> copy_files;
  if (keep) {
    auto copy = make_reading_copy(result.report, *checked, kept, m, options, messages);
    kept.clear();
    kept.shrink_to_fit();
    if (!copy) {
      result.reading_copy_error = copy.error().message;
    } else {
      const std::array<std::pair<const char*, std::span<const std::uint8_t>>, 3> parts = {{
          {"dossier", copy->dossier->bytes()},
          {"cover", bytes_of(copy->out.cover_pdf)},
          {"report", bytes_of(copy->out.report_html)}}};
      const std::array<std::string, 3> names = {copy->names.dossier, copy->names.cover, copy->names.report};
      bool fits = true;
      for (const auto& [role, bytes] : parts)
        fits = fits && crypto::age::encrypted_size(*age_header, bytes.size()) <= BundleLimits{}.max_entry_bytes;
      if (!fits) {
        result.reading_copy_error = "dossier.pdf is larger than a bundle entry may be (docs/limits.md)";
      } else {
        for (std::size_t k = 0; k < parts.size(); ++k) {
          const auto& [role, bytes] = parts[k];
          io::stored_zip::Member member{payload_entry_name(sent + 1 + k),
                                        crypto::age::encrypted_size(*age_header, bytes.size()), 0};
          auto at = zip->append(member);
          if (!at) return tl::unexpected(at.error());
          CipherWriter cipher(*zip, *at, member.size, rs);
          if (auto w = cipher.piece(bytes); !w) return tl::unexpected(w.error());
          if (auto w = cipher.end(); !w) return tl::unexpected(w.error());
          if (!cipher.done()) return fail(Errc::internal, "the reading copy's ciphertext is not the size foreseen");
          m.entries.push_back(ManifestEntry{member.name, cipher.size(), cipher.blake2b()});
          crcs.push_back(cipher.crc());
          copy_files.push_back({member.name, role, names[k], bytes.size(), crypto::sha256_hex(bytes)});
          tail.push_back(std::move(member));
        }
        result.reading_copy = std::move(copy->out.assembly);
        result.reading_copy_files = copy_files;
      }
    }
  }

  std::string index_text = bundle::index_text(m, *checked->referral_xml, documents,
                                              to_json(result.report, messages.lang()), copy_files, carried);
  if (options.progress) options.progress(0, 1, out.filename().string());
  auto filled = head_filling(m, index_text, reserve, *age_header, *options.signer, rs, BundleLimits{}.max_index_bytes);
  if (!filled) {
    sodium_memzero(index_text.data(), index_text.size());
    return tl::unexpected(filled.error());
  }
  fs::path bundle_path = zip->path();
  if (*filled) {
    sodium_memzero(index_text.data(), index_text.size());
    const Head& h = **filled;
    const std::vector<io::ReservedStoredZip::HeadMember> members = {
        {"mimetype", bytes_of(kBundleMimetype)},
        {kManifestEntry, bytes_of(h.manifest_text)},
        {kSignatureEntry, bytes_of(h.signature)},
        {kIndexEntry, std::span<const std::uint8_t>(h.index)}};
    if (auto r = zip->finish(members, crcs); !r) return tl::unexpected(r.error());
    m = h.manifest;
  } else {
    // The head does not fit the reserve (a very large report or referral.xml): a second file,
    // the head as it is, the ciphertexts copied into it by the kernel from their places in the
    // first, which goes with the staging folder.
    auto h = sign_head(m, std::move(index_text), *options.signer, rs);
    if (!h) return tl::unexpected(h.error());
    bundle_path = staging->path() / "bundle-copied.dossier";
    if (auto r = write_container(bundle_path, h->manifest_text, h->signature, h->index, *zip, tail, crcs); !r) {
      return tl::unexpected(r.error());
    }
    m = std::move(h->manifest);
  }
  if (options.progress) options.progress(1, 1, out.filename().string());
  result.bytes = fs::file_size(bundle_path, ec);
  if (auto r = staging->commit_file(bundle_path); !r) return tl::unexpected(r.error());
  result.sealed = true;
  result.manifest = std::move(m);
  return result;
}

// ---- verify ----
//
// verify_core() reads as the steps of docs/bundle-format.md, "What dossier verify checks": open
// the container, read the signed pair, verify the signature, bind the manifest to it, then the
// signature file's unsigned bytes, the entry list, the container's bytes and every digest. A
// step that makes the rest meaningless ends verification; every other problem is collected and
// verification goes on.

namespace {

using Problems = std::vector<BundleProblem>;

void add(Problems& p, BundleCheck check, std::string entry, std::string detail) {
  p.push_back(BundleProblem{check, std::move(entry), std::move(detail)});
}

// Where a payload entry's bytes lie in the container, as the verified layout fixes them (the
// local header before them checked byte for byte), and the CRC-32 its headers declare.
struct PayloadSpan {
  std::uint64_t offset = 0;
  std::uint64_t size = 0;
  std::uint32_t crc = 0;
};

struct Checked {
  VerifyResult result;
  std::vector<PayloadSpan> payload;                 // per manifest entry, once the container is canonical
  std::optional<io::ZipReader> zip;                 // open on the very file that was verified
  std::optional<crypto::minisign::PublicKey> signer;  // the trusted key whose signature held
};

io::ZipLimits zip_limits_for(const BundleLimits& limits) {
  io::ZipLimits z;
  z.max_entries = limits.max_documents + 4 + std::size(bundle::kReadingCopyRoles);
  z.max_entry_size = limits.max_entry_bytes;
  z.max_total_size = limits.max_bundle_bytes;
  z.max_archive_size = limits.max_bundle_bytes;
  z.max_depth = 2;
  z.max_name_length = 64;
  return z;
}

Result<std::vector<std::uint8_t>> read_bounded(const io::ZipReader& zip, const char* name, std::uint64_t max) {
  const auto* e = zip.find(name);
  if (e == nullptr) return fail(Errc::malformed, "missing");
  if (e->size > max) return fail(Errc::limit, "larger than " + std::to_string(max) + " bytes");
  return zip.read(*e);
}

// Reads one payload entry straight from the container file (ZipReader::read_raw: the very
// file that was verified, whatever happens to its name), computing its CRC-32 and BLAKE2b-512
// on the way; finish() compares them with the declared CRC-32 and the signed digest. Bytes
// handed out before finish() are not yet known to be the signed ones: whoever receives them
// discards them when finish() fails.
class PayloadReader {
 public:
  static constexpr std::size_t kPiece = 256 * 1024;  // a read: large, and still within the L2 cache

  PayloadReader(const io::ZipReader& zip, const PayloadSpan& span) : zip_(zip), span_(span) {}

  // The next piece into `buf` (at most kPiece bytes used); 0 at the end of the entry.
  Result<std::size_t> next(std::span<std::uint8_t> buf) {
    const std::uint64_t left = span_.size - done_;
    if (left == 0) return std::size_t{0};
    const auto want = static_cast<std::size_t>(std::min<std::uint64_t>({left, buf.size(), kPiece}));
    auto n = zip_.read_raw(span_.offset + done_, buf.first(want));
    if (!n) return tl::unexpected(n.error());
    if (*n != want) return fail(Errc::malformed, "the file ends inside this entry");
    const std::span<const std::uint8_t> got(buf.data(), want);
    crc_ = io::crc32_update(crc_, got);
    hash_.update(got);
    done_ += want;
    return want;
  }

  // Every byte read, with the declared CRC-32 and the manifest's BLAKE2b-512.
  Result<void> finish(const ManifestEntry& me) {
    if (done_ != span_.size || done_ != me.size) return fail(Errc::crypto, "size differs from the manifest");
    if (crc_ != span_.crc) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "CRC-32 %08X, declared %08X", static_cast<unsigned>(crc_),
                    static_cast<unsigned>(span_.crc));
      return fail(Errc::malformed, buf);
    }
    if (hash_.hex_final() != me.blake2b) return fail(Errc::crypto, "BLAKE2b-512 digest differs from the manifest");
    return {};
  }

 private:
  const io::ZipReader& zip_;
  PayloadSpan span_;
  std::uint64_t done_ = 0;
  std::uint32_t crc_ = 0;
  crypto::Blake2b512 hash_;
};

// A whole payload entry through `sink` (nullptr: only checked), then PayloadReader::finish.
Result<void> read_payload(const io::ZipReader& zip, const PayloadSpan& span, const ManifestEntry& me,
                          const std::function<Result<void>(std::span<const std::uint8_t>)>& sink) {
  PayloadReader reader(zip, span);
  std::vector<std::uint8_t> buf(static_cast<std::size_t>(std::min<std::uint64_t>(PayloadReader::kPiece, span.size)));
  while (true) {
    auto n = reader.next(buf);
    if (!n) return tl::unexpected(n.error());
    if (*n == 0) break;
    if (sink) {
      if (auto r = sink(std::span<const std::uint8_t>(buf.data(), *n)); !r) return r;
    }
  }
  return reader.finish(me);
}

// Step 1: the file is within the size limit and opens as a ZIP under the bundle limits (the
// hardened reader of docs/zip-safety.md).
std::optional<io::ZipReader> open_container(const fs::path& bundle, const BundleLimits& limits, Problems& p) {
  std::error_code ec;
  const auto size = fs::file_size(bundle, ec);
  if (ec) {
    add(p, BundleCheck::container, "", "cannot read the file: " + ec.message());
    return std::nullopt;
  }
  if (size > limits.max_bundle_bytes) {
    add(p, BundleCheck::container, "",
        "larger than the limit of " + std::to_string(limits.max_bundle_bytes) + " bytes");
    return std::nullopt;
  }
  auto zip = io::ZipReader::open(bundle, zip_limits_for(limits));
  if (!zip) {
    add(p, BundleCheck::container, "", zip.error().message);
    return std::nullopt;
  }
  return std::move(*zip);
}

// Step 2: mimetype, manifest and signature are entries 1 to 3 and the mimetype says what this
// is; the manifest and its signature, read whole. nullopt when either cannot be read.
struct SignedPair {
  std::string manifest;
  std::string signature;
};

std::optional<SignedPair> read_signed_pair(const io::ZipReader& zip, const BundleLimits& limits, Problems& p) {
  const auto& entries = zip.entries();
  static const std::array<const char*, 3> fixed = {"mimetype", kManifestEntry, kSignatureEntry};
  for (std::size_t i = 0; i < fixed.size(); ++i) {
    if (i >= entries.size() || entries[i].name != fixed[i]) {
      add(p, BundleCheck::entries, fixed[i], std::string("expected as entry ") + std::to_string(i + 1));
    }
  }
  if (auto mt = read_bounded(zip, "mimetype", 256); !mt) {
    add(p, BundleCheck::mimetype, "mimetype", mt.error().message);
  } else if (std::string(mt->begin(), mt->end()) != kBundleMimetype) {
    add(p, BundleCheck::mimetype, "mimetype", std::string("is not ") + kBundleMimetype);
  }
  auto manifest = read_bounded(zip, kManifestEntry, limits.max_manifest_bytes);
  if (!manifest) {
    add(p, BundleCheck::manifest, kManifestEntry, manifest.error().message);
    return std::nullopt;
  }
  auto signature = read_bounded(zip, kSignatureEntry, limits.max_signature_bytes);
  if (!signature) {
    add(p, BundleCheck::signature, kSignatureEntry, signature.error().message);
    return std::nullopt;
  }
  return SignedPair{std::string(manifest->begin(), manifest->end()), std::string(signature->begin(), signature->end())};
}

// Step 3: the signature holds with the trusted key whose id it names (with one trusted key,
// that key whatever the id, so that minisign's own mismatch message is reported). nullopt when
// it does not: nothing in an unsigned manifest can be trusted.
std::optional<crypto::minisign::PublicKey> verify_signature(const SignedPair& pair,
                                                            const std::vector<crypto::minisign::PublicKey>& trusted,
                                                            VerifyResult& v) {
  auto claimed = crypto::minisign::signature_key_id(pair.signature);
  if (!claimed) {
    add(v.problems, BundleCheck::signature, kSignatureEntry, claimed.error().message);
    return std::nullopt;
  }
  const crypto::minisign::PublicKey* chosen = trusted.size() == 1 ? &trusted.front() : nullptr;
  for (const auto& k : trusted) {
    if (k.key_id == *claimed) chosen = &k;
  }
  if (chosen == nullptr) {
    add(v.problems, BundleCheck::signature, kSignatureEntry,
        "signed by key id " + crypto::minisign::key_id_hex(*claimed) + ", which is none of the " +
            std::to_string(trusted.size()) + " trusted public keys");
    return std::nullopt;
  }
  auto verified = crypto::minisign::verify(*chosen, bytes_of(pair.manifest), pair.signature);
  if (!verified) {
    add(v.problems, BundleCheck::signature, kSignatureEntry, verified.error().message);
    return std::nullopt;
  }
  v.trusted_comment = verified->trusted_comment;
  v.signer_key_id = chosen->key_id_hex();
  return *chosen;
}

// Step 4: the signed manifest is canonical, the trusted comment and the signer key id are its
// own, and it lists no more documents than the limit.
std::optional<Manifest> bind_manifest(const SignedPair& pair, const crypto::minisign::PublicKey& signer,
                                      const BundleLimits& limits, VerifyResult& v) {
  auto m = Manifest::parse(pair.manifest);
  if (!m) {
    add(v.problems, BundleCheck::manifest, kManifestEntry, m.error().message);
    return std::nullopt;
  }
  if (v.trusted_comment != trusted_comment_for(*m)) {
    add(v.problems, BundleCheck::trusted_comment, kSignatureEntry,
        "\"" + v.trusted_comment + "\" does not match the manifest (\"" + trusted_comment_for(*m) + "\")");
  }
  if (m->signer_key_id != signer.key_id_hex()) {
    add(v.problems, BundleCheck::signer, kManifestEntry,
        "names signer " + m->signer_key_id + ", signed by " + signer.key_id_hex());
  }
  // The index, the documents and the reading copy's three files.
  if (m->entries.size() > limits.max_documents + 1 + std::size(bundle::kReadingCopyRoles)) {
    add(v.problems, BundleCheck::entries, "",
        "more documents than the limit of " + std::to_string(limits.max_documents));
  }
  return std::move(*m);
}

// Step 5: the signature file is exactly what seal writes, line by line ("\n" ends each):
// "untrusted comment: " and untrusted_comment_for(), the signature in canonical base64,
// "trusted comment: " and the comment just verified, the global signature in canonical base64.
// minisign ignores the untrusted comment and tolerates other line ends, and base64 can spell the
// same bytes in more than one way (non-zero padding bits): all room for unsigned bytes.
bool is_canonical_base64(std::string_view line, std::size_t bytes) {
  // crypto::base64 refuses bytes outside the alphabet and non-zero padding bits.
  auto bin = crypto::base64::decode(line, /*padded=*/true);
  return bin && bin->size() == bytes;
}

void check_signature_file(std::string_view text, const Manifest& m, const VerifyResult& v, Problems& p) {
  constexpr std::size_t kSignatureBytes = 2 + crypto::minisign::kKeyIdBytes + 64;  // "ED", key id, Ed25519
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    if (nl == std::string_view::npos) break;
    lines.push_back(text.substr(0, nl));
    text.remove_prefix(nl + 1);
  }
  const std::string untrusted = "untrusted comment: " + untrusted_comment_for(m);
  const std::string trusted = "trusted comment: " + v.trusted_comment;
  std::string why;
  if (!text.empty() || lines.size() != 4) {
    why = "is not four lines, each ended by a line feed";
  } else if (lines[0] != untrusted) {
    why = "its untrusted comment is not \"" + untrusted_comment_for(m) + "\"";
  } else if (!is_canonical_base64(lines[1], kSignatureBytes) || !is_canonical_base64(lines[3], 64)) {
    why = "a signature line is not in canonical base64";
  } else if (lines[2] != trusted) {
    why = "the trusted comment line is not spelled as seal writes it";
  }
  if (!why.empty()) {
    add(p, BundleCheck::signature, kSignatureEntry, why + " (bytes that are not signed must be exactly as sealed)");
  }
}

// Step 6: the ZIP holds exactly the listed payload entries, in the listed order, all stored,
// and no folder entries.
void check_entry_list(const io::ZipReader& zip, const Manifest& m, Problems& p) {
  std::set<std::string> listed;
  for (const auto& e : m.entries) listed.insert(e.path);
  std::vector<std::string> payload_in_zip;
  for (const auto& e : zip.entries()) {
    // Every entry is stored: the ZIP CRC-32 then covers the exact stored bytes, and no deflate
    // stream can be altered without changing what it inflates to (docs/bundle-format.md).
    if (e.deflated) add(p, BundleCheck::entries, e.name, "compressed; every entry of a bundle is stored");
    if (e.is_directory) {
      add(p, BundleCheck::entries, e.name, "a folder entry; a bundle has none");
    } else if (e.name != "mimetype" && e.name != kManifestEntry && e.name != kSignatureEntry) {
      if (listed.count(e.name) == 0) add(p, BundleCheck::entries, e.name, "not listed in the manifest");
      payload_in_zip.push_back(e.name);
    }
  }
  std::vector<std::string> listed_order;
  for (const auto& e : m.entries) {
    listed_order.push_back(e.path);
    if (zip.find(e.path) == nullptr) add(p, BundleCheck::entries, e.path, "listed in the manifest but missing");
  }
  if (payload_in_zip != listed_order && p.empty()) {
    add(p, BundleCheck::entries, "", "payload entries are not in the manifest's order");
  }
}

// Step 7: the container is byte for byte the canonical stored layout of the signed entries
// (io::stored_zip, docs/bundle-format.md "Container bytes"). Every header, local and central,
// and the end record are rebuilt from the manifest (names, order, sizes) and the entries'
// CRC-32s and compared with the file, whose size must be the layout's: so there is no gap, no
// leading or trailing byte, no entry the directory does not list, no extra field or comment.
// The CRC-32s are the ones the central directory declares; step 8 reads every entry, and the
// reader refuses an entry whose bytes do not have its declared CRC-32, so they too are fixed by
// the signed bytes. False when the container differs: its entries are then not read at all.
std::string describe_header(const io::stored_zip::Header& h, const std::vector<io::stored_zip::Member>& members) {
  switch (h.part) {
    case io::stored_zip::Part::local_header: return "the local header of " + members[h.member].name;
    case io::stored_zip::Part::central_header: return "the central header of " + members[h.member].name;
    case io::stored_zip::Part::end_record: break;
  }
  return "the end of central directory record";
}

// True also fills `payload`: where each manifest entry's bytes lie.
bool check_container_bytes(const io::ZipReader& zip, const Manifest& m, const SignedPair& pair, Problems& p,
                           std::vector<PayloadSpan>& payload) {
  const auto crc = [](std::string_view s) { return io::crc32_update(0, bytes_of(s)); };
  std::vector<io::stored_zip::Member> members = {
      {"mimetype", std::string_view(kBundleMimetype).size(), crc(kBundleMimetype)},
      {kManifestEntry, pair.manifest.size(), crc(pair.manifest)},
      {kSignatureEntry, pair.signature.size(), crc(pair.signature)}};
  for (const auto& e : m.entries) {
    const auto* entry = zip.find(e.path);
    members.push_back({e.path, e.size, entry != nullptr ? entry->crc : 0});
  }
  auto layout = io::stored_zip::layout(members);
  if (!layout) {
    add(p, BundleCheck::container, "", layout.error().message);
    return false;
  }
  const std::size_t before = p.size();
  std::size_t differing = 0;
  for (const auto& h : layout->headers) {
    std::vector<std::uint8_t> got(h.bytes.size());
    auto n = zip.read_raw(h.offset, got);
    if (!n) {
      add(p, BundleCheck::container, "", n.error().message);
      return false;
    }
    std::size_t at = 0;
    while (at < *n && got[at] == h.bytes[at]) ++at;
    if (at == h.bytes.size() || differing++ > 0) continue;
    char found[64];
    if (at < *n) {
      std::snprintf(found, sizeof found, "is 0x%02X, a sealed bundle has 0x%02X", got[at], h.bytes[at]);
    } else {
      std::snprintf(found, sizeof found, "is missing: the file ends");
    }
    add(p, BundleCheck::container, h.part == io::stored_zip::Part::end_record ? "" : members[h.member].name,
        "byte " + std::to_string(h.offset + at) + ", in " + describe_header(h, members) + " (" +
            io::stored_zip::field_at(h.part, at) + "), " + found);
  }
  if (differing > 1) {
    p.back().detail += "; " + std::to_string(differing) + " of the " + std::to_string(layout->headers.size()) +
                       " ZIP headers differ from what seal writes";
  }
  std::array<std::uint8_t, 1> beyond{};
  const auto more = zip.read_raw(layout->size, beyond);
  if (zip.archive_size() != layout->size || !more || *more != 0) {
    add(p, BundleCheck::container, "",
        "the file has " + std::to_string(zip.archive_size()) + " bytes, the signed entries as sealed take " +
            std::to_string(layout->size) + ": nothing may be added, removed or moved");
  }
  if (p.size() != before) return false;
  payload.clear();
  for (std::size_t i = 3; i < members.size(); ++i) {
    payload.push_back({layout->data_offsets[i], members[i].size, members[i].crc});
  }
  return true;
}

// Step 8: every payload entry has the signed size and BLAKE2b-512 digest and its declared
// CRC-32. The entries are read one per core at a time (docs/benchmarks.md); problems are
// reported in the manifest's order whatever the order they were found in.
void check_digests(const io::ZipReader& zip, const Manifest& m, const std::vector<PayloadSpan>& payload,
                   Problems& p) {
  std::vector<std::optional<std::string>> found(m.entries.size());
  for_each_parallel(
      m.entries.size(), worker_count(),
      [&](std::size_t i) {
        if (auto r = read_payload(zip, payload[i], m.entries[i], nullptr); !r) found[i] = r.error().message;
      },
      [] { return false; });
  for (std::size_t i = 0; i < found.size(); ++i) {
    if (found[i]) add(p, BundleCheck::digest, m.entries[i].path, *found[i]);
  }
}

// Whether verify_core reads the payload (verify) or leaves each entry's digest to whoever
// reads it next (open decrypts from the container and checks each digest on the way).
enum class Payload { check_digests, caller_checks };

Checked verify_core(const fs::path& bundle, const std::vector<crypto::minisign::PublicKey>& trusted,
                    const BundleLimits& limits, Payload payload = Payload::check_digests) {
  Checked c;
  VerifyResult& v = c.result;
  auto zip = open_container(bundle, limits, v.problems);
  if (!zip) return c;
  const auto pair = read_signed_pair(*zip, limits, v.problems);
  if (!pair) return c;
  c.signer = verify_signature(*pair, trusted, v);
  if (!c.signer) return c;
  auto m = bind_manifest(*pair, *c.signer, limits, v);
  if (!m) return c;
  check_signature_file(pair->signature, *m, v, v.problems);
  check_entry_list(*zip, *m, v.problems);
  if (check_container_bytes(*zip, *m, *pair, v.problems, c.payload) && payload == Payload::check_digests) {
    check_digests(*zip, *m, c.payload, v.problems);
  }
  v.manifest = std::move(*m);
  v.valid = v.problems.empty();
  c.zip.emplace(std::move(*zip));
  return c;
}

}  // namespace

const char* check_name(BundleCheck check) noexcept {
  switch (check) {
    case BundleCheck::binding: return "binding";
    case BundleCheck::container: return "container";
    case BundleCheck::mimetype: return "mimetype";
    case BundleCheck::entries: return "entries";
    case BundleCheck::signature: return "signature";
    case BundleCheck::trusted_comment: return "trusted-comment";
    case BundleCheck::signer: return "signer";
    case BundleCheck::manifest: return "manifest";
    case BundleCheck::digest: return "digest";
    case BundleCheck::index: return "index";
    case BundleCheck::path: return "path";
    case BundleCheck::names: return "names";
    case BundleCheck::document: return "document";
    case BundleCheck::identity: return "identity";
  }
  return "internal";
}

Result<VerifyResult> verify_bundle(const fs::path& bundle, const crypto::minisign::PublicKey& signer,
                                   const BundleLimits& limits) {
  return verify_bundle(bundle, std::vector<crypto::minisign::PublicKey>{signer}, limits);
}

Result<VerifyResult> verify_bundle(const fs::path& bundle, const std::vector<crypto::minisign::PublicKey>& trusted,
                                   const BundleLimits& limits) {
  if (trusted.empty()) return fail(Errc::usage, "no trusted public key");
  if (auto named = io::check_named_file(bundle); !named) return tl::unexpected(named.error());
  std::error_code ec;
  return verify_core(bundle, trusted, limits).result;
}

Result<Manifest> read_manifest(const fs::path& bundle, const BundleLimits& limits) {
  if (auto named = io::check_named_file(bundle); !named) return tl::unexpected(named.error());
  std::error_code ec;
  // Every error names the bundle as the user gave it, not only its file name.
  const std::string name = bundle.filename().string() + ": ";
  auto named = [&](const Error& e) {
    const std::string_view m = e.message;
    return fail(e.code, bundle.string() + ": " + std::string(m.starts_with(name) ? m.substr(name.size()) : m));
  };
  auto zip = io::ZipReader::open(bundle, zip_limits_for(limits));
  if (!zip) return named(zip.error());
  auto bytes = read_bounded(*zip, kManifestEntry, limits.max_manifest_bytes);
  if (!bytes) return named(Error{bytes.error().code, std::string(kManifestEntry) + ": " + bytes.error().message});
  auto m = Manifest::parse(std::string(bytes->begin(), bytes->end()));
  if (!m) return named(m.error());
  return m;
}

// ---- open ----
//
// open_bundle() reads as its steps (docs/bundle-format.md, "What dossier open adds"): verify,
// read the index, stage referral.xml and each document, re-check, commit. A step either
// succeeds or says why opening stops (a Stop: the check it belongs to and an error code).

namespace {

struct Stop {
  Errc code;
  BundleProblem problem;
};
template <typename T>
using Step = tl::expected<T, Stop>;

tl::unexpected<Stop> stop(Errc code, BundleCheck check, std::string entry, std::string detail) {
  return tl::unexpected<Stop>(Stop{code, BundleProblem{check, std::move(entry), std::move(detail)}});
}


}  // namespace


namespace {

// Step 1: the index, read from the verified file with its digest checked on the way, decrypted
// with the identities and checked against the manifest.
// The index, decrypted (the caller wipes it).
Step<std::vector<std::uint8_t>> decrypt_index(const io::ZipReader& zip, const Manifest& m, const PayloadSpan& span,
                                              const OpenOptions& options) {
  std::vector<std::uint8_t> cipher;
  auto got = read_payload(zip, span, m.entries.front(), [&](std::span<const std::uint8_t> d) -> Result<void> {
    if (cipher.size() + d.size() > options.limits.max_index_bytes) return fail(Errc::limit, "index too large");
    cipher.insert(cipher.end(), d.begin(), d.end());
    return {};
  });
  if (!got) return stop(got.error().code, BundleCheck::digest, kIndexEntry, got.error().message);
  auto plain = crypto::age::decrypt(options.identities, cipher);
  if (!plain) {
    if (plain.error().code == Errc::no_identity) {
      return stop(Errc::no_identity, BundleCheck::identity, kIndexEntry, plain.error().message);
    }
    return stop(plain.error().code, BundleCheck::index, kIndexEntry, plain.error().message);
  }
  return std::move(*plain);
}

Step<Index> read_index(const io::ZipReader& zip, const Manifest& m, const PayloadSpan& span,
                       const crypto::minisign::PublicKey& signer, const OpenOptions& options) {
  auto plain = decrypt_index(zip, m, span, options);
  if (!plain) return tl::unexpected(plain.error());
  const std::string_view text(reinterpret_cast<const char*>(plain->data()), plain->size());
  auto index = bundle::parse_index(text, m, signer, options.limits);
  sodium_memzero(plain->data(), plain->size());
  if (!index) return stop(index.error().code, BundleCheck::index, kIndexEntry, index.error().message);
  // The document paths, by the rules seal applied (above "seal"), against the referral.xml
  // that travels in the index, read by the parser the check uses.
  auto xsd = app::read_referral_schema(options.check.data_dir);
  if (!xsd) return stop(xsd.error().code, BundleCheck::index, kIndexEntry, xsd.error().message);
  const Referral referral = Referral::parse(index->referral_xml, *xsd);
  std::set<std::string> declared;
  for (const auto& d : referral.documents()) declared.insert(d.path);
  std::vector<std::string> paths;
  for (const auto& d : index->documents) paths.push_back(d.path);
  for (const auto& d : index->carried) paths.push_back(d.path);
  if (auto refused = refuse_document_paths(paths, declared, options.check.package_limits)) {
    const std::string entry = refused->document < index->documents.size() ? index->documents[refused->document].entry
                                                                           : std::string(kIndexEntry);
    return stop(refused->code, refused->check, entry, refused->detail);
  }
  return std::move(*index);
}

// Step 2: referral.xml, written from the index (its SHA-256 was checked in step 1).
Step<void> stage_referral(const fs::path& staging, const Index& index) {
  if (auto w = write_new_file(staging / "referral.xml", index.referral_xml, 0600); !w) {
    return stop(Errc::io, BundleCheck::document, "referral.xml", w.error().message);
  }
  return {};
}

// What age::decrypt reads a payload entry from: the container's bytes through a PayloadReader,
// so the entry's CRC-32 and digest are computed as it decrypts. A read error ends the stream
// and is kept for finish().
class PayloadStreamBuf : public std::streambuf {
 public:
  PayloadStreamBuf(const io::ZipReader& zip, const PayloadSpan& span)
      : reader_(zip, span),
        buf_(static_cast<std::size_t>(std::clamp<std::uint64_t>(span.size, 1, PayloadReader::kPiece))) {}

  // Reads whatever decryption left unread, then PayloadReader::finish: are these the signed bytes?
  Result<void> finish(const ManifestEntry& me) {
    while (!error_) {
      auto n = reader_.next(buf_);
      if (!n) error_ = n.error();
      else if (*n == 0) break;
    }
    if (error_) return tl::unexpected(*error_);
    return reader_.finish(me);
  }

 protected:
  int_type underflow() override {
    if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
    if (error_) return traits_type::eof();
    auto n = reader_.next(buf_);
    if (!n) error_ = n.error();
    if (!n || *n == 0) return traits_type::eof();
    char* b = reinterpret_cast<char*>(buf_.data());
    setg(b, b, b + *n);
    return traits_type::to_int_type(*gptr());
  }

 private:
  PayloadReader reader_;
  std::vector<std::uint8_t> buf_;
  std::optional<Error> error_;
};

// Step 3, per document: decrypted straight from the container into its path (O_EXCL |
// O_NOFOLLOW; its folder exists), while the ciphertext's CRC-32 and digest are computed; the
// digest must be the manifest's, and the plaintext's size and SHA-256 the index's. Until then
// the plaintext is only inside the staging folder, which the caller removes on failure.
Step<void> stage_document(const io::ZipReader& zip, const PayloadSpan& span, const ManifestEntry& me,
                          const IndexDocument& doc, const fs::path& staging,
                          const std::vector<const crypto::age::Identity*>& identities) {
  auto file = HashingFile::create(staging / doc.path);
  if (!file) return stop(Errc::io, BundleCheck::document, doc.entry, file.error().message);
  PayloadStreamBuf source(zip, span);
  std::istream cipher_in(&source);
  std::ostream plain_out(file->get());
  auto dec = crypto::age::decrypt(identities, cipher_in, plain_out);
  // The signed bytes first: a ciphertext that is not the manifest's is reported as that, not
  // as whatever decrypting it gave.
  if (auto same = source.finish(me); !same) {
    return stop(same.error().code, BundleCheck::digest, doc.entry, same.error().message);
  }
  if (!dec) {
    if (dec.error().code == Errc::no_identity) {
      return stop(Errc::no_identity, BundleCheck::identity, doc.entry, dec.error().message);
    }
    return stop(Errc::crypto, BundleCheck::document, doc.entry, dec.error().message);
  }
  plain_out.flush();
  if (!(*file)->finish() || !plain_out) return stop(Errc::io, BundleCheck::document, doc.entry, "write failed");
  if ((*file)->size() != doc.size || (*file)->sha256() != doc.sha256) {
    return stop(Errc::crypto, BundleCheck::document, doc.entry, "decrypted size or SHA-256 differs from the index");
  }
  return {};
}

// A decision (purpose "decision"): its index holds decision.xml; the one payload entry is the
// letter. decision.xml must be a valid decision bound to the very bundle the signed manifest
// says it answers; DIR gets decision.xml and the letter, nothing else.
Step<void> open_decision(const io::ZipReader& zip, const Manifest& m, const std::vector<PayloadSpan>& payload,
                         const crypto::minisign::PublicKey& signer, const fs::path& dir, const OpenOptions& options,
                         OpenResult& r) {
  auto plain = decrypt_index(zip, m, payload.front(), options);
  if (!plain) return tl::unexpected(plain.error());
  const std::string_view text(reinterpret_cast<const char*>(plain->data()), plain->size());
  auto index = bundle::parse_decision_index(text, m, signer, options.limits);
  sodium_memzero(plain->data(), plain->size());
  if (!index) return stop(index.error().code, BundleCheck::index, kIndexEntry, index.error().message);
  auto xsd = read_data_file(options.check.data_dir + "/schemas/decision.xsd");
  if (!xsd) return stop(xsd.error().code, BundleCheck::index, kIndexEntry, xsd.error().message);
  const auto schema = XmlSchema::compile(*xsd);
  const DecisionRead read = read_decision(index->decision_xml, schema.get());
  if (!read.valid()) {
    const std::string why = read.issues.empty() ? "unreadable" : read.issues.front().message;
    return stop(Errc::malformed, BundleCheck::index, kIndexEntry, "decision.xml is not a valid decision: " + why);
  }
  const Decision& d = *read.decision;
  if (!d.answers || d.answers->dossier_id != m.answers.dossier_id ||
      d.answers->manifest_sha256 != m.answers.manifest_sha256) {
    return stop(Errc::hostile, BundleCheck::binding, kIndexEntry,
                "decision.xml answers another bundle than the signed manifest says");
  }
  if (d.serialise() != index->decision_xml) {
    return stop(Errc::malformed, BundleCheck::index, kIndexEntry, "decision.xml is not in dossier's canonical form");
  }
  auto staging = io::Staging::create(dir);
  if (!staging) return stop(staging.error().code, BundleCheck::document, "", staging.error().message);
  if (auto w = write_new_file(staging->path() / kDecisionFile, index->decision_xml, 0600); !w) {
    return stop(Errc::io, BundleCheck::document, kDecisionFile, w.error().message);
  }
  const IndexDocument letter{index->letter.entry, index->letter.name, index->letter.size, index->letter.sha256};
  if (auto s = stage_document(zip, payload[1], m.entries[1], letter, staging->path(), options.identities); !s) {
    return s;
  }
  if (auto c = staging->commit(); !c) return stop(c.error().code, BundleCheck::document, "", c.error().message);
  r.files = {kDecisionFile, index->letter.name};
  r.decision = d;
  return {};
}

}  // namespace

Result<OpenResult> open_bundle(const fs::path& bundle, const fs::path& dir, const OpenOptions& options,
                               const Catalogue& messages) {
  if (options.identities.empty()) return fail(Errc::usage, "no identity: name your secret key with -i");
  std::vector<crypto::minisign::PublicKey> trusted;  // the -p key first, then the register
  if (options.signer != nullptr) trusted.push_back(*options.signer);
  trusted.insert(trusted.end(), options.signers.begin(), options.signers.end());
  if (trusted.empty()) return fail(Errc::usage, "no signer public key: name it with -p");
  if (auto named = io::check_named_file(bundle); !named) return tl::unexpected(named.error());
  std::error_code ec;
  if (fs::exists(fs::symlink_status(dir, ec))) {
    return fail(Errc::usage, dir.string() + " already exists; dossier never writes into an existing folder");
  }
  const fs::path parent = dir.parent_path().empty() ? fs::path(".") : dir.parent_path();
  if (!fs::is_directory(parent, ec)) return fail(Errc::not_found, parent.string() + ": no such folder");

  OpenResult r;
  auto checked = verify_core(bundle, trusted, options.limits, Payload::caller_checks);
  r.verify = std::move(checked.result);
  if (!r.verify.valid) {
    r.error_code = Errc::crypto;
    return r;
  }
  const Manifest& m = *r.verify.manifest;
  const io::ZipReader& zip = *checked.zip;
  auto stopped = [&](const Stop& s) {
    r.error = s.problem;
    r.error_code = s.code;
    r.files.clear();
    return r;
  };
  if (options.expect_answers && m.answers != *options.expect_answers) {
    return stopped(Stop{Errc::hostile, BundleProblem{BundleCheck::binding, kManifestEntry,
                                                     m.answers.empty() ? "this is not a decision: it answers no bundle"
                                                                       : "it answers bundle " + m.answers.dossier_id +
                                                                             ", not " + options.expect_answers->dossier_id +
                                                                             " (or not that bundle's signed manifest)"}});
  }
  if (!m.supplements.empty() && !options.supplement_part) {
    return stopped(Stop{Errc::usage, BundleProblem{BundleCheck::binding, kManifestEntry,
                                                   "this bundle supplements bundle " + m.supplements.dossier_id +
                                                       ": open it together with that bundle (--base)"}});
  }
  if (m.purpose == "decision") {
    if (auto s = open_decision(zip, m, checked.payload, *checked.signer, dir, options, r); !s) return stopped(s.error());
    r.opened = true;
    return r;
  }

  auto index = read_index(zip, m, checked.payload.front(), *checked.signer, options);
  if (!index) return stopped(index.error());
  auto staging = io::Staging::create(dir);
  if (!staging) return tl::unexpected(staging.error());
  if (auto s = stage_referral(staging->path(), *index); !s) return stopped(s.error());
  // Every document's folder, here; then the documents, one per core at a time. The first
  // failure in the index's order is the one reported.
  const auto& docs = index->documents;
  for (const auto& doc : docs) {
    const fs::path folder = (staging->path() / doc.path).parent_path();
    fs::create_directories(folder, ec);
    if (ec) return stopped(Stop{Errc::io, BundleProblem{BundleCheck::document, doc.entry, folder.string() + ": " + ec.message()}});
  }
  std::vector<std::optional<Stop>> failed(docs.size());
  std::atomic<bool> any_failed{false};
  std::mutex progress_mutex;
  std::size_t started = 0;
  for_each_parallel(
      docs.size(), worker_count(),
      [&](std::size_t i) {
        if (options.progress) {
          const std::lock_guard lock(progress_mutex);
          options.progress(started++, docs.size(), docs[i].path);
        }
        auto s = stage_document(zip, checked.payload[i + 1], m.entries[i + 1], docs[i], staging->path(),
                                options.identities);
        if (!s) {
          failed[i] = std::move(s.error());
          any_failed = true;
        }
      },
      [&] { return any_failed.load(); });
  for (const auto& f : failed) {
    if (f) return stopped(*f);
  }
  r.files.push_back("referral.xml");
  for (const auto& doc : docs) r.files.push_back(doc.path);
  r.carried = index->carried;

  // Step 3b: the reading copy the coordinator sealed (dossier.pdf, the cover sheet, the report),
  // decrypted into a folder of its own beside DIR (reading_copy_dir) with the same checks as a
  // document: the manifest's digest, the index's size and SHA-256. A reading copy that is not
  // what the index says stops opening like a document would. Without assembling, only its
  // digests are checked.
  const AssemblyNames names = assembly_names(messages.lang());
  const fs::path copy_dir = reading_copy_dir(dir, messages.lang());
  std::optional<io::Staging> copy_staging;
  std::string sealed_sha256, sealed_cover;
  const std::size_t copy_first = docs.size() + 1;  // its first manifest entry
  if (!index->reading_copy.empty() && !options.assemble) {
    for (std::size_t k = 0; k < index->reading_copy.size(); ++k) {
      if (auto g = read_payload(zip, checked.payload[copy_first + k], m.entries[copy_first + k], nullptr); !g) {
        return stopped(Stop{g.error().code, BundleProblem{BundleCheck::digest, m.entries[copy_first + k].path,
                                                          g.error().message}});
      }
    }
  }
  if (!index->reading_copy.empty() && options.assemble) {
    auto created = io::Staging::create(copy_dir);
    if (!created) return tl::unexpected(created.error());
    copy_staging.emplace(std::move(*created));
    for (std::size_t k = 0; k < index->reading_copy.size(); ++k) {
      const bundle::IndexFile& f = index->reading_copy[k];
      // The sealed report goes beside the report open makes (with the signature), by a name of its own.
      const std::string name = f.role == "report" ? names.sealed_report : f.name;
      const IndexDocument as_file{f.entry, name, f.size, f.sha256};
      if (auto s = stage_document(zip, checked.payload[copy_first + k], m.entries[copy_first + k], as_file,
                                  copy_staging->path(), options.identities);
          !s) {
        return stopped(s.error());
      }
      r.assembly_files.push_back(name);
      if (f.role == "dossier") sealed_sha256 = f.sha256;
      if (f.role == "cover") sealed_cover = f.name;
    }
  }

  // Step 4: the check, on the staged package; then the staging folder becomes DIR.
  auto pkg = io::Package::open(staging->path(), options.check.package_limits);
  if (!pkg) {
    return stopped(Stop{pkg.error().code,
                        BundleProblem{BundleCheck::document, "", "the extracted package: " + pkg.error().message}});
  }
  // The check keeps what it reads for the assembly: the report (with the signature just
  // verified) and, when the bundle carried no reading copy, dossier.pdf and the cover sheet are
  // made from the bytes judged.
  std::vector<std::vector<std::uint8_t>> kept(docs.size());
  std::vector<std::uint8_t> whole(docs.size(), 0);  // one byte each: written from several threads
  // The documents are held in memory for the assembly only up to its input limit: a larger
  // package is opened all the same, without a report of open's (and without a reading copy,
  // when none was sealed).
  AssemblySettings settings;
  std::uint64_t total = 0;
  for (const auto& f : pkg->files()) total += f.size;
  const bool assemble = options.assemble && total <= settings.limits.max_input_bytes;
  if (options.assemble && !assemble)
    r.assembly_error = "the documents together are larger than the assembly limit of " +
                       std::to_string(settings.limits.max_input_bytes >> 20) + " MiB (docs/limits.md)";
  const CheckOptions check = assemble ? keeping_documents(options.check, kept, whole) : options.check;
  std::optional<FontWarmUp> warm_up;
  if (assemble) warm_up.emplace();
  auto rechecked = check_package(*pkg, dir.string(), check, messages);
  if (!rechecked) return tl::unexpected(rechecked.error());
  r.report = std::move(rechecked->report);
  // The reading copy goes into a folder of its own beside DIR, so that DIR stays the package
  // as sealed (a later `dossier check DIR` judges the same files); it is committed after DIR.
  if (assemble && r.report->documents.size() == docs.size()) {
    for (std::size_t i = 0; i < kept.size(); ++i)
      if (!whole[i]) kept[i].clear();
    settings.data_dir = options.check.data_dir;
    settings.purpose = m.purpose;
    settings.signature = SignatureFacts{r.verify.signer_key_id, m.dossier_id, m.created, m.purpose,
                                        m.entries.size(), copy_staging ? names.dossier : std::string(),
                                        sealed_cover, sealed_sha256};
    if (!copy_staging) {
      auto created = io::Staging::create(copy_dir);
      if (!created) {
        r.assembly_error = created.error().message;
      } else {
        copy_staging.emplace(std::move(*created));
        auto made = write_assembly(copy_staging->path(), *r.report, rechecked->referral_xml, kept,
                                   rechecked->text_layers, settings, messages, rechecked->thumbnails);
        if (made) {
          r.assembly = std::move(*made);
          r.assembly_files = {names.dossier, names.cover, names.report};
        } else {
          r.assembly_error = made.error().message;  // the documents are there; the reading copy is not
          copy_staging.reset();
        }
      }
    } else {
      // The sealed dossier.pdf and cover sheet are kept; open adds its report, for which the
      // dossier is assembled again in memory (its page numbers and thumbnails) and let go.
      auto made = [&]() -> Result<AssemblyOutput> {
        auto fd = io::memory_file("dossier-open-assembly");
        if (!fd) return tl::unexpected(fd.error());
        auto out = assemble_dossier(*r.report, rechecked->referral_xml, kept, rechecked->text_layers, settings,
                                    messages, fd->get(), rechecked->thumbnails);
        if (!out) return out;
        if (auto w = io::write_new_file(copy_staging->path() / names.report, out->report_html); !w)
          return tl::unexpected(w.error());
        return out;
      }();
      if (made) {
        r.assembly = std::move(made->assembly);
        r.assembly_files.push_back(names.report);
      } else {
        r.assembly_error = made.error().message;  // the sealed reading copy is there; open's report is not
      }
    }
  }
  if (auto c = staging->commit(); !c) return tl::unexpected(c.error());
  if (copy_staging) {
    if (auto c = copy_staging->commit(); !c) {
      r.assembly.reset();
      r.assembly_files.clear();
      r.assembly_error = c.error().message;
    } else {
      r.assembly_dir = copy_dir;
      r.sealed_copy = !sealed_sha256.empty();
    }
  }
  r.opened = true;
  return r;
}

// ---- supplements ----

Result<OpenResult> open_supplement(const fs::path& bundle, const std::vector<fs::path>& bases, const fs::path& dir,
                                   const OpenOptions& options, const Catalogue& messages) {
  if (options.identities.empty()) return fail(Errc::usage, "no identity: name your secret key with -i");
  std::vector<crypto::minisign::PublicKey> trusted;
  if (options.signer != nullptr) trusted.push_back(*options.signer);
  trusted.insert(trusted.end(), options.signers.begin(), options.signers.end());
  if (trusted.empty()) return fail(Errc::usage, "no signer public key: name it with -p");
  std::error_code ec;
  if (fs::exists(fs::symlink_status(dir, ec))) {
    return fail(Errc::usage, dir.string() + " already exists; dossier never writes into an existing folder");
  }
  std::vector<fs::path> chain = bases;
  chain.push_back(bundle);
  OpenResult r;
  const auto refused = [&](std::size_t k, Errc code, BundleCheck check, std::string detail) {
    r.error = BundleProblem{check, chain[k].filename().string(), std::move(detail)};
    r.error_code = code;
    return r;
  };

  // 1. Every bundle valid, by one signer, each supplementing the one before it.
  std::vector<Manifest> ms;
  for (std::size_t k = 0; k < chain.size(); ++k) {
    auto v = verify_bundle(chain[k], trusted, options.limits);
    if (!v) return tl::unexpected(v.error());
    if (!v->valid) {
      // The problems say why; for an earlier bundle, which one it was.
      r.verify = std::move(*v);
      r.error_code = Errc::crypto;
      if (k + 1 < chain.size()) {
        r.error = BundleProblem{BundleCheck::binding, chain[k].filename().string(),
                                "this earlier bundle (--base) is not valid: see the problems above"};
      }
      return r;
    }
    if (k + 1 == chain.size()) r.verify = *v;
    ms.push_back(*v->manifest);
  }
  for (std::size_t k = 0; k < chain.size(); ++k) {
    for (std::size_t j = 0; j < k; ++j) {
      if (ms[j].dossier_id == ms[k].dossier_id) {
        return refused(k, Errc::usage, BundleCheck::binding,
                       "the same bundle is given twice (as " + chain[j].filename().string() + " too)");
      }
    }
  }
  for (std::size_t k = 0; k < chain.size(); ++k) {
    const Manifest& m = ms[k];
    if (m.purpose == "decision") return refused(k, Errc::usage, BundleCheck::binding, "a decision is not part of a referral's bundles");
    if (m.signer_key_id != ms.front().signer_key_id) {
      return refused(k, Errc::hostile, BundleCheck::binding,
                     "sealed by " + m.signer_key_id + ", the first bundle by " + ms.front().signer_key_id +
                         ": a supplement must come from the same signer");
    }
    if (k == 0) {
      if (!m.supplements.empty()) {
        return refused(k, Errc::usage, BundleCheck::binding,
                       "the first --base is itself a supplement of bundle " + m.supplements.dossier_id +
                           ": name every bundle of the referral, the first one first");
      }
      continue;
    }
    const bundle::BundleRef previous{ms[k - 1].dossier_id, manifest_sha256(ms[k - 1])};
    if (m.supplements == previous) continue;
    for (std::size_t j = 0; j + 1 < k; ++j) {
      if (m.supplements == bundle::BundleRef{ms[j].dossier_id, manifest_sha256(ms[j])}) {
        return refused(k, Errc::hostile, BundleCheck::binding,
                       "it supplements bundle " + ms[j].dossier_id + ", which " + chain[j + 1].filename().string() +
                           " already supplemented: that version is superseded");
      }
    }
    return refused(k, Errc::usage, BundleCheck::binding,
                   m.supplements.empty() ? "it supplements no bundle"
                                         : "it supplements bundle " + m.supplements.dossier_id +
                                               ", which is not among the bundles given (or not that version of it)");
  }

  // 2. Each bundle decrypted into a private folder of its own; the package built from them.
  auto parts = io::Staging::create(dir.string() + ".delen");
  if (!parts) return tl::unexpected(parts.error());
  auto staging = io::Staging::create(dir);
  if (!staging) return tl::unexpected(staging.error());
  const fs::path pkg = staging->path();
  std::map<std::string, OpenResult::Version> current;  // path -> the version in pkg
  fs::path sealed_copy;
  for (std::size_t k = 0; k < chain.size(); ++k) {
    const bool last = k + 1 == chain.size();
    OpenOptions o = options;
    o.supplement_part = true;
    o.assemble = last;
    o.expect_answers.reset();
    const fs::path part = parts->path() / ("deel-" + std::to_string(k));
    auto opened = open_bundle(chain[k], part, o, messages);
    if (!opened) return tl::unexpected(opened.error());
    if (!opened->opened) {
      r.error = opened->error;
      r.error_code = opened->error_code;
      return r;
    }
    std::map<std::string, OpenResult::Version> next;
    for (const auto& c : opened->carried) {
      const auto it = current.find(c.path);
      if (it == current.end() || it->second.sha256 != c.sha256) {
        return refused(k, Errc::hostile, BundleCheck::document,
                       c.path + " is carried over, but the bundles before it hold no such version of it");
      }
      next.emplace(c.path, it->second);
    }
    const auto& sent_docs = opened->report ? opened->report->documents : std::vector<DocumentFacts>{};
    for (const auto& f : opened->files) {
      const fs::path to = pkg / f;
      fs::create_directories(to.parent_path(), ec);
      fs::rename(part / f, to, ec);
      if (ec) return tl::unexpected(Error{Errc::io, to.string() + ": " + ec.message()});
      std::string sha;
      for (const auto& d : sent_docs) {
        if (d.path == f) sha = d.sha256;
      }
      if (f == "referral.xml") {
        auto text = io::read_named_file(to, bundle::kMaxReferralBytes);
        if (text) sha = crypto::sha256_hex(bytes_of(*text));
      }
      next[f] = OpenResult::Version{f, sha, ms[k].dossier_id, ms[k].created, k};
    }
    for (const auto& [path, version] : current) {
      if (next.count(path) != 0) continue;
      fs::remove(pkg / path, ec);
      r.removed.push_back(path);
    }
    current = std::move(next);
    if (last && opened->sealed_copy) sealed_copy = opened->assembly_dir;
  }
  for (auto& [path, version] : current) r.history.push_back(version);
  r.files.clear();
  for (const auto& v : r.history) r.files.push_back(v.path);

  // 3. The whole package checked again, then DIR; the sealed reading copy beside it.
  auto package = io::Package::open(pkg, options.check.package_limits);
  if (!package) return tl::unexpected(package.error());
  auto rechecked = check_package(*package, dir.string(), options.check, messages);
  if (!rechecked) return tl::unexpected(rechecked.error());
  r.report = std::move(rechecked->report);
  if (auto c = staging->commit(); !c) return tl::unexpected(c.error());
  r.opened = true;
  if (!sealed_copy.empty()) {
    // The sealed dossier.pdf, cover sheet and report; open's report on the supplement alone
    // would judge only part of the package, so it is left out.
    const AssemblyNames names = assembly_names(messages.lang());
    fs::remove(sealed_copy / names.report, ec);
    const fs::path copy_dir = reading_copy_dir(dir, messages.lang());
    if (::renameat2(AT_FDCWD, sealed_copy.c_str(), AT_FDCWD, copy_dir.c_str(), RENAME_NOREPLACE) == 0) {
      r.assembly_dir = copy_dir;
      r.sealed_copy = true;
      for (const auto& name : {names.dossier, names.cover, names.sealed_report}) {
        if (fs::exists(copy_dir / name, ec)) r.assembly_files.push_back(name);
      }
    } else {
      r.assembly_error = copy_dir.string() + ": " + std::strerror(errno);
    }
  }
  return r;
}

// ---- decisions ----

std::string manifest_sha256(const Manifest& m) {
  const std::string text = m.serialise();
  return crypto::sha256_hex(bytes_of(text));
}

Result<Manifest> seal_decision(const fs::path& out, const DecisionSeal& in) {
  if (in.recipients.empty()) return fail(Errc::usage, "no recipients: name the care coordinator's public key with -r");
  if (in.signer == nullptr) return fail(Errc::usage, "no signing key: name CoMensha's with -s");
  if (in.answers.empty()) return fail(Errc::internal, "a decision that answers no bundle");
  std::error_code ec;
  if (fs::exists(fs::symlink_status(out, ec))) {
    return fail(Errc::usage, out.string() + " already exists; dossier never replaces it");
  }
  const fs::path out_parent = out.parent_path().empty() ? fs::path(".") : out.parent_path();
  if (!fs::is_directory(out_parent, ec)) return fail(Errc::not_found, out_parent.string() + ": no such folder");
  if (!bundle::is_letter_name(in.letter_name)) return fail(Errc::internal, "not a letter's name: " + in.letter_name);

  Manifest m;
  m.format = kBundleFormat;
  m.dossier_id = random_id();
  m.created = utc_now();
  m.profile_id = in.profile_id;
  m.profile_version = in.profile_version;
  m.verdict = "decided";
  m.purpose = "decision";
  m.answers = in.answers;
  m.signer_key_id = in.signer->key_id_hex();
  const auto rs = recipient_ptrs(in.recipients);
  auto letter_cipher = crypto::age::encrypt(rs, bytes_of(in.letter_pdf));
  if (!letter_cipher) return tl::unexpected(letter_cipher.error());
  crypto::Blake2b512 h;
  h.update(*letter_cipher);
  m.entries.push_back(ManifestEntry{payload_entry_name(1), letter_cipher->size(), h.hex_final()});
  const bundle::IndexFile letter{payload_entry_name(1), "letter", in.letter_name, in.letter_pdf.size(),
                                 crypto::sha256_hex(bytes_of(in.letter_pdf))};
  auto head = sign_head(m, bundle::decision_index_text(m, in.decision_xml, letter), *in.signer, rs);
  if (!head) return tl::unexpected(head.error());
  if (head->manifest_text.size() > BundleLimits{}.max_manifest_bytes) return fail(Errc::internal, "manifest too large");

  auto staging = io::Staging::create(out);
  if (!staging) return tl::unexpected(staging.error());
  const fs::path file = staging->path() / "decision.besluit";
  {
    auto zip = io::StoredZipWriter::create(file);
    if (!zip) return tl::unexpected(zip.error());
    if (auto r = zip->add("mimetype", bytes_of(kBundleMimetype)); !r) return tl::unexpected(r.error());
    if (auto r = zip->add(kManifestEntry, bytes_of(head->manifest_text)); !r) return tl::unexpected(r.error());
    if (auto r = zip->add(kSignatureEntry, bytes_of(head->signature)); !r) return tl::unexpected(r.error());
    if (auto r = zip->add(kIndexEntry, head->index); !r) return tl::unexpected(r.error());
    if (auto r = zip->add(payload_entry_name(1), *letter_cipher); !r) return tl::unexpected(r.error());
    if (auto r = zip->close(); !r) return tl::unexpected(r.error());
  }
  if (auto r = staging->commit_file(file); !r) return tl::unexpected(r.error());
  return std::move(head->manifest);
}

}  // namespace dossier::app

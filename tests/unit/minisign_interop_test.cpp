// Interop between src/crypto/minisign.hpp and the real minisign CLI (Debian's
// minisign 0.11). These tests FAIL, never skip, when `minisign` is missing: the
// format claims are only as good as this check. $MINISIGN overrides the binary.
//
// Passphrases: minisign reads them with fgets() from stdin and only turns echo off
// when stdin is a terminal, so a pipe works without a tty (checked below both ways:
// minisign reading our encrypted key, and us reading minisign's).
#include "crypto/minisign.hpp"

#include <gtest/gtest.h>
#include <sodium.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "crypto/base64.hpp"
#include "crypto/sodium_init.hpp"

namespace dossier::crypto::minisign {
namespace {

namespace fs = std::filesystem;

std::string minisign_bin() {
  const char* env = std::getenv("MINISIGN");
  return env != nullptr && *env != '\0' ? std::string(env) : std::string("minisign");
}

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += (c == '\'') ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const fs::path& p, std::string_view text) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  ASSERT_TRUE(out.good()) << p;
}

struct CliRun {
  int status = -1;
  std::string output;  // stdout and stderr
};

SecretBytes secret(std::string_view pw) {
  return SecretBytes(reinterpret_cast<const std::uint8_t*>(pw.data()), pw.size());
}

// A secret key file's text as a std::string: tests only, real code keeps it in SecretBytes.
std::string text_of(const Result<SecretBytes>& file) {
  EXPECT_TRUE(file.has_value()) << file.error().message;
  return file ? std::string(as_text(file->expose())) : std::string();
}

// `key` with its key id replaced by `id` (through the unencrypted file format, with
// an all-zero checksum as `minisign -G -W` writes): deterministic leading zeros.
SecretKey with_key_id(const SecretKey& key, const KeyId& id) {
  const std::string file = text_of(key.to_file(nullptr, ""));
  const auto nl = file.find('\n');
  auto raw = *base64::decode(file.substr(nl + 1, file.size() - nl - 2), true);
  EXPECT_EQ(raw.size(), 158u);
  std::copy(id.begin(), id.end(), raw.begin() + 54);
  std::fill(raw.begin() + 54 + 72, raw.end(), 0);
  auto out = SecretKey::parse(file.substr(0, nl + 1) + base64::encode(raw, true) + "\n",
                              []() -> Result<SecretBytes> { return fail(Errc::usage, "no"); });
  EXPECT_TRUE(out.has_value());
  return std::move(*out);
}

class MinisignInterop : public ::testing::Test {
 protected:
  void SetUp() override {
    init_sodium();
    // Required, not optional: fail loudly when the reference implementation is absent.
    ASSERT_EQ(std::system(("command -v " + quote(minisign_bin()) + " >/dev/null 2>&1").c_str()),
              0)
        << "the minisign CLI is required for the interop tests (apt install minisign)";
    std::string tmpl = (fs::temp_directory_path() / "dossier-minisign-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir = tmpl;
    write_file(dir / "data.txt", "referral dossier\ncontent\n");
  }
  void TearDown() override {
    std::error_code ec;
    if (!dir.empty()) fs::remove_all(dir, ec);
  }

  // Runs minisign with `args` in `dir`; `input` is fed on stdin (never a tty).
  CliRun minisign(const std::string& args, const std::string& input = "") {
    write_file(dir / "stdin.txt", input);
    const std::string cmd = "cd " + quote(dir.string()) + " && " + quote(minisign_bin()) + " " +
                            args + " <stdin.txt >run.out 2>&1";
    const int rc = std::system(cmd.c_str());
    CliRun r;
    r.status = (rc != -1 && WIFEXITED(rc)) ? WEXITSTATUS(rc) : -1;
    r.output = read_file(dir / "run.out");
    return r;
  }

  std::vector<std::uint8_t> data() {
    const std::string s = read_file(dir / "data.txt");
    return {s.begin(), s.end()};
  }

  fs::path dir;
};

TEST_F(MinisignInterop, OurSignatureVerifiesWithMinisign) {
  const SecretKey key = SecretKey::generate();
  write_file(dir / "pub", key.public_key().to_file(""));
  std::ifstream in(dir / "data.txt", std::ios::binary);
  auto sig = sign(key, in, "dossier\tcase 42", "");
  ASSERT_TRUE(sig.has_value()) << sig.error().message;
  write_file(dir / "data.txt.minisig", *sig);

  auto r = minisign("-V -H -p pub -m data.txt");  // -H: prehashed required
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("Trusted comment: dossier\tcase 42"), std::string::npos) << r.output;
  r = minisign("-V -p pub -m data.txt");
  EXPECT_EQ(r.status, 0) << r.output;
  r = minisign("-V -Q -x data.txt.minisig -p pub -m data.txt");
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(r.output, "dossier\tcase 42\n");
  // Bare base64 public key (-P).
  const std::string pk_line = key.public_key().to_file("").substr(
      key.public_key().to_file("").find('\n') + 1, 56);
  r = minisign("-V -P " + quote(pk_line) + " -m data.txt");
  EXPECT_EQ(r.status, 0) << r.output;

  // minisign refuses what we refuse.
  write_file(dir / "data.txt", "tampered\n");
  r = minisign("-V -p pub -m data.txt");
  EXPECT_NE(r.status, 0) << r.output;
}

TEST_F(MinisignInterop, CommentBoundsMatchMinisign) {
  const SecretKey key = SecretKey::generate();
  write_file(dir / "pub", key.public_key().to_file(""));
  // Longest comments we write: minisign reads them back (its fgets buffers are 1024
  // bytes for the untrusted comment line, 8192 for the trusted comment line).
  const std::string tc(kTrustedCommentMaxBytes, 't');
  const std::string uc(kUntrustedCommentMaxBytes, 'u');
  write_file(dir / "data.txt.minisig", *sign(key, data(), tc, uc));
  auto r = minisign("-V -Q -p pub -m data.txt");
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(r.output, tc + "\n");
  EXPECT_EQ(sign(key, data(), tc + "t", "").error().code, Errc::usage);
  EXPECT_EQ(sign(key, data(), "", uc + "u").error().code, Errc::usage);
  // An empty trusted comment is valid for both.
  write_file(dir / "data.txt.minisig", *sign(key, data(), "", ""));
  r = minisign("-V -p pub -m data.txt");
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(verify(key.public_key(), data(), read_file(dir / "data.txt.minisig"))->trusted_comment,
            "");
}

TEST_F(MinisignInterop, MinisignUnencryptedKeySignsWithUs) {
  auto r = minisign("-G -W -p pub -s sec");
  ASSERT_EQ(r.status, 0) << r.output;
  auto pk = PublicKey::parse(read_file(dir / "pub"));
  ASSERT_TRUE(pk.has_value()) << pk.error().message;
  // minisign's own public key comment carries the key id in the same hex convention.
  EXPECT_NE(read_file(dir / "pub").find("minisign public key " + pk->key_id_hex()),
            std::string::npos);
  auto sk = SecretKey::parse(read_file(dir / "sec"), []() -> Result<SecretBytes> {
    ADD_FAILURE() << "passphrase asked for a -W key";
    return fail(Errc::usage, "no");
  });
  ASSERT_TRUE(sk.has_value()) << sk.error().message;
  EXPECT_FALSE(sk->was_encrypted());
  EXPECT_EQ(sk->public_key(), *pk);

  auto sig = sign(*sk, data(), "signed by dossier", "");
  ASSERT_TRUE(sig.has_value());
  write_file(dir / "data.txt.minisig", *sig);
  r = minisign("-V -H -p pub -m data.txt");
  EXPECT_EQ(r.status, 0) << r.output;
}

TEST_F(MinisignInterop, MinisignSignatureVerifiesWithUs) {
  ASSERT_EQ(minisign("-G -W -p pub -s sec").status, 0);
  auto pk = PublicKey::parse(read_file(dir / "pub"));
  ASSERT_TRUE(pk.has_value());

  auto r = minisign("-S -s sec -m data.txt -c 'from the CLI' -t 'approved by X'");
  ASSERT_EQ(r.status, 0) << r.output;
  std::ifstream in(dir / "data.txt", std::ios::binary);
  auto v = verify(*pk, in, read_file(dir / "data.txt.minisig"));
  ASSERT_TRUE(v.has_value()) << v.error().message;
  EXPECT_EQ(v->trusted_comment, "approved by X");
  EXPECT_EQ(v->key_id_hex, pk->key_id_hex());

  // The default trusted comment contains TABs ("timestamp:..\tfile:..\thashed").
  r = minisign("-S -s sec -m data.txt");
  ASSERT_EQ(r.status, 0) << r.output;
  v = verify(*pk, data(), read_file(dir / "data.txt.minisig"));
  ASSERT_TRUE(v.has_value()) << v.error().message;
  EXPECT_NE(v->trusted_comment.find("\tfile:data.txt\thashed"), std::string::npos);

  auto other = data();
  other[0] ^= 1;
  EXPECT_EQ(verify(*pk, other, read_file(dir / "data.txt.minisig")).error().code, Errc::crypto);
}

TEST_F(MinisignInterop, MinisignLegacySignatureRejected) {
  ASSERT_EQ(minisign("-G -W -p pub -s sec").status, 0);
  auto r = minisign("-S -l -s sec -m data.txt");
  ASSERT_EQ(r.status, 0) << r.output;
  auto v = verify(*PublicKey::parse(read_file(dir / "pub")), data(),
                  read_file(dir / "data.txt.minisig"));
  ASSERT_FALSE(v.has_value());
  EXPECT_EQ(v.error().code, Errc::unsupported);
  // Same stance as `minisign -V -H`.
  r = minisign("-V -H -p pub -m data.txt");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.output.find("Legacy"), std::string::npos) << r.output;
}

TEST_F(MinisignInterop, KeyIdMismatchReportedLikeMinisign) {
  // Key ids with leading zero digits: minisign 0.11 prints them unpadded.
  const SecretKey a = with_key_id(SecretKey::generate(), KeyId{1, 2, 3, 4, 5, 6, 7, 0});
  const SecretKey b = with_key_id(SecretKey::generate(), KeyId{9, 9, 9, 9, 9, 9, 0, 0});
  ASSERT_EQ(a.key_id_hex(), "7060504030201");
  ASSERT_EQ(b.key_id_hex(), "90909090909");
  write_file(dir / "pub", b.public_key().to_file(""));
  const auto sig = *sign(a, data(), "tc", "");
  write_file(dir / "data.txt.minisig", sig);
  auto r = minisign("-V -p pub -m data.txt");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.output.find("is " + a.key_id_hex() + "\nbut the key id in the public key is " +
                          b.key_id_hex()),
            std::string::npos)
      << r.output;
  auto v = verify(b.public_key(), data(), sig);
  ASSERT_FALSE(v.has_value());
  EXPECT_EQ(v.error().code, Errc::crypto);
  EXPECT_NE(v.error().message.find(a.key_id_hex()), std::string::npos);
  EXPECT_NE(v.error().message.find(b.key_id_hex()), std::string::npos);
}

TEST_F(MinisignInterop, OurUnencryptedKeyUsedByMinisign) {
  // A key id with a leading zero digit, so the -R comparison covers the hex convention.
  const SecretKey key =
      with_key_id(SecretKey::generate(), KeyId{0x19, 0xcb, 0x8c, 0x6e, 0x86, 0x18, 0xab, 0x08});
  ASSERT_EQ(key.key_id_hex(), "8AB18866E8CCB19");
  write_file(dir / "sec", text_of(key.to_file(nullptr, "")));
  write_file(dir / "pub", key.public_key().to_file(""));
  // minisign 0.11 needs no -W to sign with an unencrypted key (-W only matters for -G
  // and -C); with -p it also checks the result against the public key.
  auto r = minisign("-S -s sec -p pub -m data.txt -t 'by minisign with our key'");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(r.output.find("Password"), std::string::npos) << r.output;
  auto v = verify(key.public_key(), data(), read_file(dir / "data.txt.minisig"));
  ASSERT_TRUE(v.has_value()) << v.error().message;
  EXPECT_EQ(v->trusted_comment, "by minisign with our key");
  // minisign derives the same public key file from our secret key file.
  r = minisign("-R -s sec -p pub2");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(read_file(dir / "pub2"), key.public_key().to_file(""));
}

TEST_F(MinisignInterop, OurEncryptedKeyUsedByMinisign) {
  const SecretKey key = SecretKey::generate();
  const SecretBytes pw = secret("interop passphrase");
  write_file(dir / "sec", text_of(key.to_file(&pw, "", KdfParams::light())));
  write_file(dir / "pub", key.public_key().to_file(""));

  auto r = minisign("-S -s sec -p pub -m data.txt -t 'encrypted key'", "interop passphrase\n");
  ASSERT_EQ(r.status, 0) << r.output;
  auto v = verify(key.public_key(), data(), read_file(dir / "data.txt.minisig"));
  ASSERT_TRUE(v.has_value()) << v.error().message;
  EXPECT_EQ(v->trusted_comment, "encrypted key");

  r = minisign("-S -s sec -m data.txt -x wrong.minisig", "not the passphrase\n");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.output.find("Wrong password"), std::string::npos) << r.output;
}

// minisign always encrypts with its defaults (scrypt opslimit 2^25, memlimit 1 GiB):
// this test costs ~1 GiB of RAM and a few seconds, twice (minisign, then us).
TEST_F(MinisignInterop, MinisignEncryptedKeyReadByUs) {
  auto r = minisign("-G -p pub -s sec", "pw for dossier\npw for dossier\n");
  ASSERT_EQ(r.status, 0) << r.output;
  auto sk = SecretKey::parse(read_file(dir / "sec"), []() -> Result<SecretBytes> {
    return secret("pw for dossier");
  });
  ASSERT_TRUE(sk.has_value()) << sk.error().message;
  EXPECT_TRUE(sk->was_encrypted());
  EXPECT_EQ(sk->public_key(), *PublicKey::parse(read_file(dir / "pub")));
  write_file(dir / "data.txt.minisig", *sign(*sk, data(), "tc", ""));
  r = minisign("-V -H -p pub -m data.txt");
  EXPECT_EQ(r.status, 0) << r.output;
}

// ---- Reading differences settled against minisign 0.11 (docs/formats-minisign.md) -------

// The untrusted comment line: minisign's fgets() bound (1022 bytes before the LF, a CR
// included) is ours, for signature and public key files.
TEST_F(MinisignInterop, UntrustedCommentLineBoundAgrees) {
  const SecretKey key = SecretKey::generate();
  const std::string pub = key.public_key().to_file("");
  const std::string sig = *sign(key, data(), "tc", "");
  const std::string sig_rest = sig.substr(sig.find('\n') + 1);
  const std::string pub_line = pub.substr(pub.find('\n') + 1);
  write_file(dir / "pub", pub);
  for (const std::size_t n : {std::size_t{1021}, std::size_t{1022}, std::size_t{1023}, std::size_t{1024}}) {
    for (const bool crlf : {false, true}) {
      std::string comment = "untrusted comment: " + std::string(n - 19 - (crlf ? 1 : 0), 'c');
      if (crlf) comment += "\r";
      write_file(dir / "data.txt.minisig", comment + "\n" + sig_rest);
      const bool theirs = minisign("-V -p pub -m data.txt").status == 0;
      const bool ours = verify(key.public_key(), data(), comment + "\n" + sig_rest).has_value();
      EXPECT_EQ(ours, theirs) << "signature, comment line of " << n << " bytes, crlf " << crlf;
      EXPECT_EQ(ours, n <= 1022) << n;
      // The same comment line in the public key file, the signature as written.
      write_file(dir / "data.txt.minisig", sig);
      write_file(dir / "pub2", comment + "\n" + pub_line);
      const bool theirs_pub = minisign("-V -p pub2 -m data.txt").status == 0;
      const bool ours_pub = PublicKey::parse(comment + "\n" + pub_line).has_value();
      EXPECT_EQ(ours_pub, theirs_pub) << "public key, comment line of " << n << " bytes, crlf " << crlf;
    }
  }
}

// Files that minisign 0.11 accepts and we used to refuse: a signature file with an empty line
// at the end, a public key file whose first line is not "untrusted comment: ...".
TEST_F(MinisignInterop, LenientFilesAcceptedByBoth) {
  const SecretKey key = SecretKey::generate();
  const std::string pub = key.public_key().to_file("");
  const std::string sig = *sign(key, data(), "tc", "");
  write_file(dir / "pub", pub);
  write_file(dir / "data.txt.minisig", sig + "\n");
  auto r = minisign("-V -p pub -m data.txt");
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(verify(key.public_key(), data(), sig + "\n").has_value());

  const std::string odd_pub = "my coordinator key\n" + pub.substr(pub.find('\n') + 1);
  write_file(dir / "pub", odd_pub);
  write_file(dir / "data.txt.minisig", sig);
  r = minisign("-V -p pub -m data.txt");
  EXPECT_EQ(r.status, 0) << r.output;
  auto parsed = PublicKey::parse(odd_pub);
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  EXPECT_EQ(*parsed, key.public_key());

  // Still refused by both: a signature file whose first line is not the untrusted comment.
  write_file(dir / "pub", pub);
  write_file(dir / "data.txt.minisig", "hello\n" + sig.substr(sig.find('\n') + 1));
  EXPECT_NE(minisign("-V -p pub -m data.txt").status, 0);
  EXPECT_FALSE(verify(key.public_key(), data(), read_file(dir / "data.txt.minisig")).has_value());
}

// A byte outside the base64 alphabet where a '/' was: minisign refuses, and so do we
// (libsodium 1.0.18 read 0x80-0xFF as '/', and such a signature verified).
TEST_F(MinisignInterop, HighByteForSlashRefusedByBoth) {
  const SecretKey key = SecretKey::generate();
  write_file(dir / "pub", key.public_key().to_file(""));
  int checked = 0;
  for (int attempt = 0; attempt < 64 && checked < 4; ++attempt) {
    const std::string sig = *sign(key, data(), "attempt " + std::to_string(attempt), "");
    const std::size_t line2 = sig.find('\n') + 1;
    const std::size_t line4 = sig.rfind('\n', sig.size() - 2) + 1;
    for (const std::size_t start : {line2, line4}) {
      const std::size_t slash = sig.find('/', start);
      if (slash == std::string::npos || slash >= sig.find('\n', start)) continue;
      std::string bad = sig;
      bad[slash] = static_cast<char>(0xAF);
      write_file(dir / "data.txt.minisig", bad);
      auto r = minisign("-V -p pub -m data.txt");
      EXPECT_NE(r.status, 0) << r.output;
      auto v = verify(key.public_key(), data(), bad);
      ASSERT_FALSE(v.has_value());
      EXPECT_EQ(v.error().code, Errc::malformed);
      EXPECT_NE(v.error().message.find("0xAF"), std::string::npos) << v.error().message;
      ++checked;
    }
  }
  EXPECT_GE(checked, 4) << "no signature with a '/' in 64 attempts";
}

}  // namespace
}  // namespace dossier::crypto::minisign

// app/keys: -r arguments (age1... keys or files of them); secret key files, identity files and
// passphrase files, read into guarded memory (read(2) into SecretBytes) with the behaviour
// people see unchanged.
#include "app/keys.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <string>

#include "test_support.hpp"

namespace dossier {
namespace {

namespace fs = std::filesystem;
using crypto::SecretBytes;
using crypto::age::X25519Identity;

class KeysDir : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::scratch_path("keys-test");
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path write(const std::string& name, const std::string& text, fs::perms mode = fs::perms(0600)) {
    const fs::path p = dir_ / name;
    std::ofstream(p, std::ios::binary) << text;
    fs::permissions(p, mode);
    return p;
  }
  static SecretBytes secret(std::string_view s) {
    return SecretBytes(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
  }
  Result<SecretBytes> passphrase_from(const std::string& content) {
    return app::PassphraseSource(write("pass", content)).get("unused prompt: ");
  }

  std::vector<std::string> warnings;
  app::Warn warn = [this](const std::string& w) { warnings.push_back(w); };
  fs::path dir_;
};
using Keys = KeysDir;
using Recipients = KeysDir;

// The user is asked through the prompt the caller gives (the CLI's asks on the terminal): app
// itself never opens a terminal. New keys are asked twice and must match.
TEST_F(Keys, PassphrasePromptIsTheCallersAndNewKeysAreAskedTwice) {
  std::vector<std::string> asked;
  std::vector<std::string> answers;
  const app::PassphrasePrompt prompt = [&](const std::string& p) -> Result<SecretBytes> {
    asked.push_back(p);
    const std::string a = answers.at(asked.size() - 1);
    return secret(a);
  };
  answers = {"correct horse", "correct horse"};
  auto same = app::PassphraseSource(std::nullopt, prompt).get("Passphrase: ", /*confirm=*/true);
  ASSERT_TRUE(same) << same.error().message;
  EXPECT_EQ(crypto::as_text(same->expose()), "correct horse");
  EXPECT_EQ(asked, (std::vector<std::string>{"Passphrase: ", "Confirm passphrase: "}));

  asked.clear();
  answers = {"correct horse", "correct hoarse"};
  auto differ = app::PassphraseSource(std::nullopt, prompt).get("Passphrase: ", /*confirm=*/true);
  ASSERT_FALSE(differ);
  EXPECT_EQ(differ.error().code, Errc::usage);
  EXPECT_EQ(differ.error().message, "the passphrases do not match");

  asked.clear();
  answers = {""};
  auto empty = app::PassphraseSource(std::nullopt, prompt).get("Passphrase: ");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().message, "empty passphrase");

  auto nobody = app::PassphraseSource(std::nullopt).get("Passphrase: ");
  ASSERT_FALSE(nobody);
  EXPECT_EQ(nobody.error().code, Errc::usage);
  EXPECT_EQ(nobody.error().message, "a passphrase is needed and none was given");

  // A file, when there is one, is used and the user is not asked.
  asked.clear();
  auto from_file = app::PassphraseSource(write("pw", "from the file\n"), prompt).get("Passphrase: ", true);
  ASSERT_TRUE(from_file) << from_file.error().message;
  EXPECT_EQ(crypto::as_text(from_file->expose()), "from the file");
  EXPECT_TRUE(asked.empty());
}

TEST_F(Recipients, KeysAndFilesTogetherWithoutDuplicates) {
  const auto a = X25519Identity::generate().recipient().to_string();
  const auto b = X25519Identity::generate().recipient().to_string();
  const auto file = write("comensha.pub", "# CoMensha reviewers\n" + a + "\n\n" + b + "\n");
  auto rs = app::load_recipients({a, file.string(), b});
  ASSERT_TRUE(rs) << rs.error().message;
  ASSERT_EQ(rs->size(), 2u);  // a and b once each, in the order first named
  EXPECT_EQ((*rs)[0].to_string(), a);
  EXPECT_EQ((*rs)[1].to_string(), b);
}

TEST_F(Recipients, MissingFileIsNotFoundAndNamesIt) {
  auto rs = app::load_recipients({(dir_ / "nope.pub").string()});
  ASSERT_FALSE(rs);
  EXPECT_EQ(rs.error().code, Errc::not_found);
  EXPECT_NE(rs.error().message.find("nope.pub"), std::string::npos);
}

TEST_F(Recipients, BadKeyAndBadFileAreUsageErrors) {
  auto bad = app::load_recipients({"age1notakey"});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::usage);
  const auto file = write("broken.pub", "AGE-SECRET-KEY-1 is not a recipient\n");
  auto broken = app::load_recipients({file.string()});
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().code, Errc::usage);
  EXPECT_NE(broken.error().message.find("broken.pub"), std::string::npos);
  auto none = app::load_recipients({write("empty.pub", "# nobody\n").string()});
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, Errc::usage);
}

// Each recipient is one stanza in every age header, and opening refuses more than
// crypto::age::kMaxStanzas of them: seal must not accept more (duplicates count once).
TEST_F(Recipients, AtMostAsManyAsAnAgeHeaderHolds) {
  std::string many;
  for (std::size_t i = 0; i < crypto::age::kMaxStanzas; ++i) {
    many += X25519Identity::generate().recipient().to_string() + "\n";
  }
  const auto file = write("many.pub", many);
  const auto first = many.substr(0, many.find('\n'));
  auto full = app::load_recipients({file.string(), first});
  ASSERT_TRUE(full) << full.error().message;
  EXPECT_EQ(full->size(), crypto::age::kMaxStanzas);
  auto over = app::load_recipients({file.string(), X25519Identity::generate().recipient().to_string()});
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().code, Errc::usage);
  EXPECT_EQ(over.error().message, "65 recipients: at most 64 fit in an age header");
}


TEST_F(Keys, PassphraseFileGivesItsFirstLineAsBefore) {
  const std::pair<std::string, std::string> cases[] = {
      {"correct horse\n", "correct horse"},   {"correct horse\r\n", "correct horse"},
      {"correct horse", "correct horse"},     {"correct horse\nsecond line\n", "correct horse"},
      {" spaces kept \n", " spaces kept "},   {std::string(1023, 'p') + "\n", std::string(1023, 'p')},
  };
  for (const auto& [content, want] : cases) {
    auto p = passphrase_from(content);
    ASSERT_TRUE(p.has_value()) << testing::PrintToString(content) << ": " << p.error().message;
    EXPECT_EQ(crypto::as_text(p->expose()), want) << testing::PrintToString(content);
  }
  for (const std::string empty : {"", "\n", "\r\n"}) {
    auto p = passphrase_from(empty);
    ASSERT_FALSE(p.has_value());
    EXPECT_EQ(p.error().code, Errc::usage);
    EXPECT_NE(p.error().message.find("the passphrase file is empty"), std::string::npos) << p.error().message;
  }
  auto big = passphrase_from(std::string(1026, 'p'));
  ASSERT_FALSE(big.has_value());
  EXPECT_EQ(big.error().code, Errc::limit);
  EXPECT_NE(big.error().message.find("larger than 1025 bytes"), std::string::npos) << big.error().message;
}

TEST_F(Keys, PassphraseProtectedIdentityFileUnlocks) {
  const SecretBytes pass = secret("correct horse");
  auto made = app::keygen_encryption(dir_ / "comensha", &pass, 10);
  ASSERT_TRUE(made.has_value()) << made.error().message;
  EXPECT_EQ(test::read_text(made->secret_file).rfind("-----BEGIN AGE ENCRYPTED FILE-----", 0), 0u);
  EXPECT_EQ(test::read_text(made->secret_file).find("AGE-SECRET-KEY-1"), std::string::npos);

  auto ids = app::load_identities(made->secret_file, app::PassphraseSource(write("pw", "correct horse\n")), warn);
  ASSERT_TRUE(ids.has_value()) << ids.error().message;
  ASSERT_EQ(ids->size(), 1u);
  EXPECT_EQ(ids->front().recipient().to_string(), made->public_text);
  EXPECT_TRUE(warnings.empty());

  // What was sealed to the recipient opens with the unlocked identity.
  auto rcpt = crypto::age::X25519Recipient::parse(made->public_text);
  ASSERT_TRUE(rcpt.has_value());
  const std::vector<std::uint8_t> plain = {'d', 'o', 's', 's', 'i', 'e', 'r'};
  auto sealed = crypto::age::encrypt({&*rcpt}, plain);
  ASSERT_TRUE(sealed.has_value());
  EXPECT_EQ(*crypto::age::decrypt({&ids->front()}, *sealed), plain);

  auto wrong = app::load_identities(made->secret_file, app::PassphraseSource(write("pw2", "wrong horse\n")), warn);
  ASSERT_FALSE(wrong.has_value());
  EXPECT_EQ(wrong.error().code, Errc::bad_passphrase);
  EXPECT_EQ(wrong.error().message, made->secret_file.string() + ": wrong passphrase");
}

TEST_F(Keys, PlainIdentityFileWithCommentsAndCrlf) {
  const auto a = crypto::age::X25519Identity::generate();
  const auto b = crypto::age::X25519Identity::generate();
  const std::string text = "# two keys\r\n" + std::string(crypto::as_text(a.to_string().expose())) + "\r\n\r\n  " +
                           std::string(crypto::as_text(b.to_string().expose())) + "\n";
  auto ids = app::load_identities(write("ids.txt", text), app::PassphraseSource(std::nullopt), warn);
  ASSERT_TRUE(ids.has_value()) << ids.error().message;
  ASSERT_EQ(ids->size(), 2u);
  EXPECT_EQ((*ids)[0].recipient().to_string(), a.recipient().to_string());
  EXPECT_EQ((*ids)[1].recipient().to_string(), b.recipient().to_string());
  // Mode 0644: loaded, with a warning.
  auto again = app::load_identities(write("ids2.txt", text, fs::perms(0644)), app::PassphraseSource(std::nullopt), warn);
  ASSERT_TRUE(again.has_value());
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("chmod 600"), std::string::npos);
}

TEST_F(Keys, SecretKeyFileErrorsNameTheFile) {
  const app::PassphraseSource none(std::nullopt);
  auto missing = app::load_identities(dir_ / "nope.key", none, warn);
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, Errc::not_found);
  EXPECT_EQ(missing.error().message, (dir_ / "nope.key").string() + ": no such file");
  const fs::path big = write("big.key", std::string(64 * 1024 + 1, '#'));
  auto too_big = app::load_signing_key(big, none, warn);
  ASSERT_FALSE(too_big.has_value());
  EXPECT_EQ(too_big.error().code, Errc::limit);
  EXPECT_EQ(too_big.error().message, big.string() + ": larger than 65536 bytes");
  auto empty = app::load_identities(write("empty.key", ""), none, warn);
  ASSERT_FALSE(empty.has_value());
  EXPECT_EQ(empty.error().code, Errc::malformed);
}

// Issue 8: kinds of key that age knows but dossier does not use are named as such, not reported
// as broken Bech32.
TEST_F(Recipients, SshAndPluginRecipientsAreNamedAsUnsupported) {
  const auto ssh = write("ssh.pub", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHk3R5w4p0v7Xq5K8m4f6bD2eQ9yK0aB1cE2fG3hI4jK zc@voorbeeld\n");
  auto from_file = app::load_recipients({ssh.string()});
  ASSERT_FALSE(from_file);
  EXPECT_EQ(from_file.error().code, Errc::usage);
  EXPECT_NE(from_file.error().message.find("ssh.pub: recipients file line 1: age: an SSH public key is not supported"),
            std::string::npos) << from_file.error().message;
  auto typed = app::load_recipients({"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHk3R5w4p0v7Xq5K8m4f6bD2eQ9yK0aB1cE2fG3hI4jK"});
  ASSERT_FALSE(typed);
  EXPECT_EQ(typed.error().code, Errc::usage);
  EXPECT_NE(typed.error().message.find("an SSH public key is not supported"), std::string::npos) << typed.error().message;
  auto plugin = app::load_recipients({"age1yubikey1qpzry9x8gf2tvdw0s3jn54khce6mua7lqpzry9x8gf2tvdw0s3jn54k"});
  ASSERT_FALSE(plugin);
  EXPECT_EQ(plugin.error().code, Errc::usage);
  EXPECT_NE(plugin.error().message.find("plugin recipients (age1yubikey...) are not supported"), std::string::npos)
      << plugin.error().message;
}

TEST_F(Keys, PluginAndSshIdentitiesAreNamedAsUnsupported) {
  const app::PassphraseSource none(std::nullopt);
  auto plugin = app::load_identities(write("plugin.key", "AGE-PLUGIN-YUBIKEY-1QQQQQQQQQQQQQQQQQQQQQQ\n"), none, warn);
  ASSERT_FALSE(plugin);
  EXPECT_NE(plugin.error().message.find("plugin identities are not supported"), std::string::npos) << plugin.error().message;
  EXPECT_EQ(plugin.error().message.find("QQQQ"), std::string::npos);  // a secret is never echoed
  auto ssh = app::load_identities(write("id_ed25519", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n"), none, warn);
  ASSERT_FALSE(ssh);
  EXPECT_NE(ssh.error().message.find("SSH or PEM private keys are not supported"), std::string::npos) << ssh.error().message;
}

// Issue 8: a FIFO or a device named as a key is refused at once with what it is (a FIFO used to
// block forever, /dev/zero was "changed while being read" after a permissions warning).
TEST_F(Keys, FifoAndDeviceAreRefusedNotWaitedOn) {
  const app::PassphraseSource none(std::nullopt);
  const fs::path fifo = dir_ / "cm.key";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto from_fifo = app::load_identities(fifo, none, warn);
  ASSERT_FALSE(from_fifo);
  EXPECT_EQ(from_fifo.error().code, Errc::usage);
  EXPECT_EQ(from_fifo.error().message, fifo.string() + ": is a FIFO (named pipe), not a regular file; name a file");
  auto from_zero = app::load_identities("/dev/zero", none, warn);
  ASSERT_FALSE(from_zero);
  EXPECT_EQ(from_zero.error().code, Errc::usage);
  EXPECT_EQ(from_zero.error().message, "/dev/zero: is a device, not a regular file; name a file");
  EXPECT_TRUE(warnings.empty());  // no "protect it with chmod 600 /dev/zero"
  auto pub = app::load_public_key(fifo);
  ASSERT_FALSE(pub);
  EXPECT_EQ(pub.error().message, fifo.string() + ": is a FIFO (named pipe), not a regular file; name a file");
  auto folder = app::load_signing_key(dir_, none, warn);
  ASSERT_FALSE(folder);
  EXPECT_EQ(folder.error().message, dir_.string() + ": is a folder, not a regular file; name a file");
}

// A passphrase may come from a pipe (--passphrase-file <(pass show comensha)); an empty one is
// refused with the file's name.
TEST_F(Keys, PassphraseFromAPipeAndAnEmptyOne) {
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  ASSERT_EQ(::write(p[1], "geheim\nrest\n", 12), 12);
  ::close(p[1]);
  const std::string name = "/dev/fd/" + std::to_string(p[0]);
  auto got = app::PassphraseSource(fs::path(name)).get("unused prompt: ");
  ::close(p[0]);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(crypto::as_text(got->expose()), "geheim");
  auto empty = passphrase_from("");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, Errc::usage);
  EXPECT_EQ(empty.error().message, (dir_ / "pass").string() + ": the passphrase file is empty");
}

// Issue 8: keygen writes both files in a staging folder and moves them into place together:
// nothing else is left, the modes are 0600 and 0644, and when a destination exists nothing is
// written at all.
TEST_F(Keys, KeygenMovesThePairIntoPlaceAndLeavesNothingElse) {
  auto made = app::keygen_encryption(dir_ / "cm", nullptr, 10);
  ASSERT_TRUE(made) << made.error().message;
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir_)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"cm.key", "cm.pub"}));
  EXPECT_EQ(fs::status(dir_ / "cm.key").permissions() & fs::perms::all, fs::perms(0600));
  EXPECT_EQ(fs::status(dir_ / "cm.pub").permissions() & fs::perms::all, fs::perms(0644));
  write("zc.pub", "already here\n");
  auto refused = app::keygen_signing(dir_ / "zc", nullptr, crypto::minisign::KdfParams::light());
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::usage);
  EXPECT_FALSE(fs::exists(dir_ / "zc.key"));
  names.clear();
  for (const auto& e : fs::directory_iterator(dir_)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"cm.key", "cm.pub", "zc.pub"}));  // no staging folder
}

TEST_F(Keys, SigningKeyRoundTripThroughFiles) {
  for (const bool protect : {false, true}) {
    const SecretBytes pass = secret("pw");
    auto made = app::keygen_signing(dir_ / (protect ? "enc" : "plain"), protect ? &pass : nullptr,
                                    crypto::minisign::KdfParams::light());
    ASSERT_TRUE(made.has_value()) << made.error().message;
    struct stat sb {};
    ASSERT_EQ(::stat(made->secret_file.c_str(), &sb), 0);
    EXPECT_EQ(sb.st_mode & 0777, 0600u);
    auto key = app::load_signing_key(made->secret_file, app::PassphraseSource(write("pw", "pw\n")), warn);
    ASSERT_TRUE(key.has_value()) << key.error().message;
    EXPECT_EQ(key->was_encrypted(), protect);
    EXPECT_EQ(key->key_id_hex(), made->public_text);
    auto pub = app::load_public_key(made->public_file);
    ASSERT_TRUE(pub.has_value());
    EXPECT_EQ(*pub, key->public_key());
  }
}

}  // namespace
}  // namespace dossier

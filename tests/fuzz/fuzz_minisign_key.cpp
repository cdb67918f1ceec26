// minisign key files (crypto/minisign.hpp). The first byte chooses the reader, the rest is
// the file text:
//   even: a public key file (or a bare base64 line); what parses must write back to a file
//         that parses to the same key (parse, to_file, parse: a round trip of the key);
//   odd:  a secret key file; an encrypted one gets no passphrase (its scrypt cost is the
//         limit's business, not the fuzzer's), an unencrypted one must write back and parse
//         to the same key id and public key.
#include <cstddef>
#include <cstdint>
#include <string>

#include "crypto/minisign.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dossier;
  using namespace dossier::crypto;
  if (size == 0) return 0;
  const auto text = fuzz::text_of(data + 1, size - 1);
  if (data[0] % 2 == 0) {
    auto key = minisign::PublicKey::parse(text);
    if (!key) return 0;
    for (const char* comment : {"", "fuzz\tcomment\x01\n"}) {
      const std::string file = key->to_file(comment);
      auto again = minisign::PublicKey::parse(file);
      if (!again || !(*again == *key)) fuzz::broken("minisign public key: parse, write, parse gives another key");
    }
    return 0;
  }
  bool asked = false;
  auto key = minisign::SecretKey::parse(text, [&]() -> Result<SecretBytes> {
    asked = true;
    return fail(Errc::usage, "no passphrase in the fuzzer");
  });
  if (!key) return 0;
  if (asked || key->was_encrypted()) fuzz::broken("an encrypted secret key parsed without a passphrase");
  auto file = key->to_file(nullptr, "");
  if (!file) fuzz::broken("minisign secret key: cannot write back what was read");
  auto again = minisign::SecretKey::parse(as_text(file->expose()), []() -> Result<SecretBytes> {
    return fail(Errc::usage, "no passphrase");
  });
  if (!again || again->key_id() != key->key_id() || !(again->public_key() == key->public_key())) {
    fuzz::broken("minisign secret key: parse, write, parse gives another key");
  }
  return 0;
}

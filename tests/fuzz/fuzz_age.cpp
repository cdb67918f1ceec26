// age decryption (crypto/age.hpp): armor detection and ASCII armor, the header and its
// stanzas, the X25519 and scrypt unwrapping, the header MAC and the STREAM payload, with the
// fixed identity of tests/fuzz/keys and a scrypt passphrase. Seeds are files encrypted to them,
// so mutations past the MAC reach the payload reader. A result must come back whole or not at
// all; decrypt_secret must agree with decrypt.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "crypto/age.hpp"
#include "fuzz_keys.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dossier;
  using namespace dossier::crypto;
  const std::string pass = "fuzz passphrase";
  // A low work-factor bound: a stanza asking for more is refused before any scrypt work.
  const age::ScryptIdentity scrypt(SecretBytes(reinterpret_cast<const std::uint8_t*>(pass.data()), pass.size()), 10);
  const std::vector<const age::Identity*> ids{&fuzz::encryption_identity(), &scrypt};
  auto plain = age::decrypt(ids, {data, size});
  auto secret = age::decrypt_secret(ids, {data, size});
  if (plain.has_value() != secret.has_value()) fuzz::broken("decrypt and decrypt_secret disagree");
  if (plain) {
    const auto s = secret->expose();
    if (plain->size() != s.size() || !std::equal(plain->begin(), plain->end(), s.begin())) {
      fuzz::broken("decrypt and decrypt_secret give other plaintexts");
    }
    if (plain->size() >= size) fuzz::broken("plaintext not shorter than the file");
  }
  return 0;
}

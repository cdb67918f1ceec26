// minisign signature files (crypto/minisign.hpp): the key id a signature names and a full
// verification against the fixed public key of tests/fuzz/keys over the fixed data the seeds
// sign. Verification must agree with signature_key_id on the key id.
#include <cstddef>
#include <cstdint>
#include <string>

#include "crypto/minisign.hpp"
#include "fuzz_keys.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dossier;
  using namespace dossier::crypto;
  const minisign::PublicKey& key = fuzz::signing_key();
  static const std::string signed_data = fuzz::read_text(fuzz::keys_dir() + "/signed-data.txt");
  const auto text = fuzz::text_of(data, size);
  auto id = minisign::signature_key_id(text);
  auto verified = minisign::verify(key, {reinterpret_cast<const std::uint8_t*>(signed_data.data()), signed_data.size()}, text);
  if (verified) {
    if (!id || *id != key.key_id) fuzz::broken("verified, but signature_key_id names another key");
    if (verified->key_id_hex != key.key_id_hex()) fuzz::broken("verified with another key id");
  }
  return 0;
}

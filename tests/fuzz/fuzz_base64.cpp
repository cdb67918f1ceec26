// Strict base64 (crypto/base64.hpp), padded and unpadded: decoding accepts only the canonical
// encoding, so whatever decodes must encode back to the same text, and decoded_size must agree.
#include <cstddef>
#include <cstdint>
#include <string>

#include "crypto/base64.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dossier;
  using namespace dossier::crypto;
  const auto text = fuzz::text_of(data, size);
  for (const bool padded : {false, true}) {
    auto bytes = base64::decode(text, padded);
    auto n = base64::decoded_size(text, padded);
    if (!bytes) continue;
    if (!n || *n != bytes->size()) fuzz::broken("base64: decoded_size disagrees with decode");
    if (base64::encode(*bytes, padded) != text) fuzz::broken("base64: decode then encode gives other text");
    if (as_text(base64::encode_secret(*bytes, padded).expose()) != text) {
      fuzz::broken("base64: encode_secret differs from encode");
    }
  }
  return 0;
}

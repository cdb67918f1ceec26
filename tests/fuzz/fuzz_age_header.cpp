// Round trip of the age header (crypto/age.hpp, reencode_header): what the header parser
// accepts, the header writer must write back byte for byte (the parser takes only the
// canonical form: 64-column body lines, canonical base64, one space between arguments).
#include <cstddef>
#include <cstdint>

#include "crypto/age.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dossier;
  auto again = crypto::age::reencode_header({data, size});
  if (!again) return 0;
  if (again->size() > size || fuzz::text_of(data, again->size()) != *again) {
    fuzz::broken("age header: parse then write gives other bytes");
  }
  return 0;
}

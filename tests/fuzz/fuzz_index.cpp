// The encrypted index of a bundle once decrypted (bundle/format.hpp, parse_index): JSON
// that must describe exactly the verified manifest's payload. Checked against the manifest of
// the seed bundle (seeds/manifest/complete.xml) and the fixed signing key of tests/fuzz/keys.
#include <cstddef>
#include <cstdint>

#include "bundle/format.hpp"
#include "fuzz_keys.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dossier;
  static const bundle::Manifest manifest = [] {
    auto m = bundle::Manifest::parse(fuzz::read_text(fuzz::source_dir() + "/tests/fuzz/seeds/manifest/complete.xml"));
    if (!m) fuzz::broken("tests/fuzz/seeds/manifest/complete.xml");
    return *m;
  }();
  auto idx = bundle::parse_index(fuzz::text_of(data, size), manifest, fuzz::signing_key(), bundle::BundleLimits{});
  if (idx && idx->documents.size() + 1 != manifest.entries.size()) fuzz::broken("index: not one document per entry");
  return 0;
}

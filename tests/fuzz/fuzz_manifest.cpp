// The bundle manifest (app/bundle.hpp, Manifest): parse() accepts only what serialise() writes,
// so parse then serialise must give the input back byte for byte; and the signed comments
// derived from it must be computable for anything that parses.
#include <cstddef>
#include <cstdint>

#include "bundle/format.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dossier;
  const auto text = fuzz::text_of(data, size);
  auto m = bundle::Manifest::parse(text);
  if (!m) return 0;
  if (m->serialise() != text) fuzz::broken("manifest: parse then serialise gives other bytes");
  (void)bundle::trusted_comment_for(*m);
  (void)bundle::untrusted_comment_for(*m);
  return 0;
}

// Requirement profiles (core/profile.hpp): the input is a profile file, loaded by path as the CLI
// loads --profile FILE; `extends` may name the project's own profiles (read only).
#include <cstddef>
#include <cstdint>

#include "core/profile.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dossier;
  fuzz::TempDir dir;
  const auto file = fuzz::input_file(dir, "profile.xml", data, size);
  auto p = Profile::load(fuzz::source_dir(), file.string());
  if (p) {
    for (const auto& e : p->evidence()) {
      if (p->evidence_by_id(e.id) == nullptr) fuzz::broken("evidence not found by its own id");
    }
    for (const auto& r : p->rules()) (void)r.id.size();
  }
  return 0;
}

// Requirement profiles (core/profile.hpp): the input is a profile file, loaded as the CLI loads
// --profile FILE (through the core's reader, without a temporary file); `extends` may name the
// project's own profiles, read from the source tree.
#include <cstddef>
#include <cstdint>

#include "app/data_files.hpp"
#include "core/profile.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dossier;
  const std::string input(reinterpret_cast<const char*>(data), size);
  const std::string name = "fuzz-input/profile.xml";  // a path (it holds a '/'), not an id
  const ReadText read = [&](const std::string& path) -> Result<std::string> {
    if (path == name) return input;
    return app::read_data_file(path);
  };
  auto p = Profile::load(fuzz::source_dir(), name, read);
  if (p) {
    for (const auto& e : p->evidence()) {
      if (p->evidence_by_id(e.id) == nullptr) fuzz::broken("evidence not found by its own id");
    }
    for (const auto& r : p->rules()) (void)r.id.size();
  }
  return 0;
}

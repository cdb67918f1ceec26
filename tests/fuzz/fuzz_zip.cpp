// The hardened ZIP reader (io/zip_reader.hpp): audit, open, and a read of every entry, which
// must deliver exactly the declared size or fail.
#include <cstddef>
#include <cstdint>

#include "fuzz_package.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dossier;
  fuzz::TempDir dir;
  const auto file = fuzz::input_file(dir, "input.zip", data, size);
  const io::ZipLimits limits = fuzz::small_zip_limits();
  (void)io::ZipReader::audit(file, limits, /*read_contents=*/true);
  auto zip = io::ZipReader::open(file, limits);
  if (!zip) return 0;
  for (const auto& e : zip->entries()) {
    if (zip->find(e.name) == nullptr) fuzz::broken("entry not found by its own name");
    if (e.is_directory) continue;
    auto bytes = zip->read(e);
    if (bytes && bytes->size() != e.size) fuzz::broken("read delivered other than the declared size");
  }
  return 0;
}

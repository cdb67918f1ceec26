// The package reader (io/package.hpp) on a .zip package: open, name problems, read every file.
#include <cstddef>
#include <cstdint>

#include "fuzz_package.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dossier;
  fuzz::TempDir dir;
  auto pkg = io::Package::open(fuzz::input_file(dir, "package.zip", data, size), fuzz::small_package_limits());
  if (!pkg) return 0;
  if (!pkg->is_zip()) fuzz::broken("a file package that is not a ZIP");
  fuzz::read_every_file(*pkg);
  return 0;
}

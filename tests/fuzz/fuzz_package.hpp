// What the ZIP and package harnesses share: limits small enough that one input cannot ask for
// gigabytes (the same code paths run), and the checks on an opened package.
#pragma once
#include "fuzz_support.hpp"
#include "io/package.hpp"
#include "io/zip_reader.hpp"

namespace dossier::fuzz {

inline io::ZipLimits small_zip_limits() {
  io::ZipLimits limits;
  limits.max_entry_size = 4 * io::kMiB;
  limits.max_total_size = 16 * io::kMiB;
  return limits;
}

inline io::PackageLimits small_package_limits() {
  io::PackageLimits limits;
  limits.max_file_size = 4 * io::kMiB;
  limits.zip = small_zip_limits();
  return limits;
}

// Every listed file is found by its path and reads as exactly its listed size, or fails.
inline void read_every_file(const io::Package& pkg) {
  (void)pkg.name_problems();
  for (const auto& f : pkg.files()) {
    if (pkg.find(f.path) == nullptr) broken("file not found by its own path");
    auto bytes = pkg.read(f);
    if (bytes && bytes->size() != f.size) broken("read delivered other than the listed size");
  }
}

}  // namespace dossier::fuzz

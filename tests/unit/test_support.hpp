// Shared helpers for the unit tests.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace dossier::test {

inline std::string source_dir() { return DOSSIER_SOURCE_DIR; }

// The public hostile-file corpora (shared/corpora beside this repository, read in place):
// DOSSIER_CORPORA when set, else the folder CMake found (-DDOSSIER_CORPORA=...).
inline std::filesystem::path corpora_dir() {
  const char* env = std::getenv("DOSSIER_CORPORA");
  return env != nullptr && *env != '\0' ? std::filesystem::path(env) : std::filesystem::path(DOSSIER_CORPORA_DIR);
}

// Why a test that needs `sub` of the corpora cannot run, or "" when it can. A clone of this
// repository alone has no corpora: such tests are skipped (ctest lists them as skipped) with
// this message, and run wherever the corpora are (CI always has them).
inline std::string corpora_missing(const std::string& sub) {
  const auto dir = corpora_dir() / sub;
  if (std::filesystem::exists(dir)) return "";
  return "the test corpora are not here: " + dir.string() +
         " does not exist. Put the shared corpora (shared/corpora, with MANIFEST.tsv) beside this "
         "repository as ../shared/corpora, or set DOSSIER_CORPORA=<path> (or -DDOSSIER_CORPORA=<path>).";
}

// A scratch path under the temp folder that no other test process uses at the same time
// (ctest -j runs each test in its own process; other build trees may run the suite too).
inline std::filesystem::path scratch_path(const std::string& name) {
  return std::filesystem::temp_directory_path() / (name + "-" + std::to_string(::getpid()));
}

inline std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::string example_referral() {
  return read_text(source_dir() + "/examples/complete/referral.xml");
}

// Replaces the first occurrence of `from` in `text` (the test fails loudly if it is absent).
inline std::string replace_once(std::string text, const std::string& from, const std::string& to) {
  const auto pos = text.find(from);
  if (pos == std::string::npos) throw std::runtime_error("test fixture lacks: " + from);
  text.replace(pos, from.size(), to);
  return text;
}

}  // namespace dossier::test

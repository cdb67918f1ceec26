// Shared helpers for the unit tests.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace dossier::test {

inline std::string source_dir() { return DOSSIER_SOURCE_DIR; }

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

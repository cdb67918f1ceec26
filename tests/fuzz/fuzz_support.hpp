// Shared by the fuzz harnesses (tests/fuzz/fuzz_*.cpp): a private temporary folder per run,
// the fixed test keys, and the one way a harness reports a broken invariant.
//
// Every harness defines LLVMFuzzerTestOneInput and is linked either with libFuzzer (the fuzz
// preset, clang) or with replay_main.cpp (every other build: runs the seeds and regressions).
// A harness must be deterministic and leave nothing behind: no temporary file, no leak.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

#ifndef DOSSIER_SOURCE_DIR
#error "DOSSIER_SOURCE_DIR must name the source tree"
#endif

namespace dossier::fuzz {

inline std::string source_dir() { return DOSSIER_SOURCE_DIR; }

// A broken invariant (a round trip that changed bytes, a contract the result breaks): say
// which, then abort so that libFuzzer keeps the input as a crash and the replay fails.
[[noreturn]] inline void broken(const char* what) {
  std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
  std::fflush(stderr);
  std::abort();
}

inline std::string_view text_of(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// mkdtemp under $TMPDIR (else /tmp), removed with everything in it when it goes.
class TempDir {
 public:
  TempDir() {
    const char* env = std::getenv("TMPDIR");
    std::string pattern = std::string(env != nullptr && *env != '\0' ? env : "/tmp") + "/dossier-fuzz-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) broken("mkdtemp failed");
    path_ = pattern;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    // Folders the code under test made unreadable would stop remove_all: give them back first.
    for (auto it = std::filesystem::recursive_directory_iterator(
             path_, std::filesystem::directory_options::skip_permission_denied, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_directory(ec) && !it->is_symlink(ec)) {
        std::filesystem::permissions(it->path(), std::filesystem::perms::owner_all,
                                     std::filesystem::perm_options::add, ec);
      }
    }
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const noexcept { return path_; }

 private:
  std::filesystem::path path_;
};

inline void write_file(const std::filesystem::path& path, std::span<const std::uint8_t> bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) broken("cannot write the input to a temporary file");
}

// The input as a file named `name` in `dir`, for entry points that only take a path.
inline std::filesystem::path input_file(const TempDir& dir, const char* name, const std::uint8_t* data,
                                        std::size_t size) {
  auto path = dir.path() / name;
  write_file(path, {data, size});
  return path;
}

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) broken("cannot read a fixture");
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The fixed key pairs of tests/fuzz/keys (made for the fuzz seeds only, never used elsewhere).
inline std::string keys_dir() { return source_dir() + "/tests/fuzz/keys"; }

}  // namespace dossier::fuzz

// Shared helpers for the unit tests.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

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

// Sets (a value) or unsets (nullopt) one environment variable for a scope, and puts back what
// was there before.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::optional<std::string>& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) ::setenv(name, value->c_str(), 1);
    else ::unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_) ::setenv(name_, old_->c_str(), 1);
    else ::unsetenv(name_);
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

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

// A PDF of the given objects (object N is objects[N - 1]; object 1 must be the catalog) with a
// correct cross-reference table: for hostile PDFs that the generator (tools/mkpdf) cannot make.
inline std::string raw_pdf(const std::vector<std::string>& objects) {
  std::string out = "%PDF-1.7\n%\xE2\xE3\xCF\xD3\n";
  std::vector<std::size_t> offsets;
  for (std::size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(out.size());
    out += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
  }
  const std::size_t xref = out.size();
  out += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
  for (std::size_t off : offsets) {
    std::string n = std::to_string(off);
    out += std::string(10 - n.size(), '0') + n + " 00000 n \n";
  }
  out += "trailer\n<< /Size " + std::to_string(objects.size() + 1) + " /Root 1 0 R >>\nstartxref\n" +
         std::to_string(xref) + "\n%%EOF\n";
  return out;
}

// A stream object: `dict_entries` and /Length, then `data`.
inline std::string pdf_stream(const std::string& dict_entries, const std::string& data) {
  return "<< " + dict_entries + " /Length " + std::to_string(data.size()) + " >>\nstream\n" + data +
         "\nendstream";
}

// Waits up to `limit` for `work`, which may block opening the FIFO `fifo` (the fault it tests).
// If it is still running then, a writer is opened on the FIFO so that the blocked open() returns
// and the test can end; false says it had blocked.
template <typename T>
bool ended_without_blocking(std::future<T>& work, const std::filesystem::path& fifo, std::chrono::seconds limit) {
  if (work.wait_for(limit) == std::future_status::ready) return true;
  const int writer = ::open(fifo.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
  work.wait();
  if (writer >= 0) ::close(writer);
  return false;
}

}  // namespace dossier::test

// How dossier runs its sandboxed helper programs (dossier-pdf-inspector, dossier-pdf-assembler)
// and reads their answer:
// shared by the inspection (io/pdf_inspect.hpp) and the assembly (io/pdf_assemble.hpp). Not a
// public interface: for the io layer's own files.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <cstddef>
#include <functional>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "io/fd.hpp"

namespace dossier::io::detail {

// The child is given descriptors 3, 4, ... up to here (exclusive); the parent keeps the ones it
// hands over at or above it, so that the spawn's dup2 never meets them.
inline constexpr int kFirstFreeFd = 10;

// Where a helper program is (docs/pdf-inspection.md, "The parser process"): the path in the
// environment variable `variable`, else `program` next to the running program, else in
// ../libexec/dossier from there, else `built` (its place in the build tree, may be null).
std::optional<std::string> find_helper_program(const char* program, const char* variable, const char* built);
// The same, or Errc::io saying where it was looked for and what to do ("the PDF `role` program
// ... is not next to this program nor in ../libexec/dossier: reinstall dossier, or set ...").
Result<std::string> helper_program(const char* role, const char* program, const char* variable, const char* built);

// fd moved to kFirstFreeFd or above (same descriptor when it is there already).
UniqueFd above_child_fds(UniqueFd fd);

// Starts `program arguments...` with /dev/null as stdin, stdout and stderr, fds[i] as descriptor
// 3 + i and no other descriptor, with default signal handling. Errc::io naming the program.
Result<pid_t> spawn_helper(const std::string& program, const std::vector<std::string>& arguments,
                           const std::vector<int>& fds);

// The frame type of a result record on a helper's pipe: one type byte, a u32 length, the
// payload (io/pdf_inspect.cpp has the inspector's other frame types).
inline constexpr char kFrameResult = 'R';

// Writes one framed result record (the only record a helper other than the inspector sends).
bool send_result(int fd, std::string_view payload);

// `data` written whole to fd (retrying on EINTR); false on any other failure.
bool write_all(int fd, std::string_view data);
// v appended as 4 bytes, little-endian: the helpers' length prefixes.
void put_u32(std::string& out, std::uint32_t v);

// How a child ended, as its parent saw it.
struct ChildEnd {
  bool stopped = false;    // stop was requested
  bool timed_out = false;  // the wall-clock limit passed; it was killed
  bool oversize = false;   // its result was larger than the cap
  bool bad = false;        // it wrote something that is not a frame
  bool have_result = false;
  bool exiting = false;    // leave_exiting: it sent its result and closed the pipe; not reaped yet
  int status = 0;          // waitpid status
  unsigned wall_limit = 0; // the limit that applied, seconds
  std::string result;      // the result record, when have_result
  // "parser died of signal 9 (Killed)", "CPU time limit exceeded", ...
  std::string describe() const;
  bool exited_cleanly() const;
};

// Reads the child's frames from read_fd (which it closes) until it exits, kills it at the wall
// limit (wall_seconds from start; ocr_wall_seconds from start once it says text recognition
// started), when stop is requested, or when it writes what is not a frame. Reaps it, except with
// leave_exiting when it closed the pipe after a complete result (ChildEnd::exiting): then the
// caller reaps it, and its exit (freeing its memory) overlaps the caller's next work.
ChildEnd wait_for_child(pid_t pid, UniqueFd read_fd, std::chrono::steady_clock::time_point start,
                        unsigned wall_seconds, unsigned ocr_wall_seconds, std::size_t result_cap,
                        const std::function<void(int done, int total)>& progress, std::stop_token stop,
                        bool leave_exiting = false);

}  // namespace dossier::io::detail

namespace dossier::io::detail {

// In a helper, first thing: die with the parent (an interrupted dossier leaves no helper
// running), and _exit(3) unless the parent is the process `parent_pid` names (if it is gone
// already, nobody is waiting for the result).
void bind_to_parent(const char* parent_pid);

// Size of this process's address space in bytes (from /proc/self/statm), 0 if unknown.
std::uint64_t own_address_space();

}  // namespace dossier::io::detail

// AddressSanitizer reserves terabytes of shadow memory: under it, no address-space limit.
#if defined(__SANITIZE_ADDRESS__)
#define DOSSIER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DOSSIER_ASAN 1
#endif
#endif

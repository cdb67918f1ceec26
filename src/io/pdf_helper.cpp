// The helper's side of the plumbing in io/pdf_child.hpp: what both helper programs
// (dossier-pdf-inspector and dossier-pdf-assembler) run in their own process. Kept apart from the
// parent's side so that the assembler links none of the inspector's libraries.
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <string>
#include <string_view>

#include "io/pdf_child.hpp"

namespace dossier::io::detail {

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFFu));
}

bool send_result(int fd, std::string_view payload) {
  std::string frame(1, kFrameResult);
  put_u32(frame, static_cast<std::uint32_t>(payload.size()));
  return write_all(fd, frame) && write_all(fd, payload);
}

void bind_to_parent(const char* parent_pid) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  pid_t parent = 0;
  const std::string_view text(parent_pid);
  if (std::from_chars(text.data(), text.data() + text.size(), parent).ec != std::errc{} || getppid() != parent)
    _exit(3);
}

std::uint64_t own_address_space() {
  int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char buf[128] = {};
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return 0;
  std::uint64_t pages = 0;
  for (ssize_t i = 0; i < n && buf[i] >= '0' && buf[i] <= '9'; ++i)
    pages = pages * 10 + static_cast<std::uint64_t>(buf[i] - '0');
  long page_size = sysconf(_SC_PAGESIZE);
  return pages * static_cast<std::uint64_t>(page_size > 0 ? page_size : 4096);
}

}  // namespace dossier::io::detail

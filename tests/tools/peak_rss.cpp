// peak_rss COMMAND [ARG...]: runs COMMAND, waits for it with wait4 and prints to stderr
//   peak RSS: N MiB (command COMMAND ARG...)
//   own peak RSS: M MiB (command COMMAND ARG...)
// N is ru_maxrss of the child as wait4 reports it (the largest resident set of the child or of
// any descendant it waited for, e.g. the sandboxed PDF parser), rounded up to whole MiB. M is
// the command's own process alone: its VmHWM, read from /proc at the moment it exits (the
// command runs under ptrace with PTRACE_O_TRACEEXIT, which stops it there; its children are not
// traced). "own peak RSS: unknown" when ptrace is not allowed.
// Exits with the child's exit status (128 + signal number when it was killed by a signal,
// 127 when it could not be started). Used by the memory test (tests/large.cmake).
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <csignal>
#include <cstring>
#include <fstream>
#include <string>

namespace {

// VmHWM of a process, in KiB; -1 when unknown.
long vm_hwm_kib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: peak_rss COMMAND [ARG...]\n");
    return 2;
  }
  std::string command;
  for (int i = 1; i < argc; ++i) {
    if (i > 1) command += ' ';
    command += argv[i];
  }
  const pid_t pid = fork();
  if (pid < 0) {
    std::fprintf(stderr, "peak_rss: fork: %s\n", std::strerror(errno));
    return 127;
  }
  if (pid == 0) {
    ptrace(PTRACE_TRACEME, 0, nullptr, nullptr);  // may fail (no ptrace here): then untraced
    execvp(argv[1], argv + 1);
    std::fprintf(stderr, "peak_rss: %s: %s\n", argv[1], std::strerror(errno));
    _exit(127);
  }
  int status = 0;
  struct rusage usage {};
  long own_kib = -1;
  bool traced = false;
  for (;;) {
    const pid_t got = wait4(pid, &status, 0, &usage);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      std::fprintf(stderr, "peak_rss: wait4: %s\n", std::strerror(errno));
      return 127;
    }
    if (!WIFSTOPPED(status)) break;  // exited or killed
    int pass = 0;
    if (!traced && WSTOPSIG(status) == SIGTRAP) {  // the stop after exec: trace its exit from now on
      traced = true;
      ptrace(PTRACE_SETOPTIONS, pid, nullptr, reinterpret_cast<void*>(PTRACE_O_TRACEEXIT | PTRACE_O_EXITKILL));
    } else if (status >> 8 == (SIGTRAP | (PTRACE_EVENT_EXIT << 8))) {
      own_kib = vm_hwm_kib(pid);  // about to exit: its memory is still there
    } else {
      pass = WSTOPSIG(status);  // a signal for the command: deliver it
    }
    ptrace(PTRACE_CONT, pid, nullptr, reinterpret_cast<void*>(static_cast<long>(pass)));
  }
  // Linux reports ru_maxrss in KiB.
  const long mib = (usage.ru_maxrss + 1023) / 1024;
  std::fprintf(stderr, "peak RSS: %ld MiB (command %s)\n", mib, command.c_str());
  if (own_kib >= 0) {
    std::fprintf(stderr, "own peak RSS: %ld MiB (command %s)\n", (own_kib + 1023) / 1024, command.c_str());
  } else {
    std::fprintf(stderr, "own peak RSS: unknown (command %s)\n", command.c_str());
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 127;
}

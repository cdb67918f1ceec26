// peak_rss COMMAND [ARG...]: runs COMMAND, waits for it with wait4 and prints to stderr
//   peak RSS: N MiB (command COMMAND ARG...)
// N is ru_maxrss of the child as wait4 reports it (the largest resident set of the child or of
// any descendant it waited for, e.g. the sandboxed PDF inspection), rounded up to whole MiB.
// Exits with the child's exit status (128 + signal number when it was killed by a signal,
// 127 when it could not be started). Used by the memory test (tests/large.cmake).
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

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
    execvp(argv[1], argv + 1);
    std::fprintf(stderr, "peak_rss: %s: %s\n", argv[1], std::strerror(errno));
    _exit(127);
  }
  int status = 0;
  struct rusage usage {};
  pid_t got = -1;
  do {
    got = wait4(pid, &status, 0, &usage);
  } while (got < 0 && errno == EINTR);
  if (got < 0) {
    std::fprintf(stderr, "peak_rss: wait4: %s\n", std::strerror(errno));
    return 127;
  }
  // Linux reports ru_maxrss in KiB.
  const long mib = (usage.ru_maxrss + 1023) / 1024;
  std::fprintf(stderr, "peak RSS: %ld MiB (command %s)\n", mib, command.c_str());
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 127;
}

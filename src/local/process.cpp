#include "process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace cppstack::local {
namespace {

struct Pipe {
  int read_end = -1;
  int write_end = -1;
  Pipe() {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) throw SpawnError(std::string("pipe: ") + strerror(errno));
    read_end = fds[0];
    write_end = fds[1];
  }
  ~Pipe() {
    if (read_end >= 0) ::close(read_end);
    if (write_end >= 0) ::close(write_end);
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  int release_read() { return std::exchange(read_end, -1); }
  void close_write() { ::close(std::exchange(write_end, -1)); }
};

}  // namespace

SpawnedProcess spawn_process(const std::filesystem::path& executable,
                             const std::filesystem::path& working_directory,
                             const std::vector<std::string>& environment) {
  // Everything the child needs is prepared before fork: after it only system calls are safe.
  const std::string program = executable.string();
  const std::string directory = working_directory.string();
  std::vector<char*> argv{const_cast<char*>(program.c_str()), nullptr};
  std::vector<char*> envp;
  envp.reserve(environment.size() + 1);
  for (const auto& entry : environment) envp.push_back(const_cast<char*>(entry.c_str()));
  envp.push_back(nullptr);

  Pipe output;
  Pipe exec_status;  // closed by a successful exec, carries errno otherwise
  const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null_fd < 0) throw SpawnError(std::string("/dev/null: ") + strerror(errno));
  const pid_t parent = getpid();

  const pid_t pid = fork();
  if (pid < 0) {
    ::close(null_fd);
    throw SpawnError(std::string("fork: ") + strerror(errno));
  }
  if (pid == 0) {
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    sigset_t all;
    sigemptyset(&all);
    sigprocmask(SIG_SETMASK, &all, nullptr);
    signal(SIGPIPE, SIG_DFL);
    dup2(null_fd, 0);
    dup2(output.write_end, 1);
    dup2(output.write_end, 2);
    if (chdir(directory.c_str()) != 0) {
      // keep going: the runtime may not care about its working directory
    }
    syscall(SYS_close_range, 3U, ~0U, 4U /* CLOSE_RANGE_CLOEXEC */);
    execve(argv[0], argv.data(), envp.data());
    const int error = errno;
    (void)!write(exec_status.write_end, &error, sizeof error);
    _exit(127);
  }
  setpgid(pid, pid);  // also here, so the group exists before we might signal it
  ::close(null_fd);
  output.close_write();
  exec_status.close_write();
  int exec_errno = 0;
  ssize_t got;
  do {
    got = ::read(exec_status.read_end, &exec_errno, sizeof exec_errno);
  } while (got < 0 && errno == EINTR);
  if (got == static_cast<ssize_t>(sizeof exec_errno)) {
    int status = 0;
    waitpid(pid, &status, 0);
    throw SpawnError(std::string(strerror(exec_errno)));
  }
  SpawnedProcess process;
  process.pid = pid;
  process.output_fd = output.release_read();
  fcntl(process.output_fd, F_SETFL, fcntl(process.output_fd, F_GETFL) | O_NONBLOCK);
  process.pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (process.pidfd < 0) {
    const int error = errno;
    kill(-pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    ::close(process.output_fd);
    throw SpawnError(std::string("pidfd_open: ") + strerror(error));
  }
  return process;
}

void signal_process_group(pid_t pid, int signal_number) {
  if (pid > 0 && ::kill(-pid, signal_number) != 0) ::kill(pid, signal_number);
}

long peak_memory_kb(pid_t pid) {
  // Read once per invocation: plain system calls, no stream machinery.
  char path[32];
  std::snprintf(path, sizeof path, "/proc/%d/status", static_cast<int>(pid));
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  char text[4096];
  const ssize_t size = ::read(fd, text, sizeof text - 1);
  ::close(fd);
  if (size <= 0) return -1;
  text[size] = '\0';
  const char* field = std::strstr(text, "VmHWM:");
  return field ? std::strtol(field + 6, nullptr, 10) : -1;
}

std::string describe_exit(int wait_status) {
  if (WIFEXITED(wait_status)) return "exit status " + std::to_string(WEXITSTATUS(wait_status));
  if (WIFSIGNALED(wait_status)) {
    switch (WTERMSIG(wait_status)) {
      case SIGKILL:
        return "signal: killed";
      case SIGSEGV:
        return "signal: segmentation fault";
      case SIGABRT:
        return "signal: aborted";
      case SIGTERM:
        return "signal: terminated";
      case SIGBUS:
        return "signal: bus error";
      case SIGFPE:
        return "signal: floating point exception";
      case SIGILL:
        return "signal: illegal instruction";
      default:
        return "signal: " + std::string(strsignal(WTERMSIG(wait_status)));
    }
  }
  return "unknown exit";
}

}  // namespace cppstack::local

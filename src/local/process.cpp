#include "process.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <set>
#include <string_view>
#include <utility>

namespace cppstack::local {
namespace {

// The instance processes spawned and not yet reaped: every other child is an orphan. Held
// across fork, so an orphan sweep never sees a child that is not registered yet.
std::mutex instance_processes_mutex;
std::set<pid_t> instance_processes;

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

  std::unique_lock registry(instance_processes_mutex);
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
  instance_processes.insert(pid);
  registry.unlock();
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
    forget_instance_process(pid);
    throw ExecError(std::string(strerror(exec_errno)));
  }
  SpawnedProcess process;
  process.pid = pid;
  process.output_fd = output.release_read();
  fcntl(process.output_fd, F_SETFL, fcntl(process.output_fd, F_GETFL) | O_NONBLOCK);
  if (const int capacity = fcntl(process.output_fd, F_GETPIPE_SZ); capacity > 0) {
    process.pipe_capacity = static_cast<std::size_t>(capacity);
  }
  process.pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (process.pidfd < 0) {
    const int error = errno;
    kill(-pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    forget_instance_process(pid);
    ::close(process.output_fd);
    throw SpawnError(std::string("pidfd_open: ") + strerror(error));
  }
  return process;
}

void signal_process_group(pid_t pid, int signal_number) {
  if (pid > 0 && ::kill(-pid, signal_number) != 0) ::kill(pid, signal_number);
}

namespace {

struct ProcessEntry {
  pid_t pid;
  pid_t parent;
};

std::vector<ProcessEntry> list_processes() {
  std::vector<ProcessEntry> entries;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return entries;
  while (const dirent* entry = ::readdir(proc)) {
    char* end = nullptr;
    const long pid = std::strtol(entry->d_name, &end, 10);
    if (pid <= 0 || *end != '\0') continue;
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    char text[512];
    const ssize_t size = ::read(fd, text, sizeof text - 1);
    ::close(fd);
    if (size <= 0) continue;
    text[size] = '\0';
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses; the last ')' ends it.
    const char* close_paren = std::strrchr(text, ')');
    if (close_paren == nullptr) continue;
    char state = 0;
    int parent = 0;
    if (std::sscanf(close_paren + 1, " %c %d", &state, &parent) != 2) continue;
    entries.push_back({static_cast<pid_t>(pid), static_cast<pid_t>(parent)});
  }
  ::closedir(proc);
  return entries;
}

std::vector<pid_t> descendants_of(pid_t root) {
  const auto entries = list_processes();
  std::vector<pid_t> found{root};
  for (std::size_t next = 0; next < found.size(); ++next) {
    for (const auto& entry : entries) {
      if (entry.parent == found[next]) found.push_back(entry.pid);
    }
  }
  found.erase(found.begin());
  return found;
}

std::mutex killed_orphans_mutex;
std::set<pid_t> killed_orphans;  // killed, not yet reaped

void reap_killed_orphans(std::chrono::milliseconds patience) {
  const auto give_up = std::chrono::steady_clock::now() + patience;
  std::lock_guard lock(killed_orphans_mutex);
  while (!killed_orphans.empty()) {
    for (auto pid = killed_orphans.begin(); pid != killed_orphans.end();) {
      int status = 0;
      const pid_t reaped = ::waitpid(*pid, &status, WNOHANG);
      pid = reaped == 0 ? std::next(pid) : killed_orphans.erase(pid);
    }
    if (killed_orphans.empty() || std::chrono::steady_clock::now() > give_up) return;
    ::usleep(1000);
  }
}

}  // namespace

void kill_process_tree(pid_t pid) {
  if (pid <= 0) return;
  ::kill(-pid, SIGKILL);
  // Twice: a descendant may have forked while the first pass ran.
  for (int pass = 0; pass < 2; ++pass) {
    for (const pid_t descendant : descendants_of(pid)) ::kill(descendant, SIGKILL);
  }
  ::kill(pid, SIGKILL);
}

void become_child_subreaper() { ::prctl(PR_SET_CHILD_SUBREAPER, 1); }

void forget_instance_process(pid_t pid) {
  const std::lock_guard lock(instance_processes_mutex);
  instance_processes.erase(pid);
}

void kill_orphans() {
  const pid_t self = ::getpid();
  {
    const std::lock_guard registry(instance_processes_mutex);
    for (const auto& entry : list_processes()) {
      if (entry.parent != self || instance_processes.count(entry.pid) > 0) continue;
      kill_process_tree(entry.pid);
      std::lock_guard lock(killed_orphans_mutex);
      killed_orphans.insert(entry.pid);
    }
  }
  reap_killed_orphans(std::chrono::milliseconds(50));
}

ProcessStatus::ProcessStatus(pid_t pid) {
  char path[32];
  std::snprintf(path, sizeof path, "/proc/%d/status", static_cast<int>(pid));
  fd_ = ::open(path, O_RDONLY | O_CLOEXEC);
}

ProcessStatus::~ProcessStatus() {
  if (fd_ >= 0) ::close(fd_);
}

ProcessStatus::ProcessStatus(ProcessStatus&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

ProcessStatus& ProcessStatus::operator=(ProcessStatus&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

long ProcessStatus::peak_memory_kb() const {
  if (fd_ < 0) return -1;
  // Reading from the start again makes the kernel describe the process as it is now.
  char text[4096];
  const ssize_t size = ::pread(fd_, text, sizeof text - 1, 0);
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

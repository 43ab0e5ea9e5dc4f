#pragma once
// Starting a function instance's process: fork + exec into its own process group, stdout and
// stderr into one pipe (Lambda merges them into one log stream), stdin from /dev/null, no
// inherited descriptors, and killed by the kernel if the emulator itself dies.

#include <sys/types.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace cppstack::local {

struct SpawnedProcess {
  pid_t pid = -1;
  int output_fd = -1;  ///< read end of the stdout+stderr pipe, non-blocking, close-on-exec
  int pidfd = -1;      ///< becomes readable when the process exits
  std::size_t pipe_capacity = 65536;  ///< bytes the output pipe holds unread
};

class SpawnError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The executable itself could not be run (missing, not executable, bad format).
class ExecError : public SpawnError {
 public:
  using SpawnError::SpawnError;
};

/// Throws ExecError when exec fails (with the reason, e.g. "No such file or directory"),
/// SpawnError when the system is out of processes or descriptors.
[[nodiscard]] SpawnedProcess spawn_process(const std::filesystem::path& executable,
                                           const std::filesystem::path& working_directory,
                                           const std::vector<std::string>& environment);

/// Signals the whole process group.
void signal_process_group(pid_t pid, int signal_number);

/// SIGKILL to `pid`'s process group and to every descendant of `pid`, also those that left
/// the group or the session (setsid).
void kill_process_tree(pid_t pid);

/// Makes this process the one orphaned descendants are handed to (PR_SET_CHILD_SUBREAPER).
void become_child_subreaper();

/// Kills and reaps every child of this process that is not a live instance (one that
/// spawn_process started and forget_instance_process has not been told of). Only orphans
/// are such children: descendants handed to this process (the subreaper) when their parent
/// died, whatever they did to hide (setsid, a cleared or rewritten environment).
void kill_orphans();

/// Tells kill_orphans that `pid`, an instance, has been reaped.
void forget_instance_process(pid_t pid);

/// /proc/PID/status of one process, opened once so that reading its peak memory after every
/// invocation is one pread, not open + read + close. The open file belongs to that process:
/// once it is gone, reads fail rather than describe a later process given the same pid.
class ProcessStatus {
 public:
  ProcessStatus() = default;
  explicit ProcessStatus(pid_t pid);
  ~ProcessStatus();
  ProcessStatus(ProcessStatus&& other) noexcept;
  ProcessStatus& operator=(ProcessStatus&& other) noexcept;
  ProcessStatus(const ProcessStatus&) = delete;
  ProcessStatus& operator=(const ProcessStatus&) = delete;

  /// Peak resident set size (VmHWM) in kB, or -1 when the process is gone (or never opened).
  [[nodiscard]] long peak_memory_kb() const;

 private:
  int fd_ = -1;
};

/// "exit status 2", "signal: killed", as Lambda words a runtime's exit.
[[nodiscard]] std::string describe_exit(int wait_status);

}  // namespace cppstack::local

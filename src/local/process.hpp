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
};

class SpawnError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Throws SpawnError (with the reason, e.g. "No such file or directory") when exec fails.
[[nodiscard]] SpawnedProcess spawn_process(const std::filesystem::path& executable,
                                           const std::filesystem::path& working_directory,
                                           const std::vector<std::string>& environment);

/// Signals the whole process group.
void signal_process_group(pid_t pid, int signal_number);

/// Peak resident set size (VmHWM) in kB, or -1 when the process is gone.
[[nodiscard]] long peak_memory_kb(pid_t pid);

/// "exit status 2", "signal: killed", as Lambda words a runtime's exit.
[[nodiscard]] std::string describe_exit(int wait_status);

}  // namespace cppstack::local

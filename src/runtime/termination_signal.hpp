#pragma once
// SIGTERM handling for the loop. Lambda sends SIGTERM at shutdown (when extensions are
// registered) and local tools use it to stop a runtime; the loop then leaves cleanly.
//
// The loop spends nearly all its life blocked in GET /next, possibly on another thread than
// the one the signal lands on. The handler therefore shuts the watched socket down (shutdown()
// is async-signal-safe), which ends any blocked read at once, instead of relying on EINTR.

namespace cppstack::runtime::detail {

class TerminationSignal {
 public:
  /// Installs the handler (SA_RESTART, so other code never sees EINTR) and clears the flag.
  TerminationSignal() noexcept;
  /// Restores the previous disposition.
  ~TerminationSignal();
  TerminationSignal(const TerminationSignal&) = delete;
  TerminationSignal& operator=(const TerminationSignal&) = delete;

  [[nodiscard]] static bool requested() noexcept;
  /// While watched, a SIGTERM shuts this socket down. Pass -1 to stop watching.
  static void watch_socket(int fd) noexcept;

 private:
  bool installed_ = false;
};

}  // namespace cppstack::runtime::detail

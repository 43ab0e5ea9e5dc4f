#include "termination_signal.hpp"

#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <csignal>

namespace cppstack::runtime::detail {
namespace {

static_assert(std::atomic<int>::is_always_lock_free, "the signal handler needs lock-free atomics");

// Constant-initialised: no static constructor runs before main.
std::atomic<int> termination_requested{0};
std::atomic<int> watched_socket{-1};
struct sigaction previous_action {};

extern "C" void on_termination_signal(int /*signal*/) {
  const int saved_errno = errno;
  termination_requested.store(1);
  const int fd = watched_socket.load();
  if (fd >= 0) ::shutdown(fd, SHUT_RDWR);
  errno = saved_errno;
}

}  // namespace

TerminationSignal::TerminationSignal() noexcept {
  termination_requested.store(0);
  watched_socket.store(-1);
  struct sigaction action {};
  action.sa_handler = on_termination_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  installed_ = ::sigaction(SIGTERM, &action, &previous_action) == 0;
}

TerminationSignal::~TerminationSignal() {
  watched_socket.store(-1);
  if (installed_) ::sigaction(SIGTERM, &previous_action, nullptr);
}

bool TerminationSignal::requested() noexcept { return termination_requested.load() != 0; }

void TerminationSignal::watch_socket(int fd) noexcept { watched_socket.store(fd); }

}  // namespace cppstack::runtime::detail

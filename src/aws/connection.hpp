#pragma once
// One TCP (optionally TLS) connection to a service endpoint, with every wait bounded by a
// deadline: non-blocking sockets and poll(), no threads, nothing set up before first use.

#include <cppstack/aws/environment.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string_view>

namespace cppstack::aws::detail {

using Clock = std::chrono::steady_clock;

class TlsSession;

class Connection {
 public:
  /// Resolves, connects and (for https) completes the TLS handshake with certificate and host
  /// name verification. Throws NetworkError / TimeoutError.
  static std::unique_ptr<Connection> open(const Endpoint& endpoint, Clock::time_point deadline);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void write_all(std::string_view bytes, Clock::time_point deadline);
  /// Reads at least one byte; 0 when the peer closed the connection.
  std::size_t read_some(char* buffer, std::size_t size, Clock::time_point deadline);
  /// False when an idle connection was closed by the peer (or has unexpected bytes).
  [[nodiscard]] bool still_usable() const;

 private:
  explicit Connection(int fd);
  int fd_;
  bool awaiting_answer_ = false;  ///< a request was written and nothing read since
  std::unique_ptr<TlsSession> tls_;
  friend class TlsSession;
};

/// Waits until `fd` is readable (POLLIN) or writable (POLLOUT) or the deadline passes; throws
/// TimeoutError naming `what` on the deadline.
void wait_for(int fd, short events, Clock::time_point deadline, std::string_view what);

}  // namespace cppstack::aws::detail

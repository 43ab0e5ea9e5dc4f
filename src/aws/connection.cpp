#include "connection.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cppstack/aws/errors.hpp>
#include <cstring>
#include <string>

#include "resolver.hpp"
#include "tls.hpp"

namespace cppstack::aws::detail {

namespace {

std::string system_message(int error) { return std::strerror(error); }

int milliseconds_left(Clock::time_point deadline) {
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  if (left <= 0) return 0;
  return left > 60000 ? 60000 : static_cast<int>(left) + 1;
}

int connect_one(const Address& address, Clock::time_point deadline, std::string& error) {
  const int fd = ::socket(address.storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    error = "socket: " + system_message(errno);
    return -1;
  }
  const int on = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address.storage), address.length) != 0 &&
      errno != EINPROGRESS) {
    error = system_message(errno);
    ::close(fd);
    return -1;
  }
  pollfd entry{.fd = fd, .events = POLLOUT, .revents = 0};
  const int ready = ::poll(&entry, 1, milliseconds_left(deadline));
  int status = 0;
  socklen_t length = sizeof status;
  if (ready <= 0) {
    error = "connect timed out";
    ::close(fd);
    return -2;
  }
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &status, &length) != 0 || status != 0) {
    error = system_message(status != 0 ? status : errno);
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

void wait_for(int fd, short events, Clock::time_point deadline, std::string_view what) {
  for (;;) {
    pollfd entry{.fd = fd, .events = events, .revents = 0};
    const int ready = ::poll(&entry, 1, milliseconds_left(deadline));
    if (ready > 0) return;
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0 && Clock::now() < deadline) continue;
    throw TimeoutError("timed out " + std::string(what));
  }
}

std::unique_ptr<Connection> Connection::open(const Endpoint& endpoint, Clock::time_point deadline) {
  const std::vector<Address> addresses = resolve(endpoint.host, endpoint.port, deadline);
  std::string error;
  for (const Address& address : addresses) {
    const int fd = connect_one(address, deadline, error);
    if (fd == -2) break;
    if (fd < 0) continue;
    std::unique_ptr<Connection> connection(new Connection(fd));
    if (endpoint.tls)
      connection->tls_ = TlsSession::handshake(*connection, endpoint.host, deadline);
    return connection;
  }
  const std::string message =
      "cannot connect to " + endpoint.authority() + ": " + (error.empty() ? "no address" : error);
  if (Clock::now() >= deadline || error == "connect timed out") throw TimeoutError(message);
  throw NetworkError(message);
}

Connection::Connection(int fd) : fd_(fd) {}

Connection::~Connection() {
  tls_.reset();
  ::close(fd_);
}

void Connection::write_all(std::string_view bytes, Clock::time_point deadline) {
  if (tls_) {
    tls_->write_all(bytes, deadline);
    awaiting_answer_ = true;
    return;
  }
  while (!bytes.empty()) {
    const ssize_t sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent > 0) {
      bytes.remove_prefix(static_cast<std::size_t>(sent));
    } else if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      wait_for(fd_, POLLOUT, deadline, "sending the request");
    } else if (sent < 0 && errno != EINTR) {
      throw NetworkError("sending the request failed: " + system_message(errno));
    }
  }
  awaiting_answer_ = true;
}

std::size_t Connection::read_some(char* buffer, std::size_t size, Clock::time_point deadline) {
  // Right after a request the answer cannot be there yet: wait first rather than pay for a
  // recv that fails with EAGAIN (unless TLS holds bytes already read from the socket).
  if (awaiting_answer_) {
    awaiting_answer_ = false;
    if (!tls_ || !tls_->has_buffered()) wait_for(fd_, POLLIN, deadline, "waiting for the answer");
  }
  if (tls_) return tls_->read_some(buffer, size, deadline);
  for (;;) {
    const ssize_t received = ::recv(fd_, buffer, size, 0);
    if (received >= 0) return static_cast<std::size_t>(received);
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      wait_for(fd_, POLLIN, deadline, "waiting for the answer");
    } else if (errno != EINTR) {
      throw NetworkError("reading the answer failed: " + system_message(errno));
    }
  }
}

bool Connection::still_usable() const {
  if (tls_ && tls_->has_buffered()) return false;  // bytes nobody asked for: not a clean idle
  pollfd entry{.fd = fd_, .events = POLLIN, .revents = 0};
  // An idle keep-alive connection has nothing to read: readable means closed (or garbage).
  return ::poll(&entry, 1, 0) == 0;
}

}  // namespace cppstack::aws::detail

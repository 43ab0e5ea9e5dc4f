#include "socket_stream.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>

namespace cppstack::runtime::detail {
namespace {

boost::system::error_code last_error() noexcept {
  return {errno, boost::system::system_category()};
}

}  // namespace

boost::system::error_code SocketStream::connect(const Endpoint& endpoint) noexcept {
  close();
  const int fd = ::socket(endpoint.address.ss_family, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
  if (fd < 0) return last_error();
  // Requests go out in one sendmsg, but a large body ends in a short segment that Nagle would
  // hold back until the peer's delayed ACK.
  const int enable = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &enable, sizeof enable);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&endpoint.address),
                endpoint.address_length) != 0) {
    const boost::system::error_code error = last_error();
    ::close(fd);
    return error;
  }
  fd_ = fd;
  return {};
}

void SocketStream::close() noexcept {
  if (fd_ < 0) return;
  ::close(fd_);
  fd_ = -1;
}

std::size_t SocketStream::receive(void* data, std::size_t size,
                                  boost::system::error_code& error) noexcept {
  for (;;) {
    const ssize_t received = ::recv(fd_, data, size, 0);
    if (received > 0) {
      error = {};
      return static_cast<std::size_t>(received);
    }
    if (received == 0) {
      error = boost::asio::error::eof;
      return 0;
    }
    if (errno != EINTR) {
      error = last_error();
      return 0;
    }
  }
}

std::size_t SocketStream::send(const iovec* parts, std::size_t count,
                               boost::system::error_code& error) noexcept {
  msghdr message{};
  message.msg_iov = const_cast<iovec*>(parts);
  message.msg_iovlen = count;
  for (;;) {
    const ssize_t sent = ::sendmsg(fd_, &message, MSG_NOSIGNAL);
    if (sent >= 0) {
      error = {};
      return static_cast<std::size_t>(sent);
    }
    if (errno != EINTR) {
      error = last_error();
      return 0;
    }
  }
}

}  // namespace cppstack::runtime::detail

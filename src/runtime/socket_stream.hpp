#pragma once
// A blocking TCP socket that meets Beast's SyncReadStream and SyncWriteStream requirements.
//
// Plain system calls instead of an asio::io_context: nothing to set up before the first
// request (no epoll, eventfd or timerfd), which keeps cold start at the floor, and writes
// use MSG_NOSIGNAL so a closed peer is an error code, never a SIGPIPE.

#include <sys/socket.h>
#include <sys/uio.h>

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/system_error.hpp>
#include <cerrno>
#include <cstddef>

#include "endpoint.hpp"

namespace cppstack::runtime::detail {

class SocketStream {
 public:
  SocketStream() = default;
  ~SocketStream() { close(); }
  SocketStream(const SocketStream&) = delete;
  SocketStream& operator=(const SocketStream&) = delete;

  /// Opens a new connection (closing any previous one) with TCP_NODELAY set.
  boost::system::error_code connect(const Endpoint& endpoint) noexcept;
  void close() noexcept;
  [[nodiscard]] bool is_open() const noexcept { return fd_ >= 0; }
  [[nodiscard]] int native_handle() const noexcept { return fd_; }

  template <class MutableBufferSequence>
  std::size_t read_some(const MutableBufferSequence& buffers, boost::system::error_code& error) {
    for (auto iterator = boost::asio::buffer_sequence_begin(buffers);
         iterator != boost::asio::buffer_sequence_end(buffers); ++iterator) {
      const boost::asio::mutable_buffer buffer(*iterator);
      if (buffer.size() != 0) return receive(buffer.data(), buffer.size(), error);
    }
    error = {};
    return 0;
  }

  template <class ConstBufferSequence>
  std::size_t write_some(const ConstBufferSequence& buffers, boost::system::error_code& error) {
    iovec parts[kMaxParts];
    std::size_t count = 0;
    for (auto iterator = boost::asio::buffer_sequence_begin(buffers);
         iterator != boost::asio::buffer_sequence_end(buffers) && count < kMaxParts; ++iterator) {
      const boost::asio::const_buffer buffer(*iterator);
      if (buffer.size() == 0) continue;
      parts[count].iov_base = const_cast<void*>(buffer.data());
      parts[count].iov_len = buffer.size();
      ++count;
    }
    if (count == 0) {
      error = {};
      return 0;
    }
    return send(parts, count, error);
  }

  template <class MutableBufferSequence>
  std::size_t read_some(const MutableBufferSequence& buffers) {
    boost::system::error_code error;
    const std::size_t bytes = read_some(buffers, error);
    if (error) throw boost::system::system_error(error);
    return bytes;
  }

  template <class ConstBufferSequence>
  std::size_t write_some(const ConstBufferSequence& buffers) {
    boost::system::error_code error;
    const std::size_t bytes = write_some(buffers, error);
    if (error) throw boost::system::system_error(error);
    return bytes;
  }

 private:
  static constexpr std::size_t kMaxParts = 32;

  std::size_t receive(void* data, std::size_t size, boost::system::error_code& error) noexcept;
  std::size_t send(const iovec* parts, std::size_t count,
                   boost::system::error_code& error) noexcept;

  int fd_ = -1;
};

}  // namespace cppstack::runtime::detail

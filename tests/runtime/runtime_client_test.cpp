// The runtime client's reading of Runtime API answers: a chunked answer whose last chunk
// arrives a byte at a time is read whole. Boost 1.81's parser asserts when handed fewer than
// five bytes of a final chunk (basic_parser.ipp:702), so a client built without NDEBUG (the
// sanitizer build) used to abort here.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "endpoint.hpp"
#include "runtime_client.hpp"

namespace cppstack::runtime::detail {
namespace {

class OneAnswerServer {
 public:
  OneAnswerServer() {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    socklen_t length = sizeof address;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    ::listen(listener_, 4);
  }
  ~OneAnswerServer() {
    if (thread_.joinable()) thread_.join();
    ::close(listener_);
  }
  OneAnswerServer(const OneAnswerServer&) = delete;
  OneAnswerServer& operator=(const OneAnswerServer&) = delete;

  [[nodiscard]] std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

  /// Answers one request with `head`, then sends `tail` one byte per write.
  void answer(std::string head, std::string tail) {
    thread_ = std::thread([this, head = std::move(head), tail = std::move(tail)] {
      const int connection = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
      if (connection < 0) return;
      const int one = 1;
      ::setsockopt(connection, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      std::string request;
      char buffer[4096];
      while (request.find("\r\n\r\n") == std::string::npos) {
        const ssize_t got = ::recv(connection, buffer, sizeof buffer, 0);
        if (got <= 0) break;
        request.append(buffer, static_cast<std::size_t>(got));
      }
      (void)!::send(connection, head.data(), head.size(), MSG_NOSIGNAL);
      for (const char byte : tail) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        (void)!::send(connection, &byte, 1, MSG_NOSIGNAL);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      ::close(connection);
    });
  }

 private:
  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

TEST(RuntimeClient, ChunkedEventWhoseLastChunkArrivesByteByByteIsReadWhole) {
  OneAnswerServer server;
  server.answer(
      "HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: id-1\r\n"
      "Lambda-Runtime-Deadline-Ms: 1\r\nTransfer-Encoding: chunked\r\n\r\n7\r\n{\"a\":1}\r\n",
      "0\r\nX-Trailer: t\r\n\r\n");
  Endpoint endpoint;
  std::string error;
  ASSERT_TRUE(parse_endpoint(server.address(), endpoint, error)) << error;
  RuntimeClient client(endpoint, 0, std::chrono::milliseconds(1));
  Invocation invocation;
  const Reply reply = client.next_invocation(invocation);
  ASSERT_EQ(reply.outcome, Outcome::answered);
  EXPECT_EQ(reply.status, 200U);
  EXPECT_EQ(invocation.request_id, "id-1");
  EXPECT_EQ(invocation.payload, R"({"a":1})");
}

TEST(RuntimeClient, ChunkedAnswerCutShortIsATransportFailure) {
  OneAnswerServer server;
  server.answer(
      "HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: id-1\r\n"
      "Transfer-Encoding: chunked\r\n\r\n7\r\n{\"a\":1}\r\n",
      "0\r\n");
  Endpoint endpoint;
  std::string error;
  ASSERT_TRUE(parse_endpoint(server.address(), endpoint, error)) << error;
  RuntimeClient client(endpoint, 0, std::chrono::milliseconds(1));
  Invocation invocation;
  EXPECT_EQ(client.next_invocation(invocation).outcome, Outcome::unreachable);
}

}  // namespace
}  // namespace cppstack::runtime::detail

// The runtime client's handling of Runtime API answers: a loopback server answers the
// client's /next, and then its /response, with the fuzzer's bytes (split at the first 0xFF
// byte, if any). Whatever arrives, the client returns an outcome; it never fails badly.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "runtime_client.hpp"

namespace {

int listening_socket(std::uint16_t& port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) std::abort();
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  port = ntohs(address.sin_port);
  ::listen(fd, 16);
  return fd;
}

// Reads one request head (and whatever body came with it); false when the client went away,
// or sent nothing for a while: after a truncated answer the client is still waiting for the
// rest of it, so closing the connection is what ends the exchange.
bool read_request(int connection) {
  std::string request;
  char buffer[4096];
  while (request.find("\r\n\r\n") == std::string::npos) {
    pollfd readable{connection, POLLIN, 0};
    if (::poll(&readable, 1, 100) != 1) return false;
    const ssize_t got = ::recv(connection, buffer, sizeof buffer, 0);
    if (got <= 0) return false;
    request.append(buffer, static_cast<std::size_t>(got));
  }
  return true;
}

// Answers each request, on whatever connection the client opens, with the next of
// `answers`; once they are used up a connection is closed instead, so the client never
// waits forever. Returns when `done` is set.
void serve(int listener, std::vector<std::string_view> answers, const std::atomic<bool>& done) {
  std::size_t next = 0;
  while (!done) {
    pollfd ready{listener, POLLIN, 0};
    if (::poll(&ready, 1, 20) != 1) continue;
    const int connection = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (connection < 0) continue;
    while (next < answers.size() && read_request(connection)) {
      const auto answer = answers[next++];
      (void)!::send(connection, answer.data(), answer.size(), MSG_NOSIGNAL);
    }
    ::shutdown(connection, SHUT_RDWR);
    ::close(connection);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace runtime = cppstack::runtime;
  static std::uint16_t port = 0;
  static const int listener = listening_socket(port);
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const auto split = bytes.find('\xff');
  const auto next_answer = bytes.substr(0, split);
  const auto response_answer =
      split == std::string_view::npos ? std::string_view() : bytes.substr(split + 1);

  std::atomic<bool> done{false};
  std::vector<std::string_view> answers{next_answer};
  if (!response_answer.empty()) answers.push_back(response_answer);
  std::thread server([&] { serve(listener, answers, done); });
  runtime::detail::Endpoint endpoint;
  std::string error;
  if (!runtime::detail::parse_endpoint("127.0.0.1:" + std::to_string(port), endpoint, error)) {
    std::abort();
  }
  {
    runtime::detail::RuntimeClient client(endpoint, 0, std::chrono::milliseconds(1));
    runtime::Invocation invocation;
    const auto reply = client.next_invocation(invocation);
    if (reply.outcome == runtime::detail::Outcome::answered && reply.status == 200) {
      (void)invocation.remaining_time();
      (void)client.post_response(invocation.request_id, "{}");
    }
  }
  done = true;
  server.join();
  return 0;
}

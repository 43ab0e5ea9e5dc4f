#include "scripted_server.hpp"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fcntl.h>

#include <cctype>
#include <stdexcept>
#include <vector>

namespace cppstack::aws::testing {

namespace {

std::size_t content_length(const std::string& head) {
  std::string lower = head;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const std::size_t at = lower.find("\r\ncontent-length:");
  if (at == std::string::npos) return 0;
  return std::stoul(lower.substr(at + 17));
}

}  // namespace

ScriptedServer::ScriptedServer() {
  listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
      ::listen(listener_, 16) != 0 ||
      ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0 ||
      ::pipe2(wake_, O_CLOEXEC) != 0)
    throw std::runtime_error("cannot listen on loopback");
  port_ = ntohs(address.sin_port);
  thread_ = std::thread([this] { serve(); });
}

ScriptedServer::~ScriptedServer() {
  (void)::write(wake_[1], "x", 1);
  thread_.join();
  ::close(listener_);
  ::close(wake_[0]);
  ::close(wake_[1]);
}

void ScriptedServer::script(std::deque<Step> steps) {
  const std::lock_guard lock(mutex_);
  steps_ = std::move(steps);
}

std::string ScriptedServer::last_request() const {
  const std::lock_guard lock(mutex_);
  return last_request_;
}

Step ScriptedServer::next_step() {
  const std::lock_guard lock(mutex_);
  if (steps_.empty()) return Step{};
  Step step = steps_.front();
  steps_.pop_front();
  return step;
}

// One connection at a time: enough for a client that sends one request at a time.
void ScriptedServer::serve() {
  for (;;) {
    pollfd entries[2] = {{listener_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
    if (::poll(entries, 2, -1) < 0) continue;
    if (entries[1].revents != 0) return;
    const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    ++connections_;
    serve_connection(fd);
  }
}

void ScriptedServer::serve_connection(int fd) {
  std::string buffer;
  std::vector<int> silent;  // held open, never answered, closed when the server stops
  for (;;) {
    std::size_t head_end = buffer.find("\r\n\r\n");
    while (head_end == std::string::npos ||
           buffer.size() < head_end + 4 + content_length(buffer.substr(0, head_end + 2))) {
      pollfd entries[2] = {{fd, POLLIN, 0}, {wake_[0], POLLIN, 0}};
      ::poll(entries, 2, -1);
      if (entries[1].revents != 0) {
        ::close(fd);
        return;
      }
      char chunk[4096];
      const ssize_t count = ::recv(fd, chunk, sizeof chunk, 0);
      if (count <= 0) {
        ::close(fd);
        return;
      }
      buffer.append(chunk, static_cast<std::size_t>(count));
      head_end = buffer.find("\r\n\r\n");
    }
    const std::size_t total = head_end + 4 + content_length(buffer.substr(0, head_end + 2));
    {
      const std::lock_guard lock(mutex_);
      last_request_ = buffer.substr(0, total);
    }
    buffer.erase(0, total);
    ++requests_;
    const Step step = next_step();
    if (step.kind == Step::Kind::reset) {
      const linger abort{.l_onoff = 1, .l_linger = 0};  // close with RST
      ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort, sizeof abort);
      ::close(fd);
      return;
    }
    if (step.kind == Step::Kind::silence) {
      pollfd entry{wake_[0], POLLIN, 0};
      ::poll(&entry, 1, -1);  // until the server stops
      ::close(fd);
      return;
    }
    const std::string answer =
        "HTTP/1.1 " + std::to_string(step.status) + " Scripted\r\n" +
        "Content-Type: application/x-amz-json-1.0\r\n" + "x-amzn-RequestId: scripted-" +
        std::to_string(requests_) + "\r\n" + step.extra_headers +
        "Content-Length: " + std::to_string(step.body.size()) + "\r\n\r\n" + step.body;
    (void)::send(fd, answer.data(), answer.size(), MSG_NOSIGNAL);
  }
}

}  // namespace cppstack::aws::testing

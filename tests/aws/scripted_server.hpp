#pragma once
// Test support: an HTTP/1.1 server on loopback that answers each request with the next step
// of a script (an answer, a reset, silence), and counts requests and connections.

#include <atomic>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

namespace cppstack::aws::testing {

struct Step {
  enum class Kind { answer, reset, silence } kind = Kind::answer;
  int status = 200;
  std::string body = "{}";
  std::string extra_headers{};  ///< "Name: value\r\n" lines
};

class ScriptedServer {
 public:
  ScriptedServer();
  ~ScriptedServer();
  ScriptedServer(const ScriptedServer&) = delete;
  ScriptedServer& operator=(const ScriptedServer&) = delete;

  /// Steps are used in order; once they run out, every request gets 200 {}.
  void script(std::deque<Step> steps);
  [[nodiscard]] std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  [[nodiscard]] std::uint16_t port() const { return port_; }
  [[nodiscard]] int requests() const { return requests_; }
  [[nodiscard]] int connections() const { return connections_; }
  /// The last request's head and body as received.
  [[nodiscard]] std::string last_request() const;

 private:
  void serve();
  void serve_connection(int fd);
  Step next_step();

  int listener_ = -1;
  int wake_[2] = {-1, -1};
  std::uint16_t port_ = 0;
  std::atomic<int> requests_{0};
  std::atomic<int> connections_{0};
  mutable std::mutex mutex_;
  std::deque<Step> steps_;
  std::string last_request_;
  std::thread thread_;
};

}  // namespace cppstack::aws::testing

#pragma once
// Test support: runs `cppstack-local` as a child process (on a free port, read from its first
// stdout line), talks HTTP to it with Beast, and runs other commands to completion.

#include <sys/types.h>

#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace cppstack::local::testing {

namespace http = boost::beast::http;
using Response = http::response<http::string_body>;
using Headers = std::vector<std::pair<std::string, std::string>>;

/// A fresh directory under the system temp directory, removed on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }
  /// Writes a file (mode 0755 when executable) and returns its path.
  std::filesystem::path write(const std::string& name, const std::string& content,
                              bool executable = false) const;

 private:
  std::filesystem::path path_;
};

class Emulator {
 public:
  /// `arguments` follow the program name, e.g. {"start-api", "--bootstrap", path}; "--port 0"
  /// is added. Fails the test when no "listening on" line arrives within 30 s.
  explicit Emulator(std::vector<std::string> arguments);
  ~Emulator();
  Emulator(const Emulator&) = delete;
  Emulator& operator=(const Emulator&) = delete;

  [[nodiscard]] std::uint16_t port() const { return port_; }
  [[nodiscard]] pid_t pid() const { return pid_; }
  /// Everything written to stderr so far.
  [[nodiscard]] std::string logs() const;
  /// Waits (bounded) until stderr contains `text`.
  bool wait_for_log(const std::string& text,
                    std::chrono::milliseconds timeout = std::chrono::seconds(20)) const;
  /// SIGTERM, then waits; returns the exit status (or -1 after a forced kill).
  int stop(int signal_number = 15);

 private:
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  std::filesystem::path log_file_;
  TempDir directory_;
};

/// One request on a new connection (60 s timeout).
Response request(std::uint16_t port, http::verb method, const std::string& target,
                 const std::string& body = {}, const Headers& headers = {});

/// A keep-alive connection for many requests.
class Connection {
 public:
  explicit Connection(std::uint16_t port);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  Response send(http::verb method, const std::string& target, const std::string& body = {},
                const Headers& headers = {});

 private:
  struct State;
  std::unique_ptr<State> state_;
};

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

/// Runs a program to completion (60 s at most) with `input` on stdin.
CommandResult run_command(const std::vector<std::string>& arguments, const std::string& input = {});

/// All values of a response header, in order.
std::vector<std::string> header_values(const Response& response, const std::string& name);

boost::json::value parse_json(const std::string& text);

/// `cppstack-local start-lambda` serving one function, as the tests start it:
///
///   const StartLambda start_lambda{FIXTURE_FUNCTION, "fixture"};
///   Emulator emulator(start_lambda({"--concurrency", "1"}));
///   request(emulator.port(), verb::post, start_lambda.invocations(), "{}");
struct StartLambda {
  std::string bootstrap;
  std::string function_name;
  std::vector<std::string> options{};  ///< given every time, before the call's own

  /// The arguments: start-lambda, the function, `options`, then `extra`.
  std::vector<std::string> operator()(const std::vector<std::string>& extra = {}) const;
  /// The function's Invoke API path: /2015-03-31/functions/NAME/invocations.
  [[nodiscard]] std::string invocations() const;
};

/// The AWS tutorial's bash function (functions/tutorial_function.sh) with FUNCTION_VERSION set
/// to `version`, so tests can tell two builds of a function apart by their answers.
std::string versioned_function(const std::string& version);

}  // namespace cppstack::local::testing

#pragma once
// One function instance: a `bootstrap` process in its own process group, its Runtime API
// endpoint on loopback and the state machine Lambda's Runtime API follows (init, ready with a
// long-polling /next, invocation delivered, answered), its output relayed to the log, and
// its START/END/REPORT lines. Everything runs on the pool's strand; every completion handler
// is guarded (guarded.hpp), so a failure ends this instance's invocation, not the emulator.
//
//   auto instance = std::make_shared<Instance>(pool, 1, pool.generation);
//   if (instance->start(invocation)) { /* cold start under way */ }

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <string>
#include <string_view>

#include "http_server.hpp"
#include "pool_internal.hpp"
#include "process.hpp"

namespace cppstack::local {

/// Lambda's limit on a function's response to the Runtime API: 6 MiB + 100 bytes, as AWS's
/// runtime interface emulator defines it (internal/lambda/interop/model.go, MaxPayloadSize).
inline constexpr std::size_t max_runtime_response_bytes = std::size_t{6} * 1024 * 1024 + 100;

/// Connections a runtime may hold open to its Runtime API, and request bytes they may hold
/// in memory together: one runtime cannot take the emulator's descriptors or memory by
/// opening connections (a runtime needs one; AWS documents no figure).
inline constexpr std::size_t max_runtime_api_connections = 32;
inline constexpr std::size_t max_runtime_api_memory_bytes = 2 * max_runtime_response_bytes;

class Instance : public std::enable_shared_from_this<Instance> {
 public:
  Instance(FunctionPool::Impl& pool, int number, int generation);

  [[nodiscard]] int generation() const { return generation_; }
  [[nodiscard]] bool busy() const { return current_ != nullptr; }
  [[nodiscard]] bool usable() const { return !exited_ && !stopping_; }
  [[nodiscard]] pid_t pid() const { return pid_; }

  /// Starts the process for its first invocation. Returns false (invocation answered) when
  /// no instance can be started (bootstrap not executable, no descriptors left, ...).
  bool start(const std::shared_ptr<Invocation>& first);
  void assign(const std::shared_ptr<Invocation>& invocation);
  /// Ends the process group: SIGTERM, SIGKILL after `grace` (zero: SIGKILL now).
  void stop(std::chrono::milliseconds grace);
  void abandon_for_shutdown();

 private:
  template <class Handler>
  auto guard(Handler handler);
  void fail_internally(std::string_view what);

  void on_runtime_request(const std::shared_ptr<HttpExchange>& exchange);
  void on_next(const std::shared_ptr<HttpExchange>& exchange);
  void park(const std::shared_ptr<HttpExchange>& exchange);
  void deliver(const std::shared_ptr<HttpExchange>& exchange);
  [[nodiscard]] bool is_current(std::string_view id) const;
  void reject_unknown_id(const std::shared_ptr<HttpExchange>& exchange);
  void on_response(const std::shared_ptr<HttpExchange>& exchange, std::string_view id);
  void on_error(const std::shared_ptr<HttpExchange>& exchange, std::string_view id);
  void accept_after_the_answer(const std::shared_ptr<HttpExchange>& exchange);
  void on_init_error(const std::shared_ptr<HttpExchange>& exchange);
  void response_too_large(const beast_http::request_header<>& header);
  void time_out(double seconds);
  void finish(InvokeOutcome outcome, FunctionErrorKind kind, std::string payload,
              std::string_view status = {});
  [[nodiscard]] std::string report_line(const Invocation& invocation, bool was_delivered,
                                        std::string_view status, FunctionErrorKind kind);
  void watch_exit();
  void on_exit();
  void watch_output();
  bool read_output(std::size_t limit);
  void drain_output();
  void emit_function_line(std::string_view text);
  void log_line(const std::string& text, Invocation* invocation = nullptr);
  void kill_group_and_descendants();

  FunctionPool::Impl& pool_;
  int number_;
  int generation_;
  pid_t pid_ = -1;
  ProcessStatus status_;  ///< the process's /proc status, for Max Memory Used
  boost::asio::posix::stream_descriptor exit_watch_;
  boost::asio::posix::stream_descriptor output_;
  boost::asio::steady_timer deadline_timer_;
  boost::asio::steady_timer kill_timer_;
  std::unique_ptr<HttpServer> runtime_api_;
  std::shared_ptr<HttpExchange> parked_next_;
  std::shared_ptr<Invocation> current_;
  std::string log_stream_;
  std::string partial_line_;
  std::size_t pipe_capacity_ = 65536;
  Clock::time_point spawned_at_;
  double init_duration_ms_ = 0;
  long peak_memory_kb_ = 0;
  bool delivered_ = false;
  bool initialized_ = false;
  bool init_failed_ = false;
  bool cold_ = false;
  bool exited_ = false;
  bool stopping_ = false;
};

}  // namespace cppstack::local

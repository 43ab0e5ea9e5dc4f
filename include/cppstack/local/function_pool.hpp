#pragma once
// Function instances as Lambda runs them: a pool of custom-runtime `bootstrap` processes, each
// with its own Runtime API endpoint on loopback (contracts.md section 2), each serving one
// invocation at a time. Warm instances are reused, a new one starts (cold start) when all are
// busy, up to the concurrency limit; a crashed or timed-out instance is killed with its
// process group and replaced lazily; when the bootstrap file changes, new invocations go to
// new instances (hot reload). Logs are written like CloudWatch's (START/END/REPORT).
//
//   boost::asio::io_context io;
//   cppstack::local::FunctionPool pool(io, config, logger);
//   pool.invoke({.payload = R"({"hello":1})"}, [](cppstack::local::InvokeResult result) {
//     // called once, on the pool's strand
//   });
//   io.run();

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cppstack/local/lambda_log.hpp>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace cppstack::local {

/// Lambda's synchronous request payload limit (6 MB). A function's response may be 100 bytes
/// longer (see max_runtime_response_bytes in instance.hpp).
inline constexpr std::size_t max_sync_payload_bytes = std::size_t{6} * 1024 * 1024;

struct FunctionConfig {
  std::filesystem::path bootstrap{};  ///< any executable speaking the Runtime API
  std::string function_name = "function";
  std::string handler = "bootstrap";  ///< _HANDLER
  std::string region = "us-east-1";
  std::string account_id = "123456789012";
  std::chrono::milliseconds timeout{30000};       ///< function timeout
  std::chrono::milliseconds init_timeout{10000};  ///< Lambda's limit on the init phase
  int memory_mb = 128;
  int max_instances = 10;  ///< concurrency limit
  /// Set in each instance's environment (the platform's own variables win on a clash).
  std::vector<std::pair<std::string, std::string>> environment{};

  [[nodiscard]] std::string function_arn() const;
};

struct InvokeRequest {
  std::string payload{};
  std::optional<std::string> client_context{};  ///< Lambda-Runtime-Client-Context (JSON text)
  /// The caller's X-Ray trace header (API Gateway's `Root=1-...`): Lambda-Runtime-Trace-Id then
  /// carries the same Root, as with active tracing on AWS. Unset: a new trace.
  std::optional<std::string> trace_id{};
  /// The qualifier the caller named (`$LATEST`), which Lambda-Runtime-Invoked-Function-Arn then
  /// ends with, as on AWS; unset: the unqualified ARN.
  std::optional<std::string> qualifier{};
  /// Wait for a free instance instead of answering `throttled` (asynchronous invocations).
  bool wait_for_capacity = false;
};

enum class InvokeOutcome {
  success,            ///< payload is the function's response
  function_error,     ///< payload is the error JSON; see FunctionErrorKind
  throttled,          ///< every instance busy and the concurrency limit reached
  payload_too_large,  ///< the request payload is over 6 MB: never reached the function
  shutting_down,
};

enum class FunctionErrorKind {
  none,
  handled,             ///< the runtime posted /invocation/{id}/error
  init_error,          ///< the runtime posted /init/error or exited before its first /next
  crashed,             ///< the process exited mid-invocation (Runtime.ExitError)
  timed_out,           ///< the deadline passed; the instance was killed
  response_too_large,  ///< the response was over 6 MB (the runtime got 413)
};

struct InvokeResult {
  InvokeOutcome outcome = InvokeOutcome::success;
  FunctionErrorKind error_kind = FunctionErrorKind::none;
  std::string request_id{};  ///< Lambda's request id of this invocation
  std::string payload{};
  std::string log_tail{};  ///< last 4 KB of this invocation's log, for X-Amz-Log-Result
};

class FunctionPool {
 public:
  using Completion = std::function<void(InvokeResult)>;

  FunctionPool(boost::asio::io_context& io, FunctionConfig config, std::shared_ptr<LambdaLog> log);
  ~FunctionPool();
  FunctionPool(const FunctionPool&) = delete;
  FunctionPool& operator=(const FunctionPool&) = delete;

  /// Thread-safe. `done` runs once, on the pool's strand; keep it short. Should it throw, it
  /// runs once more with a function error (its caller must still answer).
  void invoke(InvokeRequest request, Completion done);
  /// Stops every instance (SIGTERM, then SIGKILL after a short grace); `done` runs when all
  /// processes are gone. New invocations are answered `shutting_down`.
  void shutdown(std::function<void()> done);

  [[nodiscard]] const FunctionConfig& config() const noexcept;

 private:
  class Impl;
  friend class Instance;  // one process of the pool, defined with Impl
  std::shared_ptr<Impl> impl_{};
};

}  // namespace cppstack::local

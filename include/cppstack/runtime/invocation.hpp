#pragma once
// One invocation as the Lambda Runtime API hands it out: the event payload and its context.
//
//   std::string handle(const cppstack::runtime::Invocation& invocation) {
//     if (invocation.remaining_time() < std::chrono::milliseconds(100)) { ... }
//     return invocation.payload;
//   }

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

namespace cppstack::runtime {

struct Invocation {
  std::string request_id;                       ///< Lambda-Runtime-Aws-Request-Id
  std::int64_t deadline_ms = 0;                 ///< Lambda-Runtime-Deadline-Ms, epoch milliseconds
  std::string invoked_function_arn;             ///< Lambda-Runtime-Invoked-Function-Arn
  std::optional<std::string> trace_id;          ///< Lambda-Runtime-Trace-Id
  std::optional<std::string> client_context;    ///< Lambda-Runtime-Client-Context
  std::optional<std::string> cognito_identity;  ///< Lambda-Runtime-Cognito-Identity
  std::optional<std::string> tenant_id;         ///< Lambda-Runtime-Aws-Tenant-Id
  std::string payload;                          ///< the raw event

  /// Time left before the platform stops this invocation (negative once past the deadline).
  [[nodiscard]] std::chrono::milliseconds remaining_time() const;
};

/// Throw from a handler to choose the errorType reported to Lambda (default for any other
/// exception: its demangled type name, category Function.UnhandledException).
class FunctionError : public std::runtime_error {
 public:
  FunctionError(std::string error_type, const std::string& message)
      : std::runtime_error(message), error_type_(std::move(error_type)) {}
  [[nodiscard]] const std::string& error_type() const noexcept { return error_type_; }

 private:
  std::string error_type_;
};

}  // namespace cppstack::runtime

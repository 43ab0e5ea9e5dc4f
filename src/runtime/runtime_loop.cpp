#include <cppstack/runtime/runtime_loop.hpp>

#include <cstdlib>
#include <stdexcept>
#include <utility>

#include "endpoint.hpp"
#include "log.hpp"
#include "runtime_client.hpp"
#include "termination_signal.hpp"

namespace cppstack::runtime {
namespace {

constexpr int kExitInitializationFailed = 1;
constexpr int kExitRuntimeApiFailed = 2;
constexpr unsigned kResponseTooLarge = 413;
constexpr const char* kTraceIdVariable = "_X_AMZN_TRACE_ID";

using detail::Outcome;
using detail::Reply;

bool is_server_error(unsigned status) { return status >= 500; }

std::string refused_message(std::string_view what, std::string_view request_id, unsigned status,
                            const std::string& reply_body) {
  std::string message = "the Lambda Runtime API refused ";
  message += what;
  if (!request_id.empty()) {
    message += " for request ";
    message += request_id;
  }
  message += " with status " + std::to_string(status);
  if (!reply_body.empty()) {
    message += ": ";
    message += reply_body.substr(0, 512);
  }
  return message;
}

// Tracing libraries read the active trace from the environment, as on every managed runtime.
void expose_trace_id(const std::optional<std::string>& trace_id) {
  if (trace_id) {
    ::setenv(kTraceIdVariable, trace_id->c_str(), 1);
  } else {
    ::unsetenv(kTraceIdVariable);
  }
}

// Returns false when the loop must end with kExitRuntimeApiFailed.
bool report_invocation_error(detail::RuntimeClient& client, const std::string& request_id,
                             const ErrorReport& report) {
  detail::log_error("invocation " + request_id + " failed with " + report.error_type + ": " +
                    report.error_message);
  const Reply reply = client.post_invocation_error(request_id, report);
  if (reply.outcome == Outcome::unreachable) return false;
  if (reply.outcome == Outcome::answered && reply.status / 100 != 2) {
    detail::log_error(
        refused_message("the error report", request_id, reply.status, client.last_reply_body()));
    if (is_server_error(reply.status)) return false;
  }
  return true;
}

// Returns false when the loop must end with kExitRuntimeApiFailed.
bool deliver_response(detail::RuntimeClient& client, const std::string& request_id,
                      const std::string& payload) {
  const Reply reply = client.post_response(request_id, payload);
  if (reply.outcome == Outcome::unreachable) return false;
  if (reply.outcome != Outcome::answered || reply.status / 100 == 2) return true;
  if (reply.status == kResponseTooLarge) {
    ErrorReport report;
    report.error_type = std::string(kResponseTooLargeError);
    report.error_message = "Response payload size (" + std::to_string(payload.size()) +
                           " bytes) exceeded the maximum the Lambda Runtime API accepts";
    report.category = std::string(kResponseTooLargeError);
    return report_invocation_error(client, request_id, report);
  }
  detail::log_error(
      refused_message("the response", request_id, reply.status, client.last_reply_body()));
  return !is_server_error(reply.status);
}

int initialization_failed(detail::RuntimeClient& client, const ErrorReport& report) {
  detail::log_error("initialization failed with " + report.error_type + ": " +
                    report.error_message);
  const Reply reply = client.post_init_error(report);
  if (reply.outcome == Outcome::answered && reply.status / 100 != 2) {
    detail::log_error(
        refused_message("the initialization error", {}, reply.status, client.last_reply_body()));
  }
  return kExitInitializationFailed;
}

int leave_on_signal() {
  detail::log_info("SIGTERM received: the Lambda runtime loop stops");
  return 0;
}

}  // namespace

std::chrono::milliseconds Invocation::remaining_time() const {
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::now().time_since_epoch());
  return std::chrono::milliseconds(deadline_ms) - now;
}

RuntimeOptions RuntimeOptions::from_environment() {
  const char* runtime_api = std::getenv("AWS_LAMBDA_RUNTIME_API");
  if (runtime_api == nullptr || *runtime_api == '\0') {
    throw std::runtime_error(
        "AWS_LAMBDA_RUNTIME_API is not set; Lambda sets it to the Runtime API's host:port, and "
        "local runs must set it too (e.g. AWS_LAMBDA_RUNTIME_API=127.0.0.1:9001)");
  }
  detail::Endpoint endpoint;
  std::string error;
  if (!detail::parse_endpoint(runtime_api, endpoint, error)) throw std::runtime_error(error);
  RuntimeOptions options;
  options.runtime_api = runtime_api;
  return options;
}

int run(const Initializer& initialize) {
  RuntimeOptions options;
  try {
    options = RuntimeOptions::from_environment();
  } catch (const std::exception& error) {
    detail::log_error(error.what());
    return kExitInitializationFailed;
  }
  return run(initialize, options);
}

int run(const Initializer& initialize, const RuntimeOptions& options) {
  detail::Endpoint endpoint;
  std::string address_error;
  if (!detail::parse_endpoint(options.runtime_api, endpoint, address_error)) {
    detail::log_error(address_error);
    return kExitInitializationFailed;
  }
  const detail::TerminationSignal termination_signal;
  detail::RuntimeClient client(std::move(endpoint), options.max_transport_retries,
                               options.initial_backoff);

  Handler handler;
  try {
    handler = initialize ? initialize() : Handler();
    if (!handler) throw std::logic_error("the initializer returned no handler");
  } catch (...) {
    return initialization_failed(client, report_current_exception(ErrorPhase::initialization));
  }

  Invocation invocation;
  std::string response;
  std::uint64_t handled = 0;
  while (options.max_invocations == 0 || handled < options.max_invocations) {
    if (detail::TerminationSignal::requested()) return leave_on_signal();
    const Reply next = client.next_invocation(invocation);
    if (next.outcome == Outcome::stopped) return leave_on_signal();
    if (next.outcome == Outcome::unreachable) return kExitRuntimeApiFailed;
    if (next.outcome == Outcome::event_too_large) {
      ErrorReport report;
      report.error_type = std::string(detail::kEventTooLargeError);
      report.error_message = "the event is larger than the runtime accepts (" +
                             std::to_string(detail::kMaxEventBytes) + " bytes)";
      report.category = std::string(detail::kEventTooLargeError);
      if (!invocation.request_id.empty() &&
          !report_invocation_error(client, invocation.request_id, report)) {
        return kExitRuntimeApiFailed;
      }
      ++handled;
      continue;
    }
    if (next.status != 200) {
      detail::log_error(
          refused_message("GET /runtime/invocation/next", {}, next.status, invocation.payload));
      return kExitRuntimeApiFailed;
    }
    ++handled;
    if (invocation.request_id.empty()) {
      detail::log_error("skipped an event without Lambda-Runtime-Aws-Request-Id");
      continue;
    }

    expose_trace_id(invocation.trace_id);
    bool succeeded = false;
    ErrorReport report;
    try {
      response = handler(invocation);
      succeeded = true;
    } catch (...) {
      report = report_current_exception(ErrorPhase::invocation);
    }
    const bool keep_going = succeeded
                                ? deliver_response(client, invocation.request_id, response)
                                : report_invocation_error(client, invocation.request_id, report);
    if (!keep_going) return kExitRuntimeApiFailed;
  }
  return 0;
}

}  // namespace cppstack::runtime

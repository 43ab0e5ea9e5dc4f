#pragma once
// Structured JSON logs, one object per line on stderr, with the keys Powertools for AWS
// Lambda uses (level, message, timestamp, service, cold_start, function_name,
// function_request_id, xray_trace_id, correlation_id), so CloudWatch Logs Insights queries
// and dashboards written for Powertools work unchanged.
//
//   cppstack::observability::Logger logger("orders-api", LogLevel::info, "orders-fn");
//   logger.log(LogLevel::warn, "stock low", {{"sku", "A-1"}}, &invocation_context);

#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace cppstack::observability {

enum class LogLevel { debug, info, warn, error };

/// "DEBUG", "INFO", "WARN", "ERROR".
[[nodiscard]] std::string_view to_string(LogLevel level) noexcept;
/// Case-insensitive; WARNING is accepted for WARN. std::nullopt for anything else.
[[nodiscard]] std::optional<LogLevel> parse_log_level(std::string_view text);

/// The invocation a log line belongs to; empty fields are written as null.
struct InvocationLogContext {
  std::string_view function_request_id;
  std::string_view correlation_id;
  std::string_view xray_trace_id;
  bool cold_start = false;
};

/// The invocation this thread is handling, for code that has no Request at hand (the AWS
/// client: its timeouts stop before the deadline and its error lines carry the correlation id).
struct CurrentInvocation {
  InvocationLogContext log;
  std::int64_t deadline_ms = 0;  ///< epoch milliseconds; 0 when unknown
};

/// The invocation set by the innermost live InvocationScope of this thread; nullptr outside.
[[nodiscard]] const CurrentInvocation* current_invocation() noexcept;

/// Makes `invocation` the thread's current one for its lifetime (the HTTP service opens one
/// around each request).
class InvocationScope {
 public:
  explicit InvocationScope(const CurrentInvocation& invocation) noexcept;
  ~InvocationScope();
  InvocationScope(const InvocationScope&) = delete;
  InvocationScope& operator=(const InvocationScope&) = delete;

 private:
  const CurrentInvocation* previous_;
};

class Logger {
 public:
  /// Receives complete lines, newline included: one per log() call, or the several lines of
  /// one write_line() call at once.
  using Sink = std::function<void(std::string_view line)>;

  explicit Logger(std::string service, LogLevel level = LogLevel::info,
                  std::string function_name = {}, Sink sink = nullptr);

  [[nodiscard]] bool enabled(LogLevel level) const noexcept { return level >= level_; }
  /// Writes one line when `level` is enabled. `fields` are added after the standard keys
  /// (a field may not replace a standard key). Text is repaired to valid UTF-8, so every
  /// line is valid JSON.
  void log(LogLevel level, std::string_view message, const boost::json::object& fields = {},
           const InvocationLogContext* context = nullptr) const;
  /// Hands one or more complete lines (each ending in a newline) to the sink in one call: for
  /// lines written on the per-request path with JsonLineWriter (access lines, EMF records).
  void write_line(std::string_view line) const { sink_(line); }

  [[nodiscard]] const std::string& service() const noexcept { return service_; }
  [[nodiscard]] const std::string& function_name() const noexcept { return function_name_; }

 private:
  std::string service_;
  LogLevel level_;
  std::string function_name_;
  Sink sink_;
};

/// Current UTC time as ISO 8601 with milliseconds, e.g. 2026-11-28T22:40:00.123Z.
[[nodiscard]] std::string iso8601_now();
/// Appends `time` as ISO 8601 UTC with milliseconds; the date and time of day are formatted
/// once per second per thread.
void append_iso8601(std::string& out, std::chrono::system_clock::time_point time);

}  // namespace cppstack::observability

#include <cppstack/observability/logger.hpp>
#include <cppstack/observability/utf8.hpp>

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <ctime>

namespace cppstack::observability {
namespace {

void write_to_stderr(std::string_view line) {
  // One fwrite per line: lines from one process never interleave mid-line.
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

boost::json::value null_if_empty(std::string_view text) {
  if (text.empty()) return nullptr;
  return boost::json::value(text);
}

}  // namespace

std::string_view to_string(LogLevel level) noexcept {
  switch (level) {
    case LogLevel::debug:
      return "DEBUG";
    case LogLevel::info:
      return "INFO";
    case LogLevel::warn:
      return "WARN";
    case LogLevel::error:
      return "ERROR";
  }
  return "INFO";
}

std::optional<LogLevel> parse_log_level(std::string_view text) {
  std::string upper(text);
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char character) {
    return static_cast<char>(std::toupper(character));
  });
  if (upper == "DEBUG") return LogLevel::debug;
  if (upper == "INFO") return LogLevel::info;
  if (upper == "WARN" || upper == "WARNING") return LogLevel::warn;
  if (upper == "ERROR") return LogLevel::error;
  return std::nullopt;
}

void append_iso8601(std::string& out, std::chrono::system_clock::time_point time) {
  // gmtime_r and strftime cost more than the rest of a log line: keep the last second's text.
  thread_local std::time_t cached_second = -1;
  thread_local char cached_text[24] = {};
  thread_local std::size_t cached_length = 0;
  const auto since_epoch = time.time_since_epoch();
  const std::time_t second = static_cast<std::time_t>(
      std::chrono::duration_cast<std::chrono::seconds>(since_epoch).count());
  if (second != cached_second) {
    std::tm utc{};
    gmtime_r(&second, &utc);
    cached_length = std::strftime(cached_text, sizeof cached_text, "%Y-%m-%dT%H:%M:%S", &utc);
    cached_second = second;
  }
  const auto milliseconds =
      std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count() % 1000;
  out.append(cached_text, cached_length);
  out.push_back('.');
  out.push_back(static_cast<char>('0' + milliseconds / 100));
  out.push_back(static_cast<char>('0' + milliseconds / 10 % 10));
  out.push_back(static_cast<char>('0' + milliseconds % 10));
  out.push_back('Z');
}

std::string iso8601_now() {
  std::string text;
  append_iso8601(text, std::chrono::system_clock::now());
  return text;
}

Logger::Logger(std::string service, LogLevel level, std::string function_name, Sink sink)
    : service_(std::move(service)),
      level_(level),
      function_name_(std::move(function_name)),
      sink_(sink ? std::move(sink) : Sink(write_to_stderr)) {}

void Logger::log(LogLevel level, std::string_view message, const boost::json::object& fields,
                 const InvocationLogContext* context) const {
  if (!enabled(level)) return;
  boost::json::object line{{"level", to_string(level)},
                           {"message", to_valid_utf8(message)},
                           {"timestamp", iso8601_now()},
                           {"service", service_},
                           {"function_name", null_if_empty(function_name_)}};
  if (context != nullptr) {
    line["cold_start"] = context->cold_start;
    line["function_request_id"] = null_if_empty(context->function_request_id);
    line["xray_trace_id"] = null_if_empty(context->xray_trace_id);
    line["correlation_id"] = null_if_empty(context->correlation_id);
  }
  for (const auto& [key, value] : fields) {
    if (line.contains(key)) continue;
    // Field text often comes from outside (exception messages): keep the line valid JSON.
    if (const auto* text = value.if_string()) {
      line[key] = to_valid_utf8(*text);
    } else {
      line[key] = value;
    }
  }
  sink_(boost::json::serialize(line) + "\n");
}

namespace {
thread_local const CurrentInvocation* current = nullptr;
}  // namespace

const CurrentInvocation* current_invocation() noexcept { return current; }

InvocationScope::InvocationScope(const CurrentInvocation& invocation) noexcept
    : previous_(current) {
  current = &invocation;
}

InvocationScope::~InvocationScope() { current = previous_; }

}  // namespace cppstack::observability

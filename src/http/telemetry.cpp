#include <cppstack/http/telemetry.hpp>
#include <cppstack/observability/json_line.hpp>
#include <cppstack/observability/metrics.hpp>

#include <array>
#include <chrono>

namespace cppstack::http {
namespace {

using observability::JsonLineWriter;
using observability::LogLevel;

// Headers that carry credentials: replaying a request needs their presence, never their value.
bool is_secret_header(std::string_view name) {
  static constexpr std::array<std::string_view, 6> secrets{
      "authorization", "proxy-authorization",  "cookie",
      "x-api-key",     "x-amz-security-token", "set-cookie"};
  for (const std::string_view secret : secrets) {
    if (name.size() != secret.size()) continue;
    bool same = true;
    for (std::size_t index = 0; index < name.size() && same; ++index) {
      const char lower = (name[index] >= 'A' && name[index] <= 'Z')
                             ? static_cast<char>(name[index] - 'A' + 'a')
                             : name[index];
      same = lower == secret[index];
    }
    if (same) return true;
  }
  return false;
}

void append_string_map(std::string& out, const events::StringMap& map, bool redact_secrets) {
  JsonLineWriter object(out);
  for (const auto& [name, value] : map) {
    object.string(name, redact_secrets && is_secret_header(name) ? "[redacted]" : value);
  }
  out.push_back('}');  // an object inside the line: no newline
}

}  // namespace

std::string route_label(const Request& request) {
  if (request.route_template == nullptr) return "unmatched";
  std::string label = request.event.http_method;
  label.push_back(' ');
  label += *request.route_template;
  return label;
}

std::string_view status_class(int status_code) noexcept {
  if (status_code >= 500) return "5xx";
  if (status_code >= 400) return "4xx";
  if (status_code >= 300) return "3xx";
  if (status_code >= 200) return "2xx";
  return "1xx";
}

void append_access_line(std::string& out, const observability::Logger& logger,
                        const Request& request, int status_code, double latency_ms,
                        LogLevel level) {
  const auto& event = request.event;
  JsonLineWriter line(out);
  line.string("level", observability::to_string(level));
  thread_local std::string message;
  message.assign(event.http_method).append(" ").append(event.path).append(" ");
  message.append(std::to_string(status_code));
  line.string("message", message);
  std::string& timestamp = line.key("timestamp");
  timestamp.push_back('"');
  observability::append_iso8601(timestamp, std::chrono::system_clock::now());
  timestamp.push_back('"');
  line.string("service", logger.service());
  line.boolean("cold_start", request.invocation.cold_start);
  line.string_or_null("function_name", logger.function_name());
  line.string_or_null("function_request_id", request.invocation.request_id);
  line.string_or_null("xray_trace_id", request.invocation.trace_id);
  line.string_or_null("correlation_id", request.correlation_id());
  line.string("http_method", event.http_method);
  line.string("path", event.path);
  if (request.route_template != nullptr) {
    line.string("route", *request.route_template);
  } else {
    line.key("route").append("null");
  }
  line.integer("status", status_code);
  line.number("latency_ms", latency_ms);
  const auto& source_ip = event.request_context.identity.source_ip;
  line.string_or_null("source_ip", source_ip ? std::string_view(*source_ip) : std::string_view());
  if (logger.enabled(LogLevel::debug)) {
    // What `cppstack-local generate-event` needs to rebuild the request, minus credentials.
    if (event.query_string_parameters) {
      append_string_map(line.key("query_string_parameters"), *event.query_string_parameters, false);
    }
    if (event.headers) append_string_map(line.key("headers"), *event.headers, true);
    line.integer("body_bytes", static_cast<std::int64_t>(event.body ? event.body->size() : 0));
  }
  line.close();
}

void append_request_metrics(std::string& out, std::string_view metrics_namespace,
                            const observability::Logger& logger, const Request& request,
                            int status_code, double latency_ms) {
  using observability::Dimension;
  using observability::Metric;
  using observability::MetricUnit;
  const std::string route = route_label(request);
  const std::int64_t now_ms = observability::unix_time_ms();
  const std::array dimensions{Dimension{"service", logger.service()}, Dimension{"route", route},
                              Dimension{"status_class", status_class(status_code)}};
  static constexpr std::array<std::size_t, 2> dimension_sets{2, 3};
  const std::array metrics{Metric{"Requests", MetricUnit::count, 1},
                           Metric{"Latency", MetricUnit::milliseconds, latency_ms},
                           Metric{"Errors", MetricUnit::count, status_code >= 500 ? 1.0 : 0.0},
                           Metric{"ClientErrors", MetricUnit::count,
                                  status_code >= 400 && status_code < 500 ? 1.0 : 0.0}};
  const std::array properties{
      observability::Property{"function_request_id", request.invocation.request_id},
      observability::Property{"correlation_id", request.correlation_id()}};
  observability::append_emf_records(out,
                                    {.name_space = metrics_namespace,
                                     .dimensions = dimensions,
                                     .dimension_set_lengths = dimension_sets,
                                     .metrics = metrics,
                                     .properties = properties},
                                    now_ms);
}

void append_cold_start_metric(std::string& out, std::string_view metrics_namespace,
                              const observability::Logger& logger) {
  using observability::Dimension;
  using observability::Metric;
  // Powertools' ColdStart metric: one per instance, by service and function name.
  const std::array dimensions{Dimension{"service", logger.service()},
                              Dimension{"function_name", logger.function_name()}};
  const std::array metrics{Metric{"ColdStart", observability::MetricUnit::count, 1}};
  observability::append_emf_records(
      out,
      {.name_space = metrics_namespace,
       .dimensions =
           std::span<const Dimension>(dimensions).first(logger.function_name().empty() ? 1 : 2),
       .metrics = metrics},
      observability::unix_time_ms());
}

Middleware telemetry_middleware(TelemetryOptions options) {
  auto shared = std::make_shared<const TelemetryOptions>(std::move(options));
  return [shared](Request& request, const Next& next) {
    const auto started = std::chrono::steady_clock::now();
    const auto record = [&shared, &request, started](int status_code) {
      // Whole microseconds: the resolution that matters, written without snprintf.
      const double latency_ms =
          static_cast<double>(std::chrono::duration_cast<std::chrono::microseconds>(
                                  std::chrono::steady_clock::now() - started)
                                  .count()) /
          1000.0;
      const observability::Logger& logger = *shared->logger;
      const LogLevel level = status_code >= 500 ? LogLevel::error : LogLevel::info;
      // One buffer per thread (its capacity is kept, so a request allocates nothing for it)
      // and one write for all the request's lines: on Lambda each write is a system call.
      thread_local std::string text;
      text.clear();
      if (logger.enabled(level)) {
        append_access_line(text, logger, request, status_code, latency_ms, level);
      }
      if (!shared->metrics_namespace.empty()) {
        append_request_metrics(text, shared->metrics_namespace, logger, request, status_code,
                               latency_ms);
        if (request.invocation.cold_start) {
          append_cold_start_metric(text, shared->metrics_namespace, logger);
        }
      }
      if (!text.empty()) logger.write_line(text);
    };
    events::ProxyResponse response;
    try {
      response = next(request);
    } catch (...) {
      // The exception handler answers 500 after this middleware: count it as that.
      record(500);
      throw;
    }
    record(response.status_code);
    return response;
  };
}

}  // namespace cppstack::http

#include <cppstack/http/telemetry.hpp>
#include <cppstack/observability/json_line.hpp>
#include <cppstack/observability/metrics.hpp>

#include <array>
#include <charconv>
#include <chrono>
#include <stdexcept>

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

std::string_view status_class(int status_code) noexcept {
  if (status_code >= 500) return "5xx";
  if (status_code >= 400) return "4xx";
  if (status_code >= 300) return "3xx";
  if (status_code >= 200) return "2xx";
  return "1xx";
}

namespace {

constexpr std::string_view timestamp_prefix = R"({"_aws":{"Timestamp":)";

// `value` as a JSON string member, or null when empty (Powertools' keys).
void append_string_or_null(std::string& out, std::string_view value) {
  if (value.empty()) {
    out.append("null");
  } else {
    observability::append_json_string(out, value);
  }
}

void append_integer(std::string& out, std::int64_t value) {
  char text[24];
  const auto result = std::to_chars(text, text + sizeof text, value);
  out.append(text, result.ptr);
}

// An EMF record formatted by the generic encoder with timestamp 0, less the timestamp and
// `suffix`: the part that is the same for every record of the kind.
std::string record_between(const observability::MetricRecord& record, std::string_view suffix) {
  std::string text;
  observability::append_emf_records(text, record, 0);
  const std::string_view prefix = R"({"_aws":{"Timestamp":0)";
  if (!text.starts_with(prefix) || !text.ends_with(suffix)) {
    throw std::logic_error("EMF: unexpected record layout");
  }
  return text.substr(prefix.size(), text.size() - prefix.size() - suffix.size());
}

}  // namespace

RequestTelemetryFormat::RequestTelemetryFormat(std::shared_ptr<const observability::Logger> logger,
                                               std::string_view metrics_namespace)
    : logger_(std::move(logger)), metrics_(!metrics_namespace.empty()) {
  using observability::Dimension;
  using observability::Metric;
  using observability::MetricUnit;
  service_member_ = R"(,"service":)";
  observability::append_json_string(service_member_, logger_->service());
  function_name_member_ = R"(,"function_name":)";
  append_string_or_null(function_name_member_, logger_->function_name());
  if (!metrics_) return;

  // The request record's metadata and service, cut before the route's value.
  const std::array request_dimensions{Dimension{"service", logger_->service()},
                                      Dimension{"route", ""}, Dimension{"status_class", ""}};
  static constexpr std::array<std::size_t, 2> dimension_sets{2, 3};
  const std::array request_metrics{
      Metric{"Requests", MetricUnit::count, 0}, Metric{"Latency", MetricUnit::milliseconds, 0},
      Metric{"Errors", MetricUnit::count, 0}, Metric{"ClientErrors", MetricUnit::count, 0}};
  request_metrics_head_ = record_between(
      {.name_space = metrics_namespace,
       .dimensions = request_dimensions,
       .dimension_set_lengths = dimension_sets,
       .metrics = request_metrics},
      R"(,"route":"","status_class":"","Requests":0,"Latency":0,"Errors":0,"ClientErrors":0})"
      "\n");

  // Powertools' ColdStart metric: one per instance, by service and function name.
  const std::array cold_start_dimensions{Dimension{"service", logger_->service()},
                                         Dimension{"function_name", logger_->function_name()}};
  const std::array cold_start_metrics{Metric{"ColdStart", MetricUnit::count, 1}};
  cold_start_tail_ =
      record_between({.name_space = metrics_namespace,
                      .dimensions = std::span<const Dimension>(cold_start_dimensions)
                                        .first(logger_->function_name().empty() ? 1 : 2),
                      .metrics = cold_start_metrics},
                     "");
}

void RequestTelemetryFormat::append(std::string& out, const Request& request, int status_code,
                                    double latency_ms,
                                    std::chrono::system_clock::time_point now) const {
  append_access_line(out, request, status_code, latency_ms, now);
  if (!metrics_) return;
  const std::int64_t timestamp_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  append_request_metrics(out, request, status_code, latency_ms, timestamp_ms);
  if (request.invocation.cold_start) {
    out.append(timestamp_prefix);
    append_integer(out, timestamp_ms);
    out.append(cold_start_tail_);
  }
}

void RequestTelemetryFormat::append_access_line(std::string& out, const Request& request,
                                                int status_code, double latency_ms,
                                                std::chrono::system_clock::time_point now) const {
  const LogLevel level = status_code >= 500 ? LogLevel::error : LogLevel::info;
  if (!logger_->enabled(level)) return;
  const auto& event = request.event;
  char status_text[8];
  const auto status_end = std::to_chars(status_text, status_text + sizeof status_text, status_code);
  const std::string_view status(status_text,
                                static_cast<std::size_t>(status_end.ptr - status_text));

  // The keys and their order of Powertools' lines, then the request's own members.
  out.append(R"({"level":")").append(observability::to_string(level)).append(R"(","message":)");
  observability::append_json_string_concat(out, {event.http_method, " ", event.path, " ", status});
  out.append(R"(,"timestamp":")");
  observability::append_iso8601(out, now);
  out.push_back('"');
  out.append(service_member_);
  out.append(request.invocation.cold_start ? R"(,"cold_start":true)" : R"(,"cold_start":false)");
  out.append(function_name_member_);
  out.append(R"(,"function_request_id":)");
  append_string_or_null(out, request.invocation.request_id);
  out.append(R"(,"xray_trace_id":)");
  append_string_or_null(out, request.invocation.trace_id);
  out.append(R"(,"correlation_id":)");
  append_string_or_null(out, request.correlation_id());
  out.append(R"(,"http_method":)");
  observability::append_json_string(out, event.http_method);
  out.append(R"(,"path":)");
  observability::append_json_string(out, event.path);
  out.append(R"(,"route":)");
  if (request.route_template != nullptr) {
    observability::append_json_string(out, *request.route_template);
  } else {
    out.append("null");
  }
  out.append(R"(,"status":)").append(status);
  out.append(R"(,"latency_ms":)");
  observability::append_json_number(out, latency_ms);
  out.append(R"(,"source_ip":)");
  const auto& source_ip = event.request_context.identity.source_ip;
  append_string_or_null(out, source_ip ? std::string_view(*source_ip) : std::string_view());
  if (logger_->enabled(LogLevel::debug)) {
    // What `cppstack-local generate-event` needs to rebuild the request, minus credentials.
    if (event.query_string_parameters) {
      out.append(R"(,"query_string_parameters":)");
      append_string_map(out, *event.query_string_parameters, false);
    }
    if (event.headers) {
      out.append(R"(,"headers":)");
      append_string_map(out, *event.headers, true);
    }
    out.append(R"(,"body_bytes":)");
    append_integer(out, static_cast<std::int64_t>(event.body ? event.body->size() : 0));
  }
  out.append("}\n");
}

void RequestTelemetryFormat::append_request_metrics(std::string& out, const Request& request,
                                                    int status_code, double latency_ms,
                                                    std::int64_t timestamp_ms) const {
  out.append(timestamp_prefix);
  append_integer(out, timestamp_ms);
  out.append(request_metrics_head_);
  out.append(R"(,"route":)");
  if (request.route_template == nullptr) {
    out.append(R"("unmatched")");
  } else {
    observability::append_json_string_concat(
        out, {request.event.http_method, " ", *request.route_template});
  }
  out.append(R"(,"status_class":")").append(status_class(status_code));
  out.append(R"(","function_request_id":)");
  observability::append_json_string(out, request.invocation.request_id);
  out.append(R"(,"correlation_id":)");
  observability::append_json_string(out, request.correlation_id());
  out.append(R"(,"Requests":1,"Latency":)");
  observability::append_json_number(out, latency_ms);
  out.append(status_code >= 500 ? R"(,"Errors":1)" : R"(,"Errors":0)");
  out.append(status_code >= 400 && status_code < 500 ? R"(,"ClientErrors":1})"
                                                       "\n"
                                                     : R"(,"ClientErrors":0})"
                                                       "\n");
}

Middleware telemetry_middleware(TelemetryOptions options) {
  auto format = std::make_shared<const RequestTelemetryFormat>(std::move(options.logger),
                                                               options.metrics_namespace);
  return [format](Request& request, const Next& next) {
    const auto started = std::chrono::steady_clock::now();
    const auto record = [&format, &request, started](int status_code) {
      // Whole microseconds: the resolution that matters, written without snprintf.
      const double latency_ms =
          static_cast<double>(std::chrono::duration_cast<std::chrono::microseconds>(
                                  std::chrono::steady_clock::now() - started)
                                  .count()) /
          1000.0;
      // One buffer per thread (its capacity is kept, so a request allocates nothing for it)
      // and one write for all the request's lines: on Lambda each write is a system call.
      thread_local std::string text;
      text.clear();
      format->append(text, request, status_code, latency_ms, std::chrono::system_clock::now());
      if (!text.empty()) format->logger().write_line(text);
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

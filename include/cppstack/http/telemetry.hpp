#pragma once
// Per-request telemetry: one access line with Powertools' keys and one CloudWatch Embedded
// Metric Format record (Requests, Latency, Errors, ClientErrors by route and status class;
// ColdStart on an instance's first request), both written through the application's logger.
//
// The access line holds what a request can be replayed from (method, path, route, request
// ids, status, latency); at DEBUG it adds the query string and the headers, with credentials
// redacted. Bodies are never logged. Metric dimensions are bounded: the matched route
// template (never the raw path), "unmatched" for paths without a route.
//
//   middleware.push_back(cppstack::http::telemetry_middleware(
//       {.logger = logger, .metrics_namespace = "orders-api"}));

#include <chrono>
#include <cppstack/http/service.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace cppstack::http {

struct TelemetryOptions {
  std::shared_ptr<const observability::Logger> logger;
  std::string metrics_namespace;  ///< empty: no metrics
};

/// "2xx", "3xx", "4xx" or "5xx".
[[nodiscard]] std::string_view status_class(int status_code) noexcept;

/// The lines telemetry_middleware writes for a request, formatted straight into one buffer.
/// What is the same for every request (the service, the function name, the EMF metadata of
/// the namespace, the ColdStart record) is formatted once, here, and validated against EMF's
/// limits at construction (MetricFormatError).
///
///   const RequestTelemetryFormat format(logger, "Orders");
///   std::string text;
///   format.append(text, request, 200, 0.42, std::chrono::system_clock::now());
///   if (!text.empty()) logger->write_line(text);
class RequestTelemetryFormat {
 public:
  /// `metrics_namespace` empty: no metrics, only the access line.
  RequestTelemetryFormat(std::shared_ptr<const observability::Logger> logger,
                         std::string_view metrics_namespace);

  /// Appends the access line (INFO, ERROR for a 5xx, when the logger's level lets it through;
  /// at DEBUG with the query string and the headers, credentials redacted), the request's EMF
  /// record (Requests, Latency in ms, Errors for a 5xx, ClientErrors for a 4xx, under
  /// [service, route] and [service, route, status_class]) and, on a cold start, Powertools'
  /// ColdStart record (by service and function_name). Each line ends in '\n'.
  void append(std::string& out, const Request& request, int status_code, double latency_ms,
              std::chrono::system_clock::time_point now) const;

  [[nodiscard]] const observability::Logger& logger() const noexcept { return *logger_; }

 private:
  void append_access_line(std::string& out, const Request& request, int status_code,
                          double latency_ms, std::chrono::system_clock::time_point now) const;
  void append_request_metrics(std::string& out, const Request& request, int status_code,
                              double latency_ms, std::int64_t timestamp_ms) const;

  std::shared_ptr<const observability::Logger> logger_;
  bool metrics_ = false;
  std::string service_member_;        ///< ,"service":"orders-api"
  std::string function_name_member_;  ///< ,"function_name":"orders-fn" (or null)
  std::string request_metrics_head_;  ///< after _aws.Timestamp, up to the route's value
  std::string cold_start_tail_;       ///< the ColdStart record after _aws.Timestamp
};

[[nodiscard]] Middleware telemetry_middleware(TelemetryOptions options);

}  // namespace cppstack::http

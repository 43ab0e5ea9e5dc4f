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

#include <cppstack/http/service.hpp>
#include <memory>
#include <string>
#include <string_view>

namespace cppstack::http {

struct TelemetryOptions {
  std::shared_ptr<const observability::Logger> logger;
  std::string metrics_namespace;  ///< empty: no metrics
};

/// The route dimension: "GET /v1/items/{id}", or "unmatched" when no route matched.
[[nodiscard]] std::string route_label(const Request& request);
/// "2xx", "3xx", "4xx" or "5xx".
[[nodiscard]] std::string_view status_class(int status_code) noexcept;

/// Appends the access line of a request answered with `status_code` after `latency_ms`.
void append_access_line(std::string& out, const observability::Logger& logger,
                        const Request& request, int status_code, double latency_ms,
                        observability::LogLevel level);
/// Appends the request's EMF record: Requests, Latency (ms), Errors (5xx) and ClientErrors
/// (4xx) under [service, route] and [service, route, status_class].
void append_request_metrics(std::string& out, std::string_view metrics_namespace,
                            const observability::Logger& logger, const Request& request,
                            int status_code, double latency_ms);
/// Appends the ColdStart record (1, by service and function_name), as Powertools emits it.
void append_cold_start_metric(std::string& out, std::string_view metrics_namespace,
                              const observability::Logger& logger);

[[nodiscard]] Middleware telemetry_middleware(TelemetryOptions options);

}  // namespace cppstack::http

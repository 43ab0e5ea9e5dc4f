// The access line (Powertools' keys) and the EMF records of each request. EMF shape from the
// CloudWatch specification: _aws.Timestamp in epoch milliseconds, CloudWatchMetrics with
// Namespace, Dimensions (arrays of dimension names) and Metrics (Name, Unit), the values as
// top-level members (docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/
// CloudWatch_Embedded_Metric_Format_Specification.html).
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cppstack/http/responses.hpp>
#include <cppstack/http/telemetry.hpp>

#include <cppstack/observability/json_line.hpp>
#include <cppstack/observability/metrics.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <optional>

namespace cppstack::http {
namespace {

struct Captured {
  std::vector<std::string> lines;
  std::shared_ptr<const observability::Logger> logger(observability::LogLevel level) {
    return std::make_shared<const observability::Logger>(
        "orders-api", level, "orders-fn", [this](std::string_view text) {
          // One call may carry several lines (the request's access line and EMF records).
          while (!text.empty()) {
            const std::size_t end = text.find('\n');
            lines.emplace_back(text.substr(0, end + 1));
            text.remove_prefix(end + 1);
          }
        });
  }
  [[nodiscard]] boost::json::object object(std::size_t index) const {
    return boost::json::parse(lines.at(index)).as_object();
  }
};

Service service(const std::shared_ptr<const observability::Logger>& logger,
                std::string metrics_namespace = "Orders") {
  return Service(
      Router({Route{.method = "GET",
                    .path = "/v1/items/{id}",
                    .handler_name = "item",
                    .summary = "",
                    .settings = {},
                    .handler =
                        [](const Request& request) {
                          if (request.path_parameter("id") == "boom") {
                            throw std::runtime_error("secret detail");
                          }
                          return json_response(200, {{"ok", true}});
                        }}}),
      {telemetry_middleware({.logger = logger, .metrics_namespace = std::move(metrics_namespace)})},
      [](const Request& request, const std::exception_ptr&) {
        return internal_error_response(request);
      });
}

events::ProxyEvent event_for(std::string path) {
  events::ProxyEvent event;
  event.http_method = "GET";
  event.path = std::move(path);
  event.headers = events::StringMap{{"Authorization", "Bearer eyJsecret"},
                                    {"x-api-key", "k-secret"},
                                    {"Accept", "application/json"}};
  event.query_string_parameters = events::StringMap{{"tag", "a"}};
  event.body = "password=hunter2";
  event.request_context.request_id = "api-req-1";
  event.request_context.identity.source_ip = "203.0.113.9";
  return event;
}

constexpr InvocationInfo invocation{.request_id = "lambda-req-1",
                                    .cold_start = true,
                                    .trace_id = "Root=1-5e1b4151-5ac6c58f5b5daa6532e4f6a1"};

TEST(Telemetry, OneAccessLineWithPowertoolsKeysRouteStatusAndLatency) {
  Captured captured;
  const auto response = service(captured.logger(observability::LogLevel::info), "")
                            .handle(event_for("/v1/items/7"), invocation);
  EXPECT_EQ(response.status_code, 200);
  ASSERT_EQ(captured.lines.size(), 1u);  // no namespace: no metrics
  const auto line = captured.object(0);
  EXPECT_EQ(line.at("level"), "INFO");
  EXPECT_EQ(line.at("message"), "GET /v1/items/7 200");
  EXPECT_TRUE(line.at("timestamp").as_string().ends_with("Z"));
  EXPECT_EQ(line.at("service"), "orders-api");
  EXPECT_EQ(line.at("cold_start"), true);
  EXPECT_EQ(line.at("function_name"), "orders-fn");
  EXPECT_EQ(line.at("function_request_id"), "lambda-req-1");
  EXPECT_EQ(line.at("xray_trace_id"), "Root=1-5e1b4151-5ac6c58f5b5daa6532e4f6a1");
  EXPECT_EQ(line.at("correlation_id"), "api-req-1");
  EXPECT_EQ(line.at("http_method"), "GET");
  EXPECT_EQ(line.at("path"), "/v1/items/7");
  EXPECT_EQ(line.at("route"), "/v1/items/{id}");
  EXPECT_EQ(line.at("status"), 200);
  EXPECT_GE(line.at("latency_ms").to_number<double>(), 0.0);
  EXPECT_EQ(line.at("source_ip"), "203.0.113.9");
  // Nothing secret and no body at INFO.
  for (const char* absent : {"headers", "query_string_parameters", "body"}) {
    EXPECT_FALSE(line.contains(absent)) << absent;
  }
  EXPECT_EQ(captured.lines[0].find("secret"), std::string::npos);
  EXPECT_EQ(captured.lines[0].find("hunter2"), std::string::npos);
}

TEST(Telemetry, DebugAddsWhatAReplayNeedsWithCredentialsRedacted) {
  Captured captured;
  (void)service(captured.logger(observability::LogLevel::debug), "")
      .handle(event_for("/v1/items/7"), invocation);
  const auto line = captured.object(0);
  EXPECT_EQ(line.at("query_string_parameters").at("tag"), "a");
  EXPECT_EQ(line.at("headers").at("Accept"), "application/json");
  EXPECT_EQ(line.at("headers").at("Authorization"), "[redacted]");
  EXPECT_EQ(line.at("headers").at("x-api-key"), "[redacted]");
  EXPECT_EQ(line.at("body_bytes"), 16);
  EXPECT_EQ(captured.lines[0].find("secret"), std::string::npos);
  EXPECT_EQ(captured.lines[0].find("hunter2"), std::string::npos);
}

TEST(Telemetry, LogLevelFromConfigSilencesSuccessButNotFailures) {
  Captured captured;
  const auto under_test = service(captured.logger(observability::LogLevel::error), "");
  (void)under_test.handle(event_for("/v1/items/7"), {});
  EXPECT_TRUE(captured.lines.empty());
  EXPECT_EQ(under_test.handle(event_for("/v1/items/boom"), {}).status_code, 500);
  ASSERT_EQ(captured.lines.size(), 1u);
  EXPECT_EQ(captured.object(0).at("level"), "ERROR");
  EXPECT_EQ(captured.object(0).at("status"), 500);
  EXPECT_EQ(captured.lines[0].find("secret detail"), std::string::npos);
}

TEST(Telemetry, EmfRecordByRouteAndStatusClassPlusColdStart) {
  Captured captured;
  (void)service(captured.logger(observability::LogLevel::warn))
      .handle(event_for("/v1/items/7"), invocation);
  ASSERT_EQ(captured.lines.size(), 2u);  // request metrics and ColdStart; no access line at WARN
  const auto record = captured.object(0);
  const auto& aws = record.at("_aws").as_object();
  EXPECT_TRUE(aws.at("Timestamp").is_int64());
  const auto& directive = aws.at("CloudWatchMetrics").at(0).as_object();
  EXPECT_EQ(directive.at("Namespace"), "Orders");
  EXPECT_EQ(boost::json::serialize(directive.at("Dimensions")),
            R"([["service","route"],["service","route","status_class"]])");
  EXPECT_EQ(boost::json::serialize(directive.at("Metrics")),
            R"([{"Name":"Requests","Unit":"Count"},{"Name":"Latency","Unit":"Milliseconds"},)"
            R"({"Name":"Errors","Unit":"Count"},{"Name":"ClientErrors","Unit":"Count"}])");
  EXPECT_EQ(record.at("service"), "orders-api");
  EXPECT_EQ(record.at("route"), "GET /v1/items/{id}");
  EXPECT_EQ(record.at("status_class"), "2xx");
  EXPECT_EQ(record.at("Requests").to_number<double>(), 1.0);
  EXPECT_EQ(record.at("Errors").to_number<double>(), 0.0);
  EXPECT_EQ(record.at("function_request_id"), "lambda-req-1");

  const auto cold = captured.object(1);
  EXPECT_EQ(boost::json::serialize(cold.at("_aws").at("CloudWatchMetrics").at(0).at("Dimensions")),
            R"([["service","function_name"]])");
  EXPECT_EQ(cold.at("ColdStart").to_number<double>(), 1.0);
  EXPECT_EQ(cold.at("function_name"), "orders-fn");
}

TEST(Telemetry, ErrorsAndUnmatchedPathsHaveBoundedDimensions) {
  Captured captured;
  const auto under_test = service(captured.logger(observability::LogLevel::error));
  (void)under_test.handle(event_for("/v1/items/boom"), {});
  (void)under_test.handle(event_for("/random/path/123"), {});
  std::vector<boost::json::object> records;
  for (std::size_t index = 0; index < captured.lines.size(); ++index) {
    auto object = captured.object(index);
    if (object.contains("_aws")) records.push_back(std::move(object));
  }
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].at("status_class"), "5xx");
  EXPECT_EQ(records[0].at("Errors").to_number<double>(), 1.0);
  EXPECT_EQ(records[1].at("route"), "unmatched");
  EXPECT_EQ(records[1].at("status_class"), "4xx");
  EXPECT_EQ(records[1].at("ClientErrors").to_number<double>(), 1.0);
}

// The reference for RequestTelemetryFormat: the lines written member by member with the
// generic writers (JsonLineWriter, append_emf_records), as the middleware first wrote them.
// The format precomputes the constant parts and writes the rest directly; the bytes must not
// change.
std::string reference_lines(const observability::Logger& logger, std::string_view name_space,
                            const Request& request, int status_code, double latency_ms,
                            std::chrono::system_clock::time_point now) {
  using namespace observability;
  std::string out;
  const auto& event = request.event;
  const LogLevel level = status_code >= 500 ? LogLevel::error : LogLevel::info;
  if (logger.enabled(level)) {
    JsonLineWriter line(out);
    line.string("level", to_string(level));
    line.string("message",
                event.http_method + " " + event.path + " " + std::to_string(status_code));
    std::string& timestamp = line.key("timestamp");
    timestamp.push_back('"');
    append_iso8601(timestamp, now);
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
      const auto map = [](std::string& text, const events::StringMap& values, bool redact) {
        JsonLineWriter object(text);
        for (const auto& [name, value] : values) {
          const bool secret = redact && (name == "Authorization" || name == "x-api-key");
          object.string(name, secret ? "[redacted]" : value);
        }
        text.push_back('}');
      };
      if (event.query_string_parameters) {
        map(line.key("query_string_parameters"), *event.query_string_parameters, false);
      }
      if (event.headers) map(line.key("headers"), *event.headers, true);
      line.integer("body_bytes", static_cast<std::int64_t>(event.body ? event.body->size() : 0));
    }
    line.close();
  }
  if (name_space.empty()) return out;
  const std::int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const std::string route = request.route_template == nullptr
                                ? "unmatched"
                                : event.http_method + " " + *request.route_template;
  const Dimension dimensions[] = {
      {"service", logger.service()}, {"route", route}, {"status_class", status_class(status_code)}};
  const std::size_t dimension_sets[] = {2, 3};
  const Metric metrics[] = {
      {"Requests", MetricUnit::count, 1},
      {"Latency", MetricUnit::milliseconds, latency_ms},
      {"Errors", MetricUnit::count, status_code >= 500 ? 1.0 : 0.0},
      {"ClientErrors", MetricUnit::count, status_code >= 400 && status_code < 500 ? 1.0 : 0.0}};
  const Property properties[] = {{"function_request_id", request.invocation.request_id},
                                 {"correlation_id", request.correlation_id()}};
  append_emf_records(out,
                     {.name_space = name_space,
                      .dimensions = dimensions,
                      .dimension_set_lengths = dimension_sets,
                      .metrics = metrics,
                      .properties = properties},
                     now_ms);
  if (request.invocation.cold_start) {
    const Dimension cold_dimensions[] = {{"service", logger.service()},
                                         {"function_name", logger.function_name()}};
    const Metric cold_metrics[] = {{"ColdStart", MetricUnit::count, 1}};
    append_emf_records(out,
                       {.name_space = name_space,
                        .dimensions = std::span<const Dimension>(cold_dimensions)
                                          .first(logger.function_name().empty() ? 1 : 2),
                        .metrics = cold_metrics},
                       now_ms);
  }
  return out;
}

TEST(RequestTelemetryFormat, WritesTheBytesOfTheGenericWriters) {
  using observability::LogLevel;
  const std::string route_template = "/v1/items/{id}";
  const auto now = std::chrono::system_clock::time_point(std::chrono::milliseconds(1764528000123));
  struct Case {
    std::string method, path;
    const std::string* route;
    InvocationInfo invocation;
    std::optional<std::string> source_ip;
    int status;
    double latency_ms;
  };
  const std::vector<Case> cases{
      {"GET", "/v1/items/7", &route_template, invocation, "203.0.113.9", 200, 0.042},
      {"GET", "/v1/items/7", &route_template, {}, std::nullopt, 304, 0},
      {"POST", "/nothing", nullptr, {.request_id = "r"}, std::nullopt, 404, 12.5},
      {"GET", "/v1/items/boom", &route_template, invocation, "::1", 500, 1234.5678},
      // Text from outside that needs escaping and UTF-8 repair, cut between the joined parts.
      {"G\"T",
       "/v1/it\xc3\n\"ms/\xff\x01",
       &route_template,
       {.trace_id = "Root=\\"},
       "x\"y",
       200,
       1e-9},
      {"GET\xe2\x82", "\xac/v1", &route_template, {.cold_start = true}, std::nullopt, 200, 0.5}};
  for (const LogLevel level : {LogLevel::debug, LogLevel::info, LogLevel::error}) {
    for (const std::string function_name : {"orders-fn", ""}) {
      for (const std::string service : {"orders-api", "caf\xc3\xa9 \"api\""}) {
        for (const std::string name_space : {"Orders", ""}) {
          const auto logger =
              std::make_shared<const observability::Logger>(service, level, function_name);
          const RequestTelemetryFormat format(logger, name_space);
          for (const Case& item : cases) {
            events::ProxyEvent event = event_for(item.path);
            event.http_method = item.method;
            event.request_context.identity.source_ip = item.source_ip;
            const Request request{event, item.invocation, {}, item.route};
            std::string written = "kept|";
            format.append(written, request, item.status, item.latency_ms, now);
            EXPECT_EQ(written, "kept|" + reference_lines(*logger, name_space, request, item.status,
                                                         item.latency_ms, now))
                << item.method << " " << item.path << " " << item.status;
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace cppstack::http

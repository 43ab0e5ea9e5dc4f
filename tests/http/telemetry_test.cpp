// The access line (Powertools' keys) and the EMF records of each request. EMF shape from the
// CloudWatch specification: _aws.Timestamp in epoch milliseconds, CloudWatchMetrics with
// Namespace, Dimensions (arrays of dimension names) and Metrics (Name, Unit), the values as
// top-level members (docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/
// CloudWatch_Embedded_Metric_Format_Specification.html).
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cppstack/http/responses.hpp>
#include <cppstack/http/telemetry.hpp>

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace cppstack::http

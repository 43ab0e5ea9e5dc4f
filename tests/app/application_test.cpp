#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cppstack/app/application.hpp>
#include <cppstack/app/build_info.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <regex>

namespace cppstack::app {
namespace {

// `header` is one extra request header, e.g. {"Origin", "https://app.example"}.
std::string event_json(const std::string& method, const std::string& path,
                       const std::pair<std::string, std::string>& header = {},
                       const std::string& stage = "prod") {
  const std::string extra = header.first.empty()
                                ? ""
                                : R"(,")" + header.first + R"(":)" +
                                      boost::json::serialize(boost::json::value(header.second));
  return R"({"resource":")" + path + R"(","path":")" + path + R"(","httpMethod":")" + method +
         R"(","headers":{"Accept":"application/json")" + extra +
         R"(},"multiValueHeaders":{"Accept":["application/json"]},)"
         R"("queryStringParameters":null,"multiValueQueryStringParameters":null,"pathParameters":null,)"
         R"("stageVariables":null,"requestContext":{"stage":")" +
         stage + R"(","requestId":"api-req-1","path":"/)" + stage + path + R"(","httpMethod":")" +
         method + R"(","requestTimeEpoch":1700000000000},"body":null,"isBase64Encoded":false})";
}

Config test_config() {
  Config config;
  config.application_name = "orders-api";
  config.region = "eu-west-1";
  config.function_name = "orders-fn";
  config.function_version = "$LATEST";
  config.memory_size_mb = 128;
  return config;
}

struct Answer {
  int status;
  boost::json::object body;
  boost::json::object whole;
};

Answer call(const Application& application, const std::string& method, const std::string& path,
            http::InvocationInfo info = {.request_id = "lambda-req-1", .cold_start = false},
            const std::pair<std::string, std::string>& header = {}) {
  const std::string output = application.handle_event(event_json(method, path, header), info);
  boost::json::object whole = boost::json::parse(output).as_object();
  const int status = static_cast<int>(whole.at("statusCode").as_int64());
  const auto* text = whole.if_contains("body");
  boost::json::object body;
  if (text != nullptr && !text->as_string().empty()) {
    body = boost::json::parse(text->as_string()).as_object();
  }
  return {status, std::move(body), std::move(whole)};
}

TEST(Application, IndexGreetsAndLinksToTheOtherEndpoints) {
  const Application application(test_config());
  const Answer answer = call(application, "GET", "/v1/");
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(answer.whole.at("headers").at("Content-Type"), "application/json");
  EXPECT_EQ(answer.body.at("message"), "Hello from orders-api");
  EXPECT_EQ(answer.body.at("version").as_string(), build_info().version);
  EXPECT_EQ(answer.body.at("links").at("self"), "/prod/v1");
  EXPECT_EQ(answer.body.at("links").at("metadata"), "/prod/v1/metadata");
  EXPECT_EQ(answer.body.at("links").at("health"), "/prod/v1/health");
}

TEST(Application, MetadataReportsBuildAndPlatform) {
  const Application application(test_config());
  const Answer cold =
      call(application, "GET", "/v1/metadata", {.request_id = "lambda-req-9", .cold_start = true});
  ASSERT_EQ(cold.status, 200);
  const auto& body = cold.body;
  EXPECT_EQ(body.at("application"), "orders-api");
  EXPECT_EQ(body.at("version").as_string(), build_info().version);
  EXPECT_FALSE(body.at("commit").as_string().empty());
  EXPECT_EQ(body.at("buildTime").as_string().size(), 20u);  // 2026-01-02T03:04:05Z
  EXPECT_NE(body.at("compiler").as_string().find("GCC"), std::string::npos);
  EXPECT_EQ(body.at("architecture").as_string(), cpu_architecture());
  EXPECT_EQ(body.at("stage"), "prod");
  EXPECT_EQ(body.at("region"), "eu-west-1");
  EXPECT_EQ(body.at("function").at("name"), "orders-fn");
  EXPECT_EQ(body.at("function").at("version"), "$LATEST");
  EXPECT_EQ(body.at("function").at("memoryMb"), 128);
  // Per-request facts live in the x-amzn-RequestId header and the access line, not here.
  for (const char* per_request : {"coldStart", "requestId", "apiRequestId"}) {
    EXPECT_FALSE(body.contains(per_request)) << per_request;
  }
}

// The stage cache and If-None-Match both rely on the answer being the same for every request
// of a deployment: other request ids, a cold start or not, the same bytes and the same ETag.
TEST(Application, MetadataIsTheSameForEveryRequestSoItsEtagIsStable) {
  const Application application(test_config());
  const std::string first_event = event_json("GET", "/v1/metadata");
  std::string second_event = first_event;
  second_event.replace(second_event.find("api-req-1"), 9, "api-req-2");
  const std::string first = application.handle_event(
      first_event, {.request_id = "lambda-req-1", .cold_start = true, .trace_id = "Root=1-a"});
  const std::string second = application.handle_event(
      second_event, {.request_id = "lambda-req-2", .cold_start = false, .trace_id = "Root=1-b"});
  EXPECT_EQ(first, second);
  const auto etag = std::string(boost::json::parse(first).at("headers").at("ETag").as_string());
  const Answer revalidated = call(application, "GET", "/v1/metadata",
                                  {.request_id = "lambda-req-3"}, {"If-None-Match", etag});
  EXPECT_EQ(revalidated.status, 304);
  EXPECT_TRUE(revalidated.body.empty());
  EXPECT_EQ(revalidated.whole.at("headers").at("ETag").as_string(), etag);
  EXPECT_EQ(revalidated.whole.at("headers").at("Cache-Control"), "no-cache");
  // Another stage is another answer (its "stage" differs): another ETag.
  const std::string other_stage = application.handle_event(
      event_json("GET", "/v1/metadata", {}, "staging"), {.request_id = "lambda-req-4"});
  EXPECT_NE(boost::json::parse(other_stage).at("headers").at("ETag").as_string(), etag);
}

TEST(Application, HealthPassesWithUptimeAndChecks) {
  const Application application(test_config());
  const Answer answer = call(application, "GET", "/v1/health");
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(answer.body.at("status"), "pass");
  EXPECT_GE(answer.body.at("uptimeSeconds").to_number<double>(), 0.0);
  // A plain decimal, as people and JSON tools expect: never Boost.JSON's 1.253314731E0.
  const std::string raw_body(answer.whole.at("body").as_string());
  EXPECT_TRUE(std::regex_search(raw_body, std::regex(R"("uptimeSeconds":[0-9]+(\.[0-9]+)?[,}])")))
      << raw_body;
  const auto& checks = answer.body.at("checks").as_array();
  ASSERT_EQ(checks.size(), 2u);
  EXPECT_EQ(checks[0].at("name"), "configuration");
  EXPECT_EQ(checks[1].at("name"), "memory");
  EXPECT_GT(checks[1].at("observedValue").as_int64(), 0);
}

TEST(Application, UnknownRouteIs404AndWrongMethodIs405) {
  const Application application(test_config());
  EXPECT_EQ(call(application, "GET", "/v1/nothing").status, 404);
  const Answer wrong_method = call(application, "DELETE", "/v1/health");
  EXPECT_EQ(wrong_method.status, 405);
  EXPECT_EQ(wrong_method.whole.at("headers").at("Allow"), "GET");
}

TEST(Application, AnEventThatIsNotAProxyEventThrowsForTheRuntimeToReport) {
  const Application application(test_config());
  EXPECT_THROW((void)application.handle_event("not json", {}), events::EventParseError);
  EXPECT_THROW((void)application.handle_event(R"({"hello":"world"})", {}), events::EventParseError);
}

TEST(Application, UnhandledExceptionsAreLoggedWithTheInvocationContextNotSentToTheClient) {
  std::vector<std::string> lines;
  auto state = std::make_shared<ApplicationState>();
  state->logger =
      observability::Logger("orders-api", LogLevel::info, "orders-fn",
                            [&lines](std::string_view line) { lines.emplace_back(line); });
  const auto handler = logging_exception_handler(state);
  events::ProxyEvent event;
  event.http_method = "GET";
  event.path = "/v1/items/7";
  event.request_context.request_id = "api-req-7";
  const http::Request request{
      event,
      {.request_id = "lambda-req-7", .cold_start = true, .trace_id = "Root=1-x"},
      {},
      nullptr};
  const auto response =
      handler(request, std::make_exception_ptr(std::runtime_error("disk full on /var/task")));
  EXPECT_EQ(response.status_code, 500);
  EXPECT_EQ(response.body.find("disk full"), std::string::npos);
  EXPECT_EQ(boost::json::parse(response.body).at("requestId"), "api-req-7");
  ASSERT_EQ(lines.size(), 1u);
  const auto line = boost::json::parse(lines[0]).as_object();
  EXPECT_EQ(line.at("level"), "ERROR");
  EXPECT_EQ(line.at("error"), "disk full on /var/task");
  EXPECT_EQ(line.at("service"), "orders-api");
  EXPECT_EQ(line.at("function_request_id"), "lambda-req-7");
  EXPECT_EQ(line.at("correlation_id"), "api-req-7");
  EXPECT_EQ(line.at("xray_trace_id"), "Root=1-x");
  EXPECT_EQ(line.at("cold_start"), true);
  EXPECT_EQ(line.at("path"), "/v1/items/7");
}

TEST(Application, LogsThroughTheConfiguredSinkAtTheConfiguredLevel) {
  std::vector<std::string> lines;
  Config config = test_config();
  config.log_level = LogLevel::warn;
  const Application application(config,
                                [&lines](std::string_view line) { lines.emplace_back(line); });
  application.logger().log(LogLevel::info, "not shown");
  application.logger().log(LogLevel::warn, "shown");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(boost::json::parse(lines[0]).at("service"), "orders-api");
  EXPECT_EQ(boost::json::parse(lines[0]).at("function_name"), "orders-fn");
}

TEST(Application, CorsIsOffByDefaultAndOnWhenConfigured) {
  const Application plain(test_config());
  EXPECT_FALSE(call(plain, "GET", "/v1/health")
                   .whole.at("headers")
                   .as_object()
                   .contains("Access-Control-Allow-Origin"));
  Config with_cors = test_config();
  with_cors.cors = http::CorsOptions{};
  const Application cors(with_cors);
  EXPECT_EQ(call(cors, "GET", "/v1/health", {}, {"Origin", "https://app.example"})
                .whole.at("headers")
                .at("Access-Control-Allow-Origin"),
            "*");
}

TEST(Application, IndexHasAStrongEtagAndAnswers304ToIfNoneMatch) {
  const Application application(test_config());
  const Answer first = call(application, "GET", "/v1");
  const auto& headers = first.whole.at("headers").as_object();
  const std::string etag(headers.at("ETag").as_string());
  EXPECT_FALSE(etag.starts_with("W/"));
  EXPECT_EQ(headers.at("Cache-Control"), "no-cache");
  const Answer second = call(application, "GET", "/v1", {}, {"If-None-Match", etag});
  EXPECT_EQ(second.status, 304);
  EXPECT_TRUE(second.body.empty());
  EXPECT_EQ(second.whole.at("headers").at("ETag").as_string(), etag);
  // /v1/ is the same resource (API Gateway routes it to /v1): same answer, same validator,
  // from another invocation.
  const Answer slash =
      call(application, "GET", "/v1/", {.request_id = "lambda-req-2"}, {"If-None-Match", etag});
  EXPECT_EQ(slash.status, 304);
  EXPECT_EQ(slash.whole.at("headers").at("ETag").as_string(), etag);
}

TEST(Application, OneAccessLineAndOneEmfRecordPerRequest) {
  std::vector<std::string> lines;
  Config config = test_config();
  config.metrics_namespace = "OrdersApi";
  const Application application(config,
                                [&lines](std::string_view line) { lines.emplace_back(line); });
  (void)call(application, "GET", "/v1/health");
  ASSERT_EQ(lines.size(), 1u);  // one write
  const std::string& text = lines[0];
  ASSERT_EQ(std::count(text.begin(), text.end(), '\n'), 2);
  const auto access = boost::json::parse(text.substr(0, text.find('\n'))).as_object();
  EXPECT_EQ(access.at("message"), "GET /v1/health 200");
  EXPECT_EQ(access.at("route"), "/v1/health");
  EXPECT_EQ(access.at("correlation_id"), "api-req-1");
  const auto metrics = boost::json::parse(text.substr(text.find('\n') + 1)).as_object();
  EXPECT_EQ(metrics.at("_aws").at("CloudWatchMetrics").at(0).at("Namespace"), "OrdersApi");
  EXPECT_EQ(metrics.at("route"), "GET /v1/health");
}

}  // namespace
}  // namespace cppstack::app

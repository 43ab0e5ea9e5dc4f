// start-api against real functions over loopback HTTP: the event the function receives, the
// response mapping, and every answer API Gateway gives by itself.

#include <gtest/gtest.h>

#include <cppstack/events/base64.hpp>
#include <future>
#include <regex>
#include <thread>

#include "emulator_process.hpp"

namespace cppstack::local::testing {
namespace {

using http::verb;

std::vector<std::string> start_api(std::vector<std::string> extra = {}) {
  std::vector<std::string> arguments{"start-api", "--bootstrap", FIXTURE_FUNCTION};
  arguments.insert(arguments.end(), extra.begin(), extra.end());
  return arguments;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

const char* const routes_json = R"({"formatVersion":1,"routes":[
  {"method":"GET","path":"/echo","handler":"echo","auth":"none","throttle":null},
  {"method":"GET","path":"/echo/{id}","handler":"echo","auth":"none","throttle":null},
  {"method":"POST","path":"/echo/{id}","handler":"echo","auth":"apiKey","throttle":null},
  {"method":"GET","path":"/limited","handler":"limited","auth":"none",
   "throttle":{"rateLimit":0.001,"burstLimit":1}},
  {"method":"GET","path":"/{proxy+}","handler":"any","auth":"none","throttle":null}
]})";

void expect_gateway_error(const Response& response, int status, const std::string& message,
                          const std::string& error_type = {}) {
  EXPECT_EQ(response.result_int(), status) << response.body();
  EXPECT_EQ(response.body(), R"({"message":")" + message + R"("})");
  EXPECT_EQ(response[http::field::content_type], "application/json");
  EXPECT_FALSE(response["x-amzn-RequestId"].empty());
  if (!error_type.empty()) {
    EXPECT_EQ(response["x-amzn-ErrorType"], error_type);
  }
}

TEST(StartApi, EventHasEveryFieldApiGatewaySends) {
  Emulator emulator(start_api());
  const auto before = now_ms();
  auto response =
      request(emulator.port(), verb::get, "/prod/echo/a%20b?x=1&x=2&y=hello%20world&plus=a+b", {},
              {{"X-Custom_Name", "v1"}, {"x-multi", "1"}, {"x-multi", "2"}});
  const auto after = now_ms();
  ASSERT_EQ(response.result_int(), 200) << response.body();
  const auto event = parse_json(response.body()).as_object();
  EXPECT_EQ(event.at("resource"), "/{proxy+}");
  EXPECT_EQ(event.at("path"), "/echo/a%20b");
  EXPECT_EQ(event.at("httpMethod"), "GET");
  const auto& headers = event.at("headers").as_object();
  EXPECT_EQ(headers.at("X-Custom_Name"), "v1");  // spelling and '_' kept
  EXPECT_EQ(headers.at("x-multi"), "2");
  EXPECT_EQ(headers.at("User-Agent"), "local-tests/1.0");
  EXPECT_EQ(event.at("multiValueHeaders").at("x-multi"), (boost::json::array{"1", "2"}));
  EXPECT_EQ(event.at("queryStringParameters").at("x"), "2");
  EXPECT_EQ(event.at("queryStringParameters").at("y"), "hello world");
  // Form-decoded: '+' is a space (recorded from AWS, contracts.md section 1).
  EXPECT_EQ(event.at("queryStringParameters").at("plus"), "a b");
  EXPECT_EQ(event.at("multiValueQueryStringParameters").at("x"), (boost::json::array{"1", "2"}));
  // A greedy capture is passed as sent (recorded from AWS, contracts.md section 1).
  EXPECT_EQ(event.at("pathParameters").at("proxy"), "echo/a%20b");
  EXPECT_TRUE(event.at("stageVariables").is_null());
  EXPECT_TRUE(event.at("body").is_null());
  EXPECT_EQ(event.at("isBase64Encoded"), false);

  const auto& context = event.at("requestContext").as_object();
  EXPECT_EQ(context.at("path"), "/prod/echo/a%20b");
  EXPECT_EQ(context.at("resourcePath"), "/{proxy+}");
  EXPECT_EQ(context.at("stage"), "prod");
  EXPECT_EQ(context.at("httpMethod"), "GET");
  EXPECT_EQ(context.at("protocol"), "HTTP/1.1");
  const std::string request_id(context.at("requestId").as_string());
  EXPECT_TRUE(std::regex_match(
      request_id,
      std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")));
  EXPECT_EQ(std::string(response["x-amzn-RequestId"]), request_id);
  EXPECT_EQ(std::string(response["x-amz-apigw-id"]),
            std::string(context.at("extendedRequestId").as_string()));
  const auto epoch = context.at("requestTimeEpoch").as_int64();
  EXPECT_GE(epoch, before - 1000);  // milliseconds, not seconds
  EXPECT_LE(epoch, after + 1000);
  EXPECT_TRUE(std::regex_match(std::string(context.at("requestTime").as_string()),
                               std::regex(R"(\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000)")));
  EXPECT_EQ(context.at("identity").at("sourceIp"), "127.0.0.1");
  EXPECT_EQ(context.at("identity").at("userAgent"), "local-tests/1.0");
  EXPECT_TRUE(context.at("identity").at("apiKey").is_null());

  // Fresh identifiers for every request.
  auto second = request(emulator.port(), verb::get, "/prod/echo");
  const auto second_event = parse_json(second.body()).as_object();
  EXPECT_NE(second_event.at("requestContext").at("requestId"), context.at("requestId"));
  EXPECT_NE(second_event.at("requestContext").at("extendedRequestId"),
            context.at("extendedRequestId"));
  EXPECT_TRUE(second_event.at("queryStringParameters").is_null());
}

TEST(StartApi, RouteTableGivesResourceAndPathParameters) {
  TempDir directory;
  const auto routes = directory.write("routes.json", routes_json);
  Emulator emulator(start_api({"--routes", routes.string()}));
  auto response = request(emulator.port(), verb::get, "/prod/echo/42");
  ASSERT_EQ(response.result_int(), 200) << response.body();
  auto event = parse_json(response.body()).as_object();
  EXPECT_EQ(event.at("resource"), "/echo/{id}");
  EXPECT_EQ(event.at("requestContext").at("resourcePath"), "/echo/{id}");
  EXPECT_EQ(event.at("pathParameters"), (boost::json::object{{"id", "42"}}));

  // Trailing slash ignored when matching; the path keeps it.
  response = request(emulator.port(), verb::get, "/prod/echo/");
  ASSERT_EQ(response.result_int(), 200) << response.body();
  event = parse_json(response.body()).as_object();
  EXPECT_EQ(event.at("resource"), "/echo");
  EXPECT_TRUE(event.at("pathParameters").is_null());
}

TEST(StartApi, UnknownRouteMethodOrStageIsMissingAuthenticationToken) {
  TempDir directory;
  const auto routes = directory.write("routes.json", routes_json);
  Emulator emulator(start_api({"--routes", routes.string()}));
  const std::vector<std::pair<verb, std::string>> misses{
      {verb::get, "/dev/echo"},         // wrong stage
      {verb::get, "/"},                 // no stage
      {verb::get, "/production/echo"},  // stage name is a whole segment
      {verb::delete_, "/prod/echo"},    // resource exists, method does not
      {verb::put, "/prod/anything/else"},
      {verb::get, "/prod"},  // no root resource in this table
  };
  for (const auto& [method, target] : misses) {
    SCOPED_TRACE(target);
    expect_gateway_error(request(emulator.port(), method, target), 403,
                         "Missing Authentication Token", "MissingAuthenticationTokenException");
  }
}

TEST(StartApi, ApiKeyRoutesRequireTheConfiguredKey) {
  TempDir directory;
  const auto routes = directory.write("routes.json", routes_json);
  Emulator emulator(start_api({"--routes", routes.string(), "--api-key", "s3cret"}));
  expect_gateway_error(request(emulator.port(), verb::post, "/prod/echo/1", "{}"), 403, "Forbidden",
                       "ForbiddenException");
  expect_gateway_error(
      request(emulator.port(), verb::post, "/prod/echo/1", "{}", {{"x-api-key", "wrong"}}), 403,
      "Forbidden", "ForbiddenException");
  auto response =
      request(emulator.port(), verb::post, "/prod/echo/1", R"({"a":1})", {{"X-API-Key", "s3cret"}});
  ASSERT_EQ(response.result_int(), 200) << response.body();
  const auto event = parse_json(response.body()).as_object();
  EXPECT_EQ(event.at("requestContext").at("identity").at("apiKey"), "s3cret");
  EXPECT_EQ(event.at("body"), R"({"a":1})");
  // Routes without auth never ask for a key.
  EXPECT_EQ(request(emulator.port(), verb::get, "/prod/echo/1").result_int(), 200);
}

TEST(StartApi, BinaryMediaTypesBase64TheRequestAndDecodeTheResponse) {
  Emulator emulator(start_api({"--binary-media-type", "image/png"}));
  const std::string bytes("\x89PNG\r\n\x1a\n\x00\x01", 10);
  auto response =
      request(emulator.port(), verb::post, "/prod/echo", bytes, {{"Content-Type", "image/png"}});
  ASSERT_EQ(response.result_int(), 200) << response.body();
  auto event = parse_json(response.body()).as_object();
  EXPECT_EQ(event.at("isBase64Encoded"), true);
  EXPECT_EQ(events::base64_decode(event.at("body").as_string()), bytes);

  // The first Accept media type decides whether a base64 response is decoded.
  response = request(emulator.port(), verb::get, "/prod/binary", {}, {{"Accept", "image/png"}});
  ASSERT_EQ(response.result_int(), 200);
  EXPECT_EQ(response.body(), std::string("\x89PNG\r\n\x1a\n\x00\x01", 10));
  EXPECT_EQ(response[http::field::content_type], "image/png");
  response = request(emulator.port(), verb::get, "/prod/binary", {}, {{"Accept", "text/plain"}});
  EXPECT_EQ(response.body(), "iVBORw0KGgoAAQ==");
}

// "If you specify values for both headers and multiValueHeaders, API Gateway merges them into
// a single list." (Set up Lambda proxy integrations, output format.)
TEST(StartApi, ResponseHeadersAndMultiValueHeadersAreMerged) {
  Emulator emulator(start_api());
  auto response = request(emulator.port(), verb::get, "/prod/headers");
  EXPECT_EQ(response.result_int(), 201);
  EXPECT_EQ(response.body(), "made");
  EXPECT_EQ(header_values(response, "X-Single"), std::vector<std::string>{"one"});
  EXPECT_EQ(header_values(response, "X-Multi"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(header_values(response, "X-Both"),
            (std::vector<std::string>{"from-multi", "from-headers"}));
  EXPECT_EQ(response[http::field::content_type], "application/json");  // the default
  EXPECT_FALSE(response["x-amzn-RequestId"].empty());
  EXPECT_FALSE(response["x-amz-apigw-id"].empty());
  EXPECT_TRUE(response["x-amzn-ErrorType"].empty());
  EXPECT_EQ(request(emulator.port(), verb::get, "/prod/status/404").result_int(), 404);
}

TEST(StartApi, HeadResponsesCarryNoBodyAndKeepTheConnectionUsable) {
  Emulator emulator(start_api());
  Connection connection(emulator.port());
  const auto head = connection.send(verb::head, "/prod/status/200");
  EXPECT_EQ(head.result_int(), 200);
  EXPECT_TRUE(head.body().empty());
  EXPECT_EQ(head[http::field::content_length], "15");  // {"status":true}
  const auto next = connection.send(verb::get, "/prod/status/200");
  EXPECT_EQ(next.result_int(), 200);
  EXPECT_EQ(next.body(), R"({"status":true})");
}

TEST(StartApi, FunctionFailuresAre502AndTheNextRequestWorks) {
  Emulator emulator(start_api());
  for (const std::string path :
       {"/crash", "/segv", "/garbage", "/bad-shape", "/unknown-key", "/error", "/status/42"}) {
    SCOPED_TRACE(path);
    expect_gateway_error(request(emulator.port(), verb::get, "/prod" + path), 502,
                         "Internal server error", "InternalServerErrorException");
    EXPECT_EQ(request(emulator.port(), verb::get, "/prod/echo").result_int(), 200);
  }
  EXPECT_TRUE(emulator.wait_for_log("Runtime exited with error: exit status 3"));
  // A sanitizer build's fixture (ASan or TSan) turns SIGSEGV into a report and an exit status.
  const auto logs = emulator.logs();
  EXPECT_TRUE(logs.find("Runtime exited with error: signal: segmentation fault") !=
                  std::string::npos ||
              logs.find("AddressSanitizer: SEGV") != std::string::npos ||
              logs.find("ThreadSanitizer: SEGV") != std::string::npos)
      << logs;
  EXPECT_TRUE(emulator.wait_for_log("Malformed Lambda proxy response"));
}

TEST(StartApi, InitFailuresAre502) {
  Emulator failing(start_api({"--env", "FIXTURE_INIT=fail"}));
  expect_gateway_error(request(failing.port(), verb::get, "/prod/echo"), 502,
                       "Internal server error");
  EXPECT_TRUE(failing.wait_for_log("cannot initialise"));
  Emulator exiting(start_api({"--env", "FIXTURE_INIT=exit"}));
  expect_gateway_error(request(exiting.port(), verb::get, "/prod/echo"), 502,
                       "Internal server error");
  EXPECT_TRUE(exiting.wait_for_log("Runtime exited with error: exit status 2"));
}

TEST(StartApi, FunctionTimeoutIs502AndTheInstanceIsReplaced) {
  Emulator emulator(start_api({"--timeout", "1"}));
  expect_gateway_error(request(emulator.port(), verb::get, "/prod/hang"), 502,
                       "Internal server error");
  EXPECT_TRUE(emulator.wait_for_log("Task timed out after 1.00 seconds"));
  EXPECT_TRUE(emulator.wait_for_log("Status: timeout"));
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(request(emulator.port(), verb::get, "/prod/echo").result_int(), 200);
  }
}

TEST(StartApi, IntegrationTimeoutIs504AndLaterRequestsWork) {
  Emulator emulator(start_api({"--integration-timeout", "300", "--timeout", "5"}));
  expect_gateway_error(request(emulator.port(), verb::get, "/prod/sleep/2000"), 504,
                       "Endpoint request timed out");
  EXPECT_EQ(request(emulator.port(), verb::get, "/prod/echo").result_int(), 200);
}

// Recorded from AWS (contracts.md section 1): a body over 10 MB is refused in plain text, not
// with a JSON gateway response.
TEST(StartApi, RequestOverTenMegabytesIs413) {
  Emulator emulator(start_api());
  const std::string body(10 * 1024 * 1024 + 1, 'a');
  const auto refused = request(emulator.port(), verb::post, "/prod/echo", body);
  EXPECT_EQ(refused.result_int(), 413);
  EXPECT_EQ(refused.body(), "HTTP content length exceeded 10485760 bytes.");
  EXPECT_EQ(refused[http::field::content_type], "text/plain");
  EXPECT_EQ(request(emulator.port(), verb::get, "/prod/echo").result_int(), 200);
}

TEST(StartApi, CurlWithExpectContinueGetsTheBodyThroughOrA413) {
  Emulator emulator(start_api());
  TempDir directory;
  const auto small = directory.write("small.json", std::string(2 * 1024 * 1024, 'b'));
  const auto large = directory.write("large.json", std::string(11 * 1024 * 1024, 'c'));
  const std::string url = "http://127.0.0.1:" + std::to_string(emulator.port()) + "/prod/echo";
  // curl asks `Expect: 100-continue` before sending bodies this large.
  auto result = run_command({"/usr/bin/curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-H",
                             "Expect: 100-continue", "--data-binary",
                             std::string("@").append(small.string()), url});
  EXPECT_EQ(result.out, "200") << result.err;
  result =
      run_command({"/usr/bin/curl", "-sS", "-w", "\n%{http_code}", "-H", "Expect: 100-continue",
                   "--data-binary", std::string("@").append(large.string()), url});
  EXPECT_EQ(result.out, "HTTP content length exceeded 10485760 bytes.\n413") << result.err;
}

// Recorded from AWS (contracts.md section 1): a request whose event would exceed Lambda's
// 6 MB gets 413 "Request Too Long"; a function response over the limit gets 502.
TEST(StartApi, EventsOverSixMegabytesAre413AndResponsesOverItAre502) {
  Emulator emulator(start_api());
  // A 7 MB request fits API Gateway's 10 MB but not Lambda's 6 MB.
  expect_gateway_error(
      request(emulator.port(), verb::post, "/prod/echo", std::string(7 * 1024 * 1024, 'a')), 413,
      "Request Too Long");
  // Just under 6 MB of body, but the event around it is over.
  expect_gateway_error(
      request(emulator.port(), verb::post, "/prod/echo", std::string(6 * 1024 * 1024 - 100, 'a')),
      413, "Request Too Long");
  expect_gateway_error(request(emulator.port(), verb::get, "/prod/big-response"), 502,
                       "Internal server error", "InternalServerErrorException");
  expect_gateway_error(request(emulator.port(), verb::get, "/prod/oversize-response"), 502,
                       "Internal server error", "InternalServerErrorException");
  EXPECT_TRUE(emulator.wait_for_log("oversize response got 413"));
  EXPECT_TRUE(emulator.wait_for_log("RequestEntityTooLarge"));
  EXPECT_EQ(request(emulator.port(), verb::get, "/prod/echo").result_int(), 200);
}

TEST(StartApi, StageThrottleAnswers429) {
  Emulator emulator(start_api({"--throttle-rate", "1", "--throttle-burst", "2"}));
  int ok = 0;
  int throttled = 0;
  for (int i = 0; i < 6; ++i) {
    const auto response = request(emulator.port(), verb::get, "/prod/echo");
    if (response.result_int() == 200) ++ok;
    if (response.result_int() == 429) {
      ++throttled;
      expect_gateway_error(response, 429, "Too Many Requests");
    }
  }
  EXPECT_GE(ok, 2);
  EXPECT_GE(throttled, 1);
  EXPECT_EQ(ok + throttled, 6);
}

TEST(StartApi, RouteThrottleFromTheRouteTable) {
  TempDir directory;
  const auto routes = directory.write("routes.json", routes_json);
  Emulator emulator(start_api({"--routes", routes.string()}));
  EXPECT_EQ(request(emulator.port(), verb::get, "/prod/limited").result_int(), 200);
  expect_gateway_error(request(emulator.port(), verb::get, "/prod/limited"), 429,
                       "Too Many Requests");
  EXPECT_EQ(request(emulator.port(), verb::get, "/prod/echo").result_int(), 200);
}

TEST(StartApi, ConcurrencyLimitAnswers429) {
  Emulator emulator(start_api({"--concurrency", "2"}));
  std::vector<std::future<int>> results;
  for (int i = 0; i < 3; ++i) {
    results.push_back(std::async(std::launch::async, [&] {
      return static_cast<int>(request(emulator.port(), verb::get, "/prod/sleep/3000").result_int());
    }));
  }
  std::map<int, int> counts;
  for (auto& result : results) ++counts[result.get()];
  EXPECT_EQ(counts[200], 2);
  EXPECT_EQ(counts[429], 1);
}

TEST(StartApi, ConcurrentRequestsRunInParallel) {
  Emulator emulator(start_api({"--concurrency", "6"}));
  std::vector<std::future<Response>> results;
  for (int i = 0; i < 6; ++i) {
    results.push_back(std::async(std::launch::async, [&] {
      return request(emulator.port(), verb::get, "/prod/sleep/1500");
    }));
  }
  std::int64_t latest_start = 0;
  std::int64_t earliest_end = INT64_MAX;
  std::set<std::int64_t> pids;
  for (auto& result : results) {
    const auto response = result.get();
    ASSERT_EQ(response.result_int(), 200) << response.body();
    const auto body = parse_json(response.body()).as_object();
    latest_start = std::max(latest_start, body.at("started_ms").as_int64());
    earliest_end = std::min(earliest_end, body.at("ended_ms").as_int64());
    pids.insert(body.at("pid").as_int64());
  }
  // Every invocation had started before any of them ended: they overlapped.
  EXPECT_LT(latest_start, earliest_end);
  EXPECT_EQ(pids.size(), 6U);
}

TEST(StartApi, WarmInstancesAreReusedOverKeepAlive) {
  Emulator emulator(start_api());
  Connection connection(emulator.port());
  std::set<std::string> pids;
  for (int i = 0; i < 200; ++i) {
    const auto response = connection.send(verb::get, "/prod/env");
    ASSERT_EQ(response.result_int(), 200);
    if (i % 50 == 0) {
      pids.insert(
          std::string(parse_json(response.body()).at("AWS_LAMBDA_LOG_STREAM_NAME").as_string()));
    }
  }
  EXPECT_EQ(pids.size(), 1U);  // one instance served them all
  const auto logs = emulator.logs();
  std::size_t cold_starts = 0;
  for (auto at = logs.find("cold start"); at != std::string::npos;
       at = logs.find("cold start", at + 1)) {
    ++cold_starts;
  }
  EXPECT_EQ(cold_starts, 1U);
}

TEST(StartApi, FunctionEnvironmentIsLambdas) {
  TempDir directory;
  const auto env_file = directory.write("app.env", "APPLICATION=demo-app\nFROM_FILE=yes\n");
  Emulator emulator(start_api({"--env-file", env_file.string(), "--env", "FROM_FLAG=1", "--memory",
                               "256", "--region", "eu-west-1"}));
  const auto response = request(emulator.port(), verb::get, "/prod/env");
  ASSERT_EQ(response.result_int(), 200);
  const auto env = parse_json(response.body()).as_object();
  const std::string task_root = std::filesystem::path(FIXTURE_FUNCTION).parent_path().string();
  EXPECT_EQ(env.at("AWS_LAMBDA_FUNCTION_NAME"), "demo-app");  // APPLICATION from the env file
  EXPECT_EQ(env.at("AWS_LAMBDA_FUNCTION_VERSION"), "$LATEST");
  EXPECT_EQ(env.at("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"), "256");
  EXPECT_EQ(env.at("AWS_LAMBDA_LOG_GROUP_NAME"), "/aws/lambda/demo-app");
  EXPECT_TRUE(std::regex_match(std::string(env.at("AWS_LAMBDA_LOG_STREAM_NAME").as_string()),
                               std::regex(R"(\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32})")));
  EXPECT_EQ(env.at("AWS_LAMBDA_INITIALIZATION_TYPE"), "on-demand");
  EXPECT_EQ(env.at("AWS_REGION"), "eu-west-1");
  EXPECT_EQ(env.at("AWS_DEFAULT_REGION"), "eu-west-1");
  EXPECT_EQ(env.at("TZ"), ":UTC");
  EXPECT_EQ(env.at("_HANDLER"), "bootstrap");
  EXPECT_EQ(std::string(env.at("LAMBDA_TASK_ROOT").as_string()), task_root);
  EXPECT_TRUE(std::regex_match(std::string(env.at("AWS_LAMBDA_RUNTIME_API").as_string()),
                               std::regex(R"(127\.0\.0\.1:\d+)")));
  EXPECT_EQ(env.at("FROM_FILE"), "yes");
  EXPECT_EQ(env.at("FROM_FLAG"), "1");
}

TEST(StartApi, DeploymentSettingsOfTheEnvFileAreTheDefaults) {
  TempDir directory;
  const auto env_file = directory.write(
      "deploy.env", "FUNCTION_TIMEOUT_SECONDS=1\nFUNCTION_MEMORY_MB=512\nAWS_REGION=ap-south-1\n");
  Emulator emulator(start_api({"--env-file", env_file.string(), "--memory", "1024"}));
  const auto env = parse_json(request(emulator.port(), verb::get, "/prod/env").body()).as_object();
  EXPECT_EQ(env.at("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"), "1024");  // the option wins
  EXPECT_EQ(env.at("AWS_REGION"), "ap-south-1");
  expect_gateway_error(request(emulator.port(), verb::get, "/prod/hang"), 502,
                       "Internal server error");
  EXPECT_TRUE(emulator.wait_for_log("Task timed out after 1.00 seconds"));
}

TEST(StartApi, RuntimeApiHeadersAndStateRules) {
  // The region of the ARN below, whatever AWS_REGION the machine (or CodeBuild) sets.
  Emulator emulator(
      start_api({"--timeout", "7", "--function-name", "orders", "--region", "us-east-1"}));
  const auto before = now_ms();
  auto response = request(emulator.port(), verb::get, "/prod/context");
  ASSERT_EQ(response.result_int(), 200);
  const auto headers = parse_json(response.body()).as_object();
  const auto deadline =
      std::stoll(std::string(headers.at("Lambda-Runtime-Deadline-Ms").as_string()));
  EXPECT_GE(deadline, before + 6000);  // epoch milliseconds, about now + timeout
  EXPECT_LE(deadline, now_ms() + 8000);
  EXPECT_EQ(headers.at("Lambda-Runtime-Invoked-Function-Arn"),
            "arn:aws:lambda:us-east-1:123456789012:function:orders");
  EXPECT_TRUE(headers.contains("Lambda-Runtime-Aws-Request-Id"));
  EXPECT_TRUE(headers.contains("Lambda-Runtime-Trace-Id"));

  response = request(emulator.port(), verb::get, "/prod/runtime-api-checks");
  ASSERT_EQ(response.result_int(), 200) << response.body();
  const auto statuses = parse_json(response.body()).as_object();
  EXPECT_EQ(statuses.at("unknown_id"), 400);
  EXPECT_EQ(statuses.at("init_error_after_init"), 403);
  EXPECT_EQ(statuses.at("next_while_busy"), 403);
  ASSERT_TRUE(emulator.wait_for_log("\"second_response\""));
  const auto logs = emulator.logs();
  EXPECT_NE(logs.find(R"("first_response":202)"), std::string::npos) << logs;
  EXPECT_NE(logs.find(R"("first_response_body":"{\"status\":\"OK\"}")"), std::string::npos) << logs;
  EXPECT_NE(logs.find(R"("second_response":400)"), std::string::npos) << logs;
}

TEST(StartApi, LogsLikeCloudWatch) {
  Emulator emulator(start_api({"--memory", "512"}));
  ASSERT_EQ(request(emulator.port(), verb::get, "/prod/log").result_int(), 200);
  ASSERT_EQ(request(emulator.port(), verb::get, "/prod/log").result_int(), 200);
  ASSERT_TRUE(emulator.wait_for_log("REPORT", std::chrono::seconds(10)));
  const auto logs = emulator.logs();
  const std::regex report(
      R"(REPORT RequestId: ([0-9a-f-]{36})\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\t)"
      R"(Memory Size: 512 MB\tMax Memory Used: [1-9]\d* MB(\tInit Duration: \d+\.\d\d ms)?)");
  std::vector<std::smatch> reports;
  for (std::sregex_iterator it(logs.begin(), logs.end(), report), end; it != end; ++it) {
    reports.push_back(*it);
  }
  ASSERT_EQ(reports.size(), 2U) << logs;
  EXPECT_TRUE(reports[0][2].matched) << "cold start reports Init Duration";
  EXPECT_FALSE(reports[1][2].matched) << "warm start does not";
  for (const auto& match : reports) {
    const std::string id = match[1];
    const auto start = logs.find("START RequestId: " + id + " Version: $LATEST");
    const auto line = logs.find("hello from the function", start);
    const auto stderr_line = logs.find("a line on stderr", start);
    const auto end = logs.find("END RequestId: " + id);
    ASSERT_NE(start, std::string::npos);
    EXPECT_LT(start, line);
    EXPECT_LT(line, end);
    EXPECT_LT(stderr_line, end);
    EXPECT_LT(end, logs.find("REPORT RequestId: " + id));
  }
}

TEST(StartApi, LogLinesCanCarryTheirRequestId) {
  Emulator emulator(start_api({"--log-request-ids"}));
  ASSERT_EQ(request(emulator.port(), verb::get, "/prod/log").result_int(), 200);
  ASSERT_TRUE(emulator.wait_for_log("END RequestId"));
  const std::regex attributed(R"(([0-9a-f-]{36})\thello from the function)");
  std::smatch match;
  const auto logs = emulator.logs();
  ASSERT_TRUE(std::regex_search(logs, match, attributed)) << logs;
  EXPECT_NE(logs.find("START RequestId: " + match[1].str()), std::string::npos);
}

TEST(StartApi, ShutsDownCleanlyOnSigterm) {
  Emulator emulator(start_api());
  ASSERT_EQ(request(emulator.port(), verb::get, "/prod/echo").result_int(), 200);
  const std::regex cold(R"(cold start: instance 1 \(pid (\d+))");
  std::smatch match;
  const auto logs = emulator.logs();
  ASSERT_TRUE(std::regex_search(logs, match, cold)) << logs;
  const pid_t instance = std::stoi(match[1]);
  EXPECT_EQ(emulator.stop(SIGTERM), 0);
  EXPECT_NE(::kill(instance, 0), 0) << "the instance outlived the emulator";
}

TEST(StartApi, ShutsDownCleanlyOnSigintWithABusyInstance) {
  Emulator emulator(start_api());
  auto pending = std::async(std::launch::async, [&] {
    try {
      return static_cast<int>(request(emulator.port(), verb::get, "/prod/hang").result_int());
    } catch (const std::exception&) {
      return -1;  // the connection closing is a fine answer during shutdown
    }
  });
  ASSERT_TRUE(emulator.wait_for_log("hanging on purpose"));
  EXPECT_EQ(emulator.stop(SIGINT), 0);
  const int status = pending.get();
  EXPECT_TRUE(status == 502 || status == -1) << status;
}

}  // namespace
}  // namespace cppstack::local::testing

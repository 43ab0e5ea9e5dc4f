// The project's own static bootstrap behind the emulator, routed by the generated routes.json:
// what `make run` starts, answering as it will on AWS.

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "emulator_process.hpp"

namespace cppstack::local::testing {
namespace {

using http::verb;

std::vector<std::string> start_api() {
  return {"start-api",           "--bootstrap", PROJECT_BOOTSTRAP,         "--routes",
          PROJECT_ROUTES,        "--env",       "APPLICATION=local-check", "--function-name",
          "local-check-function"};
}

TEST(ProjectBootstrap, ServesEveryRouteOfTheGeneratedTable) {
  Emulator emulator(start_api());
  auto response = request(emulator.port(), verb::get, "/prod/v1/health");
  ASSERT_EQ(response.result_int(), 200) << response.body() << emulator.logs();
  EXPECT_EQ(response[http::field::content_type], "application/json");
  EXPECT_TRUE(parse_json(response.body()).is_object());

  response = request(emulator.port(), verb::get, "/prod/v1");
  ASSERT_EQ(response.result_int(), 200) << response.body();
  EXPECT_NE(response.body().find("/prod/v1/health"), std::string::npos) << response.body();

  response = request(emulator.port(), verb::get, "/prod/v1/metadata");
  ASSERT_EQ(response.result_int(), 200) << response.body();
  const auto metadata = parse_json(response.body()).as_object();
  EXPECT_EQ(metadata.at("stage"), "prod");
  EXPECT_EQ(metadata.at("function").at("name"), "local-check-function");
  EXPECT_EQ(metadata.at("function").at("memoryMb"), 128);
  // The request id a caller quotes to support is API Gateway's x-amzn-RequestId header; the
  // function's access line carries it as correlation_id, next to Lambda's request id.
  const std::string api_request_id(response["x-amzn-RequestId"]);
  ASSERT_FALSE(api_request_id.empty());
  EXPECT_TRUE(emulator.wait_for_log(R"("correlation_id":")" + api_request_id + R"(")"))
      << emulator.logs();

  // Trailing slash, unknown paths and undefined methods as API Gateway treats them.
  EXPECT_EQ(request(emulator.port(), verb::get, "/prod/v1/health/").result_int(), 200);
  EXPECT_EQ(request(emulator.port(), verb::get, "/prod/v2").result_int(), 403);
  EXPECT_EQ(request(emulator.port(), verb::post, "/prod/v1/health", "{}").result_int(), 403);
  EXPECT_EQ(request(emulator.port(), verb::get, "/dev/v1/health").result_int(), 403);
}

// The function's EMF records (src/http/telemetry.cpp) as `make run` shows them: one short
// line each, the namespace once, a summary per route at exit; raw and off on request.
TEST(ProjectBootstrap, MetricsAreShownAsShortLinesWithASummaryAtExit) {
  auto arguments = start_api();
  arguments.insert(arguments.end(), {"--env", "METRICS_NAMESPACE=LocalCheck"});
  Emulator emulator(arguments);
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(request(emulator.port(), verb::get, "/prod/v1/metadata").result_int(), 200);
  }
  ASSERT_EQ(request(emulator.port(), verb::get, "/prod/v1/health").result_int(), 200);
  ASSERT_TRUE(emulator.wait_for_log("metrics GET /v1/health 2xx:")) << emulator.logs();
  EXPECT_EQ(emulator.stop(), 0);
  const auto logs = emulator.logs();
  EXPECT_EQ(logs.find("\"_aws\""), std::string::npos) << logs;
  const std::regex announcement(
      R"(\[cppstack-local\] metrics in namespace LocalCheck, service )"
      R"([^ ]+ \(--metrics raw shows the EMF JSON, --metrics off hides it\)\n)");
  std::smatch found;
  ASSERT_TRUE(std::regex_search(logs, found, announcement)) << logs;
  EXPECT_EQ(logs.find("metrics in namespace",
                      static_cast<std::size_t>(found.position() + found.length())),
            std::string::npos)
      << "announced once: " << logs;
  EXPECT_TRUE(
      std::regex_search(logs, std::regex(R"(\nmetrics local-check-function: ColdStart=1\n)")))
      << logs;
  const std::regex request_line(
      R"(\nmetrics GET /v1/metadata 2xx: Requests=1 Latency=[0-9.]+ms Errors=0 ClientErrors=0\n)");
  EXPECT_EQ(std::distance(std::sregex_iterator(logs.begin(), logs.end(), request_line),
                          std::sregex_iterator()),
            3)
      << logs;
  EXPECT_TRUE(std::regex_search(
      logs, std::regex(R"(\[cppstack-local\] metrics summary GET /v1/metadata 2xx: Requests=3 )"
                       R"(Errors=0 ClientErrors=0; Latency p50=[0-9.]+ms p99=[0-9.]+ms\n)")))
      << logs;
  EXPECT_TRUE(std::regex_search(
      logs, std::regex(R"(\[cppstack-local\] metrics summary GET /v1/health 2xx: Requests=1 )")))
      << logs;
}

// At shutdown the runtime's waiting /next is left unanswered while the process is stopped, as
// on Lambda: answering it (500) made the real bootstrap log an error of its own on every stop.
TEST(ProjectBootstrap, StoppingTheEmulatorLeavesTheRuntimeNothingToReport) {
  Emulator emulator(start_api());
  ASSERT_EQ(request(emulator.port(), verb::get, "/prod/v1/metadata").result_int(), 200);
  // The instance is back on /next before the stop.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(emulator.stop(), 0);
  const auto logs = emulator.logs();
  EXPECT_EQ(logs.find("invocation/next"), std::string::npos) << logs;
  EXPECT_EQ(logs.find("\"level\":\"ERROR\""), std::string::npos) << logs;
}

TEST(ProjectBootstrap, MetricsRawShowsTheEmfJsonAndOffHidesIt) {
  for (const std::string view : {"raw", "off"}) {
    auto arguments = start_api();
    arguments.insert(arguments.end(), {"--metrics", view});
    Emulator emulator(arguments);
    ASSERT_EQ(request(emulator.port(), verb::get, "/prod/v1/metadata").result_int(), 200);
    // The access line is written with the metrics, in the same write.
    ASSERT_TRUE(emulator.wait_for_log("\"latency_ms\"")) << emulator.logs();
    EXPECT_EQ(emulator.stop(), 0);
    const auto logs = emulator.logs();
    EXPECT_EQ(logs.find("\"_aws\"") != std::string::npos, view == "raw") << view << logs;
    EXPECT_EQ(logs.find("metrics GET"), std::string::npos) << view << logs;
    EXPECT_EQ(logs.find("metrics summary"), std::string::npos) << view << logs;
  }
  const auto refused = run_command({CPPSTACK_LOCAL_EXE, "start-api", "--bootstrap",
                                    PROJECT_BOOTSTRAP, "--port", "0", "--metrics", "json"});
  EXPECT_NE(refused.exit_code, 0) << refused.err;
  EXPECT_NE(refused.err.find("--metrics"), std::string::npos) << refused.err;
}

TEST(ProjectBootstrap, OneWarmInstanceServesAKeepAliveClient) {
  Emulator emulator(start_api());
  Connection connection(emulator.port());
  std::string first_body;
  for (int i = 0; i < 500; ++i) {
    const auto response = connection.send(verb::get, "/prod/v1/metadata");
    ASSERT_EQ(response.result_int(), 200) << response.body();
    if (i == 0) first_body = response.body();
    EXPECT_EQ(response.body(), first_body);
  }
  // Only the first request was a cold start, as its access line says (the body never does).
  const auto count = [](const std::string& text, const std::string& part) {
    std::size_t found = 0;
    for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++found;
    return found;
  };
  std::string logs = emulator.logs();
  // The function's stderr reaches the emulator's log asynchronously: wait (bounded) for all.
  for (int wait = 0; wait < 200 && count(logs, R"("cold_start":false)") < 499; ++wait) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    logs = emulator.logs();
  }
  EXPECT_EQ(count(logs, R"("cold_start":true)"), 1u);
  EXPECT_EQ(count(logs, R"("cold_start":false)"), 499u);
  EXPECT_NE(logs.find("Init Duration"), std::string::npos);
  EXPECT_EQ(logs.find("cold start: instance 2"), std::string::npos) << logs;
  EXPECT_EQ(emulator.stop(), 0);
}

TEST(ProjectBootstrap, InvokeApiAndInvokeCommandRunTheSampleEvents) {
  Emulator emulator(
      {"start-lambda", "--bootstrap", PROJECT_BOOTSTRAP, "--function-name", "local-check"});
  const auto event = run_command({"/bin/cat", std::string(EVENTS_DIR) + "/get-health.json"}).out;
  const auto response =
      request(emulator.port(), verb::post, "/2015-03-31/functions/local-check/invocations", event);
  ASSERT_EQ(response.result_int(), 200);
  EXPECT_TRUE(response["X-Amz-Function-Error"].empty()) << response.body();
  EXPECT_EQ(parse_json(response.body()).at("statusCode"), 200);

  const auto invoked = run_command({CPPSTACK_LOCAL_EXE, "invoke", "--bootstrap", PROJECT_BOOTSTRAP,
                                    "-e", std::string(EVENTS_DIR) + "/get-metadata.json"});
  ASSERT_EQ(invoked.exit_code, 0) << invoked.err;
  EXPECT_EQ(parse_json(invoked.out).at("statusCode"), 200);
  EXPECT_TRUE(std::regex_search(invoked.err, std::regex(R"(REPORT RequestId: [0-9a-f-]{36}\t)")))
      << invoked.err;
}

}  // namespace
}  // namespace cppstack::local::testing

namespace cppstack::local::testing {
namespace {

// Conditional requests through the emulator (RFC 9110 section 13.1.2): the function's strong
// ETag, then a 304 without a body for If-None-Match; CORS from the same CORS_ALLOW_* variables
// in the function (actual requests) and the gateway (preflights).
TEST(ProjectBootstrap, EtagIfNoneMatchAndCorsThroughTheGateway) {
  Emulator emulator({"start-api", "--bootstrap", PROJECT_BOOTSTRAP, "--routes", PROJECT_ROUTES,
                     "--env", "CORS_ALLOW_ORIGINS=https://app.example", "--env",
                     "METRICS_NAMESPACE=LocalCheck", "--metrics", "raw"});  // the EMF JSON
  const auto first =
      request(emulator.port(), verb::get, "/prod/v1", {}, {{"Origin", "https://app.example"}});
  ASSERT_EQ(first.result_int(), 200) << first.body() << emulator.logs();
  const std::string etag(first["ETag"]);
  EXPECT_TRUE(std::regex_match(etag, std::regex(R"("[0-9a-f]+-[0-9a-f]+")"))) << etag;
  EXPECT_EQ(first["Cache-Control"], "no-cache");
  EXPECT_EQ(first["Access-Control-Allow-Origin"], "https://app.example");
  EXPECT_EQ(first["Vary"], "Origin");

  const auto second =
      request(emulator.port(), verb::get, "/prod/v1", {}, {{"If-None-Match", etag}});
  EXPECT_EQ(second.result_int(), 304);
  EXPECT_TRUE(second.body().empty());
  EXPECT_EQ(second["ETag"], etag);

  const auto preflight =
      request(emulator.port(), verb::options, "/prod/v1/metadata", {},
              {{"Origin", "https://app.example"}, {"Access-Control-Request-Method", "GET"}});
  EXPECT_EQ(preflight.result_int(), 204);
  EXPECT_EQ(preflight["Access-Control-Allow-Origin"], "https://app.example");

  // One access line and one EMF record per request in the function's log.
  const auto logs = emulator.logs();
  EXPECT_NE(logs.find(R"("message":"GET /v1 304")"), std::string::npos) << logs;
  EXPECT_NE(logs.find(R"("Namespace":"LocalCheck")"), std::string::npos) << logs;
  EXPECT_NE(logs.find(R"("ColdStart")"), std::string::npos) << logs;
}

struct CurlAnswer {
  int status = 0;
  std::string etag;
  std::string request_id;
  std::string body;
};

// One request with curl (-i: the status line and headers, then the body).
CurlAnswer curl_get(const std::string& url, const std::vector<std::string>& options = {}) {
  std::vector<std::string> arguments{CURL_EXE,    "--silent",   "--show-error",
                                     "--include", "--max-time", "30"};
  arguments.insert(arguments.end(), options.begin(), options.end());
  arguments.push_back(url);
  const CommandResult result = run_command(arguments);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  CurlAnswer answer;
  const std::size_t end_of_headers = result.out.find("\r\n\r\n");
  const std::string head = result.out.substr(0, end_of_headers);
  if (end_of_headers != std::string::npos) answer.body = result.out.substr(end_of_headers + 4);
  std::smatch match;
  if (std::regex_search(head, match, std::regex(R"(^HTTP/[0-9.]+ ([0-9]{3}))"))) {
    answer.status = std::stoi(match[1]);
  }
  const auto header = [&head](const char* name) {
    std::smatch found;
    const std::regex pattern(std::string("\r\n") + name + R"(: *([^\r]*))", std::regex::icase);
    return std::regex_search(head, found, pattern) ? found[1].str() : std::string();
  };
  answer.etag = header("ETag");
  answer.request_id = header("x-amzn-RequestId");
  return answer;
}

// RFC 9110 section 13.1.2 (If-None-Match) with curl, through the emulator and the real
// bootstrap: /v1/metadata and /v1/ answer every request with the same bytes and the same strong
// ETag, and 304 without a body to a matching If-None-Match, written by hand or by curl's own
// --etag-save/--etag-compare. Each answer keeps its own x-amzn-RequestId (API Gateway's header
// on every answer, 304s included).
TEST(ProjectBootstrap, CurlRevalidatesMetadataAndIndexWith304) {
  Emulator emulator(start_api());
  const std::string stage_url = "http://127.0.0.1:" + std::to_string(emulator.port()) + "/prod";
  TempDir directory;
  for (const std::string path : {"/v1/metadata", "/v1/"}) {
    SCOPED_TRACE(path);
    const CurlAnswer first = curl_get(stage_url + path);
    ASSERT_EQ(first.status, 200) << first.body << emulator.logs();
    EXPECT_TRUE(std::regex_match(first.etag, std::regex(R"("[0-9a-f]+-[0-9a-f]+")"))) << first.etag;
    const CurlAnswer second = curl_get(stage_url + path);
    EXPECT_EQ(second.status, 200);
    EXPECT_EQ(second.body, first.body);
    EXPECT_EQ(second.etag, first.etag);
    EXPECT_NE(second.request_id, first.request_id);

    const CurlAnswer revalidated =
        curl_get(stage_url + path, {"--header", "If-None-Match: " + first.etag});
    EXPECT_EQ(revalidated.status, 304);
    EXPECT_TRUE(revalidated.body.empty()) << revalidated.body;
    EXPECT_EQ(revalidated.etag, first.etag);
    EXPECT_FALSE(revalidated.request_id.empty());
    const CurlAnswer other = curl_get(stage_url + path, {"--header", R"(If-None-Match: "0-0")"});
    EXPECT_EQ(other.status, 200);

    const std::string etag_file = (directory.path() / "etag").string();
    std::filesystem::remove(etag_file);
    EXPECT_EQ(curl_get(stage_url + path, {"--etag-save", etag_file}).status, 200);
    EXPECT_EQ(curl_get(stage_url + path, {"--etag-compare", etag_file}).status, 304);
  }
}

// docs/local.md: a request is replayed from its access line (method, path) with
// generate-event piped into invoke.
TEST(ProjectBootstrap, ARequestIsReplayedFromItsAccessLine) {
  const auto event = run_command({CPPSTACK_LOCAL_EXE, "generate-event", "--method", "GET", "--path",
                                  "/v1/health", "--routes", PROJECT_ROUTES});
  ASSERT_EQ(event.exit_code, 0) << event.err;
  const auto event_file = std::filesystem::temp_directory_path() / "replay-event.json";
  { std::ofstream(event_file) << event.out; }
  const auto replayed = run_command(
      {CPPSTACK_LOCAL_EXE, "invoke", "--bootstrap", PROJECT_BOOTSTRAP, "-e", event_file.string()});
  std::filesystem::remove(event_file);
  ASSERT_EQ(replayed.exit_code, 0) << replayed.err;
  EXPECT_EQ(parse_json(replayed.out).at("statusCode"), 200);
  EXPECT_NE(replayed.err.find(R"("message":"GET /v1/health 200")"), std::string::npos)
      << replayed.err;
}

}  // namespace
}  // namespace cppstack::local::testing

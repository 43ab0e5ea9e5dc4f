// The project's own static bootstrap behind the emulator, routed by the generated routes.json:
// what `make run` starts, answering as it will on AWS.

#include <gtest/gtest.h>

#include <regex>

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
  EXPECT_EQ(std::string(metadata.at("apiRequestId").as_string()),
            std::string(response["x-amzn-RequestId"]));
  EXPECT_EQ(metadata.at("function").at("name"), "local-check-function");
  EXPECT_EQ(metadata.at("function").at("memoryMb"), 128);
  EXPECT_EQ(metadata.at("coldStart"), false);  // the health request started the instance

  // Trailing slash, unknown paths and undefined methods as API Gateway treats them.
  EXPECT_EQ(request(emulator.port(), verb::get, "/prod/v1/health/").result_int(), 200);
  EXPECT_EQ(request(emulator.port(), verb::get, "/prod/v2").result_int(), 403);
  EXPECT_EQ(request(emulator.port(), verb::post, "/prod/v1/health", "{}").result_int(), 403);
  EXPECT_EQ(request(emulator.port(), verb::get, "/dev/v1/health").result_int(), 403);
}

TEST(ProjectBootstrap, OneWarmInstanceServesAKeepAliveClient) {
  Emulator emulator(start_api());
  Connection connection(emulator.port());
  for (int i = 0; i < 500; ++i) {
    const auto response = connection.send(verb::get, "/prod/v1/metadata");
    ASSERT_EQ(response.result_int(), 200) << response.body();
    EXPECT_EQ(parse_json(response.body()).at("coldStart"), i == 0);
  }
  const auto logs = emulator.logs();
  EXPECT_NE(logs.find("Init Duration"), std::string::npos);
  EXPECT_EQ(logs.find("cold start: instance 2"), std::string::npos) << logs;
  EXPECT_EQ(emulator.stop(), 0);
}

TEST(ProjectBootstrap, InvokeApiAndInvokeCommandRunTheSampleEvents) {
  Emulator emulator(
      {"start-lambda", "--bootstrap", PROJECT_BOOTSTRAP, "--function-name", "local-check"});
  const auto event = run_command({"/bin/cat", EVENTS_DIR "/get-health.json"}).out;
  const auto response =
      request(emulator.port(), verb::post, "/2015-03-31/functions/local-check/invocations", event);
  ASSERT_EQ(response.result_int(), 200);
  EXPECT_TRUE(response["X-Amz-Function-Error"].empty()) << response.body();
  EXPECT_EQ(parse_json(response.body()).at("statusCode"), 200);

  const auto invoked = run_command({CPPSTACK_LOCAL_EXE, "invoke", "--bootstrap", PROJECT_BOOTSTRAP,
                                    "-e", EVENTS_DIR "/get-metadata.json"});
  ASSERT_EQ(invoked.exit_code, 0) << invoked.err;
  EXPECT_EQ(parse_json(invoked.out).at("statusCode"), 200);
  EXPECT_TRUE(std::regex_search(invoked.err, std::regex(R"(REPORT RequestId: [0-9a-f-]{36}\t)")))
      << invoked.err;
}

}  // namespace
}  // namespace cppstack::local::testing

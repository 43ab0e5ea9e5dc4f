// The project's runtime library behind the Invoke API: its responses, error reports and
// initialisation errors arrive as Lambda would deliver them.

#include <gtest/gtest.h>

#include "emulator_process.hpp"

namespace cppstack::local::testing {
namespace {

using http::verb;

const StartLambda start_lambda{RUNTIME_LIBRARY_FUNCTION, "library"};
const std::string invocations = start_lambda.invocations();

TEST(RuntimeLibrary, ResponsesAndErrorReportsReachTheCaller) {
  Emulator emulator(start_lambda());
  auto response = request(emulator.port(), verb::post, invocations, R"({"n":1})");
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(response.body(), R"({"n":1})");
  EXPECT_TRUE(response["X-Amz-Function-Error"].empty());

  response =
      request(emulator.port(), verb::post, invocations, R"({"throw":"name is required \u00e9"})");
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(response["X-Amz-Function-Error"], "Unhandled");
  const auto error = parse_json(response.body()).as_object();
  EXPECT_EQ(error.at("errorType"), "ValidationError");
  EXPECT_EQ(error.at("errorMessage"), "name is required \xc3\xa9");

  // The process survived its handler's exception: the same warm instance answers.
  EXPECT_EQ(request(emulator.port(), verb::post, invocations, R"({"n":2})").body(), R"({"n":2})");
  EXPECT_EQ(emulator.logs().find("cold start: instance 2"), std::string::npos) << emulator.logs();
}

TEST(RuntimeLibrary, InitialisationErrorsReachTheCaller) {
  Emulator emulator(start_lambda({"--env", "FIXTURE_INIT=throw"}));
  const auto response = request(emulator.port(), verb::post, invocations, "{}");
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(response["X-Amz-Function-Error"], "Unhandled");
  const auto error = parse_json(response.body()).as_object();
  EXPECT_NE(std::string(error.at("errorMessage").as_string()).find("configuration missing"),
            std::string::npos)
      << response.body();
}

TEST(RuntimeLibrary, BehindTheGatewayAnEventIsNotAProxyResponse) {
  Emulator emulator(
      {"start-api", "--bootstrap", RUNTIME_LIBRARY_FUNCTION, "--function-name", "library"});
  // The echoed event is not a proxy response: API Gateway answers 502.
  const auto response = request(emulator.port(), verb::get, "/prod/anything");
  EXPECT_EQ(response.result_int(), 502);
  EXPECT_EQ(response.body(), R"({"message":"Internal server error"})");
  EXPECT_TRUE(emulator.wait_for_log("Malformed Lambda proxy response"));
}

}  // namespace
}  // namespace cppstack::local::testing

// The `invoke` and `generate-event` subcommands, as a developer runs them.

#include <gtest/gtest.h>

#include "emulator_process.hpp"

namespace cppstack::local::testing {
namespace {

CommandResult local(std::vector<std::string> arguments, const std::string& input = {}) {
  arguments.insert(arguments.begin(), CPPSTACK_LOCAL_EXE);
  return run_command(arguments, input);
}

TEST(GenerateEvent, PrintsTheEventStartApiWouldSend) {
  const auto result = local({"generate-event", "--method", "POST", "--path", "/v1/items/7",
                             "--stage", "dev", "--header", "X-Trace_Id: abc", "--query",
                             "tag=a%20b", "--query", "tag=c", "--body", R"({"name":"x"})"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto event = parse_json(result.out).as_object();
  EXPECT_EQ(event.at("httpMethod"), "POST");
  EXPECT_EQ(event.at("path"), "/v1/items/7");
  EXPECT_EQ(event.at("resource"), "/{proxy+}");
  EXPECT_EQ(event.at("pathParameters").at("proxy"), "v1/items/7");
  EXPECT_EQ(event.at("requestContext").at("path"), "/dev/v1/items/7");
  EXPECT_EQ(event.at("requestContext").at("stage"), "dev");
  EXPECT_EQ(event.at("headers").at("X-Trace_Id"), "abc");
  EXPECT_EQ(event.at("queryStringParameters").at("tag"), "c");
  EXPECT_EQ(event.at("multiValueQueryStringParameters").at("tag"),
            (boost::json::array{"a b", "c"}));
  EXPECT_EQ(event.at("body"), R"({"name":"x"})");
}

TEST(GenerateEvent, UsesTheRouteTable) {
  TempDir directory;
  const auto routes = directory.write(
      "routes.json", R"({"routes":[{"method":"GET","path":"/v1/items/{id}","auth":"none"}]})");
  auto result = local({"generate-event", "--path", "/v1/items/7", "--routes", routes.string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto event = parse_json(result.out).as_object();
  EXPECT_EQ(event.at("resource"), "/v1/items/{id}");
  EXPECT_EQ(event.at("pathParameters"), (boost::json::object{{"id", "7"}}));
  result = local({"generate-event", "--path", "/v2/nothing", "--routes", routes.string()});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("Missing Authentication Token"), std::string::npos);
}

TEST(Invoke, RunsTheSampleEventAndPrintsTheResponse) {
  const auto result = local({"invoke", "--bootstrap", FIXTURE_FUNCTION, "-e",
                             std::string(EVENTS_DIR) + "/get-health.json"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto response = parse_json(result.out).as_object();
  EXPECT_EQ(response.at("statusCode"), 200);
  EXPECT_EQ(response.at("body"), R"({"path":"/v1/health"})");
  EXPECT_NE(result.err.find("START RequestId"), std::string::npos);
  EXPECT_NE(result.err.find("Init Duration"), std::string::npos);
  EXPECT_EQ(result.out.find("START RequestId"), std::string::npos) << "logs belong on stderr";
}

TEST(Invoke, ReadsStandardInputAndReportsFunctionErrors) {
  auto result = local({"invoke", "--bootstrap", FIXTURE_FUNCTION}, R"({"echo":"me"})");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "{\"echo\":\"me\"}\n");
  result = local({"invoke", "--bootstrap", FIXTURE_FUNCTION, "-e", "-"}, R"({"fail":true})");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(parse_json(result.out).at("errorType"), "RequestedFailure");
}

TEST(Invoke, RejectsAMissingBootstrap) {
  const auto result = local({"invoke", "--bootstrap", "/nonexistent/bootstrap"});
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.err.find("/nonexistent/bootstrap"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace cppstack::local::testing

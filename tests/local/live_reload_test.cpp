// `make run` during development: routes.json and the bootstrap change under a running
// emulator, as `make watch` rebuilds them, and the emulator follows without a failed request;
// start-up problems are one readable line.

#include <signal.h>

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <future>
#include <sstream>

#include "emulator_process.hpp"

namespace cppstack::local::testing {
namespace {

using http::verb;

std::string routes_json(const std::vector<std::string>& paths) {
  std::string json = R"({"formatVersion":1,"routes":[)";
  for (const auto& path : paths) {
    if (json.back() != '[') json.append(",");
    json.append(R"({"method":"GET","path":")").append(path);
    json.append(
        R"(","handler":"h","summary":"","auth":"none","cacheTtlSeconds":0,"throttle":null})");
  }
  return json.append("]}");
}

TEST(LiveRoutes, AddedChangedAndRemovedRoutesAreServedWithoutARestart) {
  TempDir directory;
  const auto bootstrap = directory.write("bootstrap", versioned_function("A"), true);
  const auto routes = directory.write("routes.json", routes_json({"/v1/old"}));
  Emulator emulator({"start-api", "--bootstrap", bootstrap.string(), "--routes", routes.string()});
  EXPECT_EQ(request(emulator.port(), verb::get, "/prod/v1/old").result_int(), 200);
  EXPECT_EQ(request(emulator.port(), verb::get, "/prod/v1/new").result_int(), 403);

  directory.write("routes.json", routes_json({"/v1/new", "/v1/items/{id}"}));
  ASSERT_TRUE(emulator.wait_for_log("+ GET /v1/items/{id}, + GET /v1/new, - GET /v1/old"))
      << emulator.logs();
  const auto added = request(emulator.port(), verb::get, "/prod/v1/new");
  EXPECT_EQ(added.result_int(), 200);
  EXPECT_EQ(added.body(), "A /v1/new");
  EXPECT_EQ(request(emulator.port(), verb::get, "/prod/v1/items/7").result_int(), 200);
  EXPECT_EQ(request(emulator.port(), verb::get, "/prod/v1/old").result_int(), 403);

  // A broken table is reported and ignored: the last good one keeps serving.
  directory.write("routes.json", "{\"formatVersion\":1,\"routes\":[{\"method\":\"GET\"}]}");
  ASSERT_TRUE(emulator.wait_for_log("routes not reloaded, still serving the previous ones"))
      << emulator.logs();
  EXPECT_EQ(request(emulator.port(), verb::get, "/prod/v1/new").result_int(), 200);
}

// The CORS preflight follows the reloaded table with the routes: API Gateway answers OPTIONS on
// every resource with the CDK's mock method (aws-cdk-lib Resource.addCorsPreflight: 204 and the
// CORS headers), and a path with no resource with 403 "Missing Authentication Token"
// (contracts.md, section 1), which carries the gateway responses' CORS headers.
TEST(LiveRoutes, TheCorsPreflightFollowsAReloadedTable) {
  TempDir directory;
  const auto bootstrap = directory.write("bootstrap", versioned_function("A"), true);
  const auto routes = directory.write("routes.json", routes_json({"/v1/old"}));
  Emulator emulator({"start-api", "--bootstrap", bootstrap.string(), "--routes", routes.string(),
                     "--env", "CORS_ALLOW_ORIGINS=https://app.example", "--env",
                     "CORS_MAX_AGE_SECONDS=600"});
  const Headers preflight_headers{{"Origin", "https://app.example"},
                                  {"Access-Control-Request-Method", "GET"}};
  const auto preflight = [&](const std::string& target) {
    return request(emulator.port(), verb::options, target, {}, preflight_headers);
  };
  const auto expect_preflight_answer = [](const Response& response) {
    EXPECT_EQ(response.result_int(), 204) << response.body();
    EXPECT_EQ(response.body(), "");
    EXPECT_EQ(response["Access-Control-Allow-Origin"], "https://app.example");
    // .env.example's defaults, as the CDK app deploys them (tests/fixtures/env/defaults.json).
    EXPECT_EQ(response["Access-Control-Allow-Methods"], "GET,HEAD,OPTIONS,POST,PUT,PATCH,DELETE");
    EXPECT_EQ(response["Access-Control-Allow-Headers"],
              "Content-Type,Authorization,X-Api-Key,X-Amz-Date,X-Amz-Security-Token");
    EXPECT_EQ(response["Access-Control-Max-Age"], "600");
  };
  const auto expect_missing_resource = [](const Response& response) {
    EXPECT_EQ(response.result_int(), 403) << response.body();
    EXPECT_EQ(parse_json(response.body()).at("message").as_string(),
              "Missing Authentication Token");
    EXPECT_EQ(response["x-amzn-ErrorType"], "MissingAuthenticationTokenException");
    EXPECT_EQ(response["Access-Control-Allow-Origin"], "https://app.example");
  };
  expect_preflight_answer(preflight("/prod/v1/old"));
  expect_missing_resource(preflight("/prod/v1/notes/7"));

  directory.write("routes.json", routes_json({"/v1/notes/{id}"}));
  ASSERT_TRUE(emulator.wait_for_log("+ GET /v1/notes/{id}, - GET /v1/old")) << emulator.logs();
  expect_preflight_answer(preflight("/prod/v1/notes/7"));
  expect_missing_resource(preflight("/prod/v1/old"));

  directory.write("routes.json", routes_json({"/v1/old"}));
  ASSERT_TRUE(emulator.wait_for_log("+ GET /v1/old, - GET /v1/notes/{id}")) << emulator.logs();
  expect_missing_resource(preflight("/prod/v1/notes/7"));
  expect_preflight_answer(preflight("/prod/v1/old"));
}

TEST(LiveBootstrap, BuildsInstalledByRenameNeverFailARequest) {
  TempDir directory;
  TempDir builds;
  const auto served = directory.write("bootstrap", versioned_function("v0"), true);
  Emulator emulator({"start-api", "--bootstrap", served.string()});
  ASSERT_EQ(request(emulator.port(), verb::get, "/prod/warm").result_int(), 200);

  // Requests one after the other while new builds land, installed exactly as the build does
  // (cmake/cppstack_function.cmake): copy beside the served file, then rename over it.
  std::atomic<bool> building{true};
  auto client = std::async(std::launch::async, [&] {
    std::vector<std::string> failures;
    for (int count = 0; count < 400 && (building || count < 5); ++count) {
      const auto response = request(emulator.port(), verb::get, "/prod/during");
      if (response.result_int() != 200) {
        failures.push_back(std::to_string(response.result_int()) + " " + response.body());
      }
    }
    return failures;
  });
  const auto install_builds = [&] {
    for (int version = 1; version <= 4; ++version) {
      std::string name = "v";
      name.append(std::to_string(version));
      const auto build = builds.write("bootstrap", versioned_function(name), true);
      const auto staged = directory.path() / ".bootstrap.tmp";
      if (run_command({CMAKE_EXE, "-E", "copy", build.string(), staged.string()}).exit_code != 0 ||
          run_command({CMAKE_EXE, "-E", "rename", staged.string(), served.string()}).exit_code !=
              0) {
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }
    return true;
  };
  const bool installed = install_builds();
  building = false;
  ASSERT_TRUE(installed);
  const auto failures = client.get();
  EXPECT_TRUE(failures.empty()) << failures.size() << " failed, first: " << failures.front();
  EXPECT_EQ(request(emulator.port(), verb::get, "/prod/after").body(), "v4 /after");
}

TEST(StartUp, ATakenPortIsOneLineNamingThePortAndTheOption) {
  Emulator first({"start-api", "--bootstrap", FIXTURE_FUNCTION});
  const auto port = std::to_string(first.port());
  const auto second = run_command(
      {CPPSTACK_LOCAL_EXE, "start-api", "--bootstrap", FIXTURE_FUNCTION, "--port", port});
  EXPECT_EQ(second.exit_code, 1);
  std::string expected = "cppstack-local: cannot listen on 127.0.0.1:";
  expected.append(port).append(": the port is already in use; choose another with --port");
  expected.append(" (make run PORT=").append(std::to_string(first.port() + 1)).append(")\n");
  EXPECT_EQ(second.err, expected);
}

// `listening on` is the last line of start-up: a supervisor that stops the emulator the moment
// it reads the line finds SIGTERM handled (a clean stop, exit status 0, "shutting down" in the
// log), not the signal's default action. Both servers, with the routes watcher and the
// --print-calls lines that start-up also installs and prints.
TEST(StartUp, ASigtermRightAfterTheListeningLineStopsItCleanly) {
  TempDir directory;
  const auto routes = directory.write("routes.json", routes_json({"/v1/a"}));
  const StartLambda start_lambda{FIXTURE_FUNCTION, "fixture"};
  for (int round = 0; round < 5; ++round) {
    Emulator api({"start-api", "--bootstrap", FIXTURE_FUNCTION, "--routes", routes.string(),
                  "--print-calls"});
    ASSERT_NE(api.port(), 0);
    EXPECT_EQ(api.stop(SIGTERM), 0) << api.logs();
    EXPECT_NE(api.logs().find("shutting down"), std::string::npos) << api.logs();
    Emulator lambda(start_lambda());
    ASSERT_NE(lambda.port(), 0);
    EXPECT_EQ(lambda.stop(SIGTERM), 0) << lambda.logs();
    EXPECT_NE(lambda.logs().find("shutting down"), std::string::npos) << lambda.logs();
  }
}

TEST(StartUp, RefusesWhatSynthRefusesBeforeServing) {
  TempDir directory;
  const auto env =
      directory.write(".env", "APPLICATION=notes # my app\nFUNCTION_TIMEOUT_SECONDS=0\n");
  const auto result = run_command({CPPSTACK_LOCAL_EXE, "start-api", "--bootstrap", FIXTURE_FUNCTION,
                                   "--port", "0", "--env-file", env.string()});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err,
            "cppstack-local: FUNCTION_TIMEOUT_SECONDS: must be a whole number from 1 to 900, got "
            "'0'\n");
  EXPECT_TRUE(result.out.empty()) << "it must not start listening: " << result.out;
}

TEST(StartUp, TheEnvFileSyntaxIsTheCdkAppsInlineCommentsIncluded) {
  TempDir directory;
  const auto env = directory.write(".env", "APPLICATION=notes # my app\n");
  Emulator emulator({"start-api", "--bootstrap", FIXTURE_FUNCTION, "--env-file", env.string()});
  EXPECT_TRUE(emulator.wait_for_log("function notes from")) << emulator.logs();
}

}  // namespace
}  // namespace cppstack::local::testing

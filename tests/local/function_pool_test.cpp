// FunctionPool in-process: instances of any custom runtime (here bash + curl), init failures,
// and a bootstrap that cannot run at all.

#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>
#include <boost/asio/io_context.hpp>
#include <cppstack/local/function_pool.hpp>

#include "emulator_process.hpp"

namespace cppstack::local::testing {
namespace {

struct PoolRun {
  std::vector<InvokeResult> results;
  std::string log;
};

// Runs `payloads` one after another through a fresh pool and returns the results.
PoolRun run_pool(FunctionConfig config, const std::vector<std::string>& payloads) {
  TempDir directory;
  const auto log_path = directory.path() / "log";
  const int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  boost::asio::io_context io;
  auto log = std::make_shared<LambdaLog>(log_fd);
  FunctionPool pool(io, std::move(config), log);
  PoolRun run;
  std::function<void(std::size_t)> next = [&](std::size_t index) {
    if (index == payloads.size()) return pool.shutdown([&io] { io.stop(); });
    pool.invoke({.payload = payloads[index]}, [&, index](InvokeResult result) {
      run.results.push_back(std::move(result));
      next(index + 1);
    });
  };
  next(0);
  io.run_for(std::chrono::seconds(60));
  ::close(log_fd);
  run.log = run_command({"/bin/cat", log_path.string()}).out;
  return run;
}

TEST(FunctionPool, RunsABashAndCurlCustomRuntime) {
  const auto run = run_pool({.bootstrap = std::string(FUNCTIONS_DIR) + "/tutorial_function.sh"},
                            {R"({"n":1})", R"({"n":2})", R"({"httpMethod":"GET","path":"/x"})"});
  ASSERT_EQ(run.results.size(), 3U) << run.log;
  EXPECT_EQ(run.results[0].outcome, InvokeOutcome::success);
  EXPECT_EQ(run.results[0].payload, R"({"n":1})");
  EXPECT_EQ(run.results[1].payload, R"({"n":2})");
  EXPECT_EQ(run.results[2].payload, R"({"statusCode":200,"body":"tutorial /x"})");
  EXPECT_NE(run.results[0].request_id, run.results[1].request_id);
  EXPECT_NE(run.log.find("tutorial function tutorial initialised"), std::string::npos) << run.log;
  EXPECT_NE(run.log.find("answered " + run.results[1].request_id), std::string::npos) << run.log;
}

TEST(FunctionPool, InitErrorIsReportedWithTheRuntimesError) {
  const auto run =
      run_pool({.bootstrap = std::string(FUNCTIONS_DIR) + "/init_error_function.sh"}, {"{}", "{}"});
  ASSERT_EQ(run.results.size(), 2U);
  for (const auto& result : run.results) {
    EXPECT_EQ(result.outcome, InvokeOutcome::function_error);
    EXPECT_EQ(result.error_kind, FunctionErrorKind::init_error);
    const auto error = parse_json(result.payload).as_object();
    EXPECT_EQ(error.at("errorType"), "ConfigError");
    EXPECT_EQ(error.at("errorMessage"), "missing configuration");
  }
}

TEST(FunctionPool, BootstrapThatCannotRunIsInvalidEntrypoint) {
  TempDir directory;
  const auto not_executable = directory.write("bootstrap", "#!/bin/sh\n", /*executable=*/false);
  const auto run = run_pool({.bootstrap = not_executable}, {"{}"});
  ASSERT_EQ(run.results.size(), 1U);
  EXPECT_EQ(run.results[0].outcome, InvokeOutcome::function_error);
  EXPECT_EQ(parse_json(run.results[0].payload).at("errorType"), "Runtime.InvalidEntrypoint");
  EXPECT_NE(run.log.find("Permission denied"), std::string::npos) << run.log;
}

TEST(FunctionPool, PayloadOverSixMegabytesNeverReachesTheFunction) {
  const auto run = run_pool({.bootstrap = FIXTURE_FUNCTION},
                            {std::string(max_sync_payload_bytes + 1, 'x'), R"({"ok":1})"});
  ASSERT_EQ(run.results.size(), 2U);
  EXPECT_EQ(run.results[0].outcome, InvokeOutcome::payload_too_large);
  EXPECT_EQ(run.results[1].payload, R"({"ok":1})");
}

}  // namespace
}  // namespace cppstack::local::testing

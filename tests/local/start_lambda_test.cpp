// start-lambda: the Lambda Invoke API over loopback HTTP, as the SDKs call it.

#include <gtest/gtest.h>

#include <cppstack/events/base64.hpp>

#include "emulator_process.hpp"

namespace cppstack::local::testing {
namespace {

using http::verb;

const StartLambda start_lambda{FIXTURE_FUNCTION, "fixture"};
const std::string invocations = start_lambda.invocations();

// Real clients sign every request; any signature is accepted.
const Headers signed_request{
    {"Authorization",
     "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/us-east-1/lambda/aws4_request, "
     "SignedHeaders=host;x-amz-date, Signature=0123456789abcdef"},
    {"X-Amz-Date", "20240101T000000Z"}};

Headers with(Headers headers, const Headers& more) {
  headers.insert(headers.end(), more.begin(), more.end());
  return headers;
}

TEST(StartLambda, RequestResponseReturnsThePayload) {
  Emulator emulator(start_lambda());
  const auto response =
      request(emulator.port(), verb::post, invocations, R"({"hello":"world"})", signed_request);
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(response.body(), R"({"hello":"world"})");
  EXPECT_EQ(response["X-Amz-Executed-Version"], "$LATEST");
  EXPECT_FALSE(response["x-amzn-RequestId"].empty());
  EXPECT_TRUE(response["X-Amz-Function-Error"].empty());
  EXPECT_TRUE(response["X-Amz-Log-Result"].empty());
}

TEST(StartLambda, FunctionNameMayBeAnArnWithLatest) {
  // The ARNs name us-east-1: the emulator's region is named too, whatever AWS_REGION is here.
  Emulator emulator(start_lambda({"--region", "us-east-1"}));
  for (const std::string name :
       {"arn:aws:lambda:us-east-1:123456789012:function:fixture",
        "arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Afixture",
        "123456789012:function:fixture",
        "arn:aws:lambda:us-east-1:123456789012:function:fixture:$LATEST"}) {
    SCOPED_TRACE(name);
    EXPECT_EQ(
        request(emulator.port(), verb::post, "/2015-03-31/functions/" + name + "/invocations", "{}")
            .result_int(),
        200);
  }
  EXPECT_EQ(
      request(emulator.port(), verb::post, invocations + "?Qualifier=%24LATEST", "{}").result_int(),
      200);
}

// An unqualified name is reported with :$LATEST (recorded from AWS: LocalStack's
// test_invoke_exceptions, validated 2025-11-24; tests/fidelity/cases.json).
TEST(StartLambda, UnknownFunctionIs404ResourceNotFound) {
  // The region of the ARNs below, whatever AWS_REGION the machine (or CodeBuild) sets.
  Emulator emulator(start_lambda({"--region", "us-east-1"}));
  auto response =
      request(emulator.port(), verb::post, "/2015-03-31/functions/nope/invocations", "{}");
  EXPECT_EQ(response.result_int(), 404);
  EXPECT_EQ(response["x-amzn-ErrorType"], "ResourceNotFoundException");
  const auto body = parse_json(response.body()).as_object();
  EXPECT_EQ(body.at("Type"), "User");
  EXPECT_EQ(body.at("message"),
            "Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope:$LATEST");
  response = request(emulator.port(), verb::post, invocations + "?Qualifier=7", "{}");
  EXPECT_EQ(response.result_int(), 404);
  EXPECT_EQ(parse_json(response.body()).at("message"),
            "Function not found: arn:aws:lambda:us-east-1:123456789012:function:fixture:7");
}

TEST(StartLambda, FunctionErrorIs200WithTheErrorHeader) {
  Emulator emulator(start_lambda());
  const auto response = request(emulator.port(), verb::post, invocations, R"({"fail":true})");
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(response["X-Amz-Function-Error"], "Unhandled");
  const auto body = parse_json(response.body()).as_object();
  EXPECT_EQ(body.at("errorType"), "RequestedFailure");
  EXPECT_EQ(body.at("errorMessage"), "requested failure");
  EXPECT_EQ(body.at("stackTrace"), (boost::json::array{"frame one"}));
}

TEST(StartLambda, CrashAndTimeoutAreFunctionErrors) {
  Emulator emulator(start_lambda({"--timeout", "1"}));
  auto response = request(emulator.port(), verb::post, invocations, R"({"crash":true})");
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(response["X-Amz-Function-Error"], "Unhandled");
  auto body = parse_json(response.body()).as_object();
  EXPECT_EQ(body.at("errorType"), "Runtime.ExitError");
  EXPECT_NE(std::string(body.at("errorMessage").as_string()).find("exit status 4"),
            std::string::npos);

  response = request(emulator.port(), verb::post, invocations, R"({"sleep_ms":5000})");
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(response["X-Amz-Function-Error"], "Unhandled");
  body = parse_json(response.body()).as_object();
  EXPECT_EQ(body.at("errorType"), "Sandbox.Timedout");
  const std::string message(body.at("errorMessage").as_string());
  EXPECT_NE(message.find("Task timed out after 1.00 seconds"), std::string::npos) << message;

  EXPECT_EQ(request(emulator.port(), verb::post, invocations, R"({"after":1})").body(),
            R"({"after":1})");
}

TEST(StartLambda, EventRunsAsynchronouslyAnd202) {
  Emulator emulator(start_lambda());
  const auto response = request(emulator.port(), verb::post, invocations,
                                R"({"log":"asynchronous invocation ran","sleep_ms":300})",
                                {{"X-Amz-Invocation-Type", "Event"}});
  EXPECT_EQ(response.result_int(), 202);
  EXPECT_TRUE(response.body().empty());
  EXPECT_TRUE(emulator.wait_for_log("asynchronous invocation ran"));
  EXPECT_TRUE(emulator.wait_for_log("END RequestId"));
}

TEST(StartLambda, EventInvocationsQueueInsteadOfThrottling) {
  Emulator emulator(start_lambda({"--concurrency", "1"}));
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(request(emulator.port(), verb::post, invocations,
                      R"({"log":"queued )" + std::to_string(i) + R"(","sleep_ms":200})",
                      {{"X-Amz-Invocation-Type", "Event"}})
                  .result_int(),
              202);
  }
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(emulator.wait_for_log("queued " + std::to_string(i)));
}

TEST(StartLambda, DryRunIs204AndRunsNothing) {
  Emulator emulator(start_lambda());
  const auto response = request(emulator.port(), verb::post, invocations, R"({"log":"ran"})",
                                {{"X-Amz-Invocation-Type", "DryRun"}});
  EXPECT_EQ(response.result_int(), 204);
  EXPECT_EQ(emulator.logs().find("START RequestId"), std::string::npos);
  EXPECT_EQ(request(emulator.port(), verb::post, invocations, "{}",
                    {{"X-Amz-Invocation-Type", "Sideways"}})
                .result_int(),
            400);
}

TEST(StartLambda, TailReturnsTheInvocationLog) {
  Emulator emulator(start_lambda());
  const auto response =
      request(emulator.port(), verb::post, invocations, R"({"log":"line for the tail"})",
              with(signed_request, {{"X-Amz-Log-Type", "Tail"}}));
  ASSERT_EQ(response.result_int(), 200);
  const auto tail = events::base64_decode(response["X-Amz-Log-Result"]);
  ASSERT_TRUE(tail.has_value());
  EXPECT_NE(tail->find("START RequestId: " + std::string(response["x-amzn-RequestId"])),
            std::string::npos)
      << *tail;
  EXPECT_NE(tail->find("line for the tail"), std::string::npos) << *tail;
  EXPECT_NE(tail->find("END RequestId"), std::string::npos) << *tail;
  EXPECT_NE(tail->find("REPORT RequestId"), std::string::npos) << *tail;

  // At most the last 4 KB.
  const auto long_log =
      request(emulator.port(), verb::post, invocations,
              R"({"log":")" + std::string(10000, 'z') + R"("})", {{"X-Amz-Log-Type", "Tail"}});
  const auto long_tail = events::base64_decode(long_log["X-Amz-Log-Result"]);
  ASSERT_TRUE(long_tail.has_value());
  EXPECT_EQ(long_tail->size(), 4096U);
  EXPECT_NE(long_tail->find("REPORT RequestId"), std::string::npos);
}

TEST(StartLambda, ClientContextReachesTheRuntime) {
  Emulator emulator(start_lambda());
  const std::string context = R"({"custom":{"k":"v"}})";
  // A proxy-shaped payload makes the fixture echo the Runtime API headers it received.
  const auto response =
      request(emulator.port(), verb::post, invocations, R"({"httpMethod":"GET","path":"/context"})",
              {{"X-Amz-Client-Context", events::base64_encode(context)}});
  ASSERT_EQ(response.result_int(), 200);
  const auto body = parse_json(response.body()).as_object();
  const auto headers = parse_json(std::string(body.at("body").as_string())).as_object();
  EXPECT_EQ(std::string(headers.at("Lambda-Runtime-Client-Context").as_string()), context);
}

TEST(StartLambda, PayloadOverSixMegabytesIs413) {
  Emulator emulator(start_lambda());
  const auto response =
      request(emulator.port(), verb::post, invocations, std::string(6 * 1024 * 1024 + 1, 'a'));
  EXPECT_EQ(response.result_int(), 413);
  EXPECT_EQ(response["x-amzn-ErrorType"], "RequestEntityTooLargeException");
}

}  // namespace
}  // namespace cppstack::local::testing

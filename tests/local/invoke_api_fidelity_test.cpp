// start-lambda answers as the Lambda Invoke API does, each case with its source: payload
// validation, qualified names, the Event payload limit and the bounded Event queue.

#include <gtest/gtest.h>

#include <regex>

#include "emulator_process.hpp"

namespace cppstack::local::testing {
namespace {

using http::verb;

const StartLambda start_lambda{FIXTURE_FUNCTION, "fixture"};
const std::string invocations = start_lambda.invocations();

// Invoke API reference, Errors: "InvalidRequestContentException: The request body could not be
// parsed as JSON ... HTTP Status Code: 400", for either invocation type. Body shape and message
// as recorded from the AWS CLI (aws-lambda-developer-guide#382: "Could not parse request body
// into json: Could not parse payload into json: Invalid UTF-8 start byte 0x97").
TEST(InvokeApiFidelity, PayloadThatIsNotJsonIs400InvalidRequestContentForBothTypes) {
  Emulator emulator(start_lambda());
  const std::string not_json[] = {"not json", R"({"a":)", "{} trailing", "\xff\xfe",
                                  "{\"a\":\"\xc3\"}"};  // the last two are not UTF-8
  for (const std::string type : {"RequestResponse", "Event"}) {
    for (const auto& payload : not_json) {
      SCOPED_TRACE(type + " " + payload);
      const auto response = request(emulator.port(), verb::post, invocations, payload,
                                    {{"X-Amz-Invocation-Type", type}});
      EXPECT_EQ(response.result_int(), 400);
      EXPECT_EQ(response["x-amzn-ErrorType"], "InvalidRequestContentException");
      EXPECT_EQ(response[http::field::content_type], "application/json");
      EXPECT_FALSE(response["x-amzn-RequestId"].empty());
      const auto body = parse_json(response.body()).as_object();
      EXPECT_EQ(body.at("Type"), "User");
      EXPECT_EQ(std::string(body.at("message").as_string())
                    .rfind("Could not parse request body into json: ", 0),
                0U);
    }
  }
  EXPECT_EQ(emulator.logs().find("START RequestId"), std::string::npos);  // nothing ran
  // Any JSON value is a payload, and so is none at all (the CLI without --payload).
  for (const std::string payload : {R"("text")", "42", "null", "[1,2]", ""}) {
    SCOPED_TRACE(payload);
    EXPECT_EQ(request(emulator.port(), verb::post, invocations, payload).result_int(), 200);
  }
}

// Invoke API reference, FunctionName: "You can append a version number or alias to any of the
// formats"; $LATEST on a plain name ("NAME:$LATEST") is this function. Another qualifier is a
// version or alias the emulator does not have: 404 ResourceNotFoundException naming it.
TEST(InvokeApiFidelity, QualifierOnThePlainNameIsAccepted) {
  // The region of the ARNs below, whatever AWS_REGION the machine (or CodeBuild) sets.
  Emulator emulator(start_lambda({"--region", "us-east-1"}));
  for (const std::string name :
       {"fixture:$LATEST", "fixture:%24LATEST", "123456789012:function:fixture:$LATEST"}) {
    SCOPED_TRACE(name);
    EXPECT_EQ(request(emulator.port(), verb::post, "/2015-03-31/functions/" + name + "/invocations",
                      R"({"n":1})")
                  .body(),
              R"({"n":1})");
  }
  const auto alias =
      request(emulator.port(), verb::post, "/2015-03-31/functions/fixture:prod/invocations", "{}");
  EXPECT_EQ(alias.result_int(), 404);
  EXPECT_EQ(alias["x-amzn-ErrorType"], "ResourceNotFoundException");
  EXPECT_EQ(parse_json(alias.body()).at("message"),
            "Function not found: arn:aws:lambda:us-east-1:123456789012:function:fixture:prod");
  // The name's qualifier and ?Qualifier= must agree: 400 InvalidParameterValueException
  // (recorded from AWS: LocalStack's test_function_name_and_qualifier_validation,
  // latest_version_with_additional_qualifier; tests/fidelity/cases.json).
  const auto disagreeing =
      request(emulator.port(), verb::post,
              "/2015-03-31/functions/fixture:$LATEST/invocations?Qualifier=prod", "{}");
  EXPECT_EQ(disagreeing.result_int(), 400);
  EXPECT_EQ(disagreeing["x-amzn-ErrorType"], "InvalidParameterValueException");
}

// Invoke API reference: "For asynchronous invocations, the maximum payload size is 1 MB."
TEST(InvokeApiFidelity, EventPayloadLimitIsOneMegabyte) {
  Emulator emulator(start_lambda());
  const auto json_string_of = [](std::size_t total) {  // a JSON string of `total` bytes
    std::string text(total, 'e');
    text.front() = '"';
    text.back() = '"';
    return text;
  };
  const Headers event{{"X-Amz-Invocation-Type", "Event"}};
  EXPECT_EQ(request(emulator.port(), verb::post, invocations, json_string_of(1024 * 1024), event)
                .result_int(),
            202);
  const auto over =
      request(emulator.port(), verb::post, invocations, json_string_of(1024 * 1024 + 1), event);
  EXPECT_EQ(over.result_int(), 413);
  EXPECT_EQ(over["x-amzn-ErrorType"], "RequestEntityTooLargeException");
  EXPECT_EQ(parse_json(over.body()).at("message"),
            "Request must be smaller than 1048576 bytes for the InvokeFunction operation");
  // Synchronous invocations keep the 6 MB limit.
  EXPECT_EQ(request(emulator.port(), verb::post, invocations, json_string_of(2 * 1024 * 1024))
                .result_int(),
            200);
}

// The Event queue is bounded (1000 invocations): beyond it 429 TooManyRequestsException, the
// Invoke API's throttling answer. At shutdown every accepted invocation that did not complete
// (the running one and the 999 queued) is reported in the log, never dropped silently.
TEST(InvokeApiFidelity, EventQueueIsBoundedAndReportedAtShutdown) {
  Emulator emulator(start_lambda({"--concurrency", "1"}));
  Connection connection(emulator.port());
  const Headers event{{"X-Amz-Invocation-Type", "Event"}};
  // The first holds the only instance; the rest wait in the queue.
  ASSERT_EQ(connection.send(verb::post, invocations, R"({"sleep_ms":20000})", event).result_int(),
            202);
  ASSERT_TRUE(emulator.wait_for_log("START RequestId"));
  int accepted = 1;
  int refused = 0;
  for (int i = 0; i < 1005; ++i) {
    const auto response = connection.send(verb::post, invocations, "{}", event);
    if (response.result_int() == 202) ++accepted;
    if (response.result_int() == 429) {
      ++refused;
      EXPECT_EQ(response["x-amzn-ErrorType"], "TooManyRequestsException");
      EXPECT_EQ(parse_json(response.body()).at("Type"), "User");
    }
  }
  EXPECT_EQ(accepted, 1000);
  EXPECT_EQ(refused, 6);
  emulator.stop();
  const std::string logs = emulator.logs();
  std::size_t reported = 0;
  for (auto at = logs.find("did not complete: the emulator is shutting down");
       at != std::string::npos;
       at = logs.find("did not complete: the emulator is shutting down", at + 1)) {
    ++reported;
  }
  EXPECT_EQ(reported, 1000U);
}

// Invoke API reference, LogType: "Valid Values: None | Tail"; another value fails validation
// (400, like an unknown InvocationType). Every answer carries Date, as AWS endpoints do.
TEST(InvokeApiFidelity, LogTypeIsValidatedAndEveryAnswerHasADate) {
  Emulator emulator(start_lambda());
  const auto bogus =
      request(emulator.port(), verb::post, invocations, "{}", {{"X-Amz-Log-Type", "Verbose"}});
  EXPECT_EQ(bogus.result_int(), 400);
  EXPECT_EQ(bogus["x-amzn-ErrorType"], "InvalidParameterValueException");
  EXPECT_NE(std::string(parse_json(bogus.body()).at("message").as_string()).find("logType"),
            std::string::npos);
  const auto none =
      request(emulator.port(), verb::post, invocations, "{}", {{"X-Amz-Log-Type", "None"}});
  EXPECT_EQ(none.result_int(), 200);
  EXPECT_TRUE(none["X-Amz-Log-Result"].empty());
  for (const auto& answer :
       {bogus, none,
        request(emulator.port(), verb::post, "/2015-03-31/functions/nope/invocations", "{}"),
        request(emulator.port(), verb::post, invocations, std::string(6 * 1024 * 1024 + 1, 'a'))}) {
    EXPECT_TRUE(
        std::regex_match(std::string(answer[http::field::date]),
                         std::regex(R"([A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} [\d:]{8} GMT)")));
  }
}

}  // namespace
}  // namespace cppstack::local::testing

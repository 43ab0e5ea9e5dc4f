// The client against a scripted server on loopback: standard-mode retries of throttling and
// 5XX answers, a reset connection, a server that never answers, keep-alive reuse, typed
// errors (including a cancelled transaction, which dynalite cannot produce).
#include <gtest/gtest.h>

#include <cppstack/aws/dynamodb.hpp>
#include <cppstack/observability/logger.hpp>
#include <cstdlib>

#include "scripted_server.hpp"

namespace {

using namespace cppstack::aws;
using cppstack::aws::testing::ScriptedServer;
using cppstack::aws::testing::Step;

/// Short backoffs keep the suite fast; the retry decisions are the same.
ClientOptions fast_options() {
  return ClientOptions{.backoff_base = std::chrono::milliseconds(5),
                       .throttling_backoff_base = std::chrono::milliseconds(5)};
}

class Faults : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("AWS_ENDPOINT_URL_DYNAMODB", server_.url().c_str(), 1);
    ::setenv("AWS_ACCESS_KEY_ID", "AKIDTEST", 1);
    ::setenv("AWS_SECRET_ACCESS_KEY", "secret", 1);
    ::setenv("AWS_SESSION_TOKEN", "token", 1);
    ::setenv("AWS_REGION", "eu-west-1", 1);
    ::setenv("TABLE_THINGS", "things", 1);
  }
  ScriptedServer server_;
};

struct Thing {
  std::string id;
};
BOOST_DESCRIBE_STRUCT(Thing, (), (id))

const std::string throttled =
    R"({"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"Rate exceeded"})";
const std::string found = R"({"Item":{"id":{"S":"a"}}})";

TEST_F(Faults, ThrottlingIsRetriedThenSucceeds) {
  server_.script({{.status = 400, .body = throttled},
                  {.status = 400, .body = throttled},
                  {.status = 200, .body = found}});
  const DynamoDb client(fast_options());
  const Table<Thing> things("things", &client);
  EXPECT_EQ(things.get({{"id", "a"}})->id, "a");
  EXPECT_EQ(server_.requests(), 3);
  // Signed: the request carries the session token and the signature.
  EXPECT_NE(server_.last_request().find("x-amz-security-token: token"), std::string::npos);
  EXPECT_NE(server_.last_request().find("Credential=AKIDTEST/"), std::string::npos);
}

TEST_F(Faults, ThrottlingIsSurfacedAfterThreeAttempts) {
  server_.script({{.status = 400, .body = throttled},
                  {.status = 400, .body = throttled},
                  {.status = 400, .body = throttled},
                  {.status = 200, .body = found}});
  const DynamoDb client(fast_options());
  try {
    (void)Table<Thing>("things", &client).get({{"id", "a"}});
    FAIL() << "throttling should have been surfaced";
  } catch (const ServiceError& error) {
    EXPECT_EQ(error.code(), "ThrottlingException");
    EXPECT_EQ(error.message(), "Rate exceeded");
    EXPECT_EQ(error.request_id(), "scripted-3");
  }
  EXPECT_EQ(server_.requests(), 3);
}

TEST_F(Faults, A500IsRetriedAndThenSurfaced) {
  const std::string internal =
      R"({"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"boom"})";
  server_.script({{.status = 500, .body = internal}, {.status = 200, .body = found}});
  const DynamoDb client(fast_options());
  const Table<Thing> things("things", &client);
  EXPECT_TRUE(things.get({{"id", "a"}}));
  EXPECT_EQ(server_.requests(), 2);
  server_.script({{.status = 500, .body = internal},
                  {.status = 503, .body = "{}"},
                  {.status = 500, .body = internal}});
  try {
    (void)things.get({{"id", "a"}});
    FAIL();
  } catch (const ServiceError& error) {
    EXPECT_EQ(error.status(), 500);
    EXPECT_EQ(error.code(), "InternalServerError");
  }
  EXPECT_EQ(server_.requests(), 5);
}

TEST_F(Faults, AClientErrorIsNotRetried) {
  server_.script({{.status = 400,
                   .body = R"({"__type":"com.amazonaws.dynamodb.v20120810#ValidationException",)"
                           R"("message":"bad key"})"}});
  const DynamoDb client(fast_options());
  EXPECT_THROW((void)Table<Thing>("things", &client).get({{"id", "a"}}), ServiceError);
  EXPECT_EQ(server_.requests(), 1);
}

TEST_F(Faults, AResetConnectionIsRetriedForAnIdempotentRequest) {
  server_.script({{.kind = Step::Kind::reset}, {.status = 200, .body = found}});
  const DynamoDb client(fast_options());
  EXPECT_TRUE(Table<Thing>("things", &client).get({{"id", "a"}}));
  EXPECT_EQ(server_.requests(), 2);
}

TEST_F(Faults, AResetUpdateIsNotRepeated) {
  // An UpdateItem may have been applied before the connection broke: never sent twice.
  server_.script({{.kind = Step::Kind::reset}, {.status = 200, .body = "{}"}});
  const DynamoDb client(fast_options());
  EXPECT_THROW((void)Table<Thing>("things", &client)
                   .update({{"id", "a"}}, Expression("ADD n :one").value(":one", 1)),
               NetworkError);
  EXPECT_EQ(server_.requests(), 1);
}

TEST_F(Faults, AServerThatNeverAnswersTimesOutWithinTheInvocationsTime) {
  server_.script({{.kind = Step::Kind::silence}});
  ClientOptions options = fast_options();
  options.attempt_timeout = std::chrono::minutes(10);  // only the deadline can end the wait
  const DynamoDb client(options);
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  const cppstack::observability::CurrentInvocation invocation{.log = {},
                                                              .deadline_ms = now_ms + 1500};
  const cppstack::observability::InvocationScope scope(invocation);
  EXPECT_THROW((void)Table<Thing>("things", &client).get({{"id", "a"}}), TimeoutError);
}

TEST_F(Faults, ConnectionsAreKeptAliveAcrossCalls) {
  const DynamoDb client(fast_options());
  const Table<Thing> things("things", &client);
  for (int i = 0; i < 3; ++i) (void)things.get({{"id", "a"}});
  EXPECT_EQ(server_.requests(), 3);
  EXPECT_EQ(server_.connections(), 1);
}

TEST_F(Faults, ACancelledTransactionCarriesItsReasons) {
  // The answer's shape: DynamoDB API reference, TransactWriteItems, "Errors".
  server_.script(
      {{.status = 400,
        .body =
            R"({"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException",)"
            R"("Message":"Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]",)"
            R"("CancellationReasons":[{"Code":"None"},{"Code":"ConditionalCheckFailed","Message":"The conditional request failed"}]})"}});
  const DynamoDb client(fast_options());
  const Table<Thing> things("things", &client);
  try {
    Transaction(&client)
        .put(things, Thing{"a"})
        .update("things", {{"id", "b"}}, Expression("SET n = :n").value(":n", 1),
                Expression("attribute_exists(id)"))
        .commit();
    FAIL();
  } catch (const TransactionCanceled& error) {
    EXPECT_EQ(error.reasons(), (std::vector<std::string>{"None", "ConditionalCheckFailed"}));
  }
  EXPECT_NE(server_.last_request().find("DynamoDB_20120810.TransactWriteItems"), std::string::npos);
  EXPECT_NE(server_.last_request().find(R"("ClientRequestToken")"), std::string::npos);
}

TEST_F(Faults, AFailureIsLoggedWithTheRequestsCorrelationId) {
  server_.script({{.status = 400,
                   .body = R"({"__type":"com.amazonaws.dynamodb.v20120810#ValidationException",)"
                           R"("message":"bad key"})"}});
  const DynamoDb client(fast_options());
  const cppstack::observability::CurrentInvocation invocation{
      .log = {.function_request_id = "lambda-1", .correlation_id = "corr-42", .xray_trace_id = {}}};
  const cppstack::observability::InvocationScope scope(invocation);
  ::testing::internal::CaptureStderr();
  EXPECT_THROW((void)Table<Thing>("things", &client).get({{"id", "a"}}), ServiceError);
  const std::string logged = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(logged.find(R"("correlation_id":"corr-42")"), std::string::npos) << logged;
  EXPECT_NE(logged.find(R"("error_code":"ValidationException")"), std::string::npos) << logged;
  EXPECT_NE(logged.find(R"("aws_request_id":"scripted-1")"), std::string::npos) << logged;
}

TEST_F(Faults, AMissingCredentialIsAConfigurationErrorNamingIt) {
  ::unsetenv("AWS_SECRET_ACCESS_KEY");
  const DynamoDb client(fast_options());
  try {
    (void)Table<Thing>("things", &client).get({{"id", "a"}});
    FAIL();
  } catch (const ConfigurationError& error) {
    EXPECT_NE(std::string(error.what()).find("AWS_SECRET_ACCESS_KEY"), std::string::npos);
  }
  EXPECT_EQ(server_.requests(), 0);
}

}  // namespace

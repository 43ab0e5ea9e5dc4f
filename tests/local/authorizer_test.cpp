// Lambda authorizers through cppstack-local: the real bootstrap (built with
// functions/authorizer_function.cpp) runs each authorizer as its own function, over real HTTP.
// The function writes `authorizer-call NAME IDENTITY` per invocation; calls are counted in the
// emulator's log, which writes every line of an invocation before its result is used, so a
// later line waited for proves the earlier ones are there (no timing).
//
// Sources of the expected answers:
// - 401 {"message":"Unauthorized"} without invoking the function when an identity source is
//   missing, empty or fails the validation expression: "Input to an API Gateway Lambda
//   authorizer" (TOKEN: "If the token is missing, null or not validated, API Gateway returns
//   401") and the knowledge-center article "Why do I get API Gateway 401 Unauthorized errors
//   after I create a Lambda authorizer?".
// - 403 AccessDeniedException, "User is not authorized to access this resource with an explicit
//   deny" for a Deny, "User is not authorized to access this resource" when no statement allows
//   (an implicit deny, e.g. a cached policy for another method): the knowledge-center articles
//   "How do I troubleshoot HTTP 403 errors when I use a Lambda authorizer with an API Gateway
//   REST API?" and "...proxy resource with a Lambda authorizer that has caching activated
//   returning 403".
// - 500 {"message":null}, x-amzn-ErrorType AuthorizerConfigurationException for an authorizer
//   that fails: github.com/auth0-samples/jwt-rsa-aws-custom-authorizer/pull/6 and
//   github.com/serverless/examples/issues/305 (recorded headers); LocalStack's
//   AuthorizerConfigurationError ("the message is set to None by default in AWS").
// - context values passed on as strings ("Output from an API Gateway Lambda authorizer":
//   "numberKey": "1", "booleanKey": "true"); principalId beside them.
#include <gtest/gtest.h>

#include <algorithm>

#include "emulator_process.hpp"

namespace cppstack::local::testing {
namespace {

using http::verb;

std::vector<std::string> start_api() {
  return {"start-api",  "--bootstrap",     AUTHORIZER_BOOTSTRAP,
          "--routes",   AUTHORIZER_ROUTES, "--function-name",
          "authorized", "--env",           "APPLICATION=authorizer-check"};
}

Response get(const Emulator& emulator, const std::string& path, const Headers& headers = {}) {
  return request(emulator.port(), verb::get, "/prod" + path, {}, headers);
}

Headers bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

std::size_t count(const std::string& text, const std::string& part) {
  std::size_t found = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++found;
  return found;
}

// Every line the emulator had for earlier calls is written once the line of a new uncached
// call is: then the earlier lines can be counted.
void settle(const Emulator& emulator, const std::string& marker) {
  ASSERT_EQ(get(emulator, "/v1/uncached", bearer("allow-" + marker)).result_int(), 200);
  ASSERT_TRUE(emulator.wait_for_log("authorizer-call uncached Bearer allow-" + marker))
      << emulator.logs();
}

TEST(LambdaAuthorizer, MissingOrInvalidIdentityIs401WithoutACall) {
  Emulator emulator(start_api());
  for (const Headers& headers :
       {Headers{}, Headers{{"Authorization", ""}}, Headers{{"Authorization", "Bearer BAD!"}}}) {
    const auto response = get(emulator, "/v1/token", headers);
    EXPECT_EQ(response.result_int(), 401) << response.body();
    EXPECT_EQ(response.body(), R"({"message":"Unauthorized"})");
    EXPECT_EQ(response["x-amzn-ErrorType"], "UnauthorizedException");
  }
  // REQUEST: each identity source is needed (here the tenant query parameter is missing).
  EXPECT_EQ(get(emulator, "/v1/caller/7", {{"X-Caller", "allow-x"}}).result_int(), 401);
  settle(emulator, "first");
  EXPECT_EQ(count(emulator.logs(), "authorizer-call tokens"), 0U) << emulator.logs();
  EXPECT_EQ(count(emulator.logs(), "authorizer-call caller"), 0U) << emulator.logs();
}

TEST(LambdaAuthorizer, AllowPassesThePrincipalAndStringifiedContextToTheFunction) {
  Emulator emulator(start_api());
  const auto response = get(emulator, "/v1/token", bearer("allow-alice"));
  ASSERT_EQ(response.result_int(), 200) << response.body() << emulator.logs();
  const auto authorizer = parse_json(response.body()).as_object();
  EXPECT_EQ(authorizer.at("principalId"), "alice");
  EXPECT_EQ(authorizer.at("user"), "alice");
  EXPECT_EQ(authorizer.at("level"), "3");
  EXPECT_EQ(authorizer.at("ratio"), "0.25");
  EXPECT_EQ(authorizer.at("admin"), "true");
  EXPECT_TRUE(authorizer.at("integrationLatency").is_int64()) << response.body();
  // An open route of the same API has no authorizer.
  EXPECT_EQ(get(emulator, "/v1/open").body(), "null");
}

TEST(LambdaAuthorizer, DenyIs403WithAnExplicitDeny) {
  Emulator emulator(start_api());
  const auto response = get(emulator, "/v1/token", bearer("deny-bob"));
  EXPECT_EQ(response.result_int(), 403) << response.body();
  EXPECT_EQ(
      response.body(),
      R"({"Message":"User is not authorized to access this resource with an explicit deny"})");
  EXPECT_EQ(response["x-amzn-ErrorType"], "AccessDeniedException");
}

TEST(LambdaAuthorizer, UnauthorizedFromTheFunctionIs401AndACrashIs500) {
  Emulator emulator(start_api());
  auto response = get(emulator, "/v1/token", bearer("unauthorized"));
  EXPECT_EQ(response.result_int(), 401) << response.body();
  EXPECT_EQ(response.body(), R"({"message":"Unauthorized"})");
  response = get(emulator, "/v1/uncached", bearer("crash"));
  EXPECT_EQ(response.result_int(), 500) << response.body();
  EXPECT_EQ(response.body(), R"({"message":null})");
  EXPECT_EQ(response["x-amzn-ErrorType"], "AuthorizerConfigurationException");
  // The authorizer's instance is replaced: the next call is served.
  EXPECT_EQ(get(emulator, "/v1/uncached", bearer("allow-after")).result_int(), 200);
}

// One call for two requests of the same token within the TTL; the cached policy is evaluated
// against each method ARN, so a policy naming one method denies the other (AWS knowledge
// center, "proxy resource with a Lambda authorizer that has caching activated").
TEST(LambdaAuthorizer, ResultsAreCachedPerIdentityAndEvaluatedPerMethod) {
  Emulator emulator(start_api());
  EXPECT_EQ(get(emulator, "/v1/token", bearer("api-dave")).result_int(), 200);
  EXPECT_EQ(get(emulator, "/v1/token/other", bearer("api-dave")).result_int(), 200);
  EXPECT_EQ(get(emulator, "/v1/token", bearer("allow-carol")).result_int(), 200);
  const auto other = get(emulator, "/v1/token/other", bearer("allow-carol"));
  EXPECT_EQ(other.result_int(), 403) << other.body();
  EXPECT_EQ(other.body(), R"({"Message":"User is not authorized to access this resource"})");
  EXPECT_EQ(other["x-amzn-ErrorType"], "AccessDeniedException");
  // A cached Deny stays a Deny.
  EXPECT_EQ(get(emulator, "/v1/token", bearer("deny-erin")).result_int(), 403);
  EXPECT_EQ(get(emulator, "/v1/token", bearer("deny-erin")).result_int(), 403);
  settle(emulator, "cache");
  const auto logs = emulator.logs();
  EXPECT_EQ(count(logs, "authorizer-call tokens Bearer api-dave\n"), 1U) << logs;
  EXPECT_EQ(count(logs, "authorizer-call tokens Bearer allow-carol\n"), 1U) << logs;
  EXPECT_EQ(count(logs, "authorizer-call tokens Bearer deny-erin\n"), 1U) << logs;
}

TEST(LambdaAuthorizer, TtlZeroCallsTheAuthorizerEveryTime) {
  Emulator emulator(start_api());
  for (int round = 0; round < 3; ++round) {
    EXPECT_EQ(get(emulator, "/v1/uncached", bearer("allow-frank")).result_int(), 200);
  }
  settle(emulator, "ttl");
  EXPECT_EQ(count(emulator.logs(), "authorizer-call uncached Bearer allow-frank\n"), 3U)
      << emulator.logs();
}

// A REQUEST authorizer receives the request (headers, query string, resource, path
// parameters) and is cached by all its identity sources together.
TEST(LambdaAuthorizer, RequestAuthorizerSeesTheRequestAndCachesByEverySource) {
  Emulator emulator(start_api());
  const Headers caller{{"X-Caller", "allow-gina"}};
  auto response = request(emulator.port(), verb::get, "/prod/v1/caller/7?tenant=t1", {}, caller);
  ASSERT_EQ(response.result_int(), 200) << response.body() << emulator.logs();
  EXPECT_EQ(parse_json(response.body()).at("principalId"), "gina");
  EXPECT_EQ(
      request(emulator.port(), verb::get, "/prod/v1/caller/7?tenant=t1", {}, caller).result_int(),
      200);
  EXPECT_EQ(
      request(emulator.port(), verb::get, "/prod/v1/caller/7?tenant=t2", {}, caller).result_int(),
      200);
  settle(emulator, "request");
  const auto logs = emulator.logs();
  EXPECT_EQ(count(logs, "authorizer-call caller allow-gina t1 /v1/caller/{id} 7\n"), 1U) << logs;
  EXPECT_EQ(count(logs, "authorizer-call caller allow-gina t2 /v1/caller/{id} 7\n"), 1U) << logs;
}

}  // namespace
}  // namespace cppstack::local::testing

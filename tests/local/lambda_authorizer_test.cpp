// The local gateway's Lambda authorizer pieces without a process: routes.json's authorizers,
// the identity read from a request, the output read as API Gateway reads it (sources in
// authorizer_test.cpp's header), the policy matched against method ARNs, the printed call line.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <sstream>

#include "auth/lambda_authorizer.hpp"
#include "call_examples.hpp"

namespace cppstack::local {
namespace {

namespace json = boost::json;

constexpr const char* table_json = R"({"formatVersion":1,
  "authorizers":[
    {"name":"bearer","type":"TOKEN","identitySources":["method.request.header.Authorization"],
     "resultTtlSeconds":60,"identityValidationExpression":"^Bearer [a-z]+$",
     "exampleIdentity":["Bearer local"]},
    {"name":"caller","type":"REQUEST","resultTtlSeconds":300,
     "identitySources":["method.request.header.X-Caller","method.request.querystring.tenant",
                        "stageVariables.mode"]}],
  "routes":[
    {"method":"GET","path":"/me","auth":"custom","authorizer":"bearer"},
    {"method":"GET","path":"/items/{id}","auth":"custom","authorizer":"caller"}]})";

TEST(LambdaAuthorizerTable, ReadsTheAuthorizersOfRoutesJson) {
  const auto table = RouteTable::parse(table_json);
  ASSERT_EQ(table.authorizers().size(), 2U);
  const auto* bearer = table.authorizer("bearer");
  ASSERT_NE(bearer, nullptr);
  EXPECT_EQ(bearer->type, http::AuthorizerType::token);
  EXPECT_EQ(bearer->result_ttl_seconds, 60);
  EXPECT_EQ(bearer->identity_validation_expression, "^Bearer [a-z]+$");
  EXPECT_EQ(table.routes().at(1).authorizer, "caller");
  EXPECT_EQ(table.routes().at(1).auth, http::AuthMode::custom);
}

TEST(LambdaAuthorizerTable, RefusesBadDeclarationsWithClearErrors) {
  const auto refused = [](const std::string& json, const std::string& part) {
    try {
      (void)RouteTable::parse(json);
      ADD_FAILURE() << "accepted: " << json;
    } catch (const RouteTableError& error) {
      EXPECT_NE(std::string(error.what()).find(part), std::string::npos) << error.what();
    }
  };
  refused(R"({"authorizers":[{"name":"a-b","type":"TOKEN",
              "identitySources":["method.request.header.A"]}],
              "routes":[{"method":"GET","path":"/x","auth":"custom","authorizer":"other"}]})",
          "\"other\" is not in \"authorizers\"");
  refused(
      R"({"authorizers":[{"name":"abc","type":"TOKEN","identitySources":["method.request.header.A"],
              "resultTtlSeconds":4000}],"routes":[]})",
      "0 to 3600");
  refused(R"({"authorizers":[{"name":"abc","type":"JWT"}],"routes":[]})", "TOKEN\" or \"REQUEST");
  refused(R"({"authorizers":[{"name":"abc","type":"TOKEN",
              "identitySources":["method.request.querystring.t"]}],"routes":[]})",
          "must be a header");
  refused(R"({"routes":[{"method":"GET","path":"/x","auth":"custom"}]})",
          ".authorizer must name an authorizer");
  refused(R"({"routes":[{"method":"GET","path":"/x","auth":"none","authorizer":"x"}]})",
          "needs auth \"custom\"");
}

json::object event(const std::string& text) { return json::parse(text).as_object(); }

TEST(LambdaAuthorizerIdentity, ReadsEachSourceAndRefusesMissingOnes) {
  const auto table = RouteTable::parse(table_json);
  const auto& bearer = *table.authorizer("bearer");
  const auto& caller = *table.authorizer("caller");
  // Header names compare without case, as HTTP's.
  EXPECT_EQ(auth::identity_of(bearer, event(R"({"headers":{"authorization":"Bearer abc"}})")),
            (auth::IdentityValues{"Bearer abc"}));
  EXPECT_FALSE(auth::identity_of(bearer, event(R"({"headers":{}})")));
  EXPECT_FALSE(auth::identity_of(bearer, event(R"({"headers":{"Authorization":""}})")));
  EXPECT_FALSE(auth::identity_of(bearer, event(R"({"headers":{"Authorization":"Bearer A1"}})")));
  // A hostile token cannot exhaust the matcher: refused or matched, never a crash.
  const std::string long_token = "Bearer " + std::string(100000, 'a');
  json::object long_event{{"headers", json::object{{"Authorization", long_token}}}};
  EXPECT_TRUE(auth::identity_of(bearer, long_event).has_value());
  const auto all = event(R"({"headers":{"X-Caller":"c"},"queryStringParameters":{"tenant":"t"},
                             "stageVariables":{"mode":"m"}})");
  EXPECT_EQ(auth::identity_of(caller, all), (auth::IdentityValues{"c", "t", "m"}));
  EXPECT_FALSE(auth::identity_of(
      caller, event(R"({"headers":{"X-Caller":"c"},"queryStringParameters":null})")));
}

TEST(LambdaAuthorizerOutput, ReadsPolicyAndStringifiesTheContext) {
  const auto output = auth::parse_authorizer_output(R"({"principalId":"u1",
    "policyDocument":{"Version":"2012-10-17","Statement":[
      {"Action":"execute-api:Invoke","Effect":"Allow","Resource":["arn:aws:execute-api:*"]},
      {"Action":["execute-api:Invoke"],"Effect":"Deny","Resource":"arn:x"}]},
    "context":{"s":"v","i":1,"f":1.5,"b":true,"n":null},"usageIdentifierKey":"key"})");
  ASSERT_TRUE(std::holds_alternative<auth::AuthorizerGrant>(output));
  const auto& grant = std::get<auth::AuthorizerGrant>(output);
  EXPECT_EQ(grant.principal_id, "u1");
  ASSERT_EQ(grant.statements.size(), 2U);
  EXPECT_FALSE(grant.statements[1].allow);
  EXPECT_EQ(grant.context.at("principalId"), "u1");
  EXPECT_EQ(grant.context.at("s"), "v");
  EXPECT_EQ(grant.context.at("i"), "1");
  EXPECT_EQ(grant.context.at("f"), "1.5");
  EXPECT_EQ(grant.context.at("b"), "true");
  EXPECT_FALSE(grant.context.contains("n"));
  EXPECT_EQ(grant.usage_identifier_key, "key");
}

// "Setting a JSON object or array as a valid value of any key in the context map isn't
// supported" ("Output from an API Gateway Lambda authorizer"): a 500 on AWS.
TEST(LambdaAuthorizerOutput, RefusesMalformedOutputs) {
  for (
      const char* bad : {
          R"(not json)",
          R"([])",
          R"({"policyDocument":{"Statement":[]}})",
          R"({"principalId":"u"})",
          R"({"principalId":"u","policyDocument":{}})",
          R"({"principalId":"u","policyDocument":{"Statement":[{"Effect":"Maybe","Action":"a","Resource":"r"}]}})",
          R"({"principalId":"u","policyDocument":{"Statement":[{"Effect":"Allow","Resource":"r"}]}})",
          R"({"principalId":"u","policyDocument":{"Statement":[]},"context":{"o":{"a":1}}})",
          R"({"principalId":"u","policyDocument":{"Statement":[]},"context":{"a":[1]}})",
      }) {
    EXPECT_TRUE(std::holds_alternative<std::string>(auth::parse_authorizer_output(bad))) << bad;
  }
}

// IAM's evaluation for the returned policy: an explicit Deny wins, '*' and '?' are wildcards.
TEST(LambdaAuthorizerPolicy, MatchesMethodArnsWithWildcards) {
  const std::string arn =
      auth::execute_api_arn("eu-west-1", "123456789012", "abc123", "prod", "GET", "/v1/items/7");
  EXPECT_EQ(arn, "arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/v1/items/7");
  EXPECT_EQ(auth::execute_api_arn("r", "a", "i", "prod", "GET", ""),
            "arn:aws:execute-api:r:a:i/prod/GET/");
  const auto statement = [](bool allow, std::string resource) {
    return auth::PolicyStatement{
        .allow = allow, .actions = {"execute-api:Invoke"}, .resources = {std::move(resource)}};
  };
  using auth::PolicyDecision;
  EXPECT_EQ(auth::evaluate_statements({statement(true, arn)}, arn), PolicyDecision::allow);
  EXPECT_EQ(auth::evaluate_statements(
                {statement(true, "arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/*")}, arn),
            PolicyDecision::allow);
  EXPECT_EQ(auth::evaluate_statements(
                {statement(true, "arn:aws:execute-api:*:*:abc123/*/GET/v1/items/?")}, arn),
            PolicyDecision::allow);
  EXPECT_EQ(auth::evaluate_statements({statement(true, "*"), statement(false, arn)}, arn),
            PolicyDecision::explicit_deny);
  EXPECT_EQ(
      auth::evaluate_statements(
          {statement(true, "arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/POST/*")}, arn),
      PolicyDecision::implicit_deny);
  EXPECT_EQ(auth::evaluate_statements({}, arn), PolicyDecision::implicit_deny);
  auto other_action = statement(true, "*");
  other_action.actions = {"execute-api:ManageConnections"};
  EXPECT_EQ(auth::evaluate_statements({other_action}, arn), PolicyDecision::implicit_deny);
}

TEST(LambdaAuthorizerAnswers, AreApiGatewaysAnswers) {
  EXPECT_EQ(auth::unauthorized_answer().status, 401);
  EXPECT_EQ(auth::unauthorized_answer().body, R"({"message":"Unauthorized"})");
  EXPECT_EQ(
      auth::access_denied_answer(true).body,
      R"({"Message":"User is not authorized to access this resource with an explicit deny"})");
  EXPECT_EQ(auth::access_denied_answer(false).error_type, "AccessDeniedException");
  EXPECT_EQ(auth::authorizer_configuration_answer().status, 500);
  EXPECT_EQ(auth::authorizer_configuration_answer().body, R"({"message":null})");
  EXPECT_EQ(auth::authorizer_configuration_answer().error_type, "AuthorizerConfigurationException");
  EXPECT_TRUE(auth::is_unauthorized_error(R"({"errorMessage":"Unauthorized","errorType":"E"})"));
  EXPECT_FALSE(auth::is_unauthorized_error(R"({"errorMessage":"Unauthorized: expired"})"));
  EXPECT_FALSE(auth::is_unauthorized_error("garbage"));
}

TEST(LambdaAuthorizerCalls, PrintsTheExampleIdentity) {
  const auto table = RouteTable::parse(table_json);
  std::ostringstream output;
  print_calls(output, table,
              {.base_url = "http://127.0.0.1:9/prod", .token_command = "t", .region = "r"});
  EXPECT_EQ(
      output.str(),
      "protected routes (docs/auth.md):\n"
      "  GET /me (authorizer bearer):\n"
      "    curl -i -H 'Authorization: Bearer local' 'http://127.0.0.1:9/prod/me'\n"
      "  GET /items/{id} (authorizer caller):\n"
      "    curl -i -H 'X-Caller: <X-Caller your authorizer accepts>' "
      "'http://127.0.0.1:9/prod/items/1?tenant=%3Ctenant%20your%20authorizer%20accepts%3E'\n");
}

}  // namespace
}  // namespace cppstack::local

// The typed Lambda authorizer API: events in the shapes API Gateway sends (documented in "Input
// to an API Gateway Lambda authorizer"), results in the shape it reads ("Output from an API
// Gateway Lambda authorizer": principalId, policyDocument, context of strings, numbers and
// booleans, usageIdentifierKey), and the declaration's rules as routes.json exports them.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cppstack/http/authorizer.hpp>
#include <cppstack/http/errors.hpp>
#include <cppstack/http/route_export.hpp>
#include <cppstack/http/routes.hpp>
#include <type_traits>

namespace cppstack::http {
namespace {

namespace json = boost::json;

constexpr std::string_view method_arn =
    "arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/GET/v1/items/42";

AuthorizerResult allow_everything(const AuthorizerEvent& event) {
  return AuthorizerResult::allow_api("user", event.method_arn);
}

// The TOKEN event of the "Input to an API Gateway Lambda authorizer" page.
TEST(Authorizer, ReadsTheTokenEvent) {
  const auto event =
      parse_authorizer_event(R"({"type":"TOKEN","authorizationToken":"allow","methodArn":")" +
                             std::string(method_arn) + R"("})");
  EXPECT_EQ(event.type, AuthorizerType::token);
  EXPECT_EQ(event.authorization_token, "allow");
  EXPECT_EQ(event.method_arn, std::string(method_arn));
}

// The REQUEST event: null maps read as empty, headers found without case.
TEST(Authorizer, ReadsTheRequestEvent) {
  const auto event = parse_authorizer_event(R"({
    "type": "REQUEST", "methodArn": "arn:aws:execute-api:us-east-1:123456789012:abc/prod/GET/x",
    "resource": "/x", "path": "/x", "httpMethod": "GET",
    "headers": {"X-Caller": "alice"}, "multiValueHeaders": {"X-Caller": ["alice"]},
    "queryStringParameters": {"tenant": "t1"},
    "multiValueQueryStringParameters": {"tenant": ["t1"]},
    "pathParameters": null, "stageVariables": null,
    "requestContext": {"stage": "prod", "requestId": "r-1"}})");
  EXPECT_EQ(event.type, AuthorizerType::request);
  EXPECT_EQ(event.header("x-caller"), "alice");
  EXPECT_EQ(event.query("tenant"), "t1");
  EXPECT_FALSE(event.query("other"));
  EXPECT_TRUE(event.path_parameters.empty());
  EXPECT_EQ(event.request_context.at("requestId"), "r-1");
  // Written back in the same shape.
  const auto written = to_json(event);
  EXPECT_EQ(written.at("multiValueHeaders").at("X-Caller").as_array().size(), 1U);
  EXPECT_EQ(written.at("resource"), "/x");
  EXPECT_FALSE(written.contains("authorizationToken"));
}

TEST(Authorizer, RefusesWhatIsNoAuthorizerEvent) {
  EXPECT_THROW((void)parse_authorizer_event("[]"), std::invalid_argument);
  EXPECT_THROW((void)parse_authorizer_event(R"({"type":"HTTP"})"), std::invalid_argument);
  EXPECT_THROW((void)parse_authorizer_event(R"({"type":"REQUEST","headers":{"a":1}})"),
               std::invalid_argument);
}

// The output document of the "Output from an API Gateway Lambda authorizer" page.
TEST(Authorizer, WritesTheOutputDocument) {
  auto result = AuthorizerResult::allow("user-1", std::string(method_arn))
                    .with("tier", "gold")
                    .with("level", 3)
                    .with("ratio", 0.5)
                    .with("admin", true);
  result.usage_identifier_key = "key-value-0123456789";
  const auto written = to_json(result);
  EXPECT_EQ(written.at("principalId"), "user-1");
  const auto& policy = written.at("policyDocument").as_object();
  EXPECT_EQ(policy.at("Version"), "2012-10-17");
  const auto& statement = policy.at("Statement").as_array().at(0).as_object();
  EXPECT_EQ(statement.at("Action"), "execute-api:Invoke");
  EXPECT_EQ(statement.at("Effect"), "Allow");
  EXPECT_EQ(statement.at("Resource").as_array().at(0).as_string(), method_arn);
  const auto& context = written.at("context").as_object();
  EXPECT_EQ(context.at("tier"), "gold");
  EXPECT_EQ(context.at("level"), 3);
  EXPECT_EQ(context.at("ratio"), 0.5);
  EXPECT_EQ(context.at("admin"), true);
  EXPECT_EQ(written.at("usageIdentifierKey"), "key-value-0123456789");
  EXPECT_FALSE(to_json(AuthorizerResult::deny("u", "arn")).contains("context"));
  EXPECT_EQ(to_json(AuthorizerResult::deny("u", "arn"))
                .at("policyDocument")
                .at("Statement")
                .at(0)
                .at("Effect"),
            "Deny");
}

// Context values are strings, numbers or booleans by type: anything else does not compile.
TEST(Authorizer, ContextValuesAreScalarsByType) {
  static_assert(std::is_constructible_v<ContextValue, const char*>);
  static_assert(std::is_constructible_v<ContextValue, std::string>);
  static_assert(std::is_constructible_v<ContextValue, int>);
  static_assert(std::is_constructible_v<ContextValue, double>);
  static_assert(std::is_constructible_v<ContextValue, bool>);
  static_assert(!std::is_constructible_v<ContextValue, json::object>);
  static_assert(!std::is_constructible_v<ContextValue, json::array>);
  static_assert(!std::is_constructible_v<ContextValue, std::vector<std::string>>);
  static_assert(!std::is_constructible_v<ContextValue, std::nullptr_t>);
  EXPECT_EQ(ContextValue(true).value().index(), 3U);  // a bool stays a bool
  EXPECT_EQ(ContextValue("x").value().index(), 0U);   // a literal is a string
}

TEST(Authorizer, AllowApiCoversEveryMethodOfTheStage) {
  EXPECT_EQ(api_stage_wildcard(method_arn),
            "arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/*");
  EXPECT_EQ(to_json(AuthorizerResult::allow_api("u", method_arn))
                .at("policyDocument")
                .at("Statement")
                .at(0)
                .at("Resource")
                .at(0),
            "arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/*");
  EXPECT_THROW((void)api_stage_wildcard("arn:aws:s3:::bucket/key"), std::invalid_argument);
  EXPECT_THROW((void)api_stage_wildcard("not an arn"), std::invalid_argument);
}

// "Unauthorized" is the only error message API Gateway answers with 401 (anything else is its
// 500): "include any other text in the context.fail call results in a 500"
// (github.com/auth0-samples/jwt-rsa-aws-custom-authorizer/pull/6).
TEST(Authorizer, UnauthorizedLeavesAsTheExactMessage) {
  const AuthorizerHandler refuse = [](const AuthorizerEvent&) -> AuthorizerResult {
    throw Unauthorized("the token expired");
  };
  try {
    (void)run_authorizer(refuse, R"({"type":"TOKEN","authorizationToken":"t","methodArn":"a"})");
    FAIL() << "no error";
  } catch (const std::exception& error) {
    EXPECT_STREQ(error.what(), "Unauthorized");
  }
  const auto answer =
      run_authorizer(allow_everything, R"({"type":"TOKEN","authorizationToken":"t","methodArn":")" +
                                           std::string(method_arn) + R"("})");
  EXPECT_EQ(json::parse(answer).at("principalId"), "user");
}

TEST(Authorizer, HandlerNamesSelectAnAuthorizer) {
  EXPECT_EQ(authorizer_handler("bearer"), "authorizer.bearer");
  EXPECT_EQ(authorizer_named_by("authorizer.bearer"), "bearer");
  EXPECT_FALSE(authorizer_named_by("bootstrap"));
  EXPECT_FALSE(authorizer_named_by("authorizer."));
}

AuthorizerDeclaration declared(AuthorizerOptions options) {
  return {.name = "bearer", .options = std::move(options), .handler = allow_everything};
}

void expect_refused(const AuthorizerOptions& options, const std::string& part) {
  try {
    check_authorizer(declared(options));
    ADD_FAILURE() << "accepted; expected: " << part;
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find(part), std::string::npos) << error.what();
  }
}

// API Gateway's rules for an authorizer: a TOKEN authorizer reads one header, a TTL of 0 to
// 3600 seconds, the validation expression for TOKEN only.
TEST(Authorizer, RefusesBadDeclarations) {
  EXPECT_NO_THROW(
      check_authorizer(declared({.identity_sources = {"method.request.header.Authorization"}})));
  EXPECT_NO_THROW(check_authorizer(
      declared({.type = AuthorizerType::request,
                .identity_sources = {"method.request.header.X-Caller",
                                     "method.request.querystring.tenant", "stageVariables.mode"},
                .result_ttl_seconds = 0})));
  EXPECT_NO_THROW(
      check_authorizer(declared({.type = AuthorizerType::request, .result_ttl_seconds = 0})));
  expect_refused({}, "exactly one identity source");
  expect_refused({.identity_sources = {"method.request.querystring.token"}}, "must be a header");
  expect_refused({.identity_sources = {"header.Authorization"}}, "must start with");
  expect_refused({.identity_sources = {"method.request.header.A b"}}, "must end with a name");
  expect_refused(
      {.identity_sources = {"method.request.header.Authorization"}, .result_ttl_seconds = 3601},
      "0 to 3600");
  expect_refused(
      {.identity_sources = {"method.request.header.Authorization"}, .result_ttl_seconds = -1},
      "0 to 3600");
  expect_refused({.identity_sources = {"method.request.header.Authorization"},
                  .identity_validation_expression = "(unclosed"},
                 "not a regular expression");
  expect_refused({.type = AuthorizerType::request,
                  .identity_sources = {"method.request.header.A"},
                  .identity_validation_expression = "^x$"},
                 "TOKEN authorizers only");
  expect_refused({.type = AuthorizerType::request}, "at least one identity source");
  EXPECT_THROW(check_authorizer({.name = "Bad_Name",
                                 .options = {.identity_sources = {"method.request.header.A"}},
                                 .handler = allow_everything}),
               std::invalid_argument);
}

Routes protected_routes() {
  Routes routes;
  routes.authorizer("bearer",
                    {.identity_sources = {"method.request.header.Authorization"},
                     .result_ttl_seconds = 60,
                     .identity_validation_expression = "^Bearer .+$"},
                    allow_everything);
  routes.get("/v1/me", {.authorizer = "bearer"}, [](const Request&) { return NoContent{}; });
  return routes;
}

TEST(Authorizer, ExportedInTheRouteTable) {
  Routes routes = protected_routes();
  const Resources resources = routes.resources();
  const auto table = route_table_json(std::move(routes).release(), resources).as_object();
  const auto& route = table.at("routes").at(0).as_object();
  EXPECT_EQ(route.at("auth"), "custom");
  EXPECT_EQ(route.at("authorizer"), "bearer");
  const auto& authorizer = table.at("authorizers").at(0).as_object();
  EXPECT_EQ(authorizer.at("name"), "bearer");
  EXPECT_EQ(authorizer.at("type"), "TOKEN");
  EXPECT_EQ(authorizer.at("identitySources").at(0), "method.request.header.Authorization");
  EXPECT_EQ(authorizer.at("resultTtlSeconds"), 60);
  EXPECT_EQ(authorizer.at("identityValidationExpression"), "^Bearer .+$");
}

TEST(Authorizer, TheOpenApiDocumentNamesTheAuthorizer) {
  Routes routes = protected_routes();
  const auto document = openapi_document(std::move(routes).release(),
                                         {.title = "t", .version = "1", .description = "d"})
                            .as_object();
  const auto& scheme = document.at("components").at("securitySchemes").at("bearer").as_object();
  EXPECT_EQ(scheme.at("x-amazon-apigateway-authtype"), "custom");
  const auto& operation = document.at("paths").at("/v1/me").at("get").as_object();
  EXPECT_TRUE(operation.at("security").at(0).as_object().contains("bearer"));
  EXPECT_TRUE(operation.at("responses").as_object().contains("401"));
}

TEST(Authorizer, ARouteMustNameADeclaredAuthorizer) {
  Routes routes;
  routes.get("/v1/me", {.authorizer = "missing"}, [](const Request&) { return NoContent{}; });
  const Resources resources = routes.resources();
  try {
    (void)route_table_json(std::move(routes).release(), resources);
    FAIL() << "accepted";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("\"missing\" is not declared"), std::string::npos)
        << error.what();
  }
  Routes custom_without_name;
  custom_without_name.get("/v1/me", {.auth = AuthMode::custom},
                          [](const Request&) { return NoContent{}; });
  EXPECT_THROW((void)route_table_json(std::move(custom_without_name).release()),
               std::invalid_argument);
  Routes twice;
  twice.authorizer("bearer", {.identity_sources = {"method.request.header.A"}}, allow_everything);
  EXPECT_THROW(twice.authorizer("bearer", {.identity_sources = {"method.request.header.A"}},
                                allow_everything),
               std::invalid_argument);
}

}  // namespace
}  // namespace cppstack::http

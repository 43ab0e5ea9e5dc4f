#include <boost/json/serialize.hpp>
#include <cppstack/http/route_export.hpp>
#include <cppstack/http/routes.hpp>
#include <stdexcept>

#include <gtest/gtest.h>

namespace cppstack::http {
namespace {

std::vector<Route> sample_routes() {
  const Handler handler = [](const Request&) { return events::ProxyResponse{}; };
  return {Route{.method = "GET",
                .path = "/v1",
                .handler_name = "index",
                .summary = "Index",
                .handler = handler},
          Route{.method = "POST",
                .path = "/v1/items/{id}",
                .handler_name = "update",
                .summary = "Update",
                .settings = {.auth = AuthMode::api_key,
                             .cache_ttl_seconds = 30,
                             .throttle = Throttle{.rate_limit = 5, .burst_limit = 10}},
                .handler = handler},
          Route{.method = "ANY",
                .path = "/v1/files/{path+}",
                .handler_name = "files",
                .summary = "Files",
                .handler = handler}};
}

TEST(RouteTableJson, HasEveryRouteWithItsSettings) {
  const auto table = route_table_json(sample_routes()).as_object();
  EXPECT_EQ(table.at("formatVersion"), 1);
  const auto& routes = table.at("routes").as_array();
  ASSERT_EQ(routes.size(), 3u);
  EXPECT_EQ(routes[0].at("method"), "GET");
  EXPECT_EQ(routes[0].at("path"), "/v1");
  EXPECT_EQ(routes[0].at("auth"), "none");
  EXPECT_EQ(routes[0].at("cacheTtlSeconds"), 0);
  EXPECT_TRUE(routes[0].at("throttle").is_null());
  EXPECT_EQ(routes[1].at("handler"), "update");
  EXPECT_EQ(routes[1].at("auth"), "apiKey");
  EXPECT_EQ(routes[1].at("cacheTtlSeconds"), 30);
  EXPECT_EQ(routes[1].at("throttle").at("rateLimit").to_number<double>(), 5.0);
  EXPECT_EQ(routes[1].at("throttle").at("burstLimit"), 10);
}

TEST(OpenApiDocument, DescribesEveryRoute) {
  const auto document =
      openapi_document(sample_routes(), {.title = "t", .version = "1.2.3", .description = "d"})
          .as_object();
  EXPECT_EQ(document.at("openapi"), "3.0.3");
  EXPECT_EQ(document.at("info").at("version"), "1.2.3");
  const auto& paths = document.at("paths").as_object();
  ASSERT_EQ(paths.size(), 3u);
  EXPECT_EQ(paths.at("/v1").at("get").at("operationId"), "index");
  const auto& update = paths.at("/v1/items/{id}").at("post").as_object();
  EXPECT_EQ(update.at("parameters").at(0).at("name"), "id");
  EXPECT_EQ(update.at("parameters").at(0).at("in"), "path");
  EXPECT_EQ(update.at("security").at(0).as_object().count("apiKey"), 1u);
  EXPECT_TRUE(update.at("responses").as_object().contains("403"));
  EXPECT_TRUE(paths.at("/v1/files/{path+}").as_object().contains("x-amazon-apigateway-any-method"));
  EXPECT_TRUE(document.at("components").at("securitySchemes").as_object().contains("apiKey"));
}

// --- OAuth scopes of cognito routes ---------------------------------------------------------

static_assert(is_oauth_scope("notes/read"));
static_assert(is_oauth_scope("https://api.example.com/notes.write"));
static_assert(is_oauth_scope("aws.cognito.signin.user.admin"));
static_assert(!is_oauth_scope(""));
static_assert(!is_oauth_scope("notes read"));
static_assert(!is_oauth_scope("quo\"te"));
static_assert(!is_oauth_scope("back\\slash"));
static_assert(!is_oauth_scope("tab\there"));
static_assert(!is_oauth_scope("caf\xc3\xa9"));

std::vector<Route> scoped_routes() {
  Routes routes;
  const auto handler = [](const Request&) { return events::ProxyResponse{}; };
  routes.get(
      "/v1/notes",
      {.name = "list_notes", .auth = AuthMode::cognito, .scopes = {"notes/read", "notes/admin"}},
      handler);
  routes.get("/v1/me", handler).name("me").auth(AuthMode::cognito);
  routes.post("/v1/notes", handler)
      .name("add_note")
      .auth(AuthMode::cognito)
      .scopes({"notes/write"});
  return std::move(routes).release();
}

TEST(RouteTableJson, WritesEachRoutesScopes) {
  const auto table = route_table_json(scoped_routes()).as_object();
  const auto& routes = table.at("routes").as_array();
  EXPECT_EQ(routes[0].at("authorizationScopes"), (boost::json::array{"notes/read", "notes/admin"}));
  EXPECT_EQ(routes[1].at("authorizationScopes"), boost::json::array{});
  EXPECT_EQ(routes[2].at("authorizationScopes"), boost::json::array{"notes/write"});
  EXPECT_EQ(routes[2].at("auth"), "cognito");
}

// OpenAPI's security requirement lists the scopes of the scheme, which API Gateway's importer
// takes as the method's authorizationScopes.
TEST(OpenApiDocument, SecurityRequirementCarriesTheScopes) {
  const auto document =
      openapi_document(scoped_routes(), {.title = "t", .version = "1", .description = "d"})
          .as_object();
  const auto& list = document.at("paths").at("/v1/notes").at("get").as_object();
  EXPECT_EQ(list.at("security"),
            (boost::json::array{boost::json::object{
                {"cognito", boost::json::array{"notes/read", "notes/admin"}}}}));
  EXPECT_EQ(document.at("paths").at("/v1/me").at("get").at("security"),
            (boost::json::array{boost::json::object{{"cognito", boost::json::array{}}}}));
  EXPECT_EQ(list.at("responses").as_object().count("401"), 1u);
}

TEST(RouteTableJson, RefusesScopesAsStringsThatAreNotScopesOrOnOtherModes) {
  const Handler handler = [](const Request&) { return events::ProxyResponse{}; };
  const auto refusal = [&](RouteSettings settings) {
    try {
      (void)route_table_json({Route{.method = "GET",
                                    .path = "/v1/x",
                                    .handler_name = "x",
                                    .settings = std::move(settings),
                                    .handler = handler}});
    } catch (const std::invalid_argument& error) {
      return std::string(error.what());
    }
    return std::string("accepted");
  };
  EXPECT_EQ(refusal({.auth = AuthMode::iam,
                     .scopes = {"notes/read"},
                     .cache_ttl_seconds = 0,
                     .throttle = {}}),
            "GET /v1/x: scopes need auth cognito (API Gateway checks them against a Cognito "
            "access token only)");
  EXPECT_EQ(refusal({.auth = AuthMode::cognito,
                     .scopes = {"notes read"},
                     .cache_ttl_seconds = 0,
                     .throttle = {}}),
            "GET /v1/x: scope \"notes read\" is not an OAuth scope (printable ASCII without "
            "spaces, quotes or backslashes, at most 513 characters)");
  EXPECT_EQ(refusal({.auth = AuthMode::cognito,
                     .scopes = {"notes/read"},
                     .cache_ttl_seconds = 0,
                     .throttle = {}}),
            "accepted");
}

}  // namespace
}  // namespace cppstack::http

namespace cppstack::http {
namespace {

// A key as well as a token: API Gateway's apiKeyRequired beside an authorizer
// (AWS::ApiGateway::Method ApiKeyRequired with AuthorizationType COGNITO_USER_POOLS). In
// OpenAPI, schemes in one security requirement object are all required at once.
TEST(RouteTableJson, WritesApiKeyRequiredBesideATokenOnly) {
  Routes routes;
  const auto handler = [](const Request&) { return events::ProxyResponse{}; };
  routes.get("/v1/both", {.name = "both", .auth = AuthMode::cognito, .api_key_required = true},
             handler);
  routes.get("/v1/keyed", handler).name("keyed").auth(AuthMode::api_key).api_key_required();
  routes.post("/v1/signed", handler).name("signed").auth(AuthMode::iam);
  const auto table = std::move(routes).release();
  const auto json = route_table_json(table).as_object();
  const auto& entries = json.at("routes").as_array();
  EXPECT_EQ(entries[0].at("apiKeyRequired"), true);
  EXPECT_FALSE(entries[1].as_object().contains("apiKeyRequired")) << "auth apiKey says it already";
  EXPECT_FALSE(entries[2].as_object().contains("apiKeyRequired"));

  const auto document =
      openapi_document(table, {.title = "t", .version = "1", .description = "d"}).as_object();
  EXPECT_EQ(document.at("paths").at("/v1/both").at("get").at("security"),
            (boost::json::array{boost::json::object{{"cognito", boost::json::array{}},
                                                    {"apiKey", boost::json::array{}}}}));
  EXPECT_EQ(document.at("paths").at("/v1/signed").at("post").at("security"),
            (boost::json::array{boost::json::object{{"sigv4", boost::json::array{}}}}));
}

TEST(RouteTableJson, RefusesApiKeyRequiredWithoutATokenOrSignature) {
  Routes routes;
  routes.get("/v1/x", [](const Request&) { return events::ProxyResponse{}; })
      .name("x")
      .api_key_required();
  EXPECT_THROW((void)route_table_json(std::move(routes).release()), std::invalid_argument);
}

}  // namespace
}  // namespace cppstack::http

// CORS from configuration. The defaults are those of the CDK's CORS preflight
// (aws-cdk-lib/aws-apigateway Cors.DEFAULT_HEADERS and Cors.ALL_METHODS), so the function and
// API Gateway's OPTIONS method agree.
#include <cppstack/http/cors.hpp>
#include <cppstack/http/responses.hpp>

#include <gtest/gtest.h>

#include <map>

namespace cppstack::http {
namespace {

VariableLookup lookup_of(std::map<std::string, std::string> variables) {
  return [variables = std::move(variables)](std::string_view name) -> std::optional<std::string> {
    const auto found = variables.find(std::string(name));
    if (found == variables.end()) return std::nullopt;
    return found->second;
  };
}

events::ProxyEvent event_for(std::string method, std::optional<std::string> origin) {
  events::ProxyEvent event;
  event.http_method = std::move(method);
  event.path = "/v1/items/1";
  if (origin) event.headers = events::StringMap{{"Origin", *origin}};
  return event;
}

Service service_with(CorsOptions options) {
  return Service(Router({Route{.method = "GET",
                               .path = "/v1/items/{id}",
                               .handler_name = "item",
                               .summary = "",
                               .handler = [](const Request&) { return json_response(200, {}); }}}),
                 {cors_middleware(std::move(options))});
}

TEST(CorsConfig, OffWithoutOrigins) {
  EXPECT_FALSE(cors_options_from(lookup_of({})));
  EXPECT_FALSE(cors_options_from(lookup_of({{"CORS_ALLOW_ORIGINS", ""}})));
}

TEST(CorsConfig, ReadsEveryVariable) {
  const auto options = cors_options_from(lookup_of({
      {"CORS_ALLOW_ORIGINS", "https://app.example.com, http://localhost:5173"},
      {"CORS_ALLOW_METHODS", "GET,POST"},
      {"CORS_ALLOW_HEADERS", "Content-Type, Authorization"},
      {"CORS_ALLOW_CREDENTIALS", "true"},
      {"CORS_MAX_AGE_SECONDS", "300"},
  }));
  ASSERT_TRUE(options);
  EXPECT_EQ(options->allow_origins,
            (std::vector<std::string>{"https://app.example.com", "http://localhost:5173"}));
  EXPECT_EQ(options->allow_methods, "GET,POST");
  EXPECT_EQ(options->allow_headers, "Content-Type,Authorization");
  EXPECT_TRUE(options->allow_credentials);
  EXPECT_EQ(options->max_age_seconds, 300);
}

TEST(CorsConfig, DefaultsAreTheCdkPreflightDefaults) {
  const auto options = cors_options_from(lookup_of({{"CORS_ALLOW_ORIGINS", "*"}}));
  ASSERT_TRUE(options);
  EXPECT_EQ(options->allow_methods, "OPTIONS,GET,PUT,POST,DELETE,PATCH,HEAD");
  EXPECT_EQ(
      options->allow_headers,
      "Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token,X-Amz-User-Agent");
  EXPECT_FALSE(options->allow_credentials);
}

TEST(CorsConfig, TheOldSingularNameStillWorks) {
  const auto options = cors_options_from(lookup_of({{"CORS_ALLOW_ORIGIN", "https://a.example"}}));
  ASSERT_TRUE(options);
  EXPECT_EQ(options->allow_origins, std::vector<std::string>{"https://a.example"});
  EXPECT_NO_THROW((void)cors_options_from(lookup_of(
      {{"CORS_ALLOW_ORIGIN", "https://a.example"}, {"CORS_ALLOW_ORIGINS", "https://a.example"}})));
}

TEST(CorsConfig, BadValuesNameTheVariable) {
  const std::vector<std::pair<std::map<std::string, std::string>, std::string>> cases{
      {{{"CORS_ALLOW_ORIGINS", "https://a.example/path"}}, "CORS_ALLOW_ORIGINS"},
      {{{"CORS_ALLOW_ORIGINS", "*,https://a.example"}}, "CORS_ALLOW_ORIGINS"},
      {{{"CORS_ALLOW_ORIGINS", "a.example"}}, "CORS_ALLOW_ORIGINS"},
      {{{"CORS_ALLOW_ORIGIN", "https://a.example"}, {"CORS_ALLOW_ORIGINS", "https://b.example"}},
       "CORS_ALLOW_ORIGIN"},
      {{{"CORS_ALLOW_ORIGINS", "*"}, {"CORS_ALLOW_CREDENTIALS", "true"}}, "CORS_ALLOW_CREDENTIALS"},
      {{{"CORS_ALLOW_ORIGINS", "*"}, {"CORS_ALLOW_CREDENTIALS", "yes"}}, "CORS_ALLOW_CREDENTIALS"},
      {{{"CORS_ALLOW_ORIGINS", "*"}, {"CORS_ALLOW_METHODS", "GET,FETCH"}}, "CORS_ALLOW_METHODS"},
      {{{"CORS_ALLOW_ORIGINS", "*"}, {"CORS_ALLOW_HEADERS", "X-Ok,Bad Header"}},
       "CORS_ALLOW_HEADERS"},
      {{{"CORS_ALLOW_ORIGINS", "*"}, {"CORS_MAX_AGE_SECONDS", "-1"}}, "CORS_MAX_AGE_SECONDS"},
      {{{"CORS_ALLOW_ORIGINS", "*"}, {"CORS_MAX_AGE_SECONDS", "86401"}}, "CORS_MAX_AGE_SECONDS"},
  };
  for (const auto& [variables, name] : cases) {
    try {
      (void)cors_options_from(lookup_of(variables));
      ADD_FAILURE() << "accepted a bad value for " << name;
    } catch (const CorsConfigError& error) {
      EXPECT_NE(std::string(error.what()).find(name), std::string::npos) << error.what();
    }
  }
}

TEST(CorsMiddleware, EchoesAnAllowedOriginAndVariesOnOrigin) {
  const auto service = service_with(
      {.allow_origins = {"https://a.example", "https://b.example"}, .allow_credentials = true});
  const auto allowed = service.handle(event_for("GET", "https://b.example"), {});
  EXPECT_EQ(allowed.status_code, 200);
  EXPECT_EQ(allowed.headers.at("Access-Control-Allow-Origin"), "https://b.example");
  EXPECT_EQ(allowed.headers.at("Access-Control-Allow-Credentials"), "true");
  EXPECT_EQ(allowed.headers.at("Vary"), "Origin");

  const auto refused = service.handle(event_for("GET", "https://evil.example"), {});
  EXPECT_EQ(refused.status_code, 200);
  EXPECT_FALSE(refused.headers.contains("Access-Control-Allow-Origin"));
  EXPECT_FALSE(refused.headers.contains("Access-Control-Allow-Credentials"));
  EXPECT_EQ(refused.headers.at("Vary"), "Origin");
}

TEST(CorsMiddleware, AnyOriginIsAStar) {
  const auto service = service_with({});
  const auto response = service.handle(event_for("GET", "https://x.example"), {});
  EXPECT_EQ(response.headers.at("Access-Control-Allow-Origin"), "*");
  EXPECT_FALSE(response.headers.contains("Vary"));
  EXPECT_FALSE(service.handle(event_for("GET", std::nullopt), {})
                   .headers.contains("Access-Control-Allow-Origin"));
}

TEST(CorsMiddleware, AnswersPreflightsItself) {
  const auto service = service_with({.allow_origins = {"https://a.example"},
                                     .allow_methods = "GET,POST",
                                     .allow_headers = "Content-Type",
                                     .max_age_seconds = 120});
  auto preflight = event_for("OPTIONS", "https://a.example");
  preflight.headers->emplace("Access-Control-Request-Method", "POST");
  const auto response = service.handle(preflight, {});
  EXPECT_EQ(response.status_code, 204);
  EXPECT_EQ(response.headers.at("Access-Control-Allow-Origin"), "https://a.example");
  EXPECT_EQ(response.headers.at("Access-Control-Allow-Methods"), "GET,POST");
  EXPECT_EQ(response.headers.at("Access-Control-Allow-Headers"), "Content-Type");
  EXPECT_EQ(response.headers.at("Access-Control-Max-Age"), "120");
  // Without Access-Control-Request-Method it is a plain OPTIONS request for the router (405).
  EXPECT_EQ(service.handle(event_for("OPTIONS", "https://a.example"), {}).status_code, 405);
}

}  // namespace
}  // namespace cppstack::http

// Conditional GETs: strong ETag, If-None-Match -> 304 (RFC 9110 sections 8.8.3, 13.1.2 and
// 15.4.5), Cache-Control from the route's stage cache TTL.
#include <cppstack/http/conditional.hpp>
#include <cppstack/http/responses.hpp>

#include <gtest/gtest.h>

namespace cppstack::http {
namespace {

Route route(std::string method, std::string path, RouteSettings settings, Handler handler) {
  return Route{.method = std::move(method),
               .path = std::move(path),
               .handler_name = "handler",
               .summary = "",
               .settings = settings,
               .handler = std::move(handler)};
}

std::vector<Route> routes() {
  const auto answer = [](const Request&) { return json_response(200, {{"stable", true}}); };
  return {
      route("GET", "/v1", {}, answer),
      route("GET", "/v1/cached", {.cache_ttl_seconds = 300, .throttle = std::nullopt}, answer),
      route("GET", "/v1/private",
            {.auth = AuthMode::cognito, .cache_ttl_seconds = 60, .throttle = std::nullopt}, answer),
      route("POST", "/v1", {}, answer), route("GET", "/v1/missing", {}, [](const Request& request) {
        return error_response(404, "Not Found", request.correlation_id());
      })};
}

Service service() {
  auto table = routes();
  auto middleware = conditional_get_middleware(table);
  return Service(Router(std::move(table)), {std::move(middleware)});
}

events::ProxyEvent event_for(std::string method, std::string path,
                             std::optional<std::string> if_none_match = std::nullopt) {
  events::ProxyEvent event;
  event.http_method = std::move(method);
  event.path = std::move(path);
  if (if_none_match) event.headers = events::StringMap{{"If-None-Match", *if_none_match}};
  return event;
}

TEST(StrongEtag, IsQuotedStableAndChangesWithAnyByte) {
  const std::string tag = strong_etag(R"({"a":1})");
  EXPECT_EQ(tag.front(), '"');
  EXPECT_EQ(tag.back(), '"');
  EXPECT_FALSE(tag.starts_with("W/"));
  EXPECT_EQ(tag, strong_etag(R"({"a":1})"));
  EXPECT_NE(tag, strong_etag(R"({"a":2})"));
  EXPECT_NE(strong_etag(""), strong_etag(std::string(1, '\0')));
  EXPECT_NE(strong_etag(std::string(17, 'x')), strong_etag(std::string(16, 'x') + "y"));
}

// The middleware remembers the last body's tag: alternating bodies, a body that differs in
// its last byte only, and bodies above what is remembered each get their own tag.
TEST(ConditionalGet, EveryAnswerGetsTheTagOfItsOwnBody) {
  const std::vector<std::string> bodies{"a",
                                        "b",
                                        "a",
                                        "a",
                                        std::string(16 * 1024, 'x'),
                                        std::string(16 * 1024 - 1, 'x') + "y",
                                        std::string(20000, 'x'),
                                        std::string(19999, 'x') + "y",
                                        std::string(20000, 'x'),
                                        "b"};
  std::size_t next = 0;
  const auto answer = [&](const Request&) {
    events::ProxyResponse response;
    response.body = bodies.at(next++);
    return response;
  };
  std::vector<Route> table{route("GET", "/v1/body", {}, answer)};
  auto middleware = conditional_get_middleware(table);
  const Service under_test(Router(std::move(table)), {std::move(middleware)});
  for (const std::string& body : bodies) {
    const auto response = under_test.handle(event_for("GET", "/v1/body"), {});
    ASSERT_EQ(response.body, body);
    EXPECT_EQ(response.headers.at("ETag"), strong_etag(body)) << body.size();
  }
}

TEST(IfNoneMatch, ListsStarAndWeakComparison) {
  const std::string tag = "\"7-abc\"";
  EXPECT_TRUE(if_none_match_matches("\"7-abc\"", tag));
  EXPECT_TRUE(if_none_match_matches("\"x\", \"7-abc\"", tag));
  EXPECT_TRUE(if_none_match_matches("W/\"7-abc\"", tag));
  EXPECT_TRUE(if_none_match_matches(" * ", tag));
  EXPECT_FALSE(if_none_match_matches("\"7-abd\"", tag));
  EXPECT_FALSE(if_none_match_matches("", tag));
  EXPECT_FALSE(if_none_match_matches("7-abc", tag));
}

TEST(ConditionalGet, AddsEtagAndCacheControlFromTheRoute) {
  const auto service_under_test = service();
  const auto index = service_under_test.handle(event_for("GET", "/v1"), {});
  EXPECT_EQ(index.status_code, 200);
  EXPECT_EQ(index.headers.at("ETag"), strong_etag(index.body));
  EXPECT_EQ(index.headers.at("Cache-Control"), "no-cache");
  EXPECT_EQ(
      service_under_test.handle(event_for("GET", "/v1/cached"), {}).headers.at("Cache-Control"),
      "public, max-age=300");
  EXPECT_EQ(
      service_under_test.handle(event_for("GET", "/v1/private"), {}).headers.at("Cache-Control"),
      "private, max-age=60");
}

TEST(ConditionalGet, MatchingIfNoneMatchIsA304WithoutBody) {
  const auto service_under_test = service();
  const auto first = service_under_test.handle(event_for("GET", "/v1/cached"), {});
  const auto second =
      service_under_test.handle(event_for("GET", "/v1/cached", first.headers.at("ETag")), {});
  EXPECT_EQ(second.status_code, 304);
  EXPECT_TRUE(second.body.empty());
  EXPECT_EQ(second.headers.at("ETag"), first.headers.at("ETag"));
  EXPECT_EQ(second.headers.at("Cache-Control"), "public, max-age=300");
  EXPECT_FALSE(second.headers.contains("Content-Type"));

  const auto changed = service_under_test.handle(event_for("GET", "/v1/cached", "\"0-0\""), {});
  EXPECT_EQ(changed.status_code, 200);
  EXPECT_EQ(changed.body, first.body);
}

// Two If-None-Match lines are one list (RFC 9110 section 5.3): a match in the first line counts
// although the event's `headers` holds only the last one (API Gateway keeps every line in
// multiValueHeaders).
TEST(ConditionalGet, SeveralIfNoneMatchLinesAreOneList) {
  const auto service_under_test = service();
  const auto first = service_under_test.handle(event_for("GET", "/v1/cached"), {});
  auto event = event_for("GET", "/v1/cached", "\"0-0\"");
  event.multi_value_headers =
      events::MultiValueMap{{"If-None-Match", {first.headers.at("ETag"), "\"0-0\""}}};
  EXPECT_EQ(service_under_test.handle(event, {}).status_code, 304);
  // Lines spelled differently are the same field.
  event.multi_value_headers = events::MultiValueMap{{"if-none-match", {first.headers.at("ETag")}},
                                                    {"If-None-Match", {"\"0-0\""}}};
  EXPECT_EQ(service_under_test.handle(event, {}).status_code, 304);
  event.multi_value_headers = events::MultiValueMap{{"If-None-Match", {"\"1-1\"", "\"0-0\""}}};
  EXPECT_EQ(service_under_test.handle(event, {}).status_code, 200);
}

TEST(ConditionalGet, LeavesOtherMethodsAndStatusesAlone) {
  const auto service_under_test = service();
  const auto post = service_under_test.handle(event_for("POST", "/v1", "*"), {});
  EXPECT_EQ(post.status_code, 200);
  EXPECT_FALSE(post.headers.contains("ETag"));
  const auto missing = service_under_test.handle(event_for("GET", "/v1/missing", "*"), {});
  EXPECT_EQ(missing.status_code, 404);
  EXPECT_FALSE(missing.headers.contains("ETag"));
  const auto unknown = service_under_test.handle(event_for("GET", "/nowhere", "*"), {});
  EXPECT_EQ(unknown.status_code, 404);
}

}  // namespace
}  // namespace cppstack::http

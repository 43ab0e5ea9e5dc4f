#include <cppstack/http/router.hpp>

#include <gtest/gtest.h>

namespace cppstack::http {
namespace {

Route route(std::string method, std::string path, std::string name) {
  return Route{.method = std::move(method),
               .path = std::move(path),
               .handler_name = std::move(name),
               .summary = "",
               .handler = [](const Request&) { return events::ProxyResponse{}; }};
}

Router sample_router() {
  return Router({route("GET", "/v1", "index"), route("GET", "/v1/items/{id}", "get_item"),
                 route("DELETE", "/v1/items/{id}", "delete_item"),
                 route("GET", "/v1/items/special", "special"), route("ANY", "/v1/echo", "echo"),
                 route("GET", "/v1/files/{path+}", "files")});
}

struct RouteCase {
  const char* method;
  const char* path;
  RouteMatch::Outcome outcome;
  const char* handler;  // for matched
  const char* allow;    // for method_not_allowed
};

class RouterTable : public ::testing::TestWithParam<RouteCase> {};

TEST_P(RouterTable, Routes) {
  const Router router = sample_router();
  const RouteCase& test_case = GetParam();
  const RouteMatch match = router.match(test_case.method, test_case.path);
  ASSERT_EQ(match.outcome, test_case.outcome) << test_case.method << " " << test_case.path;
  if (match.outcome == RouteMatch::Outcome::matched) {
    EXPECT_EQ(match.route->handler_name, test_case.handler);
  }
  if (match.outcome == RouteMatch::Outcome::method_not_allowed) {
    EXPECT_EQ(match.allowed_methods, test_case.allow);
  }
}

using Outcome = RouteMatch::Outcome;
INSTANTIATE_TEST_SUITE_P(
    Table, RouterTable,
    ::testing::Values(RouteCase{"GET", "/v1", Outcome::matched, "index", ""},
                      RouteCase{"GET", "/v1/", Outcome::matched, "index", ""},
                      RouteCase{"GET", "/v1/items/7", Outcome::matched, "get_item", ""},
                      RouteCase{"DELETE", "/v1/items/7", Outcome::matched, "delete_item", ""},
                      RouteCase{"GET", "/v1/items/special", Outcome::matched, "special", ""},
                      RouteCase{"PUT", "/v1/items/7", Outcome::method_not_allowed, "",
                                "GET, DELETE"},
                      RouteCase{"POST", "/v1", Outcome::method_not_allowed, "", "GET"},
                      RouteCase{"PATCH", "/v1/echo", Outcome::matched, "echo", ""},
                      RouteCase{"GET", "/v1/files/a/b", Outcome::matched, "files", ""},
                      RouteCase{"GET", "/v2", Outcome::not_found, "", ""},
                      RouteCase{"GET", "/", Outcome::not_found, "", ""},
                      RouteCase{"GET", "/v1/items", Outcome::not_found, "", ""}));

TEST(Router, CapturesParameters) {
  const Router router = sample_router();
  const RouteMatch match = router.match("GET", "/v1/files/docs/readme.md");
  ASSERT_EQ(match.outcome, Outcome::matched);
  EXPECT_EQ(match.parameters, (events::StringMap{{"path", "docs/readme.md"}}));
}

// The gateway's matcher and this router are one (resource_matcher.hpp). Recorded from AWS: a
// more specific resource without the method falls to a greedy resource that has it, so
// GET /v1/items/42 reaches GET /{proxy+} next to POST /v1/items/{id}.
TEST(Router, MissingMethodFallsToAGreedyResourceAsOnApiGateway) {
  const Router router({route("POST", "/v1/items/{id}", "post_item"),
                       route("GET", "/{proxy+}", "proxy"), route("ANY", "/v1/{rest+}", "rest")});
  const auto get = router.match("GET", "/v1/items/42");
  ASSERT_EQ(get.outcome, Outcome::matched);
  EXPECT_EQ(get.route->handler_name, "rest");  // the most specific greedy resource first
  EXPECT_EQ(get.parameters, (events::StringMap{{"rest", "items/42"}}));
  const Router only_root(
      {route("POST", "/v1/items/{id}", "post_item"), route("GET", "/{proxy+}", "proxy")});
  const auto root = only_root.match("GET", "/v1/items/42");
  ASSERT_EQ(root.outcome, Outcome::matched);
  EXPECT_EQ(root.route->handler_name, "proxy");
  EXPECT_EQ(root.parameters, (events::StringMap{{"proxy", "v1/items/42"}}));
  // No greedy resource has the method: the most specific resource's methods are allowed.
  const auto del = only_root.match("DELETE", "/v1/items/42");
  ASSERT_EQ(del.outcome, Outcome::method_not_allowed);
  EXPECT_EQ(del.allowed_methods, "POST");
  // Empty segments are skipped, as the gateway skips them (recorded, contracts.md section 1).
  EXPECT_EQ(only_root.match("POST", "/v1//items/42").route->handler_name, "post_item");
}

// "A sibling ({id}) of this resource already has a variable path part -- only one is
// allowed": API Gateway refuses a second variable child, a greedy one included
// (amazon-archives/aws-apigateway-importer#202; serverless-nextjs/serverless-next.js#206 for
// {proxy+} next to {uid}).
TEST(Router, TwoVariableChildrenOfOneResourceAreRefused) {
  EXPECT_THROW(Router({route("GET", "/v1/{id}", "a"), route("GET", "/v1/{name}/x", "b")}),
               std::invalid_argument);
  EXPECT_THROW(Router({route("GET", "/{id}", "a"), route("GET", "/{proxy+}", "b")}),
               std::invalid_argument);
  EXPECT_NO_THROW(Router({route("GET", "/v1/{id}", "a"), route("GET", "/v1/{id}/x", "b"),
                          route("GET", "/v1/fixed", "c"), route("GET", "/{proxy+}", "d")}));
}

TEST(Router, LiteralRouteWinsWhateverTheOrderOfDefinition) {
  const Router router({route("GET", "/v1/{name}", "variable"), route("GET", "/v1/fixed", "fixed")});
  EXPECT_EQ(router.match("GET", "/v1/fixed").route->handler_name, "fixed");
  EXPECT_EQ(router.match("GET", "/v1/other").route->handler_name, "variable");
}

TEST(Router, RejectsABadTableAtConstruction) {
  EXPECT_THROW(Router({route("GET", "/v1", "a"), route("GET", "/v1", "b")}), std::invalid_argument);
  EXPECT_THROW(Router({route("FETCH", "/v1", "a")}), std::invalid_argument);
  EXPECT_THROW(Router({route("GET", "v1", "a")}), PathTemplateError);
  Route without_handler = route("GET", "/v1", "a");
  without_handler.handler = nullptr;
  EXPECT_THROW(Router({without_handler}), std::invalid_argument);
}

}  // namespace
}  // namespace cppstack::http

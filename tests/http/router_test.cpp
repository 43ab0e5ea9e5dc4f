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

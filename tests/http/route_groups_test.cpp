// Route groups: routes below a prefix, defined in any number of source files and included in
// one place; before/after hooks and middleware per group and for the whole API, in order.
#include <boost/json/parse.hpp>
#include <cppstack/http/routes.hpp>
#include <cppstack/http/service.hpp>
#include <cppstack/http/testing.hpp>

#include <gtest/gtest.h>

namespace route_groups_example {
cppstack::http::Routes tag_routes();  // route_groups_other_file.cpp
}

namespace cppstack::http {
namespace {

Routes bookmark_routes(std::shared_ptr<std::vector<std::string>> trace) {
  Routes routes("/v1/bookmarks");
  routes.before([trace](Request&) { trace->push_back("bookmarks before"); });
  routes.after([trace](const Request&, events::ProxyResponse& response) {
    trace->push_back("bookmarks after " + std::to_string(response.status_code));
  });
  routes.get("/{id}", [trace](const Request& request) {
    trace->push_back("handler");
    if (request.path("id") == "0") throw NotFound("no such bookmark", "id");
    return std::string(request.path("id"));
  });
  routes.del("/{id}", [](const Request&) { return NoContent{}; }).name("forget_bookmark");
  return routes;
}

class RouteGroups : public ::testing::Test {
 protected:
  RouteGroups() {
    Routes api;
    api.before([this](Request& request) {
      trace_->push_back("app before");
      request.context["app"] = "cppstack";
    });
    api.include(bookmark_routes(trace_));
    api.get("/v1/ping", [](const Request&) { return std::string("pong"); });
    api.include(route_groups_example::tag_routes());
    // Added after the routes, it still wraps all of them: the app's hooks are the outermost.
    api.after([this](const Request&, events::ProxyResponse& response) {
      trace_->push_back("app after");
      response.headers["X-Served-By"] = "cppstack";
    });
    routes_ = std::move(api).release();
  }
  events::ProxyResponse send(std::string_view method, std::string_view target) const {
    const Service service{Router(routes_)};
    return service.handle(testing::event(method, target), {});
  }
  std::shared_ptr<std::vector<std::string>> trace_ = std::make_shared<std::vector<std::string>>();
  std::vector<Route> routes_;
};

TEST_F(RouteGroups, PathsAreBelowEachGroupsPrefixAndNamesComeFromTheFullPath) {
  std::vector<std::string> table;
  for (const Route& route : routes_) {
    table.push_back(route.method + " " + route.path + " " + route.handler_name);
  }
  EXPECT_EQ(table, (std::vector<std::string>{
                       "GET /v1/bookmarks/{id} get_v1_bookmarks_id",
                       "DELETE /v1/bookmarks/{id} forget_bookmark",
                       "GET /v1/ping get_v1_ping",
                       "GET /v1/tags get_v1_tags",
                       "GET /v1/tags/{name} get_v1_tags_name",
                   }));
}

TEST_F(RouteGroups, GroupsFromAnotherFileServeWithTheAppsContext) {
  EXPECT_EQ(send("GET", "/v1/tags").body, R"(["tags","cppstack"])");
  EXPECT_EQ(send("GET", "/v1/tags/news").body, R"("news")");
  EXPECT_EQ(send("GET", "/v1/tags/news").headers.at("X-Served-By"), "cppstack");
}

TEST_F(RouteGroups, HooksRunAppOutsideGroupInsideAndSeeErrorAnswers) {
  EXPECT_EQ(send("GET", "/v1/bookmarks/7").body, R"("7")");
  EXPECT_EQ(*trace_, (std::vector<std::string>{"app before", "bookmarks before", "handler",
                                               "bookmarks after 200", "app after"}));
  trace_->clear();
  const auto missing = send("GET", "/v1/bookmarks/0");
  EXPECT_EQ(missing.status_code, 404);
  EXPECT_EQ(boost::json::parse(missing.body).at("field"), "id");
  EXPECT_EQ(missing.headers.at("X-Served-By"), "cppstack");
  EXPECT_EQ(*trace_, (std::vector<std::string>{"app before", "bookmarks before", "handler",
                                               "bookmarks after 404", "app after"}));
  trace_->clear();
  EXPECT_EQ(send("GET", "/v1/ping").body, R"("pong")");
  EXPECT_EQ(*trace_, (std::vector<std::string>{"app before", "app after"}));
}

TEST(RouteGroupHooks, ABeforeHookMayAnswerInsteadOfTheHandler) {
  Routes api("/v1");
  api.before([](Request& request) {
    if (!request.header("Authorization")) throw Unauthorized("sign in first");
  });
  api.get("/me", [](const Request&) { return std::string("me"); });
  const Service service{Router(std::move(api).release())};
  const auto response = service.handle(testing::event("GET", "/v1/me"), {});
  EXPECT_EQ(response.status_code, 401);
  EXPECT_EQ(boost::json::parse(response.body).at("message"), "sign in first");
}

TEST(RouteGroupHooks, MiddlewareGivesACustomErrorShape) {
  // A group that answers errors in its own shape (e.g. RFC 9457 problem details).
  Routes api("/v2");
  api.use([](Request& request, const Next& next) {
    try {
      return next(request);
    } catch (const HttpError& error) {
      events::ProxyResponse response =
          json_response(error.status_code(), boost::json::object{{"title", error.what()},
                                                                 {"status", error.status_code()},
                                                                 {"instance", request.event.path}});
      response.headers["Content-Type"] = "application/problem+json";
      return response;
    }
  });
  api.get("/things/{id}", [](const Request&) -> std::string { throw NotFound("no such thing"); });
  const Service service{Router(std::move(api).release())};
  const auto response = service.handle(testing::event("GET", "/v2/things/1"), {});
  EXPECT_EQ(response.status_code, 404);
  EXPECT_EQ(response.headers.at("Content-Type"), "application/problem+json");
  EXPECT_EQ(
      boost::json::parse(response.body),
      boost::json::parse(R"({"title":"no such thing","status":404,"instance":"/v2/things/1"})"));
}

}  // namespace
}  // namespace cppstack::http

#include <boost/json/parse.hpp>
#include <cppstack/http/responses.hpp>
#include <cppstack/http/service.hpp>

#include <gtest/gtest.h>

namespace cppstack::http {
namespace {

events::ProxyEvent event_for(std::string method, std::string path) {
  events::ProxyEvent event;
  event.http_method = std::move(method);
  event.path = std::move(path);
  event.request_context.request_id = "api-request-1";
  return event;
}

std::vector<Route> routes_with(Handler handler, std::string path = "/v1/items/{id}") {
  return {Route{.method = "GET",
                .path = std::move(path),
                .handler_name = "handler",
                .summary = "",
                .handler = std::move(handler)}};
}

boost::json::object body_of(const events::ProxyResponse& response) {
  return boost::json::parse(response.body).as_object();
}

TEST(Service, PassesPathParametersAndInvocationToTheHandler) {
  const Service service(Router(routes_with([](const Request& request) {
    EXPECT_EQ(request.invocation.request_id, "lambda-1");
    EXPECT_TRUE(request.invocation.cold_start);
    EXPECT_EQ(*request.route_template, "/v1/items/{id}");
    return json_response(200, {{"id", *request.path_parameter("id")}});
  })));
  const auto response = service.handle(event_for("GET", "/v1/items/42"),
                                       {.request_id = "lambda-1", .cold_start = true});
  EXPECT_EQ(response.status_code, 200);
  EXPECT_EQ(response.headers.at("Content-Type"), "application/json");
  EXPECT_EQ(body_of(response).at("id"), "42");
}

TEST(Service, UnknownPathIsAJson404WithTheRequestId) {
  const Service service(
      Router(routes_with([](const Request&) { return events::ProxyResponse{}; })));
  const auto response = service.handle(event_for("GET", "/nowhere"), {});
  EXPECT_EQ(response.status_code, 404);
  EXPECT_EQ(response.headers.at("Content-Type"), "application/json");
  EXPECT_EQ(body_of(response).at("message"), "Not Found");
  EXPECT_EQ(body_of(response).at("requestId"), "api-request-1");
}

TEST(Service, WrongMethodIs405WithAllow) {
  const Service service(
      Router(routes_with([](const Request&) { return events::ProxyResponse{}; })));
  const auto response = service.handle(event_for("POST", "/v1/items/1"), {});
  EXPECT_EQ(response.status_code, 405);
  EXPECT_EQ(response.headers.at("Allow"), "GET");
}

TEST(Service, ThrowingHandlerBecomesJson500AndTheServiceKeepsServing) {
  int calls = 0;
  const Service service(Router(routes_with([&calls](const Request&) -> events::ProxyResponse {
    if (++calls == 1) throw std::runtime_error("database exploded");
    return json_response(200, {{"ok", true}});
  })));
  const auto failed = service.handle(event_for("GET", "/v1/items/1"), {.request_id = "lambda-9"});
  EXPECT_EQ(failed.status_code, 500);
  EXPECT_EQ(body_of(failed).at("message"), "Internal Server Error");
  EXPECT_EQ(body_of(failed).at("requestId"), "api-request-1");
  // The internal detail is logged, never sent to the client.
  EXPECT_EQ(failed.body.find("database exploded"), std::string::npos);
  EXPECT_EQ(service.handle(event_for("GET", "/v1/items/1"), {}).status_code, 200);
}

TEST(Service, RequestIdFallsBackToLambdaRequestId) {
  const Service service(Router(routes_with([](const Request&) -> events::ProxyResponse {
    throw 42;  // not even a std::exception
  })));
  auto event = event_for("GET", "/v1/items/1");
  event.request_context.request_id.clear();
  const auto response = service.handle(event, {.request_id = "lambda-7"});
  EXPECT_EQ(response.status_code, 500);
  EXPECT_EQ(body_of(response).at("requestId"), "lambda-7");
}

TEST(Service, MiddlewareRunsOutermostFirstAndCanShortCircuit) {
  std::vector<std::string> trace;
  const Middleware outer = [&trace](Request& request, const Next& next) {
    trace.push_back("outer-in");
    auto response = next(request);
    trace.push_back("outer-out");
    response.headers["X-Outer"] = "1";
    return response;
  };
  const Middleware inner = [&trace](Request& request, const Next& next) {
    trace.push_back("inner-in");
    if (request.event.header("X-Block")) return error_response(401, "blocked", "");
    auto response = next(request);
    trace.push_back("inner-out");
    return response;
  };
  const Service service(Router(routes_with([&trace](const Request&) {
                          trace.push_back("handler");
                          return json_response(200, {});
                        })),
                        {outer, inner});
  const auto response = service.handle(event_for("GET", "/v1/items/1"), {});
  EXPECT_EQ(response.headers.at("X-Outer"), "1");
  EXPECT_EQ(trace, (std::vector<std::string>{"outer-in", "inner-in", "handler", "inner-out",
                                             "outer-out"}));

  auto blocked = event_for("GET", "/v1/items/1");
  blocked.headers = events::StringMap{{"x-block", "yes"}};
  EXPECT_EQ(service.handle(blocked, {}).status_code, 401);
}

TEST(Service, CustomExceptionHandlerMapsExceptions) {
  const ExceptionHandler on_exception = [](const Request&, std::exception_ptr error) {
    try {
      std::rethrow_exception(error);
    } catch (const std::out_of_range&) {
      return error_response(404, "No such item", "");
    } catch (...) {
      return error_response(500, "other", "");
    }
  };
  const Service service(Router(routes_with([](const Request&) -> events::ProxyResponse {
                          throw std::out_of_range("item 9");
                        })),
                        {}, on_exception);
  EXPECT_EQ(service.handle(event_for("GET", "/v1/items/9"), {}).status_code, 404);
}

TEST(Service, ThrowingExceptionHandlerStillGivesA500) {
  const Service service(Router(routes_with([](const Request&) -> events::ProxyResponse {
                          throw std::logic_error("a");
                        })),
                        {}, [](const Request&, std::exception_ptr) -> events::ProxyResponse {
                          throw std::runtime_error("handler of handlers failed");
                        });
  EXPECT_EQ(service.handle(event_for("GET", "/v1/items/9"), {}).status_code, 500);
}

}  // namespace
}  // namespace cppstack::http

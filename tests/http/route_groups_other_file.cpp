// A route group defined in a source file of its own, as an API split across files defines it;
// route_groups_test.cpp includes it (and defines another group of the same shape itself).
#include <cppstack/http/routes.hpp>

namespace route_groups_example {

using namespace cppstack::http;

Routes tag_routes() {
  Routes routes("/v1/tags");
  routes.before([](Request& request) { request.context["group"] = "tags"; });
  routes.get("/", [](const Request& request) {
    return std::vector<std::string>{request.context.at("group"), request.context.at("app")};
  });
  routes.get("/{name}", [](const Request& request) { return std::string(request.path("name")); });
  return routes;
}

}  // namespace route_groups_example

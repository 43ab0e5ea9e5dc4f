// The route table: the single source of truth for the API. The local emulator, the OpenAPI
// document and the API Gateway resources are all generated from this list.
#include <cppstack/app/application.hpp>
#include <cppstack/app/build_info.hpp>
#include <cppstack/app/handlers.hpp>

namespace cppstack::app {

std::vector<http::Route> application_routes(const std::shared_ptr<ApplicationState>& state) {
  std::vector<http::Route> routes;
  routes.push_back({.method = "GET",
                    .path = "/v1",
                    .handler_name = "index",
                    .summary = "Greeting with the application's version and links to its endpoints",
                    .handler = [state](const http::Request& request) {
                      return index_handler(*state, request);
                    }});
  routes.push_back({.method = "GET",
                    .path = "/v1/metadata",
                    .handler_name = "metadata",
                    .summary = "Build and runtime metadata of the function",
                    .handler = [state](const http::Request& request) {
                      return metadata_handler(*state, request);
                    }});
  routes.push_back({.method = "GET",
                    .path = "/v1/health",
                    .handler_name = "health",
                    .summary = "Health status, uptime and the checks behind them",
                    .handler = [state](const http::Request& request) {
                      return health_handler(*state, request);
                    }});
  return routes;
}

}  // namespace cppstack::app

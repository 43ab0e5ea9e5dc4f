// The route table: the single source of truth for the API. The local emulator, the OpenAPI
// document and the API Gateway resources are all generated from this list.
#include <cppstack/app/application.hpp>
#include <cppstack/app/build_info.hpp>
#include <cppstack/app/handlers.hpp>
#include <cppstack/http/routes.hpp>

namespace cppstack::app {

std::vector<http::Route> application_routes(const std::shared_ptr<ApplicationState>& state) {
  state->metadata_constant_fields = metadata_constant_fields(state->config);
  http::Routes routes;
  routes
      .get("/v1", [state](const http::Request& request) { return index_handler(*state, request); })
      .name("index")
      .summary("Greeting with the application's version and links to its endpoints");
  routes
      .get("/v1/metadata",
           [state](const http::Request& request) { return metadata_handler(*state, request); })
      .name("metadata")
      .summary("Build and runtime metadata of the function");
  routes
      .get("/v1/health",
           [state](const http::Request& request) { return health_handler(*state, request); })
      .name("health")
      .summary("Health status, uptime and the checks behind them");
  return std::move(routes).release();
}

}  // namespace cppstack::app

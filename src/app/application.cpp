#include <cppstack/app/application.hpp>
#include <cppstack/http/conditional.hpp>
#include <cppstack/http/cors.hpp>
#include <cppstack/http/telemetry.hpp>

namespace cppstack::app {
namespace {

std::shared_ptr<ApplicationState> make_state(Config config, observability::Logger::Sink log_sink) {
  auto state = std::make_shared<ApplicationState>();
  state->config = std::move(config);
  state->logger = observability::Logger(state->config.application_name, state->config.log_level,
                                        state->config.function_name, std::move(log_sink));
  return state;
}

// Outermost first: telemetry sees every answer (CORS and 304s included) and its latency.
std::vector<http::Middleware> make_middleware(const std::shared_ptr<ApplicationState>& state,
                                              const std::vector<http::Route>& routes) {
  std::vector<http::Middleware> middleware;
  middleware.push_back(http::telemetry_middleware(
      {.logger = std::shared_ptr<const observability::Logger>(state, &state->logger),
       .metrics_namespace = state->config.metrics_namespace}));
  if (state->config.cors) middleware.push_back(http::cors_middleware(*state->config.cors));
  middleware.push_back(http::conditional_get_middleware(routes));
  return middleware;
}

http::Service make_service(const std::shared_ptr<ApplicationState>& state,
                           http::ExceptionHandler on_exception) {
  (void)http::take_released_resources();  // none left over from routes released earlier
  std::vector<http::Route> routes = application_routes(state);
  state->resources = http::take_released_resources();
  std::vector<http::Middleware> middleware = make_middleware(state, routes);
  return http::Service(http::Router(std::move(routes)), std::move(middleware),
                       std::move(on_exception));
}

// The index links to every GET route without variables; adding such a route adds its link.
std::vector<std::string> link_paths_of(const std::vector<http::Route>& routes) {
  std::vector<std::string> paths;
  for (const http::Route& route : routes) {
    if (route.method == "GET" && route.path.find('{') == std::string::npos) {
      paths.push_back(route.path);
    }
  }
  return paths;
}

}  // namespace

http::ExceptionHandler logging_exception_handler(const std::shared_ptr<ApplicationState>& state) {
  return [state](const http::Request& request, const std::exception_ptr& error) {
    http::log_unhandled_exception(state->logger, request, error);
    return http::internal_error_response(request);
  };
}

Application::Application(Config config, observability::Logger::Sink log_sink)
    : state_(make_state(std::move(config), std::move(log_sink))),
      service_(make_service(state_, logging_exception_handler(state_))) {
  state_->link_paths = link_paths_of(service_.router().routes());
}

events::ProxyResponse Application::handle(const events::ProxyEvent& event,
                                          const http::InvocationInfo& invocation) const {
  return service_.handle(event, invocation);
}

std::string Application::handle_event(std::string_view event_json,
                                      const http::InvocationInfo& invocation) const {
  const events::ProxyEvent event = events::parse_proxy_event(event_json);
  return events::serialize(handle(event, invocation));
}

}  // namespace cppstack::app

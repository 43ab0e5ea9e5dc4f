#include <cppstack/app/application.hpp>

namespace cppstack::app {
namespace {

std::shared_ptr<ApplicationState> make_state(Config config, observability::Logger::Sink log_sink) {
  auto state = std::make_shared<ApplicationState>();
  state->config = std::move(config);
  state->logger = observability::Logger(state->config.application_name, state->config.log_level,
                                        state->config.function_name, std::move(log_sink));
  return state;
}

std::vector<http::Middleware> make_middleware(const Config& config) {
  std::vector<http::Middleware> middleware;
  if (config.cors_allow_origin) {
    middleware.push_back(http::cors_middleware({.allow_origin = *config.cors_allow_origin}));
  }
  return middleware;
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
      service_(http::Router(application_routes(state_)), make_middleware(state_->config),
               logging_exception_handler(state_)) {
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

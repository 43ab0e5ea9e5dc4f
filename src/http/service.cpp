#include <cppstack/http/responses.hpp>
#include <cppstack/http/service.hpp>

namespace cppstack::http {

Service::Service(Router router, std::vector<Middleware> middleware, ExceptionHandler on_exception)
    : router_(std::move(router)),
      middleware_(std::move(middleware)),
      on_exception_(on_exception ? std::move(on_exception)
                                 : ExceptionHandler(default_exception_response)) {}

events::ProxyResponse Service::handle(const events::ProxyEvent& event,
                                      InvocationInfo invocation) const {
  Request request{event, invocation, {}, nullptr};
  const observability::CurrentInvocation current{.log = log_context(request),
                                                 .deadline_ms = invocation.deadline_ms};
  const observability::InvocationScope scope(current);
  try {
    return call(0, request);
  } catch (...) {
    try {
      return on_exception_(request, std::current_exception());
    } catch (...) {
      // A throwing exception handler must not turn a request into a dead process.
      return default_exception_response(request, std::current_exception());
    }
  }
}

events::ProxyResponse Service::call(std::size_t index, Request& request) const {
  if (index == middleware_.size()) return route(request);
  const Next next = [this, index](Request& inner) { return call(index + 1, inner); };
  return middleware_[index](request, next);
}

events::ProxyResponse Service::call_route(const Route& route, std::size_t index,
                                          Request& request) const {
  if (index == route.middleware.size()) return route.handler(request);
  const Next next = [this, &route, index](Request& inner) {
    return call_route(route, index + 1, inner);
  };
  return route.middleware[index](request, next);
}

events::ProxyResponse Service::route(Request& request) const {
  RouteMatch match = router_.match(request.event.http_method, request.event.path);
  switch (match.outcome) {
    case RouteMatch::Outcome::matched:
      request.path_parameters = std::move(match.parameters);
      request.route_template = &match.route->path;
      try {
        return call_route(*match.route, 0, request);
      } catch (const HttpError& error) {
        // Inside the middleware, so a 400 or 404 gets the same headers (CORS) as a 200.
        return error_response(error, request.correlation_id());
      }
    case RouteMatch::Outcome::method_not_allowed: {
      events::ProxyResponse response =
          error_response(405, "Method Not Allowed", request.correlation_id());
      response.headers.emplace("Allow", match.allowed_methods);
      return response;
    }
    case RouteMatch::Outcome::not_found:
      break;
  }
  return error_response(404, "Not Found", request.correlation_id());
}

events::ProxyResponse internal_error_response(const Request& request) {
  return error_response(500, "Internal Server Error", request.correlation_id());
}

std::string exception_text(const std::exception_ptr& error) {
  try {
    if (error) std::rethrow_exception(error);
  } catch (const std::exception& exception) {
    return exception.what();
  } catch (...) {
  }
  return "unknown exception";
}

events::ProxyResponse default_exception_response(const Request& request,
                                                 const std::exception_ptr& error) {
  static const observability::Logger logger("http");
  log_unhandled_exception(logger, request, error);
  return internal_error_response(request);
}

observability::InvocationLogContext log_context(const Request& request) {
  return {.function_request_id = request.invocation.request_id,
          .correlation_id = request.correlation_id(),
          .xray_trace_id = request.invocation.trace_id,
          .cold_start = request.invocation.cold_start};
}

void log_unhandled_exception(const observability::Logger& logger, const Request& request,
                             const std::exception_ptr& error) {
  // One structured line so the failure is searchable in CloudWatch by request id.
  const observability::InvocationLogContext context = log_context(request);
  logger.log(observability::LogLevel::error, "unhandled exception in handler",
             {{"error", exception_text(error)},
              {"http_method", request.event.http_method},
              {"path", request.event.path}},
             &context);
}

}  // namespace cppstack::http

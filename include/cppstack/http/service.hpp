#pragma once
// The HTTP side of a function: routes an API Gateway event through middleware to a handler
// and always returns a proxy response. Middleware is shaped `(request, next) -> response`;
// the first one added is the outermost. Unknown paths get a JSON 404, a wrong method a 405
// with Allow, and any exception a JSON 500 carrying the request id (the process goes on).
//
//   cppstack::http::Service service(cppstack::http::Router(routes), {cors_middleware({})});
//   (middleware: cors.hpp, telemetry.hpp, conditional.hpp)
//   events::ProxyResponse response = service.handle(event, {.request_id = "..."});

#include <cppstack/http/router.hpp>
#include <cppstack/observability/logger.hpp>
#include <exception>
#include <functional>
#include <vector>

namespace cppstack::http {

/// Called with the exception when a handler or middleware throws; returns the response.
using ExceptionHandler = std::function<events::ProxyResponse(const Request&, std::exception_ptr)>;

class Service {
 public:
  Service(Router router, std::vector<Middleware> middleware = {},
          ExceptionHandler on_exception = nullptr);

  [[nodiscard]] events::ProxyResponse handle(const events::ProxyEvent& event,
                                             InvocationInfo invocation) const;
  [[nodiscard]] const Router& router() const noexcept { return router_; }

 private:
  events::ProxyResponse call(std::size_t index, Request& request) const;
  events::ProxyResponse route(Request& request) const;
  events::ProxyResponse call_route(const Route& route, std::size_t index, Request& request) const;

  Router router_;
  std::vector<Middleware> middleware_;
  ExceptionHandler on_exception_;
};

/// The JSON 500 an unhandled exception becomes: {"message": "Internal Server Error",
/// "requestId": ...}. The exception's text is never sent to the client.
[[nodiscard]] events::ProxyResponse internal_error_response(const Request& request);
/// what() of a std::exception, else "unknown exception".
[[nodiscard]] std::string exception_text(const std::exception_ptr& error);

/// The request's ids, trace and cold start as a log line's context, so a handler's own log
/// lines carry the same keys as the runtime's:
///   const auto context = cppstack::http::log_context(request);
///   state->logger.log(LogLevel::info, "note created", {{"id", id}}, &context);
[[nodiscard]] observability::InvocationLogContext log_context(const Request& request);

/// One ERROR line for an unhandled exception: its text, the method and path, and the
/// invocation's request ids, trace id and cold start.
void log_unhandled_exception(const observability::Logger& logger, const Request& request,
                             const std::exception_ptr& error);

/// The default exception handler: logs the error (service "http") and returns
/// internal_error_response().
[[nodiscard]] events::ProxyResponse default_exception_response(const Request& request,
                                                               const std::exception_ptr& error);

}  // namespace cppstack::http

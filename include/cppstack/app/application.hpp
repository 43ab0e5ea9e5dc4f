#pragma once
// The application: its route table (the single source of truth for the API) and the glue
// from a Lambda invocation to a proxy response.
//
//   cppstack::app::Application application(cppstack::app::Config::from_environment());
//   std::string response_json = application.handle_event(event_json, {.request_id = "..."});

#include <chrono>
#include <cppstack/app/config.hpp>
#include <cppstack/http/resources.hpp>
#include <cppstack/http/service.hpp>
#include <cppstack/observability/logger.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace cppstack::app {

/// What every function's handlers share for the life of the process: its configuration and
/// logger. A function's own state (a cache, a client, an in-memory store) is a struct it
/// creates in application_routes() and captures in its handlers (see docs/endpoints.md).
struct ApplicationState {
  Config config;
  observability::Logger logger{"aws-cpp-stack"};  ///< service = the application's name
  std::chrono::steady_clock::time_point started_at = std::chrono::steady_clock::now();
  std::vector<std::string> link_paths;   ///< GET routes without variables, for the index
  std::string metadata_constant_fields;  ///< see metadata_constant_fields()
  http::Resources resources;             ///< the tables and buckets declared beside the routes
};

/// The function's routes, defined by its sources (src/app/routes.cpp for this project's
/// function, examples/notes/notes.cpp for the notes example) and called once per process.
/// Handlers keep `state` alive.
[[nodiscard]] std::vector<http::Route> application_routes(
    const std::shared_ptr<ApplicationState>& state);

/// Logs an unhandled exception with the invocation's context (Powertools keys), then answers
/// the generic JSON 500: the exception's text stays in the log, out of the response.
[[nodiscard]] http::ExceptionHandler logging_exception_handler(
    const std::shared_ptr<ApplicationState>& state);

class Application {
 public:
  /// `log_sink` receives the structured log lines (default: stderr).
  explicit Application(Config config, observability::Logger::Sink log_sink = nullptr);

  /// Event JSON in, proxy response JSON out. Throws events::EventParseError when the event
  /// is not an API Gateway proxy event (the runtime reports it as a function error).
  [[nodiscard]] std::string handle_event(std::string_view event_json,
                                         const http::InvocationInfo& invocation) const;
  [[nodiscard]] events::ProxyResponse handle(const events::ProxyEvent& event,
                                             const http::InvocationInfo& invocation) const;
  [[nodiscard]] const std::vector<http::Route>& routes() const noexcept {
    return service_.router().routes();
  }
  [[nodiscard]] const observability::Logger& logger() const noexcept { return state_->logger; }
  /// The DynamoDB tables and S3 buckets the routes declared (http::Routes::table, bucket).
  [[nodiscard]] const http::Resources& resources() const noexcept { return state_->resources; }

 private:
  std::shared_ptr<ApplicationState> state_;
  http::Service service_;
};

}  // namespace cppstack::app

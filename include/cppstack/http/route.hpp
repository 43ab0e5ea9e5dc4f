#pragma once
// A route is data: method, path template, handler name and per-route settings (auth,
// caching, throttling) that the infrastructure and the local emulator read from the
// exported route table. The application's list of routes is the single source of truth.
//
//   cppstack::http::Route route{.method = "GET", .path = "/v1/health", .handler_name = "health",
//                               .summary = "Liveness", .handler = health_handler};

#include <cppstack/events/proxy_response.hpp>
#include <cppstack/http/request.hpp>
#include <functional>
#include <optional>
#include <string>

namespace cppstack::http {

/// How API Gateway authorises callers of a route. A route declares it in the table:
///
///   {.method = "GET", .path = "/v1/me", ..., .settings = {.auth = AuthMode::cognito}}
enum class AuthMode {
  none,     ///< open
  api_key,  ///< an API key of a usage plan in the x-api-key header
  cognito,  ///< a Cognito user pool ID or access token in Authorization (401 without)
  iam,      ///< a SigV4 signature of IAM credentials allowed to execute-api:Invoke (403 without)
};

/// Per-method throttle, on top of the stage's.
struct Throttle {
  double rate_limit = 0;  ///< steady requests per second
  int burst_limit = 0;    ///< bucket size
};

struct RouteSettings {
  AuthMode auth = AuthMode::none;
  int cache_ttl_seconds = 0;  ///< API Gateway method cache; 0 = not cached
  std::optional<Throttle> throttle;
};

using Handler = std::function<events::ProxyResponse(const Request&)>;

struct Route {
  std::string method;  ///< GET, POST, ..., or ANY
  std::string path;    ///< API Gateway resource template, e.g. /v1/items/{id}
  std::string handler_name;
  std::string summary;
  RouteSettings settings{};
  Handler handler;
};

/// The names used in routes.json: "none", "apiKey", "cognito", "iam".
[[nodiscard]] std::string_view to_string(AuthMode mode) noexcept;

}  // namespace cppstack::http

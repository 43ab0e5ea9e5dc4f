#pragma once
// A route is data: method, path template, handler name and per-route settings (auth,
// caching, throttling) that the infrastructure and the local emulator read from the
// exported route table. The application's list of routes is the single source of truth.
//
//   cppstack::http::Route route{.method = "GET", .path = "/v1/health", .handler_name = "health",
//                               .summary = "Liveness", .handler = health_handler};

#include <boost/json/object.hpp>
#include <cppstack/events/proxy_response.hpp>
#include <cppstack/http/request.hpp>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace cppstack::http {

/// How API Gateway authorises callers of a route. A route declares it in the table:
///
///   {.method = "GET", .path = "/v1/me", ..., .settings = {.auth = AuthMode::cognito}}
enum class AuthMode {
  none,     ///< open
  api_key,  ///< an API key of a usage plan in the x-api-key header
  cognito,  ///< a Cognito user pool token in Authorization: an ID token, or an access token
            ///< with one of the route's scopes when it has some (401 without)
  iam,      ///< a SigV4 signature of IAM credentials allowed to execute-api:Invoke (403 without)
  custom,   ///< a Lambda authorizer of the application, named by RouteSettings::authorizer
            ///< (authorizer.hpp): 401 without its identity, 403 when its policy denies
};

/// Per-method throttle, on top of the stage's.
struct Throttle {
  double rate_limit = 0;  ///< steady requests per second
  int burst_limit = 0;    ///< bucket size
};

struct RouteSettings {
  AuthMode auth = AuthMode::none;
  /// OAuth scopes of a cognito route (cppstack/http/auth_scope.hpp): with any, API Gateway
  /// wants an access token holding one of them; without, an ID token.
  std::vector<std::string> scopes{};
  /// An API key of a usage plan as well as the credentials of `auth` (cognito or iam): API
  /// Gateway's apiKeyRequired beside the method's authorizer. auth api_key needs no flag.
  bool api_key_required = false;
  /// The Lambda authorizer of a custom route: the name it is declared with
  /// (Routes::authorizer, authorizer.hpp).
  std::string authorizer{};
  int cache_ttl_seconds = 0;  ///< API Gateway method cache; 0 = not cached
  std::optional<Throttle> throttle;
};

using Handler = std::function<events::ProxyResponse(const Request&)>;

using Next = std::function<events::ProxyResponse(Request&)>;
/// Shaped `(request, next) -> response`: may change the request, answer without calling
/// `next`, or change the answer `next` gives.
using Middleware = std::function<events::ProxyResponse(Request&, const Next&)>;

/// A JSON Schema, built only when the OpenAPI document is written (never per request); the
/// described structs it uses go to the document's components.
using SchemaFunction = boost::json::object (*)(SchemaComponents&);

/// One documented answer of an operation.
struct ResponseDoc {
  int status = 200;
  std::string description{};
  SchemaFunction schema = nullptr;  ///< JSON body; nullptr: none (204) or unspecified
  bool location = false;            ///< sets the Location header (201)
};

/// A documented query string or path parameter.
struct QueryParameterDoc {
  std::string name{};
  bool required = false;
  SchemaFunction schema = nullptr;
};

/// What the OpenAPI document and API Gateway's request validation know about an operation
/// beyond its path: filled from the handler's types by http::Routes (routes.hpp).
struct OperationDoc {
  SchemaFunction request_body = nullptr;  ///< required JSON body; nullptr: no body read
  std::vector<QueryParameterDoc> query{};
  std::vector<QueryParameterDoc> path{};  ///< typed path parameters (Path<T>); others are strings
  std::vector<ResponseDoc> responses{};   ///< success and declared error answers
};

struct Route {
  std::string method{};  ///< GET, POST, ..., or ANY
  std::string path{};    ///< API Gateway resource template, e.g. /v1/items/{id}
  std::string handler_name{};
  std::string summary{};
  RouteSettings settings{};
  Handler handler{};
  OperationDoc doc{};
  /// Run around the handler, outermost first (the app's, then its route groups'; routes.hpp).
  std::vector<Middleware> middleware{};
};

/// The names used in routes.json: "none", "apiKey", "cognito", "iam", "custom".
[[nodiscard]] std::string_view to_string(AuthMode mode) noexcept;

}  // namespace cppstack::http

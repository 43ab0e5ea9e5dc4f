#pragma once
// Cross-origin resource sharing, configured once for the function and the local gateway from
// the same variables (CORS_ALLOW_ORIGINS, CORS_ALLOW_METHODS, CORS_ALLOW_HEADERS,
// CORS_ALLOW_CREDENTIALS, CORS_MAX_AGE_SECONDS), with the defaults of the CDK's CORS preflight
// (Cors.DEFAULT_HEADERS, Cors.ALL_METHODS).
//
//   auto options = cppstack::http::cors_options_from(lookup);   // std::nullopt: CORS off
//   if (options) middleware.push_back(cppstack::http::cors_middleware(*options));

#include <cppstack/http/service.hpp>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace cppstack::http {

struct CorsOptions {
  /// "*" alone, or exact origins such as https://app.example.com (scheme, host, port).
  std::vector<std::string> allow_origins{"*"};
  std::string allow_methods = "OPTIONS,GET,PUT,POST,DELETE,PATCH,HEAD";
  std::string allow_headers =
      "Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token,X-Amz-User-Agent";
  bool allow_credentials = false;
  int max_age_seconds = 600;  ///< Access-Control-Max-Age of preflights; 0: not sent

  /// The Access-Control-Allow-Origin for a request from `origin`: the origin itself when it
  /// is allowed (or "*" when every origin is, without credentials); std::nullopt otherwise.
  [[nodiscard]] std::optional<std::string> allowed_origin(std::string_view origin) const;
  [[nodiscard]] bool any_origin() const noexcept {
    return allow_origins.size() == 1 && allow_origins.front() == "*";
  }
};

class CorsConfigError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

using VariableLookup = std::function<std::optional<std::string>(std::string_view name)>;

/// Reads the CORS variables; std::nullopt when no origin is configured (CORS off).
/// CORS_ALLOW_ORIGIN (one origin) is still read as an alias of CORS_ALLOW_ORIGINS. Throws
/// CorsConfigError naming the variable for a bad value: an origin with a path, "*" mixed with
/// origins or with credentials, an unknown method, a bad header name, a max age outside
/// 0..86400, both names set to different values.
[[nodiscard]] std::optional<CorsOptions> cors_options_from(const VariableLookup& lookup);

/// Adds the CORS response headers for allowed origins (and `Vary: Origin` unless every origin
/// is allowed) and answers preflights (OPTIONS with Origin and
/// Access-Control-Request-Method) with 204 itself.
[[nodiscard]] Middleware cors_middleware(CorsOptions options);

}  // namespace cppstack::http

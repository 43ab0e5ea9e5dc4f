#pragma once
// The API's resources as API Gateway REST APIs match them, loaded from routes.json
// (docs/route-table.md) or a catch-all `/{proxy+}` when no table is given.
//
// Matching follows API Gateway, with the matcher the function's own router uses
// (cppstack/http/resource_matcher.hpp): static segments win over `{param}` captures, captures
// over a greedy `{name+}`, a trailing slash and empty segments are ignored, and a path that
// reaches a resource without the request's method (nor ANY) goes to a greedy `{name+}`
// resource that matches and has it, else is no match at all (API Gateway answers 403). A
// table API Gateway refuses (e.g. two variable children of one resource) is refused here.
//
//   auto table = cppstack::local::RouteTable::load("build/release/api/routes.json");
//   if (auto match = table.match("GET", "/v1/items/42")) {
//     match->route->path;                       // "/v1/items/{id}"
//     match->path_parameters.at("id");          // "42"
//   }

#include <cppstack/http/authorizer.hpp>
#include <cppstack/http/path_template.hpp>
#include <cppstack/http/resource_matcher.hpp>
#include <cppstack/http/route.hpp>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace cppstack::local {

struct Throttle {
  double rate_limit = 0;   ///< requests per second
  double burst_limit = 0;  ///< bucket size
};

struct Route {
  std::string method{};  ///< upper case, or ANY
  std::string path{};    ///< resource template, e.g. /v1/items/{id}
  std::string handler{};
  bool requires_api_key = false;
  http::AuthMode auth = http::AuthMode::none;  ///< "auth" of routes.json
  std::vector<std::string> scopes{};           ///< "authorizationScopes" (cognito routes)
  std::string authorizer{};                    ///< "authorizer" (custom routes)
  std::optional<Throttle> throttle{};
};

/// A Lambda authorizer of routes.json's "authorizers" (docs/route-table.md).
struct LambdaAuthorizer {
  std::string name{};
  http::AuthorizerType type = http::AuthorizerType::token;
  std::vector<std::string> identity_sources{};
  int result_ttl_seconds = http::default_authorizer_ttl_seconds;
  std::string identity_validation_expression{};
  std::vector<std::string> example_identity{};  ///< for the printed curl lines only
};

struct RouteMatch {
  const Route* route = nullptr;
  /// Captured values, still percent-encoded, as API Gateway passes them in pathParameters.
  events::StringMap path_parameters{};
};

class RouteTableError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class RouteTable {
 public:
  explicit RouteTable(std::vector<Route> routes, std::vector<LambdaAuthorizer> authorizers = {});

  /// Parses routes.json text; throws RouteTableError naming the bad entry.
  [[nodiscard]] static RouteTable parse(std::string_view json);
  /// Largest routes.json read (a table of thousands of routes is a few hundred kB).
  static constexpr std::size_t max_file_bytes = std::size_t{4} * 1024 * 1024;

  /// Reads and parses a routes.json file; throws RouteTableError for anything but a regular
  /// file of at most max_file_bytes (never blocks on a FIFO or reads a device).
  [[nodiscard]] static RouteTable load(const std::filesystem::path& file);
  /// `/` and `/{proxy+}` with method ANY: every path reaches the function.
  [[nodiscard]] static RouteTable catch_all();

  /// Matches a stage-relative path (e.g. /v1/health, still percent-encoded).
  [[nodiscard]] std::optional<RouteMatch> match(std::string_view method,
                                                std::string_view path) const;

  [[nodiscard]] const std::vector<Route>& routes() const noexcept { return routes_; }
  [[nodiscard]] const std::vector<LambdaAuthorizer>& authorizers() const noexcept {
    return authorizers_;
  }
  /// The authorizer of that name; nullptr when none is declared.
  [[nodiscard]] const LambdaAuthorizer* authorizer(std::string_view name) const noexcept;

 private:
  std::vector<Route> routes_{};
  std::vector<LambdaAuthorizer> authorizers_{};
  http::ResourceMatcher matcher_;
};

}  // namespace cppstack::local

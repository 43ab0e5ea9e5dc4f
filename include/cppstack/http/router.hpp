#pragma once
// Matches (method, path) against a list of routes the way API Gateway matches resources, with
// the very matcher the local gateway uses (resource_matcher.hpp): literal segments before
// `{variables}` before a greedy `{proxy+}`, trailing slash and empty segments ignored, a
// missing method falling to a greedy resource that has it. Tells "no such path" (404) apart
// from "path exists, method does not" (405 with Allow).
//
//   cppstack::http::Router router(routes);
//   auto match = router.match("GET", "/v1/items/42");
//   if (match.outcome == cppstack::http::RouteMatch::Outcome::matched) match.route->handler(...);

#include <cppstack/http/path_template.hpp>
#include <cppstack/http/resource_matcher.hpp>
#include <cppstack/http/route.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace cppstack::http {

struct RouteMatch {
  enum class Outcome { matched, not_found, method_not_allowed };
  Outcome outcome = Outcome::not_found;
  const Route* route = nullptr;
  events::StringMap parameters;
  std::string allowed_methods;  ///< for 405: e.g. "GET, POST"
};

class Router {
 public:
  /// Throws PathTemplateError for a bad template and std::invalid_argument for a duplicate
  /// (method, path) pair, an unknown method or two variable children of one resource, so a
  /// bad table fails at initialisation.
  explicit Router(std::vector<Route> routes);

  [[nodiscard]] RouteMatch match(std::string_view method, std::string_view path) const;
  [[nodiscard]] const std::vector<Route>& routes() const noexcept { return routes_; }

 private:
  static std::vector<Operation> checked_operations(const std::vector<Route>& routes);

  std::vector<Route> routes_;
  ResourceMatcher matcher_;
};

}  // namespace cppstack::http

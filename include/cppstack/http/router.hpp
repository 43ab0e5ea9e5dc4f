#pragma once
// Matches (method, path) against a list of routes the way API Gateway matches resources:
// literal segments before `{variables}` before a greedy `{proxy+}`, trailing slash ignored.
// Tells "no such path" (404) apart from "path exists, method does not" (405 with Allow).
//
//   cppstack::http::Router router(routes);
//   auto match = router.match("GET", "/v1/items/42");
//   if (match.outcome == cppstack::http::RouteMatch::Outcome::matched) match.route->handler(...);

#include <cppstack/http/path_template.hpp>
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
  /// (method, path) pair or an unknown method, so a bad table fails at initialisation.
  explicit Router(std::vector<Route> routes);

  [[nodiscard]] RouteMatch match(std::string_view method, std::string_view path) const;
  [[nodiscard]] const std::vector<Route>& routes() const noexcept { return routes_; }

 private:
  struct CompiledRoute {
    PathTemplate path_template;
    std::size_t route_index;
  };
  std::vector<Route> routes_;
  std::vector<CompiledRoute> by_specificity_;
};

}  // namespace cppstack::http

#include <cppstack/http/router.hpp>

#include <algorithm>
#include <array>
#include <stdexcept>

namespace cppstack::http {
namespace {

constexpr std::array<std::string_view, 8> known_methods = {"GET",    "POST",    "PUT",  "PATCH",
                                                           "DELETE", "OPTIONS", "HEAD", "ANY"};

bool is_known_method(std::string_view method) {
  return std::find(known_methods.begin(), known_methods.end(), method) != known_methods.end();
}

std::vector<Operation> operations_of(const std::vector<Route>& routes) {
  std::vector<Operation> operations;
  operations.reserve(routes.size());
  for (const Route& route : routes) operations.push_back({route.method, route.path});
  return operations;
}

}  // namespace

std::string_view to_string(AuthMode mode) noexcept {
  switch (mode) {
    case AuthMode::api_key:
      return "apiKey";
    case AuthMode::cognito:
      return "cognito";
    case AuthMode::iam:
      return "iam";
    case AuthMode::custom:
      return "custom";
    case AuthMode::none:
      break;
  }
  return "none";
}

Router::Router(std::vector<Route> routes)
    : routes_(std::move(routes)), matcher_(checked_operations(routes_)) {}

std::vector<Operation> Router::checked_operations(const std::vector<Route>& routes) {
  for (const Route& route : routes) {
    if (!is_known_method(route.method)) {
      throw std::invalid_argument("route " + route.path + " has an unknown method '" +
                                  route.method + "'");
    }
    if (!route.handler) {
      throw std::invalid_argument("route " + route.method + " " + route.path + " has no handler");
    }
  }
  return operations_of(routes);
}

RouteMatch Router::match(std::string_view method, std::string_view path) const {
  RouteMatch result;
  if (path.empty() || path.front() != '/') return result;
  Selection selection = matcher_.select(method, path);
  result.parameters = std::move(selection.parameters);
  switch (selection.outcome) {
    case Selection::Outcome::matched:
      result.outcome = RouteMatch::Outcome::matched;
      result.route = &routes_[selection.operation];
      break;
    case Selection::Outcome::method_not_allowed:
      result.outcome = RouteMatch::Outcome::method_not_allowed;
      for (const std::size_t index : selection.resource_operations) {
        if (!result.allowed_methods.empty()) result.allowed_methods += ", ";
        result.allowed_methods += routes_[index].method;
      }
      break;
    case Selection::Outcome::not_found:
      result.parameters.clear();
      break;
  }
  return result;
}

}  // namespace cppstack::http

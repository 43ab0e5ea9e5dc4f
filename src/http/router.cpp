#include <cppstack/http/router.hpp>

#include <algorithm>
#include <array>
#include <map>
#include <stdexcept>

namespace cppstack::http {
namespace {

constexpr std::array<std::string_view, 8> known_methods = {"GET",    "POST",    "PUT",  "PATCH",
                                                           "DELETE", "OPTIONS", "HEAD", "ANY"};

bool is_known_method(std::string_view method) {
  return std::find(known_methods.begin(), known_methods.end(), method) != known_methods.end();
}

// API Gateway resources form a tree, and one resource may have only one variable child:
// /v1/notes/{id} and /v1/notes/{noteId}/tags cannot both exist.
void check_variable_siblings(const std::vector<Route>& routes) {
  std::map<std::string, std::pair<std::string, const Route*>, std::less<>> variable_child;
  for (const Route& route : routes) {
    std::string parent;
    for (const std::string_view segment : split_path(route.path)) {
      if (!segment.empty() && segment.front() == '{') {
        const auto [known, inserted] =
            variable_child.try_emplace(parent, std::string(segment), &route);
        if (!inserted && known->second.first != segment) {
          throw std::invalid_argument("routes " + known->second.second->method + " " +
                                      known->second.second->path + " and " + route.method + " " +
                                      route.path + " give '" + (parent.empty() ? "/" : parent) +
                                      "' two variable children, " + known->second.first + " and " +
                                      std::string(segment) +
                                      "; API Gateway allows one (use the same name in both)");
        }
      }
      parent.append("/").append(segment);
    }
  }
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
    case AuthMode::none:
      break;
  }
  return "none";
}

Router::Router(std::vector<Route> routes) : routes_(std::move(routes)) {
  by_specificity_.reserve(routes_.size());
  for (std::size_t index = 0; index < routes_.size(); ++index) {
    const Route& route = routes_[index];
    if (!is_known_method(route.method)) {
      throw std::invalid_argument("route " + route.path + " has an unknown method '" +
                                  route.method + "'");
    }
    if (!route.handler) {
      throw std::invalid_argument("route " + route.method + " " + route.path + " has no handler");
    }
    for (std::size_t earlier = 0; earlier < index; ++earlier) {
      if (routes_[earlier].method == route.method && routes_[earlier].path == route.path) {
        throw std::invalid_argument("route " + route.method + " " + route.path +
                                    " is defined twice");
      }
    }
    by_specificity_.push_back({PathTemplate::parse(route.path), index});
  }
  check_variable_siblings(routes_);
  std::stable_sort(by_specificity_.begin(), by_specificity_.end(),
                   [](const CompiledRoute& left, const CompiledRoute& right) {
                     return left.path_template.more_specific_than(right.path_template);
                   });
}

RouteMatch Router::match(std::string_view method, std::string_view path) const {
  RouteMatch result;
  const PathTemplate* matched_template = nullptr;
  if (path.empty() || path.front() != '/') return result;
  const std::vector<std::string_view> path_segments = split_path(path);
  for (const CompiledRoute& compiled : by_specificity_) {
    // Once a template matched, only routes with the very same template can still answer:
    // a less specific template never takes a path that a more specific one matched.
    if (matched_template != nullptr && compiled.path_template.text() != matched_template->text()) {
      continue;
    }
    events::StringMap parameters;
    if (matched_template == nullptr &&
        !compiled.path_template.match_segments(path_segments, parameters)) {
      continue;
    }
    const Route& route = routes_[compiled.route_index];
    if (matched_template == nullptr) {
      matched_template = &compiled.path_template;
      result.parameters = std::move(parameters);
    }
    if (route.method == method || route.method == "ANY") {
      result.outcome = RouteMatch::Outcome::matched;
      result.route = &route;
      return result;
    }
    if (!result.allowed_methods.empty()) result.allowed_methods += ", ";
    result.allowed_methods += route.method;
  }
  if (matched_template != nullptr) {
    result.outcome = RouteMatch::Outcome::method_not_allowed;
    return result;
  }
  result.parameters.clear();
  return result;
}

}  // namespace cppstack::http

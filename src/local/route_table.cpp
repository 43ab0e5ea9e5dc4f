#include <boost/json.hpp>
#include <cppstack/local/route_table.hpp>
#include <fstream>
#include <set>
#include <sstream>

#include "percent_decode.hpp"

namespace cppstack::local {
namespace {

// A template API Gateway would reject is an error of the table, named as such.
http::PathTemplate parse_template(const std::string& path) {
  try {
    return http::PathTemplate::parse(path);
  } catch (const http::PathTemplateError& error) {
    throw RouteTableError(error.what());
  }
}

std::string string_field(const boost::json::object& entry, std::string_view key,
                         std::size_t position) {
  const auto* value = entry.if_contains(key);
  if (value == nullptr || !value->is_string()) {
    throw RouteTableError("routes[" + std::to_string(position) + "]." + std::string(key) +
                          " must be a string");
  }
  return std::string(value->get_string());
}

double number_field(const boost::json::object& entry, std::string_view key) {
  const auto* value = entry.if_contains(key);
  if (value == nullptr || !value->is_number()) {
    throw RouteTableError("throttle." + std::string(key) + " must be a number");
  }
  return value->to_number<double>();
}

}  // namespace

RouteTable::RouteTable(std::vector<Route> routes) : routes_(std::move(routes)) {
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& route : routes_) {
    templates_.push_back(parse_template(route.path));
    if (!seen.emplace(route.method, route.path).second) {
      throw RouteTableError("duplicate route " + route.method + " " + route.path);
    }
  }
}

RouteTable RouteTable::parse(std::string_view json) {
  boost::system::error_code error;
  const boost::json::value document = boost::json::parse(json, error);
  if (error) throw RouteTableError("routes.json is not valid JSON: " + error.message());
  if (!document.is_object()) throw RouteTableError("routes.json must be a JSON object");
  const auto* list = document.get_object().if_contains("routes");
  if (list == nullptr || !list->is_array()) {
    throw RouteTableError("routes.json must have a \"routes\" array");
  }
  std::vector<Route> routes;
  std::size_t position = 0;
  for (const auto& item : list->get_array()) {
    if (!item.is_object()) {
      throw RouteTableError("routes[" + std::to_string(position) + "] must be an object");
    }
    const auto& entry = item.get_object();
    Route route;
    route.method = string_field(entry, "method", position);
    route.path = string_field(entry, "path", position);
    if (const auto* handler = entry.if_contains("handler"); handler && handler->is_string()) {
      route.handler = std::string(handler->get_string());
    }
    if (const auto* auth = entry.if_contains("auth"); auth && auth->is_string()) {
      if (*auth == "apiKey" || *auth == "api_key") {
        route.requires_api_key = true;
        route.auth = http::AuthMode::api_key;
      } else if (*auth == "cognito") {
        route.auth = http::AuthMode::cognito;
      } else if (*auth == "iam") {
        route.auth = http::AuthMode::iam;
      } else if (*auth != "none") {
        throw RouteTableError("routes[" + std::to_string(position) +
                              "].auth must be \"none\", \"apiKey\", \"cognito\" or \"iam\"");
      }
    }
    if (const auto* throttle = entry.if_contains("throttle"); throttle && throttle->is_object()) {
      route.throttle = Throttle{number_field(throttle->get_object(), "rateLimit"),
                                number_field(throttle->get_object(), "burstLimit")};
    }
    routes.push_back(std::move(route));
    ++position;
  }
  return RouteTable(std::move(routes));
}

RouteTable RouteTable::load(const std::filesystem::path& file) {
  std::ifstream input(file, std::ios::binary);
  if (!input) throw RouteTableError("cannot read route table " + file.string());
  std::ostringstream text;
  text << input.rdbuf();
  return parse(text.str());
}

RouteTable RouteTable::catch_all() {
  return RouteTable({Route{.method = "ANY", .path = "/", .handler = "catch-all"},
                     Route{.method = "ANY", .path = "/{proxy+}", .handler = "catch-all"}});
}

std::optional<RouteMatch> RouteTable::match(std::string_view method, std::string_view path) const {
  // API Gateway compares and captures percent-decoded segments ('%2F' inside a segment does
  // not split it, but reaches a greedy capture as '/').
  std::vector<std::string> decoded;
  for (const auto segment : http::split_path(path)) decoded.push_back(percent_decode(segment));
  const std::vector<std::string_view> segments(decoded.begin(), decoded.end());

  // Choose the resource first (by path alone), then the method on it: API Gateway does not
  // fall back to a less specific resource when the method is missing.
  const http::PathTemplate* best = nullptr;
  events::StringMap best_parameters;
  for (const auto& path_template : templates_) {
    if (best != nullptr && !path_template.more_specific_than(*best)) continue;
    events::StringMap parameters;
    if (!path_template.match_segments(segments, parameters)) continue;
    best = &path_template;
    best_parameters = std::move(parameters);
  }
  if (best == nullptr) return std::nullopt;
  const Route* any_route = nullptr;
  for (const auto& route : routes_) {
    if (route.path != best->text()) continue;
    if (route.method == method) return RouteMatch{&route, std::move(best_parameters)};
    if (route.method == "ANY") any_route = &route;
  }
  if (any_route != nullptr) return RouteMatch{any_route, std::move(best_parameters)};
  return std::nullopt;
}

}  // namespace cppstack::local

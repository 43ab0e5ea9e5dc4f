#include <boost/json.hpp>
#include <cppstack/local/route_table.hpp>
#include <fstream>
#include <set>
#include <sstream>

#include "percent_decode.hpp"

namespace cppstack::local {
namespace {

using detail::TemplateSegment;
using SegmentKind = TemplateSegment::Kind;

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> segments;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  // API Gateway REST APIs ignore one trailing slash: /prod/v1/ reaches /v1.
  if (!path.empty() && path.back() == '/') path.remove_suffix(1);
  if (path.empty()) return segments;
  std::size_t start = 0;
  while (true) {
    const std::size_t slash = path.find('/', start);
    segments.push_back(path.substr(start, slash == std::string_view::npos ? slash : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return segments;
}

std::vector<TemplateSegment> parse_template(const std::string& path) {
  std::vector<TemplateSegment> segments;
  const auto parts = split_path(path);
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const std::string_view part = parts[i];
    if (part.size() >= 2 && part.front() == '{' && part.back() == '}') {
      std::string_view name = part.substr(1, part.size() - 2);
      if (!name.empty() && name.back() == '+') {
        if (i + 1 != parts.size()) {
          throw RouteTableError("greedy capture must be the last segment: " + path);
        }
        name.remove_suffix(1);
        segments.push_back({SegmentKind::greedy, std::string(name)});
      } else {
        segments.push_back({SegmentKind::capture, std::string(name)});
      }
      if (segments.back().text.empty()) throw RouteTableError("empty capture name in " + path);
    } else {
      if (part.empty()) throw RouteTableError("empty segment in route path " + path);
      segments.push_back({SegmentKind::literal, std::string(part)});
    }
  }
  return segments;
}

// Fills `kinds` with the segment kinds used; the most specific template has the
// lexicographically smallest sequence, which is what API Gateway's resource tree picks.
bool matches(const std::vector<TemplateSegment>& pattern,
             const std::vector<std::string_view>& request, const std::vector<std::string>& decoded,
             std::vector<int>& kinds, std::map<std::string, std::string>& parameters) {
  kinds.clear();
  parameters.clear();
  std::size_t index = 0;
  for (const auto& segment : pattern) {
    if (segment.kind == SegmentKind::greedy) {
      if (index >= request.size()) return false;
      std::string rest;
      for (std::size_t j = index; j < request.size(); ++j) {
        if (j != index) rest += '/';
        rest += request[j];
      }
      parameters[segment.text] = percent_decode(rest);
      kinds.push_back(static_cast<int>(SegmentKind::greedy));
      return true;
    }
    if (index >= request.size()) return false;
    if (segment.kind == SegmentKind::literal) {
      if (decoded[index] != segment.text) return false;
    } else {
      if (request[index].empty()) return false;
      parameters[segment.text] = decoded[index];
    }
    kinds.push_back(static_cast<int>(segment.kind));
    ++index;
  }
  return index == request.size();
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
    if (route.path.empty() || route.path.front() != '/') {
      throw RouteTableError("route path must start with '/': " + route.path);
    }
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
      if (*auth == "apiKey") {
        route.requires_api_key = true;
      } else if (*auth != "none") {
        throw RouteTableError("routes[" + std::to_string(position) +
                              "].auth must be \"none\" or \"apiKey\"");
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
  const auto request = split_path(path);
  std::vector<std::string> decoded;
  decoded.reserve(request.size());
  for (const auto segment : request) decoded.push_back(percent_decode(segment));

  // Choose the resource first (by path alone), then the method on it: API Gateway does not
  // fall back to a less specific resource when the method is missing.
  std::optional<std::vector<int>> best_kinds;
  std::string best_path;
  std::map<std::string, std::string> best_parameters;
  std::vector<int> kinds;
  std::map<std::string, std::string> parameters;
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    const auto& route = routes_[i];
    if (best_kinds && route.path == best_path) continue;
    if (!matches(templates_[i], request, decoded, kinds, parameters)) continue;
    if (!best_kinds || kinds < *best_kinds) {
      best_kinds = kinds;
      best_path = route.path;
      best_parameters = parameters;
    }
  }
  if (!best_kinds) return std::nullopt;
  const Route* any_route = nullptr;
  for (const auto& route : routes_) {
    if (route.path != best_path) continue;
    if (route.method == method) return RouteMatch{&route, std::move(best_parameters)};
    if (route.method == "ANY") any_route = &route;
  }
  if (any_route != nullptr) return RouteMatch{any_route, std::move(best_parameters)};
  return std::nullopt;
}

}  // namespace cppstack::local

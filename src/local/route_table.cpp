#include <algorithm>
#include <boost/json.hpp>
#include <cppstack/http/auth_scope.hpp>
#include <cppstack/local/route_table.hpp>
#include <fstream>
#include <set>
#include <sstream>

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

std::string entry_name(std::size_t position) { return "routes[" + std::to_string(position) + "]"; }

// "auth" of an entry. routes.json spells the API key mode "apiKey", as every key of the file is
// camelCase; the exporter has never written another spelling.
http::AuthMode auth_field(const boost::json::object& entry, std::size_t position) {
  const auto* auth = entry.if_contains("auth");
  if (auth == nullptr || (auth->is_string() && *auth == "none")) return http::AuthMode::none;
  if (*auth == "apiKey") return http::AuthMode::api_key;
  if (*auth == "cognito") return http::AuthMode::cognito;
  if (*auth == "iam") return http::AuthMode::iam;
  throw RouteTableError(entry_name(position) +
                        ".auth must be \"none\", \"apiKey\", \"cognito\" or \"iam\"");
}

// "authorizationScopes": the OAuth scopes a cognito route requires (absent: none).
std::vector<std::string> scopes_field(const boost::json::object& entry, http::AuthMode auth,
                                      std::size_t position) {
  const auto* scopes = entry.if_contains("authorizationScopes");
  if (scopes == nullptr || scopes->is_null()) return {};
  const std::string where = entry_name(position) + ".authorizationScopes";
  if (!scopes->is_array()) throw RouteTableError(where + " must be an array of strings");
  std::vector<std::string> result;
  for (const auto& scope : scopes->get_array()) {
    if (!scope.is_string() || !http::is_oauth_scope(scope.get_string())) {
      throw RouteTableError(where +
                            " must hold OAuth scopes (printable ASCII without spaces, quotes or "
                            "backslashes)");
    }
    result.emplace_back(scope.get_string());
  }
  if (!result.empty() && auth != http::AuthMode::cognito) {
    throw RouteTableError(where + " needs auth \"cognito\"");
  }
  return result;
}

// A greedy {name+} value as sent: from its first segment to the end of the path, an empty
// segment inside it kept ("/prod/proxy/a//b" gives "a//b" in pathParameters, recorded from AWS:
// LocalStack's test_lambda_aws_proxy_integration, "invocation-payload-with-double-slash"). The
// trailing slash is not part of it ("/prod/proxy-value/" gives "proxy-value", same recording).
std::string greedy_value_as_sent(std::string_view path, std::string_view first_segment) {
  std::string_view value =
      path.substr(static_cast<std::size_t>(first_segment.data() - path.data()));
  while (!value.empty() && value.back() == '/') value.remove_suffix(1);
  return std::string(value);
}

bool ends_greedy(const http::PathTemplate& path_template) {
  const auto& segments = path_template.segments();
  return !segments.empty() && segments.back().kind == http::PathTemplate::SegmentKind::greedy;
}

// "apiKeyRequired": a key as well as the token or signature of a cognito or iam route (API
// Gateway's apiKeyRequired beside an authorizer); absent: false.
bool api_key_required_field(const boost::json::object& entry, http::AuthMode auth,
                            std::size_t position) {
  const auto* required = entry.if_contains("apiKeyRequired");
  if (required == nullptr || required->is_null()) return false;
  if (!required->is_bool()) {
    throw RouteTableError(entry_name(position) + ".apiKeyRequired must be true or false");
  }
  if (required->get_bool() && auth == http::AuthMode::none) {
    throw RouteTableError(entry_name(position) +
                          ".apiKeyRequired without a token or signature is auth \"apiKey\"");
  }
  return required->get_bool();
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
    route.auth = auth_field(entry, position);
    route.requires_api_key = route.auth == http::AuthMode::api_key ||
                             api_key_required_field(entry, route.auth, position);
    route.scopes = scopes_field(entry, route.auth, position);
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
  // Segments are compared and captured as sent, still percent-encoded: a greedy {proxy+}
  // receives "test%2Balias" (recorded from AWS, contracts.md section 1) and a {id} receives
  // "a%2Fb" or "a%20b" (see docs/local.md). An empty segment ("/prod//items") is skipped, as
  // if it were not there (recorded from AWS), except inside a greedy value, which keeps it.
  std::vector<std::string_view> segments;
  for (const auto segment : http::split_path(path)) {
    if (!segment.empty()) segments.push_back(segment);
  }

  // Every resource the path reaches, most specific first.
  struct Candidate {
    const http::PathTemplate* path_template;
    events::StringMap parameters;
  };
  std::vector<Candidate> candidates;
  for (const auto& path_template : templates_) {
    events::StringMap parameters;
    if (!path_template.match_segments(segments, parameters)) continue;
    if (ends_greedy(path_template)) {
      const auto& template_segments = path_template.segments();
      parameters.insert_or_assign(
          template_segments.back().text,
          greedy_value_as_sent(path, segments[template_segments.size() - 1]));
    }
    const auto position = std::find_if(candidates.begin(), candidates.end(), [&](const auto& c) {
      return path_template.more_specific_than(*c.path_template);
    });
    candidates.insert(position, Candidate{&path_template, std::move(parameters)});
  }
  if (candidates.empty()) return std::nullopt;

  const auto method_on = [&](const http::PathTemplate& path_template) -> const Route* {
    const Route* any_route = nullptr;
    for (const auto& route : routes_) {
      if (route.path != path_template.text()) continue;
      if (route.method == method) return &route;
      if (route.method == "ANY") any_route = &route;
    }
    return any_route;
  };
  // The most specific resource answers when it has the method. When it lacks it, API Gateway
  // goes on to a greedy {proxy+} resource that matches the path and has the method (recorded:
  // OPTIONS /test reaches OPTIONS /{proxy+} next to GET /test); other resources do not.
  if (const Route* route = method_on(*candidates.front().path_template)) {
    return RouteMatch{route, std::move(candidates.front().parameters)};
  }
  for (auto& candidate : candidates) {
    if (!ends_greedy(*candidate.path_template)) continue;
    if (const Route* route = method_on(*candidate.path_template)) {
      return RouteMatch{route, std::move(candidate.parameters)};
    }
  }
  return std::nullopt;
}

}  // namespace cppstack::local

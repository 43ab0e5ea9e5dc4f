#include <cppstack/http/auth_scope.hpp>
#include <cppstack/http/path_template.hpp>
#include <cppstack/http/route_export.hpp>

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cctype>
#include <optional>
#include <stdexcept>
#include <string>

namespace cppstack::http {
namespace {

boost::json::value throttle_json(const std::optional<Throttle>& throttle) {
  if (!throttle) return nullptr;
  return boost::json::object{{"rateLimit", throttle->rate_limit},
                             {"burstLimit", throttle->burst_limit}};
}

std::string lower_case(std::string_view text) {
  std::string result(text);
  for (char& character : result) {
    character = static_cast<char>(std::tolower(static_cast<unsigned char>(character)));
  }
  return result;
}

boost::json::object json_content(boost::json::object schema) {
  return {{"application/json", boost::json::object{{"schema", std::move(schema)}}}};
}

// The one error shape of the API: the function's HttpError answers and API Gateway's own
// BAD_REQUEST_BODY answer (customised by the CDK app) both have it.
boost::json::object error_schema() {
  const boost::json::object text{{"type", "string"}};
  return {
      {"type", "object"},
      {"required", boost::json::array{"message"}},
      {"properties", boost::json::object{
                         {"message", text}, {"requestId", text}, {"field", text}, {"rule", text}}}};
}

boost::json::object error_schema_reference() { return {{"$ref", "#/components/schemas/Error"}}; }

boost::json::object error_answer(std::string_view description) {
  return {{"description", description}, {"content", json_content(error_schema_reference())}};
}

// The security scheme a route's auth mode names in the document, with the status API
// Gateway answers when the credentials are missing or wrong.
struct SecurityFacts {
  std::string_view scheme;
  std::string_view status;
  std::string_view description;
};

std::optional<SecurityFacts> security_of(AuthMode mode) {
  switch (mode) {
    case AuthMode::api_key:
      return SecurityFacts{"apiKey", "403", "Missing or wrong API key"};
    case AuthMode::cognito:
      return SecurityFacts{"cognito", "401", "Missing or invalid Cognito token"};
    case AuthMode::iam:
      return SecurityFacts{"sigv4", "403", "Missing or invalid SigV4 signature"};
    case AuthMode::none:
      break;
  }
  return std::nullopt;
}

boost::json::array scopes_json(const std::vector<std::string>& scopes) {
  return boost::json::array(scopes.begin(), scopes.end());
}

// Scopes given as strings (RouteSettings filled by hand rather than through AuthScope) are
// checked here, so that no export carries a scope API Gateway or Cognito would refuse, nor
// scopes on a route whose authorizer ignores them.
void check_scopes(const Route& route) {
  for (const std::string& scope : route.settings.scopes) {
    if (!is_oauth_scope(scope)) {
      throw std::invalid_argument(route.method + " " + route.path + ": scope \"" + scope +
                                  "\" is not an OAuth scope (printable ASCII without spaces, "
                                  "quotes or backslashes, at most " +
                                  std::to_string(max_oauth_scope_length) + " characters)");
    }
  }
  if (!route.settings.scopes.empty() && route.settings.auth != AuthMode::cognito) {
    throw std::invalid_argument(route.method + " " + route.path +
                                ": scopes need auth cognito (API Gateway checks them against a "
                                "Cognito access token only)");
  }
}

boost::json::object response_json(const ResponseDoc& response, SchemaComponents& components) {
  const bool is_error = response.status >= 400;
  if (is_error && response.schema == nullptr) return error_answer(response.description);
  boost::json::object answer{{"description", response.description}};
  if (response.schema != nullptr) answer["content"] = json_content(response.schema(components));
  if (response.location) {
    answer["headers"] = boost::json::object{
        {"Location", boost::json::object{{"description", "Address of the created resource"},
                                         {"schema", boost::json::object{{"type", "string"}}}}}};
  }
  return answer;
}

// A path variable's schema: as the handler's Path<T> types it, else a string.
boost::json::object path_parameter_schema(const Route& route, std::string_view name,
                                          SchemaComponents& components) {
  for (const QueryParameterDoc& typed : route.doc.path) {
    if (typed.name == name && typed.schema != nullptr) return typed.schema(components);
  }
  return {{"type", "string"}};
}

// Path<T> members that name no variable of the template would never be read: refused.
void check_typed_path_parameters(const Route& route, const PathTemplate& path_template) {
  for (const QueryParameterDoc& typed : route.doc.path) {
    const auto& segments = path_template.segments();
    const bool found = std::any_of(segments.begin(), segments.end(), [&](const auto& segment) {
      return segment.kind != PathTemplate::SegmentKind::literal && segment.text == typed.name;
    });
    if (!found) {
      throw std::invalid_argument(route.method + " " + route.path + ": Path<T> member " +
                                  typed.name + " is not a variable of the route's path");
    }
  }
}

boost::json::object operation_for(const Route& route, SchemaComponents& components) {
  boost::json::object operation{{"operationId", route.handler_name}};
  if (!route.summary.empty()) operation["summary"] = route.summary;
  boost::json::array parameters;
  const PathTemplate path_template = PathTemplate::parse(route.path);
  check_typed_path_parameters(route, path_template);
  for (const auto& segment : path_template.segments()) {
    if (segment.kind == PathTemplate::SegmentKind::literal) continue;
    const std::string name =
        segment.kind == PathTemplate::SegmentKind::greedy ? segment.text + "+" : segment.text;
    parameters.push_back(
        boost::json::object{{"name", name},
                            {"in", "path"},
                            {"required", true},
                            {"schema", path_parameter_schema(route, segment.text, components)}});
  }
  const bool has_path_variables = !parameters.empty();
  for (const QueryParameterDoc& query : route.doc.query) {
    parameters.push_back(boost::json::object{
        {"name", query.name},
        {"in", "query"},
        {"required", query.required},
        {"schema", query.schema != nullptr ? query.schema(components) : boost::json::object{}}});
  }
  if (!parameters.empty()) operation["parameters"] = std::move(parameters);
  if (route.doc.request_body != nullptr) {
    operation["requestBody"] = boost::json::object{
        {"required", true}, {"content", json_content(route.doc.request_body(components))}};
  }

  boost::json::object responses;
  for (const ResponseDoc& response : route.doc.responses) {
    responses[std::to_string(response.status)] = response_json(response, components);
  }
  if (route.doc.responses.empty()) {
    responses["200"] = boost::json::object{{"description", "Success"},
                                           {"content", json_content({{"type", "object"}})}};
  }
  // Typed input that does not parse is answered 400 before the handler runs.
  if (route.doc.request_body != nullptr || !route.doc.query.empty() || has_path_variables) {
    if (!responses.contains("400")) responses["400"] = error_answer("Invalid request input");
  }
  if (const auto security = security_of(route.settings.auth)) {
    // OpenAPI's security requirement lists an OAuth-style scheme's scopes; API Gateway's
    // importer reads them as the method's authorizationScopes.
    operation["security"] = boost::json::array{
        boost::json::object{{security->scheme, scopes_json(route.settings.scopes)}}};
    if (!responses.contains(security->status)) {
      responses[security->status] = error_answer(security->description);
    }
  }
  responses["500"] = error_answer("Unhandled error in the function");
  operation["responses"] = std::move(responses);
  if (route.settings.cache_ttl_seconds > 0) {
    operation["x-cache-ttl-seconds"] = route.settings.cache_ttl_seconds;
  }
  return operation;
}

boost::json::object security_schemes(const std::vector<Route>& routes) {
  // The API key scheme is always declared: clients see how a key would be sent.
  boost::json::object schemes{
      {"apiKey", boost::json::object{{"type", "apiKey"}, {"name", "x-api-key"}, {"in", "header"}}}};
  for (const Route& route : routes) {
    const auto security = security_of(route.settings.auth);
    if (!security || schemes.contains(security->scheme)) continue;
    // API Gateway's extension tells its importer which authorizer a scheme stands for.
    schemes[security->scheme] =
        boost::json::object{{"type", "apiKey"},
                            {"name", "Authorization"},
                            {"in", "header"},
                            {"x-amazon-apigateway-authtype",
                             security->scheme == "cognito" ? "cognito_user_pools" : "awsSigv4"}};
  }
  return schemes;
}

}  // namespace

boost::json::value route_table_json(const std::vector<Route>& routes) {
  boost::json::array entries;
  entries.reserve(routes.size());
  for (const Route& route : routes) {
    check_scopes(route);
    entries.push_back(
        boost::json::object{{"method", route.method},
                            {"path", route.path},
                            {"handler", route.handler_name},
                            {"summary", route.summary},
                            {"auth", to_string(route.settings.auth)},
                            {"authorizationScopes", scopes_json(route.settings.scopes)},
                            {"cacheTtlSeconds", route.settings.cache_ttl_seconds},
                            {"throttle", throttle_json(route.settings.throttle)}});
  }
  return boost::json::object{{"formatVersion", 1}, {"routes", std::move(entries)}};
}

boost::json::value openapi_document(const std::vector<Route>& routes,
                                    const ApiDescription& description) {
  SchemaComponents components;
  components.add("Error", error_schema());
  boost::json::object paths;
  for (const Route& route : routes) {
    check_scopes(route);
    auto& path_item = paths[route.path];
    if (!path_item.is_object()) path_item = boost::json::object{};
    // API Gateway's own OpenAPI extension for a method that accepts every verb.
    const std::string key =
        route.method == "ANY" ? "x-amazon-apigateway-any-method" : lower_case(route.method);
    path_item.as_object()[key] = operation_for(route, components);
  }
  boost::json::object server_variables{{"restApiId", boost::json::object{{"default", "example"}}},
                                       {"region", boost::json::object{{"default", "us-east-1"}}}};
  return boost::json::object{
      {"openapi", "3.0.3"},
      {"info", boost::json::object{{"title", description.title},
                                   {"version", description.version},
                                   {"description", description.description}}},
      {"servers", boost::json::array{boost::json::object{
                      {"url", "https://{restApiId}.execute-api.{region}.amazonaws.com/" +
                                  std::string(description.stage)},
                      {"variables", std::move(server_variables)}}}},
      {"paths", std::move(paths)},
      {"components", boost::json::object{{"schemas", components.schemas()},
                                         {"securitySchemes", security_schemes(routes)}}}};
}

}  // namespace cppstack::http

#include <cppstack/http/auth_scope.hpp>
#include <cppstack/http/path_template.hpp>
#include <cppstack/http/route_export.hpp>

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cctype>
#include <optional>
#include <set>
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
  std::string scheme;
  std::string_view status;
  std::string_view description;
};

std::optional<SecurityFacts> security_of(const Route& route) {
  switch (route.settings.auth) {
    case AuthMode::api_key:
      return SecurityFacts{"apiKey", "403", "Missing or wrong API key"};
    case AuthMode::cognito:
      return SecurityFacts{"cognito", "401", "Missing or invalid Cognito token"};
    case AuthMode::iam:
      return SecurityFacts{"sigv4", "403", "Missing or invalid SigV4 signature"};
    case AuthMode::custom:
      // The scheme is named after the authorizer, as API Gateway's importer expects.
      return SecurityFacts{route.settings.authorizer, "401", "Missing or refused credentials"};
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

// A key as well as a token or signature: API Gateway's apiKeyRequired beside an authorizer.
// With auth none it would be auth api_key under another spelling, so it is refused there.
void check_api_key_required(const Route& route) {
  if (route.settings.api_key_required && route.settings.auth == AuthMode::none) {
    throw std::invalid_argument(route.method + " " + route.path +
                                ": api_key_required without a token or signature is auth "
                                "api_key; use that");
  }
}

// A custom route names its authorizer, and only a custom route names one.
void check_authorizer_reference(const Route& route) {
  const bool custom = route.settings.auth == AuthMode::custom;
  if (custom && route.settings.authorizer.empty()) {
    throw std::invalid_argument(route.method + " " + route.path +
                                ": auth custom needs .authorizer, the name of a declared "
                                "Lambda authorizer");
  }
  if (!custom && !route.settings.authorizer.empty()) {
    throw std::invalid_argument(route.method + " " + route.path + ": authorizer \"" +
                                route.settings.authorizer + "\" needs auth custom");
  }
}

bool requires_api_key(const Route& route) {
  return route.settings.auth == AuthMode::api_key || route.settings.api_key_required;
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
  if (const auto security = security_of(route)) {
    // OpenAPI's security requirement lists an OAuth-style scheme's scopes; API Gateway's
    // importer reads them as the method's authorizationScopes.
    // One requirement object: every scheme in it is needed at once (key and token).
    boost::json::object requirement{{security->scheme, scopes_json(route.settings.scopes)}};
    if (requires_api_key(route)) requirement["apiKey"] = boost::json::array{};
    operation["security"] = boost::json::array{std::move(requirement)};
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
    const auto security = security_of(route);
    if (!security || schemes.contains(security->scheme)) continue;
    const auto authtype = [&security]() -> std::string_view {
      if (security->scheme == "cognito") return "cognito_user_pools";
      if (security->scheme == "sigv4") return "awsSigv4";
      return "custom";
    };
    // API Gateway's extension tells its importer which authorizer a scheme stands for.
    schemes[security->scheme] = boost::json::object{{"type", "apiKey"},
                                                    {"name", "Authorization"},
                                                    {"in", "header"},
                                                    {"x-amazon-apigateway-authtype", authtype()}};
  }
  return schemes;
}

boost::json::value key_json(const KeyAttribute& key) {
  if (key.name.empty()) return nullptr;
  return boost::json::object{{"name", key.name.text()}, {"type", to_string(key.type)}};
}

boost::json::object table_json(const TableDeclaration& table) {
  const TableOptions& options = table.options;
  boost::json::array global_indexes;
  for (const GlobalIndex& index : options.global_indexes) {
    global_indexes.push_back(boost::json::object{{"name", index.name.text()},
                                                 {"partitionKey", key_json(index.partition_key)},
                                                 {"sortKey", key_json(index.sort_key)},
                                                 {"projection", to_string(index.projection)}});
  }
  boost::json::array local_indexes;
  for (const LocalIndex& index : options.local_indexes) {
    local_indexes.push_back(boost::json::object{{"name", index.name.text()},
                                                {"sortKey", key_json(index.sort_key)},
                                                {"projection", to_string(index.projection)}});
  }
  boost::json::value time_to_live = nullptr;
  if (!options.time_to_live.empty()) time_to_live = options.time_to_live.text();
  return {{"name", table.name},
          {"partitionKey", key_json(options.partition_key)},
          {"sortKey", key_json(options.sort_key)},
          {"globalIndexes", std::move(global_indexes)},
          {"localIndexes", std::move(local_indexes)},
          {"timeToLiveAttribute", std::move(time_to_live)}};
}

// Declarations filled by hand (not through Routes::table) are checked here too, so no export
// carries a table DynamoDB would refuse or two resources of one name.
void check_resources(const Resources& resources) {
  std::set<std::string> tables;
  for (const TableDeclaration& table : resources.tables) {
    if (!is_resource_name(table.name)) {
      throw std::invalid_argument("table name \"" + table.name +
                                  "\" is not a logical resource name (3 to 48 lowercase "
                                  "letters, digits and hyphens, starting with a letter)");
    }
    if (!tables.insert(table.name).second) {
      throw std::invalid_argument("table " + table.name + " is declared twice");
    }
    check_table(table);
  }
  std::set<std::string> buckets;
  for (const BucketDeclaration& bucket : resources.buckets) {
    if (!is_resource_name(bucket.name)) {
      throw std::invalid_argument("bucket name \"" + bucket.name +
                                  "\" is not a logical resource name (3 to 48 lowercase "
                                  "letters, digits and hyphens, starting with a letter)");
    }
    if (!buckets.insert(bucket.name).second) {
      throw std::invalid_argument("bucket " + bucket.name + " is declared twice");
    }
  }
}

boost::json::object authorizer_json(const AuthorizerDeclaration& declaration) {
  const auto& options = declaration.options;
  boost::json::object entry{{"name", declaration.name},
                            {"type", to_string(options.type)},
                            {"identitySources", boost::json::array(options.identity_sources.begin(),
                                                                   options.identity_sources.end())},
                            {"resultTtlSeconds", options.result_ttl_seconds}};
  if (!options.identity_validation_expression.empty()) {
    entry["identityValidationExpression"] = options.identity_validation_expression;
  }
  if (!options.example_identity.empty()) {
    entry["exampleIdentity"] =
        boost::json::array(options.example_identity.begin(), options.example_identity.end());
  }
  return entry;
}

// Every declaration valid, no name twice, every custom route's authorizer declared.
void check_authorizers(const std::vector<Route>& routes,
                       const std::vector<AuthorizerDeclaration>& authorizers) {
  for (std::size_t index = 0; index < authorizers.size(); ++index) {
    check_authorizer(authorizers[index]);
    for (std::size_t other = 0; other < index; ++other) {
      if (authorizers[other].name == authorizers[index].name) {
        throw std::invalid_argument("authorizer " + authorizers[index].name + " is declared twice");
      }
    }
  }
  for (const Route& route : routes) {
    if (route.settings.auth != AuthMode::custom) continue;
    const bool declared = std::any_of(authorizers.begin(), authorizers.end(),
                                      [&route](const AuthorizerDeclaration& item) {
                                        return item.name == route.settings.authorizer;
                                      });
    if (!declared) {
      throw std::invalid_argument(route.method + " " + route.path + ": authorizer \"" +
                                  route.settings.authorizer +
                                  "\" is not declared (routes.authorizer)");
    }
  }
}

}  // namespace

boost::json::value route_table_json(const std::vector<Route>& routes, const Resources& resources) {
  check_resources(resources);
  boost::json::object table = route_table_json(routes).as_object();
  if (!resources.tables.empty()) {
    boost::json::array tables;
    for (const TableDeclaration& declaration : resources.tables) {
      tables.push_back(table_json(declaration));
    }
    table["tables"] = std::move(tables);
  }
  if (!resources.buckets.empty()) {
    boost::json::array buckets;
    for (const BucketDeclaration& bucket : resources.buckets) {
      buckets.push_back(boost::json::object{{"name", bucket.name}});
    }
    table["buckets"] = std::move(buckets);
  }
  check_authorizers(routes, resources.authorizers);
  if (!resources.authorizers.empty()) {
    boost::json::array authorizers;
    for (const AuthorizerDeclaration& declaration : resources.authorizers) {
      authorizers.push_back(authorizer_json(declaration));
    }
    table["authorizers"] = std::move(authorizers);
  }
  return table;
}

boost::json::value route_table_json(const std::vector<Route>& routes) {
  boost::json::array entries;
  entries.reserve(routes.size());
  for (const Route& route : routes) {
    check_scopes(route);
    check_api_key_required(route);
    check_authorizer_reference(route);
    boost::json::object entry{{"method", route.method},
                              {"path", route.path},
                              {"handler", route.handler_name},
                              {"summary", route.summary},
                              {"auth", to_string(route.settings.auth)},
                              {"authorizationScopes", scopes_json(route.settings.scopes)},
                              {"cacheTtlSeconds", route.settings.cache_ttl_seconds},
                              {"throttle", throttle_json(route.settings.throttle)}};
    // Written only when it adds a key to a token or signature: other entries stay as they were.
    if (route.settings.api_key_required && route.settings.auth != AuthMode::api_key) {
      entry["apiKeyRequired"] = true;
    }
    if (route.settings.auth == AuthMode::custom) entry["authorizer"] = route.settings.authorizer;
    entries.push_back(std::move(entry));
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
    check_api_key_required(route);
    check_authorizer_reference(route);
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

#include <cppstack/http/path_template.hpp>
#include <cppstack/http/route_export.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cctype>
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

boost::json::object error_schema_reference() { return {{"$ref", "#/components/schemas/Error"}}; }

boost::json::object operation_for(const Route& route) {
  boost::json::object operation{{"operationId", route.handler_name}, {"summary", route.summary}};
  boost::json::array parameters;
  const PathTemplate path_template = PathTemplate::parse(route.path);
  for (const auto& segment : path_template.segments()) {
    if (segment.kind == PathTemplate::SegmentKind::literal) continue;
    const std::string name =
        segment.kind == PathTemplate::SegmentKind::greedy ? segment.text + "+" : segment.text;
    parameters.push_back(boost::json::object{{"name", name},
                                             {"in", "path"},
                                             {"required", true},
                                             {"schema", boost::json::object{{"type", "string"}}}});
  }
  if (!parameters.empty()) operation["parameters"] = std::move(parameters);
  boost::json::object responses{
      {"200", boost::json::object{{"description", "Success"},
                                  {"content", json_content({{"type", "object"}})}}},
      {"500", boost::json::object{{"description", "Unhandled error in the function"},
                                  {"content", json_content(error_schema_reference())}}}};
  if (route.settings.auth == AuthMode::api_key) {
    operation["security"] =
        boost::json::array{boost::json::object{{"apiKey", boost::json::array{}}}};
    responses["403"] = boost::json::object{{"description", "Missing or wrong API key"},
                                           {"content", json_content(error_schema_reference())}};
  }
  operation["responses"] = std::move(responses);
  if (route.settings.cache_ttl_seconds > 0) {
    operation["x-cache-ttl-seconds"] = route.settings.cache_ttl_seconds;
  }
  return operation;
}

}  // namespace

boost::json::value route_table_json(const std::vector<Route>& routes) {
  boost::json::array entries;
  entries.reserve(routes.size());
  for (const Route& route : routes) {
    entries.push_back(boost::json::object{{"method", route.method},
                                          {"path", route.path},
                                          {"handler", route.handler_name},
                                          {"summary", route.summary},
                                          {"auth", to_string(route.settings.auth)},
                                          {"cacheTtlSeconds", route.settings.cache_ttl_seconds},
                                          {"throttle", throttle_json(route.settings.throttle)}});
  }
  return boost::json::object{{"formatVersion", 1}, {"routes", std::move(entries)}};
}

boost::json::value openapi_document(const std::vector<Route>& routes,
                                    const ApiDescription& description) {
  boost::json::object paths;
  for (const Route& route : routes) {
    auto& path_item = paths[route.path];
    if (!path_item.is_object()) path_item = boost::json::object{};
    // API Gateway's own OpenAPI extension for a method that accepts every verb.
    const std::string key =
        route.method == "ANY" ? "x-amazon-apigateway-any-method" : lower_case(route.method);
    path_item.as_object()[key] = operation_for(route);
  }
  boost::json::object server_variables{{"restApiId", boost::json::object{{"default", "example"}}},
                                       {"region", boost::json::object{{"default", "us-east-1"}}}};
  boost::json::object error_schema{
      {"type", "object"},
      {"required", boost::json::array{"message"}},
      {"properties", boost::json::object{{"message", boost::json::object{{"type", "string"}}},
                                         {"requestId", boost::json::object{{"type", "string"}}}}}};
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
      {"components",
       boost::json::object{
           {"schemas", boost::json::object{{"Error", std::move(error_schema)}}},
           {"securitySchemes",
            boost::json::object{
                {"apiKey", boost::json::object{
                               {"type", "apiKey"}, {"name", "x-api-key"}, {"in", "header"}}}}}}}};
}

}  // namespace cppstack::http

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/regex.hpp>
#include <cppstack/http/authorizer.hpp>
#include <cppstack/http/errors.hpp>
#include <cppstack/http/resources.hpp>
#include <stdexcept>

namespace cppstack::http {
namespace {

namespace boost_json = boost::json;

constexpr std::string_view handler_prefix = "authorizer.";

bool iequals(std::string_view left, std::string_view right) {
  if (left.size() != right.size()) return false;
  for (std::size_t index = 0; index < left.size(); ++index) {
    if (std::tolower(static_cast<unsigned char>(left[index])) !=
        std::tolower(static_cast<unsigned char>(right[index]))) {
      return false;
    }
  }
  return true;
}

boost_json::object string_map_json(const events::StringMap& map) {
  boost_json::object object;
  for (const auto& [key, value] : map) object[key] = value;
  return object;
}

boost_json::object multi_value_json(const events::MultiValueMap& map) {
  boost_json::object object;
  for (const auto& [key, values] : map) {
    boost_json::array array;
    for (const auto& value : values) array.emplace_back(value);
    object[key] = std::move(array);
  }
  return object;
}

// API Gateway sends null for an empty map; both read as empty.
events::StringMap string_map_of(const boost_json::object& event, std::string_view key) {
  events::StringMap map;
  const auto* value = event.if_contains(key);
  if (value == nullptr || value->is_null()) return map;
  if (!value->is_object()) throw std::invalid_argument(std::string(key) + " is not an object");
  for (const auto& [name, item] : value->as_object()) {
    if (!item.is_string()) throw std::invalid_argument(std::string(key) + " holds a non-string");
    map[std::string(name)] = std::string(item.as_string());
  }
  return map;
}

events::MultiValueMap multi_value_of(const boost_json::object& event, std::string_view key) {
  events::MultiValueMap map;
  const auto* value = event.if_contains(key);
  if (value == nullptr || value->is_null()) return map;
  if (!value->is_object()) throw std::invalid_argument(std::string(key) + " is not an object");
  for (const auto& [name, items] : value->as_object()) {
    if (!items.is_array()) throw std::invalid_argument(std::string(key) + " holds a non-array");
    auto& values = map[std::string(name)];
    for (const auto& item : items.as_array()) {
      if (!item.is_string()) throw std::invalid_argument(std::string(key) + " holds a non-string");
      values.emplace_back(item.as_string());
    }
  }
  return map;
}

std::string string_of(const boost_json::object& event, std::string_view key) {
  const auto* value = event.if_contains(key);
  if (value == nullptr || value->is_null()) return {};
  if (!value->is_string()) throw std::invalid_argument(std::string(key) + " is not a string");
  return std::string(value->as_string());
}

boost_json::value context_value_json(const ContextValue& value) {
  return std::visit([](const auto& item) { return boost_json::value(item); }, value.value());
}

[[noreturn]] void refuse(const AuthorizerDeclaration& declaration, const std::string& rule) {
  throw std::invalid_argument("authorizer " + declaration.name + ": " + rule);
}

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// The part after the prefix: a header or parameter name API Gateway can read (a token of
// RFC 9110 characters for headers; no dots or spaces for the others).
bool is_source_name(std::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  for (const char c : name) {
    const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                         (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!allowed) return false;
  }
  return true;
}

void check_identity_source(const AuthorizerDeclaration& declaration, std::string_view source) {
  static constexpr std::string_view request_prefixes[] = {
      "method.request.header.", "method.request.querystring.", "method.request.multivalueheader.",
      "method.request.multivaluequerystring.", "stageVariables."};
  const bool token = declaration.options.type == AuthorizerType::token;
  for (const std::string_view prefix : request_prefixes) {
    if (!starts_with(source, prefix)) continue;
    if (!is_source_name(source.substr(prefix.size()))) {
      refuse(declaration, "identity source " + std::string(source) +
                              " must end with a name of letters, digits, '-' and '_'");
    }
    if (token && prefix != request_prefixes[0]) {
      refuse(declaration,
             "a TOKEN authorizer's identity source must be a header "
             "(method.request.header.NAME), not " +
                 std::string(source));
    }
    return;
  }
  refuse(declaration, "identity source " + std::string(source) +
                          " must start with method.request.header., method.request.querystring., "
                          "method.request.multivalueheader., "
                          "method.request.multivaluequerystring. or stageVariables.");
}

}  // namespace

std::string_view to_string(AuthorizerType type) noexcept {
  return type == AuthorizerType::token ? "TOKEN" : "REQUEST";
}

std::string api_stage_wildcard(std::string_view method_arn) {
  // arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/METHOD/PATH
  constexpr std::string_view prefix = "arn:";
  std::size_t colons = 0;
  std::size_t position = 0;
  for (; position < method_arn.size() && colons < 5; ++position) {
    if (method_arn[position] == ':') ++colons;
  }
  const std::size_t api_end = method_arn.find('/', position);
  const std::size_t stage_end =
      api_end == std::string_view::npos ? api_end : method_arn.find('/', api_end + 1);
  if (!starts_with(method_arn, prefix) || colons != 5 ||
      method_arn.find(":execute-api:") == std::string_view::npos || api_end == position ||
      stage_end == std::string_view::npos || stage_end == api_end + 1) {
    throw std::invalid_argument("not an execute-api method ARN: " +
                                std::string(method_arn.substr(0, 200)));
  }
  return std::string(method_arn.substr(0, stage_end)) + "/*";
}

AuthorizerResult AuthorizerResult::allow(std::string principal_id, std::string method_arn) {
  return {.principal_id = std::move(principal_id),
          .statements = {{.effect = Effect::allow, .resources = {std::move(method_arn)}}}};
}

AuthorizerResult AuthorizerResult::allow_api(std::string principal_id,
                                             std::string_view method_arn) {
  return {.principal_id = std::move(principal_id),
          .statements = {{.effect = Effect::allow, .resources = {api_stage_wildcard(method_arn)}}}};
}

AuthorizerResult AuthorizerResult::deny(std::string principal_id, std::string method_arn) {
  return {.principal_id = std::move(principal_id),
          .statements = {{.effect = Effect::deny, .resources = {std::move(method_arn)}}}};
}

AuthorizerResult& AuthorizerResult::with(std::string key, ContextValue value) & {
  context.insert_or_assign(std::move(key), std::move(value));
  return *this;
}

AuthorizerResult&& AuthorizerResult::with(std::string key, ContextValue value) && {
  context.insert_or_assign(std::move(key), std::move(value));
  return std::move(*this);
}

std::optional<std::string> AuthorizerEvent::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) return value;
  }
  return std::nullopt;
}

std::optional<std::string> AuthorizerEvent::query(std::string_view name) const {
  const auto found = query_string_parameters.find(std::string(name));
  if (found == query_string_parameters.end()) return std::nullopt;
  return found->second;
}

AuthorizerEvent parse_authorizer_event(std::string_view text) {
  boost::system::error_code error;
  const boost_json::value document = boost_json::parse(text, error);
  if (error || !document.is_object()) {
    throw std::invalid_argument("the authorizer event is not a JSON object");
  }
  const auto& object = document.as_object();
  AuthorizerEvent event;
  const std::string type = string_of(object, "type");
  if (type == "TOKEN") {
    event.type = AuthorizerType::token;
  } else if (type == "REQUEST") {
    event.type = AuthorizerType::request;
  } else {
    throw std::invalid_argument("the authorizer event's type must be TOKEN or REQUEST");
  }
  event.method_arn = string_of(object, "methodArn");
  event.authorization_token = string_of(object, "authorizationToken");
  event.resource = string_of(object, "resource");
  event.path = string_of(object, "path");
  event.http_method = string_of(object, "httpMethod");
  event.headers = string_map_of(object, "headers");
  event.multi_value_headers = multi_value_of(object, "multiValueHeaders");
  event.query_string_parameters = string_map_of(object, "queryStringParameters");
  event.multi_value_query_string_parameters =
      multi_value_of(object, "multiValueQueryStringParameters");
  event.path_parameters = string_map_of(object, "pathParameters");
  event.stage_variables = string_map_of(object, "stageVariables");
  if (const auto* context = object.if_contains("requestContext");
      context != nullptr && context->is_object()) {
    event.request_context = context->as_object();
  }
  return event;
}

boost_json::object to_json(const AuthorizerEvent& event) {
  boost_json::object object{{"type", to_string(event.type)}};
  if (event.type == AuthorizerType::token) {
    object["authorizationToken"] = event.authorization_token;
    object["methodArn"] = event.method_arn;
    return object;
  }
  object["methodArn"] = event.method_arn;
  object["resource"] = event.resource;
  object["path"] = event.path;
  object["httpMethod"] = event.http_method;
  object["headers"] = string_map_json(event.headers);
  object["multiValueHeaders"] = multi_value_json(event.multi_value_headers);
  object["queryStringParameters"] = string_map_json(event.query_string_parameters);
  object["multiValueQueryStringParameters"] =
      multi_value_json(event.multi_value_query_string_parameters);
  object["pathParameters"] = string_map_json(event.path_parameters);
  object["stageVariables"] = string_map_json(event.stage_variables);
  object["requestContext"] = event.request_context;
  return object;
}

boost_json::object to_json(const AuthorizerResult& result) {
  boost_json::array statements;
  for (const auto& statement : result.statements) {
    boost_json::array resources;
    for (const auto& resource : statement.resources) resources.emplace_back(resource);
    statements.push_back(
        boost_json::object{{"Action", "execute-api:Invoke"},
                           {"Effect", statement.effect == Effect::allow ? "Allow" : "Deny"},
                           {"Resource", std::move(resources)}});
  }
  boost_json::object object{
      {"principalId", result.principal_id},
      {"policyDocument", boost_json::object{{"Version", "2012-10-17"}, {"Statement", statements}}}};
  if (!result.context.empty()) {
    boost_json::object context;
    for (const auto& [key, value] : result.context) context[key] = context_value_json(value);
    object["context"] = std::move(context);
  }
  if (result.usage_identifier_key) object["usageIdentifierKey"] = *result.usage_identifier_key;
  return object;
}

void check_authorizer(const AuthorizerDeclaration& declaration) {
  if (!is_resource_name(declaration.name)) {
    throw std::invalid_argument("authorizer \"" + declaration.name +
                                "\": a name is 3 to 48 of lowercase letters, digits and hyphens, "
                                "starting with a letter");
  }
  const auto& options = declaration.options;
  if (!declaration.handler) refuse(declaration, "has no handler");
  if (options.result_ttl_seconds < 0 || options.result_ttl_seconds > max_authorizer_ttl_seconds) {
    refuse(declaration, "result_ttl_seconds must be 0 to 3600 (API Gateway's limits), not " +
                            std::to_string(options.result_ttl_seconds));
  }
  for (const auto& source : options.identity_sources) check_identity_source(declaration, source);
  if (options.type == AuthorizerType::token) {
    if (options.identity_sources.size() != 1) {
      refuse(declaration,
             "a TOKEN authorizer takes exactly one identity source "
             "(method.request.header.NAME)");
    }
  } else {
    if (!options.identity_validation_expression.empty()) {
      refuse(declaration, "identity_validation_expression applies to TOKEN authorizers only");
    }
    if (options.identity_sources.empty() && options.result_ttl_seconds > 0) {
      refuse(declaration,
             "a REQUEST authorizer whose results are cached needs at least one identity source "
             "(the cache key)");
    }
  }
  if (!options.example_identity.empty() &&
      options.example_identity.size() != options.identity_sources.size()) {
    refuse(declaration, "example_identity needs one value per identity source");
  }
  if (!options.identity_validation_expression.empty()) {
    try {
      const boost::regex expression(options.identity_validation_expression);
    } catch (const std::exception&) {
      refuse(declaration, "identity_validation_expression is not a regular expression");
    }
  }
}

std::string authorizer_handler(std::string_view name) {
  return std::string(handler_prefix) + std::string(name);
}

std::optional<std::string> authorizer_named_by(std::string_view handler) {
  if (!starts_with(handler, handler_prefix) || handler.size() == handler_prefix.size()) {
    return std::nullopt;
  }
  return std::string(handler.substr(handler_prefix.size()));
}

std::string run_authorizer(const AuthorizerHandler& handler, std::string_view event_json) {
  const AuthorizerEvent event = parse_authorizer_event(event_json);
  try {
    return boost_json::serialize(to_json(handler(event)));
  } catch (const Unauthorized&) {
    // API Gateway answers 401 only for an error whose message is exactly this word.
    throw std::runtime_error("Unauthorized");
  }
}

}  // namespace cppstack::http

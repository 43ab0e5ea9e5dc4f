#include "lambda_authorizer.hpp"

#include <boost/beast/core/string.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/regex.hpp>
#include <charconv>
#include <cmath>

namespace cppstack::local::auth {
namespace {

namespace json = boost::json;

const json::object* object_member(const json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  return value != nullptr && value->is_object() ? &value->get_object() : nullptr;
}

// A map member of the event: header names compare without case, others exactly.
const json::value* find_in(const json::object& event, std::string_view map, std::string_view name,
                           bool any_case) {
  const auto* members = object_member(event, map);
  if (members == nullptr) return nullptr;
  for (const auto& [key, value] : *members) {
    if (any_case ? boost::beast::iequals(key, name) : key == name) return &value;
  }
  return nullptr;
}

// A single value, or the values of a multi-value source joined with commas (as API Gateway
// joins them in the cache key); empty when absent.
std::string text_of(const json::value* value) {
  if (value == nullptr) return {};
  if (value->is_string()) return std::string(value->get_string());
  std::string joined;
  if (value->is_array()) {
    for (const auto& item : value->get_array()) {
      if (!item.is_string()) continue;
      if (!joined.empty()) joined += ',';
      joined += item.get_string();
    }
  }
  return joined;
}

std::string source_value(std::string_view source, const json::object& event) {
  struct Source {
    std::string_view prefix;
    std::string_view map;
    bool any_case;
  };
  static constexpr Source sources[] = {
      {"method.request.header.", "headers", true},
      {"method.request.multivalueheader.", "multiValueHeaders", true},
      {"method.request.querystring.", "queryStringParameters", false},
      {"method.request.multivaluequerystring.", "multiValueQueryStringParameters", false},
      {"stageVariables.", "stageVariables", false}};
  for (const auto& candidate : sources) {
    if (source.substr(0, candidate.prefix.size()) == candidate.prefix) {
      return text_of(find_in(event, candidate.map, source.substr(candidate.prefix.size()),
                             candidate.any_case));
    }
  }
  return {};
}

// A number as API Gateway passes a context number on: as its shortest decimal text.
std::string number_text(const json::value& value) {
  if (value.is_int64()) return std::to_string(value.get_int64());
  if (value.is_uint64()) return std::to_string(value.get_uint64());
  const double number = value.get_double();
  if (std::isfinite(number) && std::floor(number) == number && std::fabs(number) < 1e15) {
    return std::to_string(static_cast<std::int64_t>(number));
  }
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, number);
  return std::string(buffer, result.ptr);
}

// Action and Resource: a string or an array of strings.
std::optional<std::vector<std::string>> returned_strings_of(const json::object& statement,
                                                            std::string_view key) {
  const auto* value = statement.if_contains(key);
  if (value == nullptr) return std::nullopt;
  std::vector<std::string> result;
  if (value->is_string()) {
    result.emplace_back(value->get_string());
    return result;
  }
  if (!value->is_array()) return std::nullopt;
  for (const auto& item : value->get_array()) {
    if (!item.is_string()) return std::nullopt;
    result.emplace_back(item.get_string());
  }
  return result;
}

std::variant<PolicyStatement, std::string> returned_statement_of(const json::value& value) {
  if (!value.is_object()) return std::string("a policy statement is not an object");
  const auto& statement = value.get_object();
  const auto* effect = statement.if_contains("Effect");
  if (effect == nullptr || !effect->is_string() ||
      (effect->get_string() != "Allow" && effect->get_string() != "Deny")) {
    return std::string("a policy statement's Effect is not Allow or Deny");
  }
  auto actions = returned_strings_of(statement, "Action");
  auto resources = returned_strings_of(statement, "Resource");
  if (!actions || !resources) {
    return std::string("a policy statement's Action or Resource is not a string or strings");
  }
  return PolicyStatement{.allow = effect->get_string() == "Allow",
                         .actions = std::move(*actions),
                         .resources = std::move(*resources)};
}

GatewayAnswer answer(int status, const json::object& body, std::string error_type) {
  return {.status = status, .body = json::serialize(body), .error_type = std::move(error_type)};
}

}  // namespace

std::optional<IdentityValues> identity_of(const LambdaAuthorizer& authorizer,
                                          const json::object& proxy_event) {
  IdentityValues values;
  for (const auto& source : authorizer.identity_sources) {
    std::string value = source_value(source, proxy_event);
    if (value.empty()) return std::nullopt;
    values.push_back(std::move(value));
  }
  if (authorizer.type == http::AuthorizerType::token &&
      !authorizer.identity_validation_expression.empty()) {
    // Boost.Regex matches without recursion and gives up on a match too complex to finish (an
    // exception): a hostile token can neither exhaust the stack nor hold the thread.
    try {
      const boost::regex expression(authorizer.identity_validation_expression);
      if (values.empty() || !boost::regex_match(values.front(), expression)) return std::nullopt;
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }
  return values;
}

std::variant<AuthorizerGrant, std::string> parse_authorizer_output(std::string_view payload) {
  boost::system::error_code error;
  const json::value document = json::parse(payload, error);
  if (error || !document.is_object()) return std::string("the output is not a JSON object");
  const auto& output = document.get_object();
  AuthorizerGrant grant;
  const auto* principal = output.if_contains("principalId");
  if (principal == nullptr || !principal->is_string()) {
    return std::string("the output has no principalId string");
  }
  grant.principal_id = std::string(principal->get_string());
  const auto* policy = object_member(output, "policyDocument");
  if (policy == nullptr) return std::string("the output has no policyDocument object");
  const auto* statements = policy->if_contains("Statement");
  if (statements == nullptr) return std::string("the policyDocument has no Statement");
  const auto add = [&grant](const json::value& item) -> std::optional<std::string> {
    auto statement = returned_statement_of(item);
    if (auto* problem = std::get_if<std::string>(&statement)) return *problem;
    grant.statements.push_back(std::move(std::get<PolicyStatement>(statement)));
    return std::nullopt;
  };
  if (statements->is_array()) {
    for (const auto& item : statements->get_array()) {
      if (auto problem = add(item)) return *problem;
    }
  } else if (auto problem = add(*statements)) {
    return *problem;
  }
  grant.context["principalId"] = grant.principal_id;
  if (const auto* context = output.if_contains("context");
      context != nullptr && !context->is_null()) {
    if (!context->is_object()) return std::string("the output's context is not an object");
    for (const auto& [key, value] : context->get_object()) {
      if (value.is_string()) {
        grant.context[key] = value.get_string();
      } else if (value.is_bool()) {
        grant.context[key] = value.get_bool() ? "true" : "false";
      } else if (value.is_number()) {
        grant.context[key] = number_text(value);
      } else if (value.is_null()) {
        continue;  // no value: the key is left out
      } else {
        return "the output's context value of " + std::string(key) +
               " is an object or an array (only strings, numbers and booleans)";
      }
    }
  }
  if (const auto* key = output.if_contains("usageIdentifierKey");
      key != nullptr && !key->is_null()) {
    if (!key->is_string()) return std::string("the output's usageIdentifierKey is not a string");
    grant.usage_identifier_key = std::string(key->get_string());
  }
  return grant;
}

bool is_unauthorized_error(std::string_view error_payload) {
  boost::system::error_code error;
  const json::value document = json::parse(error_payload, error);
  if (error || !document.is_object()) return false;
  const auto* message = document.get_object().if_contains("errorMessage");
  return message != nullptr && message->is_string() && message->get_string() == "Unauthorized";
}

std::string execute_api_arn(std::string_view region, std::string_view account,
                            std::string_view api_id, std::string_view stage,
                            std::string_view method, std::string_view stage_path) {
  std::string arn = "arn:aws:execute-api:";
  arn.append(region).append(":").append(account).append(":").append(api_id).append("/");
  arn.append(stage).append("/").append(method);
  arn.append(stage_path.empty() ? std::string_view("/") : stage_path);
  return arn;
}

GatewayAnswer unauthorized_answer() {
  return answer(401, {{"message", "Unauthorized"}}, "UnauthorizedException");
}

GatewayAnswer access_denied_answer(bool explicit_deny) {
  // The authorizer's denials are spelled with a capital "Message", unlike the gateway's other
  // answers (docs/local.md, "Lambda authorizers").
  return answer(
      403,
      {{"Message", explicit_deny ? "User is not authorized to access this resource with an "
                                   "explicit deny"
                                 : "User is not authorized to access this resource"}},
      "AccessDeniedException");
}

GatewayAnswer authorizer_configuration_answer() {
  return answer(500, {{"message", nullptr}}, "AuthorizerConfigurationException");
}

}  // namespace cppstack::local::auth

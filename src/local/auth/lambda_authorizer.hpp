#pragma once
// What the local API Gateway does around a Lambda authorizer's invocation, apart from running
// it: the identity read from the request (401 when missing, no call), the function's answer
// read as API Gateway reads it, its policy evaluated against the method ARN, and the answers
// of each outcome (docs/auth.md, docs/local.md "Lambda authorizers").
//
//   auto identity = identity_of(authorizer, event_json);         // nullopt: 401
//   auto grant = parse_authorizer_output(payload);               // a string: 500, logged
//   auto decision = evaluate_statements(grant.statements, method_arn);

#include <boost/json/object.hpp>
#include <cppstack/local/access_control.hpp>
#include <cppstack/local/route_table.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "iam_policy.hpp"

namespace cppstack::local::auth {

/// The identity-source values of one request, in declaration order: the cache key, and for a
/// TOKEN authorizer (one source) the token.
using IdentityValues = std::vector<std::string>;

/// Reads the authorizer's identity sources from the request's proxy event (headers by name
/// without case, query string, stage variables). nullopt when one is missing or empty, or a
/// TOKEN fails the validation expression: API Gateway answers 401 without calling the function.
[[nodiscard]] std::optional<IdentityValues> identity_of(const LambdaAuthorizer& authorizer,
                                                        const boost::json::object& proxy_event);

/// What an authorizer granted: its policy, and requestContext.authorizer for the function.
struct AuthorizerGrant {
  std::string principal_id{};
  std::vector<PolicyStatement> statements{};
  /// principalId and the context, every value a string as API Gateway passes them on.
  boost::json::object context{};
  std::optional<std::string> usage_identifier_key{};
};

/// Reads a function's answer as API Gateway reads an authorizer's output; a string says why
/// it is refused (API Gateway's 500 AuthorizerConfigurationException): not JSON, no
/// principalId, no policyDocument or a statement it cannot read, a context value that is an
/// object or an array.
[[nodiscard]] std::variant<AuthorizerGrant, std::string> parse_authorizer_output(
    std::string_view payload);

/// Whether a function error is the authorizer's "Unauthorized" (its errorMessage exactly).
[[nodiscard]] bool is_unauthorized_error(std::string_view error_payload);

/// `arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/METHOD/PATH` (PATH as requested, below the
/// stage, starting with '/').
[[nodiscard]] std::string execute_api_arn(std::string_view region, std::string_view account,
                                          std::string_view api_id, std::string_view stage,
                                          std::string_view method, std::string_view stage_path);

/// 401 {"message":"Unauthorized"}, x-amzn-ErrorType UnauthorizedException.
[[nodiscard]] GatewayAnswer unauthorized_answer();
/// 403 AccessDeniedException: "User is not authorized to access this resource" and, for an
/// explicit Deny, " with an explicit deny".
[[nodiscard]] GatewayAnswer access_denied_answer(bool explicit_deny);
/// 500 {"message": null}, x-amzn-ErrorType AuthorizerConfigurationException.
[[nodiscard]] GatewayAnswer authorizer_configuration_answer();

}  // namespace cppstack::local::auth

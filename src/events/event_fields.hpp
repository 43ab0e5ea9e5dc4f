#pragma once
// The JSON names of the request context and identity fields next to the members they fill, so
// the reader and the writers cannot drift apart.

#include <cppstack/events/proxy_event.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace cppstack::events::detail {

struct ContextStringField {
  std::string_view name;
  std::string RequestContext::*member;
};
inline constexpr ContextStringField context_string_fields[] = {
    {"accountId", &RequestContext::account_id},
    {"apiId", &RequestContext::api_id},
    {"resourceId", &RequestContext::resource_id},
    {"resourcePath", &RequestContext::resource_path},
    {"httpMethod", &RequestContext::http_method},
    {"stage", &RequestContext::stage},
    {"requestId", &RequestContext::request_id},
    {"extendedRequestId", &RequestContext::extended_request_id},
    {"path", &RequestContext::path},
    {"protocol", &RequestContext::protocol},
    {"requestTime", &RequestContext::request_time},
    {"domainName", &RequestContext::domain_name},
    {"domainPrefix", &RequestContext::domain_prefix},
    {"deploymentId", &RequestContext::deployment_id},
};

struct IdentityField {
  std::string_view name;
  std::optional<std::string> Identity::*member;
};
inline constexpr IdentityField identity_fields[] = {
    {"sourceIp", &Identity::source_ip},
    {"userAgent", &Identity::user_agent},
    {"apiKey", &Identity::api_key},
    {"apiKeyId", &Identity::api_key_id},
    {"accessKey", &Identity::access_key},
    {"accountId", &Identity::account_id},
    {"caller", &Identity::caller},
    {"cognitoAuthenticationProvider", &Identity::cognito_authentication_provider},
    {"cognitoAuthenticationType", &Identity::cognito_authentication_type},
    {"cognitoIdentityId", &Identity::cognito_identity_id},
    {"cognitoIdentityPoolId", &Identity::cognito_identity_pool_id},
    {"principalOrgId", &Identity::principal_org_id},
    {"user", &Identity::user},
    {"userArn", &Identity::user_arn},
};

}  // namespace cppstack::events::detail

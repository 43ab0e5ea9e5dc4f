#pragma once
// What the local API Gateway checks before a request reaches the function, in API Gateway's
// order, with its answers: the route's authorizer (Cognito user pool: 401 Unauthorized; IAM
// SigV4: 403 with API Gateway's messages), then the resource policy's source-IP allowlist (403
// "User: anonymous|IAM ARN is not authorized ...") and the IAM caller's identity policy, the
// CORS preflight of every resource (204, as the CDK's mock OPTIONS method answers; no
// authorizer) and the usage plan's quota (429 Limit Exceeded). It also gives
// the CORS headers of the gateway's own 4XX/5XX answers (the API's gateway responses).
//
//   auto control = std::make_shared<AccessControl>(access_settings_from(lookup), table);
//   AccessDecision decision = control->check(request, match ? match->route : nullptr);
//   if (decision.answer) return reply(*decision.answer);
//   decision.apply(event);   // requestContext.authorizer.claims, requestContext.identity

#include <boost/asio/ip/address.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <cppstack/events/proxy_event.hpp>
#include <cppstack/http/cors.hpp>
#include <cppstack/local/route_table.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cppstack::local {

namespace auth {
class CognitoAuthorizer;
class IamPolicies;
class SigV4Verifier;
class SourceIpAllowlist;
class UsageQuota;
}  // namespace auth

struct AccessControlSettings {
  std::optional<http::CorsOptions> cors{};    ///< CORS_ALLOW_* (see cppstack/http/cors.hpp)
  std::string allowed_source_ips{};           ///< API_ALLOWED_SOURCE_IPS
  std::optional<std::string> quota_limit{};   ///< API_QUOTA_LIMIT
  std::optional<std::string> quota_period{};  ///< API_QUOTA_PERIOD
  std::string cognito_jwks{};                 ///< JWKS file or loopback URL
  std::string cognito_user_pool_id{};         ///< COGNITO_USER_POOL_ID: a pool id or ARN
  /// A JWKS URL is read again for an unknown kid at most this often.
  std::chrono::milliseconds cognito_jwks_refetch_interval{std::chrono::seconds(10)};
  std::vector<std::string> iam_credentials{};  ///< ACCESS_KEY_ID:SECRET[:USER_NAME]
  /// The identity policies of IAM callers (--iam-policy); none: every configured credential
  /// may call every IAM route.
  std::shared_ptr<const auth::IamPolicies> iam_policies{};
  std::string region = "us-east-1";
  std::string account_id = "123456789012";
  std::string api_id = "1234567890";
  std::string stage = "prod";
};

/// Reads the variables above from the function's environment (the env file and --env).
[[nodiscard]] AccessControlSettings access_settings_from(const http::VariableLookup& lookup);

/// An answer of the gateway itself.
struct GatewayAnswer {
  int status = 403;
  std::string body{};
  std::string error_type{};  ///< x-amzn-ErrorType; empty: none
  std::vector<std::pair<std::string, std::string>> headers{};
};

struct AccessRequest {
  std::string_view method{};
  std::string_view target{};      ///< path and query as sent
  std::string_view stage_path{};  ///< the path below the stage
  const std::vector<std::pair<std::string, std::string>>* headers = nullptr;
  std::string_view body{};
  boost::asio::ip::address source{};
  /// A token whose kid the user pool's keys do not hold may start a read of the keys (and get
  /// `retry_when_ready`); false on the second look, after that read.
  bool may_read_keys = true;
};

struct AccessDecision {
  std::optional<GatewayAnswer> answer{};  ///< set: the gateway answers, the function is not run
  std::string log_reason{};               ///< why a request was refused, for the gateway's log
  std::optional<boost::json::object> authorizer{};  ///< requestContext.authorizer
  std::optional<events::Identity> identity{};       ///< IAM caller fields of identity
  std::string iam_principal{};  ///< user/NAME or role/NAME of an IAM caller (its policy's key)
  /// Set when no decision can be made yet (the user pool's keys are being read): it calls its
  /// argument, on another thread, once they are; then check again with may_read_keys false.
  std::function<void(std::function<void()>)> retry_when_ready{};

  /// Writes the authorizer's results into the event.
  void apply(events::ProxyEvent& event) const;
};

class AccessControl {
 public:
  /// Throws std::invalid_argument for a bad setting, or when a route needs an authorizer that
  /// is not configured (a cognito route without JWKS, an iam route without credentials).
  /// `previous` is the access control a reloaded route table replaces. Its user pool keys are
  /// kept when the JWKS source is the same, and otherwise read in the background, so a reload
  /// does no I/O on the thread that serves requests (without it the keys are read here); its
  /// usage-plan counts go on, as API Gateway keeps them across deployments.
  AccessControl(const AccessControlSettings& settings, const RouteTable& routes,
                const AccessControl* previous = nullptr);
  ~AccessControl();
  AccessControl(const AccessControl&) = delete;
  AccessControl& operator=(const AccessControl&) = delete;

  /// `route` is the matched route, nullptr when none matched (then only a CORS preflight of an
  /// existing resource is answered; otherwise the caller answers 403 Missing Authentication
  /// Token).
  [[nodiscard]] AccessDecision check(const AccessRequest& request, const Route* route) const;
  /// Counts a request of `api_key` against the quota; the 429 answer when it is exceeded.
  [[nodiscard]] std::optional<GatewayAnswer> consume_quota(const std::string& api_key) const;
  /// The CORS headers of the gateway's own 4XX/5XX answers to a request from `origin` (empty
  /// when CORS is off), as the CDK app's DEFAULT_4XX/DEFAULT_5XX gateway responses set them:
  /// the one allowed origin, or with several the request's Origin as sent (a gateway response
  /// can only map it, not check it); Vary: Origin unless "*"; credentials when allowed.
  [[nodiscard]] std::vector<std::pair<std::string, std::string>> error_cors_headers(
      std::string_view origin) const;
  [[nodiscard]] bool cors_enabled() const noexcept { return settings_.cors.has_value(); }

 private:
  [[nodiscard]] GatewayAnswer preflight(const AccessRequest& request) const;
  /// The route's authorizer; false when `decision` is already final (refused, or waiting).
  bool authenticate(const AccessRequest& request, const Route& route,
                    AccessDecision& decision) const;
  [[nodiscard]] std::string method_arn(const AccessRequest& request,
                                       std::string_view account) const;
  [[nodiscard]] GatewayAnswer access_denied(const AccessRequest& request, std::string_view caller,
                                            bool explicit_deny) const;
  [[nodiscard]] bool has_resource(std::string_view stage_path) const;

  AccessControlSettings settings_;
  RouteTable routes_;
  std::unique_ptr<auth::SourceIpAllowlist> allowlist_;
  std::unique_ptr<auth::CognitoAuthorizer> cognito_;
  std::unique_ptr<auth::SigV4Verifier> iam_;
  std::shared_ptr<auth::UsageQuota> quota_;  ///< shared with the access controls it replaces
};

}  // namespace cppstack::local

#include <boost/json/serialize.hpp>
#include <cppstack/local/access_control.hpp>
#include <stdexcept>

#include "cognito.hpp"
#include "iam_policy.hpp"
#include "sigv4.hpp"
#include "source_ip.hpp"
#include "usage_quota.hpp"

namespace cppstack::local {
namespace {

std::string message_body(std::string_view key, std::string_view message) {
  return boost::json::serialize(boost::json::object{{key, message}});
}

std::optional<std::string> header_of(const AccessRequest& request, std::string_view name) {
  std::optional<std::string> found;
  for (const auto& [key, value] : *request.headers) {
    if (key.size() == name.size() &&
        std::equal(key.begin(), key.end(), name.begin(), [](char left, char right) {
          return std::tolower(static_cast<unsigned char>(left)) ==
                 std::tolower(static_cast<unsigned char>(right));
        })) {
      found = value;
    }
  }
  return found;
}

// API Gateway masks all but the last four digits of the account in this message.
std::string masked_account(std::string_view account_id) {
  return "********" +
         std::string(account_id.substr(account_id.size() > 4 ? account_id.size() - 4 : 0));
}

bool any_route_uses(const RouteTable& routes, http::AuthMode mode) {
  for (const auto& route : routes.routes()) {
    if (route.auth == mode) return true;
  }
  return false;
}

}  // namespace

AccessControlSettings access_settings_from(const http::VariableLookup& lookup) {
  AccessControlSettings settings;
  settings.cors = http::cors_options_from(lookup);
  settings.allowed_source_ips = lookup("API_ALLOWED_SOURCE_IPS").value_or("");
  settings.quota_limit = lookup("API_QUOTA_LIMIT");
  settings.quota_period = lookup("API_QUOTA_PERIOD");
  settings.cognito_user_pool_id = lookup("COGNITO_USER_POOL_ID").value_or("");
  return settings;
}

void AccessDecision::apply(events::ProxyEvent& event) const {
  if (authorizer) event.request_context.authorizer = *authorizer;
  if (identity) {
    auto& target = event.request_context.identity;
    target.access_key = identity->access_key;
    target.account_id = identity->account_id;
    target.caller = identity->caller;
    target.user = identity->user;
    target.user_arn = identity->user_arn;
  }
}

AccessControl::AccessControl(const AccessControlSettings& settings, const RouteTable& routes,
                             const AccessControl* previous)
    : settings_(settings),
      routes_(routes),
      allowlist_(std::make_unique<auth::SourceIpAllowlist>(
          auth::SourceIpAllowlist::parse(settings.allowed_source_ips))),
      quota_(nullptr) {
  if (auto quota = auth::parse_quota(settings.quota_limit, settings.quota_period)) {
    const bool same_plan = previous != nullptr && previous->quota_ &&
                           previous->quota_->settings().limit == quota->limit &&
                           previous->quota_->settings().period == quota->period;
    quota_ = same_plan ? previous->quota_ : std::make_shared<auth::UsageQuota>(*quota);
  }
  if (any_route_uses(routes, http::AuthMode::cognito)) {
    if (settings.cognito_jwks.empty() || settings.cognito_user_pool_id.empty()) {
      throw std::invalid_argument(
          "routes with auth cognito need the user pool's keys and id: --cognito-jwks FILE|URL and "
          "COGNITO_USER_POOL_ID (env file) or --cognito-user-pool-id");
    }
    // The issuer names the pool's own region, which need not be the gateway's.
    const auto pool = auth::parse_user_pool(settings.cognito_user_pool_id);
    auth::JwksRefetchPolicy refetch;
    refetch.min_interval = settings.cognito_jwks_refetch_interval;
    std::shared_ptr<auth::JwksKeys> keys;
    if (previous != nullptr && previous->cognito_ &&
        previous->cognito_->keys().source() == settings.cognito_jwks) {
      keys = previous->cognito_->shared_keys();
    } else if (previous != nullptr) {
      keys = auth::JwksKeys::load_in_background(settings.cognito_jwks, refetch);
    } else {
      keys = auth::JwksKeys::load(settings.cognito_jwks, refetch);
    }
    cognito_ = std::make_unique<auth::CognitoAuthorizer>(auth::CognitoSettings{
        .issuer = auth::cognito_issuer(pool.region, pool.id), .keys = std::move(keys)});
  }
  if (any_route_uses(routes, http::AuthMode::iam)) {
    if (settings.iam_credentials.empty()) {
      throw std::invalid_argument(
          "routes with auth iam need the credentials callers sign with: "
          "--iam-credentials-file FILE, --iam-credentials-env or --local-auth-dir DIR");
    }
    auth::SigV4Settings sigv4{
        .region = settings.region, .account_id = settings.account_id, .credentials = {}};
    for (const auto& text : settings.iam_credentials)
      sigv4.credentials.insert(auth::parse_iam_credential(text));
    iam_ = std::make_unique<auth::SigV4Verifier>(std::move(sigv4));
  }
}

AccessControl::~AccessControl() = default;

std::vector<std::pair<std::string, std::string>> AccessControl::error_cors_headers(
    std::string_view origin) const {
  std::vector<std::pair<std::string, std::string>> headers;
  if (!settings_.cors) return headers;
  const auto& origins = settings_.cors->allow_origins;
  if (origins.size() == 1) {
    headers.emplace_back("Access-Control-Allow-Origin", origins.front());
  } else if (!origin.empty()) {
    headers.emplace_back("Access-Control-Allow-Origin", std::string(origin));
  }
  if (origins.front() != "*") headers.emplace_back("Vary", "Origin");
  if (settings_.cors->allow_credentials) {
    headers.emplace_back("Access-Control-Allow-Credentials", "true");
  }
  return headers;
}

bool AccessControl::has_resource(std::string_view stage_path) const {
  for (const char* method : {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}) {
    if (routes_.match(method, stage_path)) return true;
  }
  return false;
}

GatewayAnswer AccessControl::preflight(const AccessRequest& request) const {
  // The OPTIONS method the CDK adds to every resource (Resource.addCorsPreflight): a mock
  // integration answering 204 with these headers; the origin is the first allowed one, or the
  // request's Origin when it is one of the others.
  const http::CorsOptions& cors = *settings_.cors;
  std::string origin = cors.allow_origins.front();
  if (const auto requested = header_of(request, "Origin")) {
    for (std::size_t index = 1; index < cors.allow_origins.size(); ++index) {
      if (cors.allow_origins[index] == *requested) origin = *requested;
    }
  }
  GatewayAnswer answer{.status = 204, .body = {}, .error_type = {}, .headers = {}};
  answer.headers.emplace_back("Access-Control-Allow-Headers", cors.allow_headers);
  answer.headers.emplace_back("Access-Control-Allow-Origin", origin);
  if (cors.allow_origins.front() != "*") answer.headers.emplace_back("Vary", "Origin");
  answer.headers.emplace_back("Access-Control-Allow-Methods", cors.allow_methods);
  if (cors.allow_credentials)
    answer.headers.emplace_back("Access-Control-Allow-Credentials", "true");
  if (cors.max_age_seconds > 0) {
    answer.headers.emplace_back("Access-Control-Max-Age", std::to_string(cors.max_age_seconds));
  }
  return answer;
}

std::string AccessControl::method_arn(const AccessRequest& request,
                                      std::string_view account) const {
  return "arn:aws:execute-api:" + settings_.region + ":" + std::string(account) + ":" +
         settings_.api_id + "/" + settings_.stage + "/" + std::string(request.method) +
         std::string(request.stage_path);
}

// API Gateway's AccessDeniedException: "User: CALLER is not authorized to perform:
// execute-api:Invoke on resource: ARN[ with an explicit deny]", the account masked but for its
// last four digits (ASFHyP3/hyp3#2283, serverless/serverless#5071).
GatewayAnswer AccessControl::access_denied(const AccessRequest& request, std::string_view caller,
                                           bool explicit_deny) const {
  return GatewayAnswer{
      .status = 403,
      .body =
          message_body("Message", "User: " + std::string(caller) +
                                      " is not authorized to perform: execute-api:Invoke on "
                                      "resource: " +
                                      method_arn(request, masked_account(settings_.account_id)) +
                                      (explicit_deny ? " with an explicit deny" : "")),
      .error_type = "AccessDeniedException",
      .headers = {}};
}

// The order of "How API Gateway resource policies affect authorization workflow" (API Gateway
// developer guide): with IAM or Cognito authentication the caller is authenticated first (a
// failure is that authorizer's answer: 403 from SigV4, 401 from Cognito), then the resource
// policy is evaluated, naming the authenticated IAM caller when it denies; without an
// authorizer the resource policy alone decides. The CDK's OPTIONS mock methods have no
// authorizer. The caller's identity policy (--iam-policy) is evaluated with the resource
// policy; an explicit deny in either wins.
AccessDecision AccessControl::check(const AccessRequest& request, const Route* route) const {
  AccessDecision decision;
  const bool preflight_request = settings_.cors && request.method == "OPTIONS" &&
                                 (route == nullptr || route->method != "OPTIONS");
  if (route == nullptr && !(preflight_request && has_resource(request.stage_path))) return decision;
  if (!preflight_request && !authenticate(request, *route, decision)) return decision;

  if (!allowlist_->allows(request.source)) {
    decision.answer = access_denied(
        request,
        decision.identity ? decision.identity->user_arn.value_or("") : std::string("anonymous"),
        true);
    decision.log_reason =
        "source IP " + request.source.to_string() + " is not in API_ALLOWED_SOURCE_IPS";
    return decision;
  }
  if (preflight_request) {
    decision.answer = preflight(request);
    return decision;
  }
  if (decision.identity && settings_.iam_policies) {
    const auto verdict = settings_.iam_policies->evaluate(
        decision.iam_principal, method_arn(request, settings_.account_id));
    if (verdict != auth::PolicyDecision::allow) {
      const bool explicit_deny = verdict == auth::PolicyDecision::explicit_deny;
      decision.answer =
          access_denied(request, decision.identity->user_arn.value_or(""), explicit_deny);
      decision.log_reason = "IAM policy of " + decision.iam_principal + ": " +
                            (explicit_deny ? "explicit deny" : "no statement allows") + " " +
                            method_arn(request, settings_.account_id);
      decision.identity.reset();
    }
  }
  return decision;
}

bool AccessControl::authenticate(const AccessRequest& request, const Route& route,
                                 AccessDecision& decision) const {
  if (route.auth == http::AuthMode::cognito) {
    const auto verdict = cognito_->verify(header_of(request, "Authorization").value_or(""),
                                          std::chrono::duration_cast<std::chrono::seconds>(
                                              std::chrono::system_clock::now().time_since_epoch())
                                              .count(),
                                          route.scopes, request.may_read_keys);
    if (verdict.refusal == auth::CognitoRefusal::keys_reading) {
      decision.retry_when_ready = [keys = cognito_->shared_keys()](std::function<void()> again) {
        keys->when_read(std::move(again));
      };
      return false;
    }
    if (!verdict.claims) {
      // An expired token gets its own message, with the UNAUTHORIZED response's status: 401
      // {"message":"The incoming token has expired"} (recorded in aws-amplify/amplify-js#6060).
      const bool expired = verdict.refusal == auth::CognitoRefusal::expired;
      decision.answer =
          GatewayAnswer{.status = 401,
                        .body = message_body(
                            "message", expired ? "The incoming token has expired" : "Unauthorized"),
                        .error_type = "UnauthorizedException",
                        .headers = {}};
      decision.log_reason = "Cognito authorizer: " + verdict.reason;
      return false;
    }
    decision.authorizer = boost::json::object{{"claims", *verdict.claims}};
  }
  if (route.auth == http::AuthMode::iam) {
    const auto verdict = iam_->verify({.method = request.method,
                                       .target = request.target,
                                       .headers = request.headers,
                                       .body = request.body},
                                      std::chrono::system_clock::now());
    if (verdict.rejection) {
      decision.answer = GatewayAnswer{.status = verdict.rejection->status,
                                      .body = message_body("message", verdict.rejection->message),
                                      .error_type = verdict.rejection->error_type,
                                      .headers = {}};
      decision.log_reason = "IAM authorization: " + verdict.rejection->error_type;
      return false;
    }
    events::Identity identity;
    identity.access_key = verdict.identity->access_key;
    identity.account_id = verdict.identity->account_id;
    identity.caller = verdict.identity->caller;
    identity.user = verdict.identity->user;
    identity.user_arn = verdict.identity->user_arn;
    decision.identity = std::move(identity);
    decision.iam_principal = verdict.identity->principal;
  }
  return true;
}

std::optional<GatewayAnswer> AccessControl::consume_quota(const std::string& api_key) const {
  if (!quota_ || quota_->try_consume(api_key, std::chrono::system_clock::now()))
    return std::nullopt;
  return GatewayAnswer{.status = 429,
                       .body = message_body("message", "Limit Exceeded"),
                       .error_type = "LimitExceededException",
                       .headers = {}};
}

}  // namespace cppstack::local

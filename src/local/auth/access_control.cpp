#include <boost/json/serialize.hpp>
#include <cppstack/local/access_control.hpp>
#include <stdexcept>

#include "cognito.hpp"
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
                             const AccessControl* replaced)
    : settings_(settings),
      routes_(routes),
      allowlist_(std::make_unique<auth::SourceIpAllowlist>(
          auth::SourceIpAllowlist::parse(settings.allowed_source_ips))),
      quota_(nullptr) {
  if (auto quota = auth::parse_quota(settings.quota_limit, settings.quota_period)) {
    const bool same_plan = replaced != nullptr && replaced->quota_ &&
                           replaced->quota_->settings().limit == quota->limit &&
                           replaced->quota_->settings().period == quota->period;
    quota_ = same_plan ? replaced->quota_ : std::make_shared<auth::UsageQuota>(*quota);
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
    cognito_ = std::make_unique<auth::CognitoAuthorizer>(
        auth::CognitoSettings{.issuer = auth::cognito_issuer(pool.region, pool.id),
                              .keys = auth::JwksKeys::load(settings.cognito_jwks, refetch)});
  }
  if (any_route_uses(routes, http::AuthMode::iam)) {
    if (settings.iam_credentials.empty()) {
      throw std::invalid_argument(
          "routes with auth iam need the credentials callers sign with: --iam-credentials "
          "ACCESS_KEY_ID:SECRET_ACCESS_KEY[:USER_NAME]");
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

AccessDecision AccessControl::check(const AccessRequest& request, const Route* route) const {
  AccessDecision decision;
  const bool preflight_request = settings_.cors && request.method == "OPTIONS" &&
                                 (route == nullptr || route->method != "OPTIONS");
  if (route == nullptr && !(preflight_request && has_resource(request.stage_path))) return decision;

  if (!allowlist_->allows(request.source)) {
    const std::string resource = "arn:aws:execute-api:" + settings_.region + ":" +
                                 masked_account(settings_.account_id) + ":" + settings_.api_id +
                                 "/" + settings_.stage + "/" + std::string(request.method) +
                                 std::string(request.stage_path);
    decision.answer =
        GatewayAnswer{.status = 403,
                      .body = message_body("Message",
                                           "User: anonymous is not authorized to perform: "
                                           "execute-api:Invoke on resource: " +
                                               resource + " with an explicit deny"),
                      .error_type = "AccessDeniedException",
                      .headers = {}};
    decision.log_reason =
        "source IP " + request.source.to_string() + " is not in API_ALLOWED_SOURCE_IPS";
    return decision;
  }
  if (preflight_request) {
    decision.answer = preflight(request);
    return decision;
  }
  if (route->auth == http::AuthMode::cognito) {
    const auto verdict = cognito_->verify(header_of(request, "Authorization").value_or(""),
                                          std::chrono::duration_cast<std::chrono::seconds>(
                                              std::chrono::system_clock::now().time_since_epoch())
                                              .count(),
                                          route->scopes);
    if (!verdict.claims) {
      decision.answer = GatewayAnswer{.status = 401,
                                      .body = message_body("message", "Unauthorized"),
                                      .error_type = "UnauthorizedException",
                                      .headers = {}};
      decision.log_reason = "Cognito authorizer: " + verdict.reason;
      return decision;
    }
    decision.authorizer = boost::json::object{{"claims", *verdict.claims}};
  }
  if (route->auth == http::AuthMode::iam) {
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
      return decision;
    }
    events::Identity identity;
    identity.access_key = verdict.identity->access_key;
    identity.account_id = verdict.identity->account_id;
    identity.caller = verdict.identity->caller;
    identity.user = verdict.identity->user;
    identity.user_arn = verdict.identity->user_arn;
    decision.identity = std::move(identity);
  }
  return decision;
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

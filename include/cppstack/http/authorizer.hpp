#pragma once
// Lambda authorizers (API Gateway's TOKEN and REQUEST authorizers) written as functions of the
// application: declared beside the routes, exported in routes.json, run by the same `bootstrap`
// when its function's handler (_HANDLER) is `authorizer.<name>`, emulated by `make run` and
// deployed by the CDK app as their own Lambda function (docs/auth.md).
//
//   routes.authorizer("bearer",
//                     {.type = AuthorizerType::token,
//                      .identity_sources = {"method.request.header.Authorization"},
//                      .identity_validation_expression = "^Bearer [-0-9A-Za-z._~+/]+=*$"},
//                     [](const AuthorizerEvent& event) {
//                       if (event.authorization_token != "Bearer s3cret") {
//                         throw Unauthorized("unknown token");   // 401, as API Gateway answers
//                       }
//                       return AuthorizerResult::allow_api("user-1", event.method_arn)
//                           .with("tier", "gold").with("level", 3).with("admin", true);
//                     });
//   routes.get("/v1/me", {.auth = AuthMode::custom, .authorizer = "bearer"}, me);
//
// The policy says which methods the caller may invoke; API Gateway caches it per identity for
// the authorizer's TTL and evaluates the cached policy against each later method, so an Allow
// of only the first method ARN denies the caller's other methods until the entry expires:
// allow_api() allows every method of the API's stage.

#include <boost/json/object.hpp>
#include <concepts>
#include <cppstack/events/proxy_event.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace cppstack::http {

enum class AuthorizerType {
  token,    ///< API Gateway passes one header's value as authorizationToken
  request,  ///< API Gateway passes the request's headers, query string, path and context
};

/// A value of an authorizer's context: a string, a number or a boolean, the only types API
/// Gateway accepts there (an object or an array is refused with a 500). The constructors
/// make any other type a compile error.
class ContextValue {
 public:
  using Value = std::variant<std::string, std::int64_t, double, bool>;
  // NOLINTBEGIN(google-explicit-constructor): written as plain values in with() and maps.
  ContextValue(std::string text) : value_(std::move(text)) {}
  ContextValue(const char* text) : value_(std::string(text)) {}
  ContextValue(std::nullptr_t) = delete;  // a null is no value
  ContextValue(std::string_view text) : value_(std::string(text)) {}
  ContextValue(bool flag) : value_(flag) {}
  template <std::integral T>
  requires(!std::same_as<T, bool> && !std::same_as<T, char>) ContextValue(T number)
      : value_(static_cast<std::int64_t>(number)) {}
  template <std::floating_point T>
  ContextValue(T number) : value_(static_cast<double>(number)) {}
  // NOLINTEND(google-explicit-constructor)

  [[nodiscard]] const Value& value() const noexcept { return value_; }
  friend bool operator==(const ContextValue&, const ContextValue&) = default;

 private:
  Value value_;
};

enum class Effect { allow, deny };

/// One statement of the returned policy: `execute-api:Invoke` allowed or denied on the
/// resources (method ARNs, `*` and `?` wildcards).
struct PolicyStatement {
  Effect effect = Effect::allow;
  std::vector<std::string> resources{};
};

/// What an authorizer answers: who the caller is, what it may invoke and what the route's
/// handler receives in requestContext.authorizer.
struct AuthorizerResult {
  std::string principal_id{};
  std::vector<PolicyStatement> statements{};
  std::map<std::string, ContextValue> context{};
  /// An API key of a usage plan, for APIs whose key source is AUTHORIZER.
  std::optional<std::string> usage_identifier_key{};

  /// Allows exactly `method_arn` (the method of this request).
  [[nodiscard]] static AuthorizerResult allow(std::string principal_id, std::string method_arn);
  /// Allows every method of the API and stage of `method_arn`: the policy to cache when the
  /// same identity may call several routes.
  [[nodiscard]] static AuthorizerResult allow_api(std::string principal_id,
                                                  std::string_view method_arn);
  /// Denies `method_arn`: API Gateway answers 403 with an explicit deny.
  [[nodiscard]] static AuthorizerResult deny(std::string principal_id, std::string method_arn);

  /// Adds a context entry (chainable).
  AuthorizerResult& with(std::string key, ContextValue value) &;
  AuthorizerResult&& with(std::string key, ContextValue value) &&;
};

/// `arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/*` for a method ARN of that API and stage;
/// throws std::invalid_argument for a text that is no execute-api method ARN.
[[nodiscard]] std::string api_stage_wildcard(std::string_view method_arn);

/// The event API Gateway sends an authorizer. TOKEN: type, authorization_token, method_arn.
/// REQUEST: everything but authorization_token.
struct AuthorizerEvent {
  AuthorizerType type = AuthorizerType::token;
  std::string method_arn{};
  std::string authorization_token{};
  std::string resource{};  ///< the resource template, e.g. /v1/items/{id}
  std::string path{};      ///< the request's path
  std::string http_method{};
  events::StringMap headers{};
  events::MultiValueMap multi_value_headers{};
  events::StringMap query_string_parameters{};
  events::MultiValueMap multi_value_query_string_parameters{};
  events::StringMap path_parameters{};
  events::StringMap stage_variables{};
  boost::json::object request_context{};

  /// A header's value, its name compared without case (REQUEST).
  [[nodiscard]] std::optional<std::string> header(std::string_view name) const;
  /// A query string parameter's value (REQUEST).
  [[nodiscard]] std::optional<std::string> query(std::string_view name) const;
};

/// Reads the event; throws std::invalid_argument for one that is not an authorizer event.
[[nodiscard]] AuthorizerEvent parse_authorizer_event(std::string_view json);
/// The event as API Gateway writes it (the emulator builds events with it).
[[nodiscard]] boost::json::object to_json(const AuthorizerEvent& event);
/// The result as API Gateway reads it: principalId, policyDocument (Version 2012-10-17),
/// context and usageIdentifierKey when set.
[[nodiscard]] boost::json::object to_json(const AuthorizerResult& result);

using AuthorizerHandler = std::function<AuthorizerResult(const AuthorizerEvent&)>;

/// API Gateway's limits of an authorizer's result TTL; 0 turns the cache off.
inline constexpr int max_authorizer_ttl_seconds = 3600;
inline constexpr int default_authorizer_ttl_seconds = 300;

/// How API Gateway calls an authorizer, as designated initializers.
struct AuthorizerOptions {
  AuthorizerType type = AuthorizerType::token;
  /// TOKEN: exactly one `method.request.header.NAME`. REQUEST: any of
  /// `method.request.header.NAME`, `method.request.querystring.NAME`,
  /// `method.request.multivalueheader.NAME`, `method.request.multivaluequerystring.NAME`,
  /// `stageVariables.NAME` (at least one when results are cached).
  std::vector<std::string> identity_sources{};
  int result_ttl_seconds = default_authorizer_ttl_seconds;  ///< 0 to 3600
  /// TOKEN only: a regular expression the token must match, else 401 without a call.
  std::string identity_validation_expression{};
  /// Values of the identity sources (one each, in order) that the authorizer accepts in local
  /// development: `make run` sends them in the curl line it prints. Exported as
  /// `exampleIdentity`; the CDK app ignores them. Never a production credential.
  std::vector<std::string> example_identity{};
};

struct AuthorizerDeclaration {
  std::string name{};  ///< 3 to 48 of lowercase letters, digits and hyphens
  AuthorizerOptions options{};
  AuthorizerHandler handler{};
};

/// Refuses a declaration API Gateway would refuse (or this stack cannot serve): throws
/// std::invalid_argument naming the authorizer and the rule.
void check_authorizer(const AuthorizerDeclaration& declaration);

/// The _HANDLER of an authorizer's function: `authorizer.<name>`. Any other handler runs the
/// routes.
[[nodiscard]] std::string authorizer_handler(std::string_view name);
/// The authorizer a _HANDLER value names, if it names one.
[[nodiscard]] std::optional<std::string> authorizer_named_by(std::string_view handler);

/// One invocation: event JSON in, result JSON out. An Unauthorized (errors.hpp) thrown by the
/// handler leaves as an error whose message is exactly "Unauthorized", which API Gateway
/// answers with 401; any other exception is a function error (API Gateway's 500).
[[nodiscard]] std::string run_authorizer(const AuthorizerHandler& handler,
                                         std::string_view event_json);

/// "TOKEN" or "REQUEST".
[[nodiscard]] std::string_view to_string(AuthorizerType type) noexcept;

}  // namespace cppstack::http

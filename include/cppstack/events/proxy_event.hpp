#pragma once
// API Gateway REST API proxy integration event, payload format 1.0.
//
// Pure data and its JSON conversion: no I/O. Every field of the event that API Gateway sends
// is represented; fields that API Gateway sends as JSON null are std::nullopt here, and a
// round trip (parse then serialize) keeps nulls as nulls. A map with no entries is always
// null, never {}, as API Gateway sends it: parsing {} gives std::nullopt.
//
//   auto event = cppstack::events::parse_proxy_event(R"({"httpMethod":"GET", ...})");
//   if (auto agent = event.header("user-agent")) { ... }   // case-insensitive lookup
//   std::string json = cppstack::events::serialize(event);

#include <boost/json/fwd.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace cppstack::events {

/// Name -> last value. REST APIs keep the client's spelling of header names.
using StringMap = std::map<std::string, std::string>;
/// Name -> every value, in the order received.
using MultiValueMap = std::map<std::string, std::vector<std::string>>;

/// requestContext.identity. API Gateway sends every field; absent ones are null.
struct Identity {
  std::optional<std::string> source_ip{};
  std::optional<std::string> user_agent{};
  std::optional<std::string> api_key{};
  std::optional<std::string> api_key_id{};
  std::optional<std::string> access_key{};
  std::optional<std::string> account_id{};
  std::optional<std::string> caller{};
  std::optional<std::string> cognito_authentication_provider{};
  std::optional<std::string> cognito_authentication_type{};
  std::optional<std::string> cognito_identity_id{};
  std::optional<std::string> cognito_identity_pool_id{};
  std::optional<std::string> principal_org_id{};
  std::optional<std::string> user{};
  std::optional<std::string> user_arn{};

  friend bool operator==(const Identity&, const Identity&) = default;
};

/// requestContext: who called, through which API, stage and resource, and when.
struct RequestContext {
  std::string account_id{};
  std::string api_id{};
  std::string resource_id{};
  std::string resource_path{};  ///< the matched template, e.g. /v1/items/{id}
  std::string http_method{};
  std::string stage{};
  std::string request_id{};             ///< fresh UUID per request
  std::string extended_request_id{};    ///< also sent to the client as x-amz-apigw-id
  std::string path{};                   ///< WITH the stage, e.g. /prod/v1/health
  std::string protocol{};               ///< HTTP/1.1
  std::string request_time{};           ///< 20/Feb/2018:22:48:57 +0000
  std::int64_t request_time_epoch = 0;  ///< milliseconds since the epoch
  std::string domain_name{};
  std::string domain_prefix{};
  std::string deployment_id{};  ///< the stage's current deployment, e.g. 7kwnb9
  Identity identity{};
  std::optional<boost::json::object> authorizer{};  ///< present when an authorizer ran

  friend bool operator==(const RequestContext&, const RequestContext&) = default;
};

/// The whole proxy event.
struct ProxyEvent {
  std::string resource{};     ///< the matched template, e.g. /v1/items/{id}
  std::string path{};         ///< WITHOUT the stage, e.g. /v1/health
  std::string http_method{};  ///< GET, POST, ...
  std::optional<StringMap> headers{};
  std::optional<MultiValueMap> multi_value_headers{};
  std::optional<StringMap> query_string_parameters{};
  std::optional<MultiValueMap> multi_value_query_string_parameters{};
  std::optional<StringMap> path_parameters{};
  std::optional<StringMap> stage_variables{};
  RequestContext request_context{};
  std::optional<std::string> body{};
  bool is_base64_encoded = false;

  /// Last value of a header, looked up case-insensitively (HTTP names are case-insensitive).
  [[nodiscard]] std::optional<std::string_view> header(std::string_view name) const;
  /// Every line of a list-valued header (If-None-Match, Accept, ...) combined in order with
  /// ", ", as RFC 9110 section 5.3 combines field lines; from multiValueHeaders, else the
  /// single value of `headers`. Case-insensitive name.
  [[nodiscard]] std::optional<std::string> header_list(std::string_view name) const;
  /// Last value of a query string parameter (exact name).
  [[nodiscard]] std::optional<std::string_view> query(std::string_view name) const;
  /// A path parameter captured by the route template (exact name).
  [[nodiscard]] std::optional<std::string_view> path_parameter(std::string_view name) const;
  /// The body as bytes: base64-decoded when is_base64_encoded, else as sent; empty when null.
  [[nodiscard]] std::string decoded_body() const;

  friend bool operator==(const ProxyEvent&, const ProxyEvent&) = default;
};

/// Thrown when an event is not valid JSON or not shaped like a proxy event.
class EventParseError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Parses a proxy event. Requires httpMethod and path to be strings; everything else may be
/// missing or null. Throws EventParseError with a message naming the bad field.
[[nodiscard]] ProxyEvent parse_proxy_event(std::string_view json);
/// Converts an already-parsed JSON value (same rules as parse_proxy_event).
[[nodiscard]] ProxyEvent proxy_event_from_json(const boost::json::value& json);
/// The event as JSON, with the field names and nulls API Gateway uses.
[[nodiscard]] boost::json::value to_json(const ProxyEvent& event);
/// to_json, serialized.
[[nodiscard]] std::string serialize(const ProxyEvent& event);

}  // namespace cppstack::events

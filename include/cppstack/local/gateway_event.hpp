#pragma once
// Builds the API Gateway REST proxy event (payload 1.0) for one HTTP request, exactly as API
// Gateway fills it in: see contracts.md section 1. Shared by `start-api` and `generate-event`
// so a generated sample event is byte for byte the shape the server sends.
//
//   cppstack::local::HttpRequestParts request{.method = "GET", .target = "/prod/v1/health"};
//   auto stage_path = cppstack::local::stage_relative_path(request.target, "prod");
//   auto match = table.match(request.method, *stage_path);
//   auto event = cppstack::local::build_proxy_event(std::move(request), *match, settings);

#include <chrono>
#include <cppstack/events/proxy_event.hpp>
#include <cppstack/local/route_table.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cppstack::local {

/// The parts of an HTTP request the event is built from.
struct HttpRequestParts {
  std::string method{};
  std::string target{};  ///< request-target as sent: /prod/v1/items?x=1 (still percent-encoded)
  std::vector<std::pair<std::string, std::string>> headers{};  ///< in order, names as sent
  std::string body{};
  std::string source_ip = "127.0.0.1";
  std::string protocol = "HTTP/1.1";
  std::uint16_t local_port = 3000;
};

/// How the emulated REST API is configured.
struct GatewaySettings {
  std::string stage = "prod";
  std::vector<std::string> binary_media_types{};  ///< e.g. image/png, image/*, */*
  std::optional<events::StringMap> stage_variables{};
  std::string account_id = "123456789012";
  std::string api_id = "1234567890";
  /// requestContext.deploymentId; empty: one random id for the whole emulator run.
  std::string deployment_id{};
};

/// Identifiers API Gateway creates per request.
struct RequestIdentifiers {
  std::string request_id{};           ///< UUID, also the x-amzn-RequestId response header
  std::string extended_request_id{};  ///< also the x-amz-apigw-id response header
  std::chrono::system_clock::time_point received_at{};
  /// X-Amzn-Trace-Id, in the event and in the answer (tracing is on in the deployed stage).
  std::string trace_id{};

  [[nodiscard]] static RequestIdentifiers fresh();
};

/// `path` with the slashes it starts with reduced to one (`//prod/x` -> `/prod/x`).
[[nodiscard]] std::string_view without_extra_leading_slashes(std::string_view path);

/// The path below the stage (`/prod/v1/health` -> `/v1/health`, `/prod` -> `/`), without the
/// query string; std::nullopt when the target is not under `/{stage}`.
[[nodiscard]] std::optional<std::string> stage_relative_path(std::string_view target,
                                                             std::string_view stage);

/// True when a Content-Type or Accept media type matches one of the API's binary media
/// types (`image/png`, `image/*`, `*/*`); parameters such as `; charset=` are ignored.
[[nodiscard]] bool is_binary_media_type(std::string_view media_type,
                                        const std::vector<std::string>& binary_media_types);

/// `20/Feb/2018:22:48:57 +0000`, the requestContext.requestTime format.
[[nodiscard]] std::string format_request_time(std::chrono::system_clock::time_point time);

/// An X-Ray trace header for a request received at `time`: `Root=1-5e66d96f-<24 hex>`.
[[nodiscard]] std::string new_trace_id(std::chrono::system_clock::time_point time);

/// The `Root=1-<8 hex>-<24 hex>` part of an X-Ray trace header (`Root=...;Parent=...;Sampled=1`),
/// or std::nullopt when it has none in that exact form.
[[nodiscard]] std::optional<std::string> trace_root(std::string_view trace_header);

/// Bytes from the client made safe for the event's JSON: valid UTF-8 is kept as it is, every
/// invalid sequence becomes U+FFFD (so the event is always valid JSON).
[[nodiscard]] std::string to_event_text(std::string_view bytes);

/// A random (version 4) UUID in its canonical text form.
[[nodiscard]] std::string random_uuid();

/// The one reading of a request header everything of the gateway uses (keys, tracing, the
/// event): the last line of `name` (compared without case), as the event's `headers` holds
/// it, while `multiValueHeaders` holds every line ("Input format of a Lambda function for
/// proxy integration", API Gateway developer guide: header2 sent twice is "value2" in
/// `headers` and ["value1", "value2"] in `multiValueHeaders`).
[[nodiscard]] std::optional<std::string_view> last_header_value(
    const std::vector<std::pair<std::string, std::string>>& headers, std::string_view name);
/// Every line of header `name` (compared without case), in order.
[[nodiscard]] std::vector<std::string_view> header_values(
    const std::vector<std::pair<std::string, std::string>>& headers, std::string_view name);

/// True when the event carries this request's body base64-encoded: its Content-Type (the
/// last line) is one of the API's binary media types.
[[nodiscard]] bool body_is_binary(const std::vector<std::pair<std::string, std::string>>& headers,
                                  const GatewaySettings& settings);
/// The fewest bytes the body takes in the event's JSON (base64, or escaped text): a request
/// whose body alone is over Lambda's payload limit is refused without building the event.
[[nodiscard]] std::size_t least_event_body_bytes(std::string_view body, bool binary);

/// Builds the event; `api_key` is the key the caller presented when the route required one.
[[nodiscard]] events::ProxyEvent build_proxy_event(
    HttpRequestParts request, const RouteMatch& match, const GatewaySettings& settings,
    const RequestIdentifiers& identifiers = RequestIdentifiers::fresh(),
    const std::optional<std::string>& api_key = std::nullopt);

}  // namespace cppstack::local

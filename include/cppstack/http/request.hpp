#pragma once
// What a handler receives: the API Gateway event, the path parameters the router captured,
// and facts about the invocation that carries it.
//
//   events::ProxyResponse get_item(const cppstack::http::Request& request) {
//     auto id = request.path_parameter("id");
//     ...
//   }

#include <cppstack/events/proxy_event.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cppstack::http {

/// Facts about the Lambda invocation behind the request.
struct InvocationInfo {
  std::string_view request_id{};  ///< Lambda's request id (not API Gateway's)
  std::int64_t deadline_ms = 0;   ///< epoch milliseconds; 0 when unknown
  bool cold_start = false;        ///< first invocation handled by this process
  std::string_view trace_id{};    ///< X-Ray trace header of the invocation; empty when none
};

struct Request {
  const events::ProxyEvent& event;
  InvocationInfo invocation;
  events::StringMap path_parameters;            ///< captured by the router from the route template
  const std::string* route_template = nullptr;  ///< the matched template, once routed

  [[nodiscard]] std::optional<std::string_view> path_parameter(std::string_view name) const;
  /// API Gateway's request id, falling back to Lambda's when the event has none.
  [[nodiscard]] std::string_view correlation_id() const;
};

}  // namespace cppstack::http

#pragma once
// Building API Gateway proxy events in unit tests, as the gateway would send them.
//
//   auto event = cppstack::http::testing::event("GET", "/v1/notes?limit=2");
//   auto post = cppstack::http::testing::event("POST", "/v1/notes", R"({"title":"a","text":"b"})");
//   events::ProxyResponse response = application.handle(event, {});

#include <cppstack/events/proxy_event.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace cppstack::http::testing {

/// A proxy event for `method` and `target` (a path with an optional ?query, already
/// decoded), with a JSON Content-Type when there is a body, stage "prod" and request id
/// "test-request".
[[nodiscard]] events::ProxyEvent event(std::string_view method, std::string_view target,
                                       std::optional<std::string> body = std::nullopt);

}  // namespace cppstack::http::testing

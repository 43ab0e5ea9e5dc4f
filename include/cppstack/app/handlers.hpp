#pragma once
// The application's endpoint handlers. Each is a plain function of the shared state and the
// request, so tests call them directly without a router or a runtime.
//
//   auto response = cppstack::app::health_handler(state, request);

#include <cppstack/app/application.hpp>

namespace cppstack::app {

/// GET /v1: greeting naming the application, its version, and links to the other endpoints.
[[nodiscard]] events::ProxyResponse index_handler(const ApplicationState& state,
                                                  const http::Request& request);
/// GET /v1/metadata: build and platform facts of the deployment and the stage. Nothing in it
/// changes from one request to the next, so its ETag is stable and the stage cache is safe.
[[nodiscard]] events::ProxyResponse metadata_handler(const ApplicationState& state,
                                                     const http::Request& request);
/// GET /v1/health: status, uptime and checks; 503 when a check fails.
[[nodiscard]] events::ProxyResponse health_handler(const ApplicationState& state,
                                                   const http::Request& request);

/// The JSON of the metadata fields that are fixed for the life of the process: an object
/// without its closing brace, for metadata_handler to complete.
[[nodiscard]] std::string metadata_constant_fields(const Config& config);

/// Resident memory of this process in KiB, from /proc/self/statm; 0 when unavailable.
[[nodiscard]] long resident_memory_kib() noexcept;

}  // namespace cppstack::app

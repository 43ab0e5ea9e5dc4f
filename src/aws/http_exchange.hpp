#pragma once
// HTTP/1.1 over a Connection: the request written in one piece, the answer read with bounded
// head and body (Content-Length or chunked).

#include <cppstack/aws/service_client.hpp>
#include <string>

#include "connection.hpp"

namespace cppstack::aws::detail {

/// ASCII case-insensitive equality, for header names.
[[nodiscard]] bool iequals_ascii(std::string_view a, std::string_view b);

/// The request's bytes: request line, `headers` (those of `request` with the signature's;
/// Host from `host`, plus Content-Length), body.
[[nodiscard]] std::string serialize(const HttpRequest& request, const std::vector<Header>& headers,
                                    const std::string& host);

struct Exchange {
  HttpResponse response;
  bool keep_alive = false;     ///< the connection can carry the next request
  std::size_t bytes_read = 0;  ///< of the answer, before an error
};

/// Reads one answer. Throws NetworkError (reset, truncated or malformed answer) or
/// TimeoutError; `received` tells how many bytes of the answer had arrived.
Exchange read_response(Connection& connection, bool head_request, std::size_t max_body,
                       Clock::time_point deadline, std::size_t& received);

}  // namespace cppstack::aws::detail

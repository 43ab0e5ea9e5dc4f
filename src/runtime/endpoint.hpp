#pragma once
// The Runtime API address, parsed numerically: the deployable binary is fully static, where
// getaddrinfo and NSS are unavailable, and Lambda always hands out an IP:port anyway.

#include <sys/socket.h>

#include <string>
#include <string_view>

namespace cppstack::runtime::detail {

struct Endpoint {
  sockaddr_storage address{};
  socklen_t address_length = 0;
  std::string host_port;  ///< as given, e.g. "127.0.0.1:9001"; also the Host header
};

/// Parses "a.b.c.d:port" or "[v6]:port". On failure returns false and sets `error` to a
/// sentence naming the problem.
bool parse_endpoint(std::string_view host_port, Endpoint& endpoint, std::string& error);

}  // namespace cppstack::runtime::detail

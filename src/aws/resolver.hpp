#pragma once
// Host name to addresses without glibc's resolver (whose NSS modules a static binary cannot
// load safely): numeric addresses as they are, names through /etc/hosts and then the DNS
// servers of /etc/resolv.conf, queried over UDP with the caller's deadline.

#include <sys/socket.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cppstack::aws::detail {

struct Address {
  sockaddr_storage storage{};
  socklen_t length = 0;
};

/// Addresses of `host` (IPv4 first), each with `port`. Throws NetworkError when the name does
/// not resolve, TimeoutError when no server answers before the deadline.
[[nodiscard]] std::vector<Address> resolve(std::string_view host, std::uint16_t port,
                                           std::chrono::steady_clock::time_point deadline);

}  // namespace cppstack::aws::detail

#include "endpoint.hpp"

#include <netinet/in.h>

#include <boost/asio/ip/address.hpp>
#include <charconv>
#include <cstring>

namespace cppstack::runtime::detail {

bool parse_endpoint(std::string_view host_port, Endpoint& endpoint, std::string& error) {
  const auto reject = [&](std::string_view reason) {
    error = "AWS_LAMBDA_RUNTIME_API=\"" + std::string(host_port) + "\" " + std::string(reason) +
            "; expected a numeric host:port such as 127.0.0.1:9001 or [::1]:9001 (names are "
            "not resolved)";
    return false;
  };
  const std::size_t colon = host_port.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return reject("has no host:port form");

  std::string_view host = host_port.substr(0, colon);
  const std::string_view port_text = host_port.substr(colon + 1);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return reject("has an unclosed IPv6 bracket");
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return reject("has an IPv6 address without brackets");
  }

  unsigned port = 0;
  const auto [end, parse_error] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || parse_error != std::errc() ||
      end != port_text.data() + port_text.size() || port == 0 || port > 65535) {
    return reject("has no port number between 1 and 65535");
  }

  boost::system::error_code address_error;
  const boost::asio::ip::address ip = boost::asio::ip::make_address(host, address_error);
  if (address_error) return reject("has a host that is not a numeric IP address");

  endpoint = Endpoint{};
  endpoint.host_port = std::string(host_port);
  if (ip.is_v4()) {
    sockaddr_in v4{};
    v4.sin_family = AF_INET;
    v4.sin_port = htons(static_cast<std::uint16_t>(port));
    const auto bytes = ip.to_v4().to_bytes();
    std::memcpy(&v4.sin_addr, bytes.data(), bytes.size());
    std::memcpy(&endpoint.address, &v4, sizeof v4);
    endpoint.address_length = sizeof v4;
  } else {
    sockaddr_in6 v6{};
    v6.sin6_family = AF_INET6;
    v6.sin6_port = htons(static_cast<std::uint16_t>(port));
    const auto bytes = ip.to_v6().to_bytes();
    std::memcpy(&v6.sin6_addr, bytes.data(), bytes.size());
    v6.sin6_scope_id = static_cast<std::uint32_t>(ip.to_v6().scope_id());
    std::memcpy(&endpoint.address, &v6, sizeof v6);
    endpoint.address_length = sizeof v6;
  }
  return true;
}

}  // namespace cppstack::runtime::detail

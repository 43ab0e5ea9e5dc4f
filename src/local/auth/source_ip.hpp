#pragma once
// The source-IP allowlist of the API's resource policy (API_ALLOWED_SOURCE_IPS: comma-separated
// addresses or CIDR blocks, IPv4 or IPv6; empty allows every address).
//
//   SourceIpAllowlist allowlist = SourceIpAllowlist::parse("203.0.113.0/24, 2001:db8::/32");
//   bool ok = allowlist.allows(boost::asio::ip::make_address("203.0.113.9"));

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>
#include <string_view>
#include <vector>

namespace cppstack::local::auth {

class SourceIpAllowlist {
 public:
  /// Throws std::invalid_argument naming the entry that is not an address or CIDR block.
  [[nodiscard]] static SourceIpAllowlist parse(std::string_view list);

  [[nodiscard]] bool empty() const noexcept { return v4_.empty() && v6_.empty(); }
  /// True when the list is empty or one entry contains `address` (IPv4-mapped IPv6 addresses
  /// are compared as IPv4).
  [[nodiscard]] bool allows(const boost::asio::ip::address& address) const;

 private:
  std::vector<boost::asio::ip::network_v4> v4_;
  std::vector<boost::asio::ip::network_v6> v6_;
};

}  // namespace cppstack::local::auth

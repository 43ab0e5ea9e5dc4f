#include "source_ip.hpp"

#include <stdexcept>
#include <string>

namespace cppstack::local::auth {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

bool contains(const boost::asio::ip::network_v6& network,
              const boost::asio::ip::address_v6& address) {
  const auto base = network.network().to_bytes();
  const auto bytes = address.to_bytes();
  unsigned bits = network.prefix_length();
  for (std::size_t index = 0; index < bytes.size() && bits > 0; ++index) {
    const unsigned take = bits >= 8 ? 8 : bits;
    const auto mask = static_cast<unsigned char>(0xff << (8 - take));
    if ((bytes[index] & mask) != (base[index] & mask)) return false;
    bits -= take;
  }
  return true;
}

}  // namespace

SourceIpAllowlist SourceIpAllowlist::parse(std::string_view list) {
  SourceIpAllowlist allowlist;
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    const std::string entry(trim(list.substr(0, comma)));
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    if (entry.empty()) continue;
    boost::system::error_code error;
    const std::string cidr = entry.find('/') == std::string::npos
                                 ? entry + (entry.find(':') == std::string::npos ? "/32" : "/128")
                                 : entry;
    if (cidr.find(':') == std::string::npos) {
      const auto network = boost::asio::ip::make_network_v4(cidr, error);
      if (!error) allowlist.v4_.push_back(network.canonical());
    } else {
      const auto network = boost::asio::ip::make_network_v6(cidr, error);
      if (!error) allowlist.v6_.push_back(network.canonical());
    }
    if (error) {
      throw std::invalid_argument(
          "API_ALLOWED_SOURCE_IPS must list IP addresses or CIDR blocks, got '" + entry + "'");
    }
  }
  return allowlist;
}

bool SourceIpAllowlist::allows(const boost::asio::ip::address& address) const {
  if (empty()) return true;
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return allows(boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6()));
  }
  if (address.is_v4()) {
    const auto v4 = address.to_v4();
    for (const auto& network : v4_) {
      if ((v4.to_uint() & network.netmask().to_uint()) == network.network().to_uint()) return true;
    }
    return false;
  }
  for (const auto& network : v6_) {
    if (contains(network, address.to_v6())) return true;
  }
  return false;
}

}  // namespace cppstack::local::auth

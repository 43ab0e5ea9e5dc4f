#pragma once
// Where the resolver looks; tests point it at a DNS server on loopback.

#include <chrono>
#include <string>
#include <vector>

#include "resolver.hpp"

namespace cppstack::aws::detail {

struct ResolverConfig {
  std::string hosts_path = "/etc/hosts";
  std::string resolv_conf_path = "/etc/resolv.conf";
  std::vector<Address> servers{};                   ///< when set, used instead of resolv.conf's
  std::chrono::milliseconds attempt_timeout{1000};  ///< per server and query
};

/// Replaces the configuration and empties the cache.
void set_resolver_config(ResolverConfig config);

}  // namespace cppstack::aws::detail

#pragma once
// One readable line for a server that cannot listen, instead of Boost's error text with its
// source location: which address, why, and the option that changes it.
//
//   catch (const boost::system::system_error& error) {
//     std::cerr << cppstack::local::listen_error_text(error.code(), "127.0.0.1", 3000) << "\n";
//   }

#include <boost/system/error_code.hpp>
#include <cstdint>
#include <string>
#include <string_view>

namespace cppstack::local {

/// e.g. "cannot listen on 127.0.0.1:3000: the port is already in use; choose another with
/// --port (make run PORT=3001)".
[[nodiscard]] std::string listen_error_text(const boost::system::error_code& error,
                                            std::string_view host, std::uint16_t port);

}  // namespace cppstack::local

#include <boost/asio/error.hpp>
#include <cppstack/local/listen_error.hpp>

namespace cppstack::local {

std::string listen_error_text(const boost::system::error_code& error, std::string_view host,
                              std::uint16_t port) {
  const std::string where = std::string(host) + ":" + std::to_string(port);
  if (error == boost::asio::error::address_in_use) {
    return "cannot listen on " + where +
           ": the port is already in use; choose another with --port (make run PORT=" +
           std::to_string(port == 65535 ? 3000 : port + 1) + ")";
  }
  if (error == boost::asio::error::access_denied) {
    return "cannot listen on " + where +
           ": permission denied; choose a port above 1023 with --port";
  }
  if (error == boost::system::errc::address_not_available) {
    return "cannot listen on " + where + ": no such local address; choose another with --host";
  }
  return "cannot listen on " + where + ": " + error.message() + " (see --host and --port)";
}

}  // namespace cppstack::local

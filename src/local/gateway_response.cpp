#include "gateway_response.hpp"

#include <boost/beast/core/string.hpp>
#include <cstdio>
#include <ctime>

namespace cppstack::local {

ResponseHeaderAction response_header_action(std::string_view name) {
  struct Entry {
    std::string_view name;
    ResponseHeaderAction action;
  };
  // "Remapped" and "Remapped Overwritten" both send the function's value under
  // x-amzn-Remapped-<name>; for Date the gateway then sends its own Date. Keep-Alive is not in
  // the table but is hop-by-hop (RFC 9110 7.6.1), so no gateway forwards it.
  static constexpr Entry table[] = {
      {"Authorization", ResponseHeaderAction::remap},
      {"Connection", ResponseHeaderAction::remap},
      {"Content-Length", ResponseHeaderAction::framing},
      {"Content-MD5", ResponseHeaderAction::remap},
      {"Date", ResponseHeaderAction::remap},
      {"Expect", ResponseHeaderAction::drop},
      {"Host", ResponseHeaderAction::drop},
      {"Keep-Alive", ResponseHeaderAction::drop},
      {"Max-Forwards", ResponseHeaderAction::remap},
      {"Proxy-Authenticate", ResponseHeaderAction::drop},
      {"Server", ResponseHeaderAction::remap},
      {"TE", ResponseHeaderAction::drop},
      {"Trailer", ResponseHeaderAction::drop},
      {"Transfer-Encoding", ResponseHeaderAction::drop},
      {"Upgrade", ResponseHeaderAction::drop},
      {"User-Agent", ResponseHeaderAction::remap},
      {"Via", ResponseHeaderAction::drop},
      {"WWW-Authenticate", ResponseHeaderAction::remap},
  };
  for (const Entry& entry : table) {
    if (boost::beast::iequals(entry.name, name)) return entry.action;
  }
  return ResponseHeaderAction::pass;
}

bool is_valid_header_name(std::string_view name) {
  if (name.empty()) return false;
  for (const char c : name) {
    const bool alphanumeric =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alphanumeric && std::string_view("!#$%&'*+-.^_`|~").find(c) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

bool is_valid_header_value(std::string_view value) {
  for (const char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 && c != '\t') || byte == 0x7f) return false;
  }
  return true;
}

std::string http_date(std::chrono::system_clock::time_point time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  // Spelled out instead of strftime's %a/%b, which follow the process's locale.
  static constexpr const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char text[40];
  std::snprintf(text, sizeof text, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[utc.tm_wday],
                utc.tm_mday, months[utc.tm_mon], utc.tm_year + 1900, utc.tm_hour, utc.tm_min,
                utc.tm_sec);
  return text;
}

}  // namespace cppstack::local

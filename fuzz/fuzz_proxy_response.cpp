// The emulator's handling of a function's proxy response on arbitrary bytes: the strict
// parse either refuses it (API Gateway's 502) or yields headers and a body; then either the
// HTTP server's last check refuses the answer (502 again) or it is a well-formed message with
// no CR, LF or NUL in any header.

#include <boost/beast/http.hpp>
#include <cppstack/events/proxy_response.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <string_view>

#include "http_server.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace http = boost::beast::http;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  cppstack::events::ProxyResponse parsed;
  try {
    parsed = cppstack::events::parse_proxy_response(text);
  } catch (const std::exception&) {
    return 0;  // malformed: 502
  }
  cppstack::local::HttpResponse response;
  try {
    response.result(static_cast<unsigned>(parsed.status_code));
    for (const auto& [name, values] : parsed.merged_headers()) {
      for (const auto& value : values) response.insert(name, value);
    }
    response.body() = parsed.body;
    cppstack::local::check_header_safety(response.base());
    response.prepare_payload();
  } catch (const std::exception&) {
    return 0;  // refused before the wire: 502
  }
  for (const auto& field : response) {
    for (const char c : field.value()) {
      if (c == '\r' || c == '\n' || c == '\0') std::abort();
    }
    if (field.name_string().empty()) std::abort();
  }
  return 0;
}

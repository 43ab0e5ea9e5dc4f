// The emulator's HTTP request -> proxy event builder, on arbitrary request bytes as a client
// would send them: whatever Beast accepts as a request becomes an event whose JSON is
// well-formed (structure and escaping; UTF-8 is checked separately).

#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <cppstack/events/proxy_event.hpp>
#include <cppstack/local/gateway_event.hpp>
#include <cppstack/local/route_table.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace http = boost::beast::http;
  http::request_parser<http::string_body> parser;
  parser.eager(true);
  parser.body_limit(1024 * 1024);
  boost::system::error_code error;
  parser.put(boost::asio::buffer(data, size), error);
  if (!error && !parser.is_done()) parser.put_eof(error);
  if (error || !parser.is_done()) return 0;
  const auto& request = parser.get();
  cppstack::local::HttpRequestParts parts;
  parts.method = std::string(request.method_string());
  parts.target = std::string(request.target());
  for (const auto& field : request) {
    parts.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  parts.body = request.body();
  static const auto routes = cppstack::local::RouteTable::catch_all();
  const auto stage_path = cppstack::local::stage_relative_path(parts.target, "prod");
  if (!stage_path) return 0;
  const auto match = routes.match(parts.method, *stage_path);
  if (!match) return 0;
  const auto event = cppstack::local::build_proxy_event(std::move(parts), *match, {});
  const auto json = cppstack::events::serialize(event);
  boost::json::parse_options options;
  options.allow_invalid_utf8 = true;
  boost::json::parse(json, error, {}, options);
  if (error) std::abort();
  return 0;
}

// The proxy event reader (events::parse_proxy_event) on arbitrary bytes: it either returns an
// event or throws; an event it returns survives a serialize/parse round trip unchanged; and the
// DOM reader (events::proxy_event_from_json) accepts and refuses the same JSON texts, with the
// same event (duplicate members included).

#include <boost/json/parse.hpp>
#include <cppstack/events/proxy_event.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  cppstack::events::ProxyEvent event;
  bool pushed = true;
  try {
    event = cppstack::events::parse_proxy_event(text);
  } catch (const std::exception&) {
    pushed = false;
  }
  boost::system::error_code json_error;
  const boost::json::value document = boost::json::parse(text, json_error);
  if (!json_error) {
    try {
      const auto from_dom = cppstack::events::proxy_event_from_json(document);
      if (!pushed || !(from_dom == event)) std::abort();
    } catch (const cppstack::events::EventParseError&) {
      if (pushed) std::abort();
    }
  }
  if (!pushed) return 0;
  const auto again = cppstack::events::parse_proxy_event(cppstack::events::serialize(event));
  if (cppstack::events::serialize(again) != cppstack::events::serialize(event)) std::abort();
  return 0;
}

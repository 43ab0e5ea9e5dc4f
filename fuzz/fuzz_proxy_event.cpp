// The proxy event reader (events::parse_proxy_event) on arbitrary bytes: it either returns an
// event or throws; an event it returns survives a serialize/parse round trip unchanged.

#include <cppstack/events/proxy_event.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  cppstack::events::ProxyEvent event;
  try {
    event = cppstack::events::parse_proxy_event(text);
  } catch (const std::exception&) {
    return 0;
  }
  const auto again = cppstack::events::parse_proxy_event(cppstack::events::serialize(event));
  if (cppstack::events::serialize(again) != cppstack::events::serialize(event)) std::abort();
  return 0;
}

// base64 (RFC 4648) on arbitrary bytes: decoding never fails badly, and encoding then
// decoding gives the input back.

#include <cppstack/events/base64.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (const auto decoded = cppstack::events::base64_decode(bytes)) {
    // Whatever decodes, re-encodes to something that decodes to the same bytes.
    const auto again = cppstack::events::base64_decode(cppstack::events::base64_encode(*decoded));
    if (!again || *again != *decoded) std::abort();
  }
  const auto round_trip = cppstack::events::base64_decode(cppstack::events::base64_encode(bytes));
  if (!round_trip || *round_trip != bytes) std::abort();
  return 0;
}

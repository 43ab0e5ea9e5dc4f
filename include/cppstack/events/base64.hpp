#pragma once
// Standard base64 (RFC 4648, with padding), as API Gateway uses for binary bodies.
//
//   std::string text = cppstack::events::base64_encode("hi");       // "aGk="
//   std::optional<std::string> raw = cppstack::events::base64_decode(text);

#include <optional>
#include <string>
#include <string_view>

namespace cppstack::events {

[[nodiscard]] std::string base64_encode(std::string_view bytes);
/// std::nullopt when the input is not valid padded base64.
[[nodiscard]] std::optional<std::string> base64_decode(std::string_view text);

}  // namespace cppstack::events

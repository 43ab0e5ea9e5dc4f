#pragma once
// SHA-256 and HMAC-SHA256 from mbedTLS's libmbedcrypto, the TLS library the client links.

#include <string>
#include <string_view>

namespace cppstack::aws::detail {

/// Raw 32-byte SHA-256(bytes).
[[nodiscard]] std::string sha256(std::string_view bytes);
/// Raw 32-byte HMAC-SHA256(key, data).
[[nodiscard]] std::string hmac_sha256(std::string_view key, std::string_view data);
/// Lower-case hex of `bytes`.
[[nodiscard]] std::string hex(std::string_view bytes);

}  // namespace cppstack::aws::detail

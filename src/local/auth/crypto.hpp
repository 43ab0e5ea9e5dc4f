#pragma once
// The few cryptographic primitives the local gateway's authorizers need, from OpenSSL: SHA-256,
// HMAC-SHA256 (SigV4), RS256 signature verification against a JWK (Cognito), base64url.
// Linked into cppstack-local only: the function's bootstrap stays free of OpenSSL.
//
//   std::string digest = cppstack::local::auth::sha256_hex("");   // e3b0c442...
//   bool valid = cppstack::local::auth::rs256_verify(modulus, exponent, signed_text, signature);

#include <optional>
#include <string>
#include <string_view>

namespace cppstack::local::auth {

/// Lower-case hex of SHA-256(bytes).
[[nodiscard]] std::string sha256_hex(std::string_view bytes);
/// Raw 32-byte HMAC-SHA256(key, data).
[[nodiscard]] std::string hmac_sha256(std::string_view key, std::string_view data);
[[nodiscard]] std::string hex(std::string_view bytes);
/// base64url without padding (RFC 4648 section 5, as JWTs use it); std::nullopt when invalid.
[[nodiscard]] std::optional<std::string> base64url_decode(std::string_view text);

/// True when `signature` is a valid RSASSA-PKCS1-v1_5 SHA-256 signature of `data` by the RSA
/// public key with big-endian `modulus` and `exponent` (raw bytes, as decoded from a JWK).
[[nodiscard]] bool rs256_verify(std::string_view modulus, std::string_view exponent,
                                std::string_view data, std::string_view signature);

/// Constant-time comparison, for signatures.
[[nodiscard]] bool equal_in_constant_time(std::string_view left, std::string_view right) noexcept;

}  // namespace cppstack::local::auth

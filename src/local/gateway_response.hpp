#pragma once
// How API Gateway (REST API, Lambda proxy integration) turns a function's response headers into
// the answer's headers: its remap/drop table, HTTP validity of names and values, and the Date
// header it always sends.
//
//   switch (cppstack::local::response_header_action("WWW-Authenticate")) {
//     case ResponseHeaderAction::remap: ...  // sent as x-amzn-Remapped-WWW-Authenticate
//   }

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

namespace cppstack::local {

/// What the gateway does with one response header of a Lambda proxy integration.
enum class ResponseHeaderAction {
  pass,    ///< sent as the function set it
  drop,    ///< never sent
  remap,   ///< sent as x-amzn-Remapped-<name>; the gateway may send its own <name> too
  framing  ///< Content-Length: the gateway frames the answer itself
};

/// The response column (`lambda`) of the header table in "Amazon API Gateway important notes"
/// (REST APIs). Names compare case-insensitively.
[[nodiscard]] ResponseHeaderAction response_header_action(std::string_view name);

/// The prefix API Gateway puts before a remapped response header's name.
inline constexpr std::string_view remapped_header_prefix = "x-amzn-Remapped-";

/// A field name is an RFC 9110 token (letters, digits and !#$%&'*+-.^_`|~), not empty.
[[nodiscard]] bool is_valid_header_name(std::string_view name);
/// A field value holds no CR, LF, NUL or other control character except HTAB.
[[nodiscard]] bool is_valid_header_value(std::string_view value);

/// The longest header name or value the emulator's HTTP writer can send (Beast stores each in
/// 16 bits, with its CRLF): longer ones make the function's response malformed (502).
inline constexpr std::size_t max_response_header_field_bytes = 65533;

/// An HTTP date (RFC 9110 IMF-fixdate): `Sun, 06 Nov 1994 08:49:37 GMT`.
[[nodiscard]] std::string http_date(std::chrono::system_clock::time_point time);

}  // namespace cppstack::local

#pragma once
// Making text safe for JSON: Boost.JSON writes string bytes as they are, so text from outside
// (exception messages, error types) is repaired to valid UTF-8 before it is serialized.
//
//   std::string safe = cppstack::observability::to_valid_utf8(error.what());

#include <string>
#include <string_view>

namespace cppstack::observability {

/// Returns text unchanged when it is valid UTF-8; otherwise replaces each maximal invalid
/// subsequence with U+FFFD, as the Unicode standard recommends.
[[nodiscard]] std::string to_valid_utf8(std::string_view text);

}  // namespace cppstack::observability

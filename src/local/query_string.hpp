#pragma once
// The query string as API Gateway hands it to a function: pairs split at '&' and at ';', each
// key and value form-decoded ('+' is a space, then %XX). One parser for the event and for the
// SigV4 check, so a signature covers exactly the parameters the function receives.
//
//   for (const auto& [key, value] : query_parameters("a=1;b=x+y%2B")) ...  // a=1, b="x y+"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cppstack::local {

/// application/x-www-form-urlencoded decoding of one key or value: '+' is a space, then %XX is
/// decoded ("a+b%2Bc" -> "a b+c"). Text that is not valid percent-encoding stays as it is. The
/// result is bytes (not checked for UTF-8).
[[nodiscard]] std::string form_decode(std::string_view text);

/// The query's parameters in order, decoded as form_decode does. Pairs are separated by '&' and
/// also by ';'; an empty piece is skipped; a key without '=' has the value "".
[[nodiscard]] std::vector<std::pair<std::string, std::string>> query_parameters(
    std::string_view query);

}  // namespace cppstack::local

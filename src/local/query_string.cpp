#include "query_string.hpp"

#include <algorithm>

#include "percent_decode.hpp"

namespace cppstack::local {

// API Gateway applies this decoding to query string keys and values (recorded from AWS,
// contracts.md section 1).
std::string form_decode(std::string_view text) {
  std::string spaced(text);
  std::replace(spaced.begin(), spaced.end(), '+', ' ');
  return percent_decode(spaced);
}

// ';' separates too: "The semicolon character (;) is not supported for any request URL query
// string and results in the data being split" (Amazon API Gateway important notes, REST APIs).
std::vector<std::pair<std::string, std::string>> query_parameters(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> parameters;
  std::size_t start = 0;
  while (start <= query.size()) {
    std::size_t end = query.find_first_of("&;", start);
    if (end == std::string_view::npos) end = query.size();
    const std::string_view piece = query.substr(start, end - start);
    if (!piece.empty()) {
      const std::size_t equals = piece.find('=');
      parameters.emplace_back(
          form_decode(piece.substr(0, equals)),
          equals == std::string_view::npos ? std::string() : form_decode(piece.substr(equals + 1)));
    }
    start = end + 1;
  }
  return parameters;
}

}  // namespace cppstack::local

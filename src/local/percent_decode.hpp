#pragma once
// Percent-decoding of %XX only ('+' is left to the caller: query strings are form-decoded in
// gateway_event.cpp); text that is not valid percent-encoding is passed through unchanged.

#include <boost/url/decode_view.hpp>
#include <boost/url/pct_string_view.hpp>
#include <string>
#include <string_view>

namespace cppstack::local {

inline std::string percent_decode(std::string_view text) {
  if (text.find('%') == std::string_view::npos) return std::string(text);
  auto checked = boost::urls::make_pct_string_view(text);
  if (!checked) return std::string(text);
  std::string decoded;
  decoded.reserve(checked->decoded_size());
  for (const char c : **checked) decoded.push_back(c);
  return decoded;
}

}  // namespace cppstack::local

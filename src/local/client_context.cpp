#include "client_context.hpp"

#include <boost/json.hpp>
#include <cppstack/events/base64.hpp>

namespace cppstack::local {

std::optional<std::string> normalize_client_context(std::string_view json_text) {
  boost::system::error_code error;
  const auto parsed = boost::json::parse(json_text, error);
  if (error || !parsed.is_object()) return std::nullopt;
  std::string text = boost::json::serialize(parsed);
  // The serializer escapes every control character but DEL, which a header value must not
  // hold either; in JSON it can only be inside a string, where \u007f means the same.
  std::string safe;
  safe.reserve(text.size());
  for (const char c : text) {
    if (c == '\x7f') {
      safe.append("\\u007f");
    } else {
      safe.push_back(c);
    }
  }
  return safe;
}

std::optional<std::string> decode_client_context(std::string_view header) {
  const auto decoded = events::base64_decode(header);
  if (!decoded) return std::nullopt;
  return normalize_client_context(*decoded);
}

}  // namespace cppstack::local

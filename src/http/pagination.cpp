#include <cppstack/events/base64.hpp>
#include <cppstack/http/pagination.hpp>
#include <cppstack/http/request.hpp>

#include <boost/json/serialize.hpp>
#include <cctype>

namespace cppstack::http {
namespace {

// RFC 3986 unreserved characters stay; everything else is %XX.
std::string percent_encode(std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string encoded;
  for (const char character : text) {
    const auto byte = static_cast<unsigned char>(character);
    if (std::isalnum(byte) != 0 || character == '-' || character == '.' || character == '_' ||
        character == '~') {
      encoded += character;
    } else {
      encoded += '%';
      encoded += hex[byte >> 4U];
      encoded += hex[byte & 0x0FU];
    }
  }
  return encoded;
}

}  // namespace

std::string encode_cursor(std::string_view position) {
  std::string cursor = events::base64_encode(position);
  while (!cursor.empty() && cursor.back() == '=') cursor.pop_back();
  for (char& character : cursor) {
    if (character == '+') character = '-';
    if (character == '/') character = '_';
  }
  return cursor;
}

std::optional<std::string> decode_cursor(const std::optional<std::string>& cursor) {
  if (!cursor) return std::nullopt;
  std::string text = *cursor;
  for (char& character : text) {
    if (character == '-') character = '+';
    if (character == '_') character = '/';
  }
  // A cursor never carries '+', '/' or '=' itself: those are not ours.
  if (cursor->find_first_of("+/=") != std::string::npos) {
    throw BadRequest("cursor is not one this API gave", "cursor");
  }
  while (text.size() % 4 != 0) text += '=';
  std::optional<std::string> position = events::base64_decode(text);
  if (!position) throw BadRequest("cursor is not one this API gave", "cursor");
  return position;
}

std::size_t page_item_bytes(const boost::json::value& item) {
  const std::string text = boost::json::serialize(item);
  std::size_t bytes = text.size() + 1;
  for (const char character : text) {
    if (character == '"' || character == '\\') ++bytes;
  }
  return bytes;
}

std::string next_page_link(const Request& request, std::string_view cursor) {
  std::string link(1, '<');
  link.append(request.public_path(request.event.path));
  char separator = '?';
  const auto append = [&](std::string_view name, std::string_view value) {
    link += separator;
    link.append(percent_encode(name)).append("=").append(percent_encode(value));
    separator = '&';
  };
  if (const auto& parameters = request.event.multi_value_query_string_parameters) {
    for (const auto& [name, values] : *parameters) {
      if (name == "cursor") continue;
      for (const std::string& value : values) append(name, value);
    }
  }
  append("cursor", cursor);
  link.append(">; rel=\"next\"");
  return link;
}

}  // namespace cppstack::http

#include <cppstack/observability/json_line.hpp>
#include <cppstack/observability/utf8.hpp>

#include <charconv>
#include <cmath>

namespace cppstack::observability {
namespace {

bool is_plain_ascii(std::string_view text) {
  for (const char character : text) {
    const auto byte = static_cast<unsigned char>(character);
    if (byte < 0x20 || byte >= 0x80 || character == '"' || character == '\\') return false;
  }
  return true;
}

void append_escaped(std::string& out, std::string_view text) {
  static constexpr char hex[] = "0123456789abcdef";
  for (const char character : text) {
    const auto byte = static_cast<unsigned char>(character);
    switch (character) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      case '\b':
        out.append("\\b");
        break;
      case '\f':
        out.append("\\f");
        break;
      default:
        if (byte < 0x20) {
          out.append("\\u00");
          out.push_back(hex[byte >> 4]);
          out.push_back(hex[byte & 0xf]);
        } else {
          out.push_back(character);
        }
    }
  }
}

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  out.push_back('"');
  if (is_plain_ascii(text)) {
    out.append(text);  // the common case: no copy, no escaping
  } else {
    append_escaped(out, to_valid_utf8(text));
  }
  out.push_back('"');
}

void append_json_number(std::string& out, double value) {
  if (!std::isfinite(value)) value = 0;
  char text[32];
  const auto result = std::to_chars(text, text + sizeof text, value);
  out.append(text, result.ptr);
}

std::string& JsonLineWriter::key(std::string_view name) {
  if (!empty_) out_.push_back(',');
  empty_ = false;
  append_json_string(out_, name);
  out_.push_back(':');
  return out_;
}

void JsonLineWriter::string(std::string_view name, std::string_view value) {
  append_json_string(key(name), value);
}

void JsonLineWriter::string_or_null(std::string_view name, std::string_view value) {
  if (value.empty()) {
    key(name).append("null");
  } else {
    string(name, value);
  }
}

void JsonLineWriter::number(std::string_view name, double value) {
  append_json_number(key(name), value);
}

void JsonLineWriter::integer(std::string_view name, std::int64_t value) {
  char text[24];
  const auto result = std::to_chars(text, text + sizeof text, value);
  key(name).append(text, result.ptr);
}

void JsonLineWriter::boolean(std::string_view name, bool value) {
  key(name).append(value ? "true" : "false");
}

}  // namespace cppstack::observability

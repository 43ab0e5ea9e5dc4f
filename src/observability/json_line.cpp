#include <cppstack/observability/json_line.hpp>
#include <cppstack/observability/utf8.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace cppstack::observability {
namespace {

// True when no byte needs escaping or repair: printable ASCII other than '"' and '\\'. Checks
// eight bytes per step (SWAR): log lines are mostly such text.
bool is_plain_ascii(std::string_view text) {
  constexpr std::uint64_t ones = 0x0101010101010101ULL;
  constexpr std::uint64_t high = 0x8080808080808080ULL;
  const auto has_zero_byte = [](std::uint64_t word) { return ((word - ones) & ~word & high) != 0; };
  std::size_t index = 0;
  for (; index + 8 <= text.size(); index += 8) {
    std::uint64_t word = 0;
    std::memcpy(&word, text.data() + index, 8);
    const bool control = ((word - ones * 0x20) & ~word & high) != 0;  // a byte below 0x20
    if ((word & high) != 0 || control || has_zero_byte(word ^ (ones * '"')) ||
        has_zero_byte(word ^ (ones * '\\'))) {
      return false;
    }
  }
  for (; index < text.size(); ++index) {
    const auto byte = static_cast<unsigned char>(text[index]);
    if (byte < 0x20 || byte >= 0x80 || byte == '"' || byte == '\\') return false;
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

void append_json_string_concat(std::string& out, std::initializer_list<std::string_view> parts) {
  bool plain = true;
  for (const std::string_view part : parts) plain = plain && is_plain_ascii(part);
  if (!plain) {
    // Rare (text from outside that needs escaping or UTF-8 repair): repair the joined text, as
    // a sequence cut between two parts is one sequence to repair, not two.
    std::string joined;
    for (const std::string_view part : parts) joined.append(part);
    append_json_string(out, joined);
    return;
  }
  out.push_back('"');
  for (const std::string_view part : parts) out.append(part);
  out.push_back('"');
}

void append_json_number(std::string& out, double value) {
  if (!std::isfinite(value)) value = 0;
  // Whole numbers (counts) and thousandths (milliseconds to the microsecond) are written with
  // integer arithmetic: they are most numbers of a request's lines, and snprintf costs more
  // than the rest of a line.
  const double thousandths = value * 1000.0;
  const double rounded = std::nearbyint(thousandths);
  // Within 1e-9 relative: 0.123 * 1000 is 123.00000000000001 in binary floating point.
  if (std::fabs(thousandths) < 9.0e15 &&
      std::fabs(thousandths - rounded) <= 1e-9 * std::max(1.0, std::fabs(thousandths))) {
    auto scaled = static_cast<std::int64_t>(rounded);
    if (scaled < 0) {
      out.push_back('-');
      scaled = -scaled;
    }
    char digits[24];
    const auto result = std::to_chars(digits, digits + sizeof digits, scaled / 1000);
    out.append(digits, result.ptr);
    if (const auto fraction = static_cast<int>(scaled % 1000); fraction != 0) {
      char text[5] = {'.', static_cast<char>('0' + fraction / 100),
                      static_cast<char>('0' + fraction / 10 % 10),
                      static_cast<char>('0' + fraction % 10), '\0'};
      std::size_t length = 4;
      while (text[length - 1] == '0') --length;
      out.append(text, length);
    }
    return;
  }
  // Anything else with 15 significant digits; snprintf is already in the binary, where
  // std::to_chars for double would add tens of KB to the package.
  char text[32];
  const int length = std::snprintf(text, sizeof text, "%.15g", value);
  out.append(text, static_cast<std::size_t>(length));
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

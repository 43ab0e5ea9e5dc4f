#include "json_text.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <boost/json/value.hpp>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

namespace cppstack::events::detail {
namespace {

// 0: copy as is; 'u': \u00XX; any other letter: the two-character escape \<letter>.
constexpr std::array<char, 256> make_escape_table() {
  std::array<char, 256> table{};
  for (int c = 0; c < 0x20; ++c) table[static_cast<std::size_t>(c)] = 'u';
  table['\b'] = 'b';
  table['\t'] = 't';
  table['\n'] = 'n';
  table['\f'] = 'f';
  table['\r'] = 'r';
  table['"'] = '"';
  table['\\'] = '\\';
  return table;
}

constexpr std::array<char, 256> escape_table = make_escape_table();

// Writes the escape of one byte that needs one; returns the end of what it wrote.
char* write_escape(char* cursor, char character) {
  static constexpr char hex_digits[] = "0123456789abcdef";
  const auto byte = static_cast<std::uint8_t>(character);
  const char escape = escape_table[byte];
  if (escape == 'u') {
    const char unicode_escape[] = {
        '\\', 'u', '0', '0', hex_digits[byte >> 4], hex_digits[byte & 0xf]};
    std::memcpy(cursor, unicode_escape, sizeof unicode_escape);
    return cursor + sizeof unicode_escape;
  }
  cursor[0] = '\\';
  cursor[1] = escape;
  return cursor + 2;
}

// One bit (the high bit of its byte) per byte of `word` that needs escaping: below 0x20, '"'
// or '\\'. Exact per byte: no carry crosses a byte.
constexpr std::uint64_t needs_escape_mask(std::uint64_t word) {
  constexpr std::uint64_t low7 = 0x7f7f7f7f7f7f7f7fULL;
  constexpr std::uint64_t high = 0x8080808080808080ULL;
  constexpr std::uint64_t ones = 0x0101010101010101ULL;
  const auto zero_bytes = [](std::uint64_t value) {
    return ~(((value & low7) + low7) | value) & high;
  };
  const std::uint64_t control = ~(((word & low7) + ones * 0x60) | word) & high;
  return control | zero_bytes(word ^ (ones * '"')) | zero_bytes(word ^ (ones * '\\'));
}

// Escapes `text` into `cursor`, which has room for 6 bytes per byte of text; returns the end.
// Eight bytes at a time where none needs escaping (little-endian: the first byte is the
// lowest), one at a time elsewhere.
char* escape_into(char* cursor, std::string_view text) {
  const char* in = text.data();
  const char* const end = in + text.size();
  if constexpr (std::endian::native == std::endian::little) {
    while (end - in >= 8) {
      std::uint64_t word = 0;
      std::memcpy(&word, in, 8);
      const std::uint64_t mask = needs_escape_mask(word);
      std::memcpy(cursor, in, 8);  // room for 48 bytes here: only the clean prefix counts
      if (mask == 0) {
        cursor += 8;
        in += 8;
        continue;
      }
      const auto clean = static_cast<std::size_t>(std::countr_zero(mask) / 8);
      cursor += clean;
      in += clean;
      cursor = write_escape(cursor, *in++);
    }
  }
  for (; in != end; ++in) {
    if (escape_table[static_cast<std::uint8_t>(*in)] == 0) {
      *cursor++ = *in;
    } else {
      cursor = write_escape(cursor, *in);
    }
  }
  return cursor;
}

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  // An empty view may hold a null pointer, and null + 0 is undefined behaviour (clang's
  // -fsanitize=pointer-overflow reports it; the fuzzers found it).
  if (text.empty()) {
    out.append(2, '"');
    return;
  }
  // Written in place: the buffer is grown to the worst case of a chunk (every byte \u00XX),
  // then cut to what was written. A JSON body has a quote to escape every few bytes, and an
  // append per escape cost more than the rest of the response. Chunks bound the slack.
  constexpr std::size_t chunk_bytes = 4096;
  std::size_t written = out.size();
  out.resize(written + std::min(text.size(), chunk_bytes) * 6 + 2);  // with both quotes
  out[written++] = '"';
  for (std::size_t offset = 0; offset < text.size(); offset += chunk_bytes) {
    const std::string_view chunk = text.substr(offset, chunk_bytes);
    if (offset != 0) out.resize(written + chunk.size() * 6 + 1);  // with the closing quote
    char* const begin = out.data() + written;
    written += static_cast<std::size_t>(escape_into(begin, chunk) - begin);
  }
  out[written++] = '"';
  out.resize(written);
}

namespace {

void append_json_value(std::string& out, const std::string& value) {
  append_json_string(out, value);
}

void append_json_value(std::string& out, const std::vector<std::string>& values) {
  out.push_back('[');
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i != 0) out.push_back(',');
    append_json_string(out, values[i]);
  }
  out.push_back(']');
}

std::size_t json_value_size_hint(const std::string& value) { return value.size() + 3; }

std::size_t json_value_size_hint(const std::vector<std::string>& values) {
  std::size_t size = 2;
  for (const std::string& value : values) size += value.size() + 3;
  return size;
}

boost::json::value to_json_value(const std::string& value) { return boost::json::string(value); }

boost::json::value to_json_value(const std::vector<std::string>& values) {
  boost::json::array array;
  array.reserve(values.size());
  for (const std::string& value : values) array.emplace_back(value);
  return array;
}

template <typename Map>
void append_map(std::string& out, const Map& map) {
  out.push_back('{');
  bool first = true;
  for (const auto& [name, value] : map) {
    if (!first) out.push_back(',');
    first = false;
    append_json_string(out, name);
    out.push_back(':');
    append_json_value(out, value);
  }
  out.push_back('}');
}

template <typename Map>
std::size_t map_size_hint(const Map& map) {
  std::size_t size = 2;
  for (const auto& [name, value] : map) size += name.size() + 4 + json_value_size_hint(value);
  return size;
}

template <typename Map>
boost::json::object map_to_json_object(const Map& map) {
  boost::json::object object;
  object.reserve(map.size());
  for (const auto& [name, value] : map) object.emplace(name, to_json_value(value));
  return object;
}

}  // namespace

bool has_non_finite_number(const boost::json::value& value) {
  switch (value.kind()) {
    case boost::json::kind::double_:
      return !std::isfinite(value.get_double());
    case boost::json::kind::object:
      for (const auto& member : value.get_object()) {
        if (has_non_finite_number(member.value())) return true;
      }
      return false;
    case boost::json::kind::array:
      for (const auto& element : value.get_array()) {
        if (has_non_finite_number(element)) return true;
      }
      return false;
    default:
      return false;
  }
}

boost::json::value with_finite_numbers(const boost::json::value& value) {
  switch (value.kind()) {
    case boost::json::kind::double_:
      if (!std::isfinite(value.get_double())) return nullptr;
      return value;
    case boost::json::kind::object: {
      boost::json::object copy;
      copy.reserve(value.get_object().size());
      for (const auto& member : value.get_object()) {
        copy.emplace(member.key(), with_finite_numbers(member.value()));
      }
      return copy;
    }
    case boost::json::kind::array: {
      boost::json::array copy;
      copy.reserve(value.get_array().size());
      for (const auto& element : value.get_array()) copy.push_back(with_finite_numbers(element));
      return copy;
    }
    default:
      return value;
  }
}

std::string serialize_finite(const boost::json::value& value) {
  if (!has_non_finite_number(value)) return boost::json::serialize(value);
  return boost::json::serialize(with_finite_numbers(value));
}

void append_json_object(std::string& out, const StringMap& map) { append_map(out, map); }
void append_json_object(std::string& out, const MultiValueMap& map) { append_map(out, map); }

std::size_t json_size_hint(const StringMap& map) { return map_size_hint(map); }
std::size_t json_size_hint(const MultiValueMap& map) { return map_size_hint(map); }

boost::json::object to_json_object(const StringMap& map) { return map_to_json_object(map); }
boost::json::object to_json_object(const MultiValueMap& map) { return map_to_json_object(map); }

}  // namespace cppstack::events::detail

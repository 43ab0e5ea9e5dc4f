#include "json_text.hpp"

#include <array>
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <boost/json/value.hpp>
#include <cmath>
#include <cstdint>
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

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  static constexpr char hex_digits[] = "0123456789abcdef";
  out.push_back('"');
  const char* run_start = text.data();
  const char* const end = text.data() + text.size();
  for (const char* cursor = run_start; cursor != end; ++cursor) {
    const char escape = escape_table[static_cast<std::uint8_t>(*cursor)];
    if (escape == 0) continue;
    out.append(run_start, cursor);
    if (escape == 'u') {
      const auto byte = static_cast<std::uint8_t>(*cursor);
      const char unicode_escape[] = {
          '\\', 'u', '0', '0', hex_digits[byte >> 4], hex_digits[byte & 0xf]};
      out.append(unicode_escape, sizeof unicode_escape);
    } else {
      const char short_escape[] = {'\\', escape};
      out.append(short_escape, sizeof short_escape);
    }
    run_start = cursor + 1;
  }
  out.append(run_start, end);
  out.push_back('"');
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

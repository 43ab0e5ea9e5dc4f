#pragma once
// JSON writing shared by the event and the response: string escaping that matches
// boost::json::serialize byte for byte (so the hand-written writers and to_json agree), the
// header/parameter maps in both forms, and ASCII case-insensitive comparison for header names.

#include <boost/json/object.hpp>
#include <cppstack/events/proxy_event.hpp>
#include <cstddef>
#include <string>
#include <string_view>

namespace cppstack::events::detail {

/// Appends `text` as a quoted JSON string. Escapes exactly what boost::json::serialize escapes
/// (quote, backslash, control characters); UTF-8 passes through unchanged.
void append_json_string(std::string& out, std::string_view text);

/// Writes the members of one JSON object, placing the commas.
///
///   JsonObjectWriter object(out);
///   append_json_string(object.key("path"), "/v1/health");
///   object.close();
class JsonObjectWriter {
 public:
  explicit JsonObjectWriter(std::string& out) : out_(out) { out_.push_back('{'); }

  /// Starts the member `name` (a key known not to need escaping); write its value next.
  std::string& key(std::string_view name) {
    if (!empty_) out_.push_back(',');
    empty_ = false;
    out_.push_back('"');
    out_.append(name);
    out_.append("\":");
    return out_;
  }

  void close() { out_.push_back('}'); }

 private:
  std::string& out_;
  bool empty_ = true;
};

void append_json_object(std::string& out, const StringMap& map);
void append_json_object(std::string& out, const MultiValueMap& map);

/// Roughly the bytes append_json_object writes, to size a single reserve().
[[nodiscard]] std::size_t json_size_hint(const StringMap& map);
[[nodiscard]] std::size_t json_size_hint(const MultiValueMap& map);

/// True when a double in `value` (at any depth) is infinite or NaN: Boost.JSON 1.81 writes
/// those as `Infinity`/`NaN`, which is not JSON.
[[nodiscard]] bool has_non_finite_number(const boost::json::value& value);
/// A copy of `value` with every infinite or NaN double replaced by null, as JavaScript's
/// JSON.stringify writes them.
[[nodiscard]] boost::json::value with_finite_numbers(const boost::json::value& value);
/// boost::json::serialize, except that infinite and NaN doubles are written as null.
[[nodiscard]] std::string serialize_finite(const boost::json::value& value);

[[nodiscard]] boost::json::object to_json_object(const StringMap& map);
[[nodiscard]] boost::json::object to_json_object(const MultiValueMap& map);

[[nodiscard]] inline char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

[[nodiscard]] inline bool ascii_iequals(std::string_view left, std::string_view right) {
  if (left.size() != right.size()) return false;
  for (std::size_t i = 0; i < left.size(); ++i) {
    if (ascii_lower(left[i]) != ascii_lower(right[i])) return false;
  }
  return true;
}

}  // namespace cppstack::events::detail

#include <algorithm>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cmath>
#include <cppstack/events/proxy_response.hpp>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <utility>

#include "json_text.hpp"

namespace cppstack::events {
namespace json = boost::json;
namespace {

// Beyond this range the emulator could not even write a status line.
constexpr std::int64_t lowest_status_code = 100;
constexpr std::int64_t highest_status_code = 599;

[[noreturn]] void fail(const std::string& message) { throw ResponseShapeError(message); }

std::string quoted(std::string_view text) {
  std::string out;
  detail::append_json_string(out, text);
  return out;
}

// API Gateway accepts an integer and a numeric string such as "201" (recorded from AWS,
// contracts.md section 1); a fraction, a boolean or other text is a malformed response.
int read_status_code(const json::value& value) {
  std::int64_t number = 0;
  if (const json::string* text = value.if_string()) {
    const std::string_view digits(text->data(), text->size());
    if (digits.empty() || digits.size() > 3 ||
        digits.find_first_not_of("0123456789") != std::string_view::npos) {
      fail("statusCode must be an integer or a string of digits");
    }
    for (const char digit : digits) number = number * 10 + (digit - '0');
  } else if (value.is_uint64()) {
    fail("statusCode must be between 100 and 599");
  } else if (const std::int64_t* integer = value.if_int64()) {
    number = *integer;
  } else {
    fail("statusCode must be an integer");
  }
  if (number < lowest_status_code || number > highest_status_code) {
    fail("statusCode must be between 100 and 599");
  }
  return static_cast<int>(number);
}

// Header values: API Gateway sends a boolean or a number as its text (`true`, `42`).
// Anything else (null, an object, an array) is a malformed response.
std::optional<std::string> header_text(const json::value& value) {
  if (const json::string* text = value.if_string()) return std::string(text->data(), text->size());
  if (const bool* flag = value.if_bool()) return std::string(*flag ? "true" : "false");
  if (const std::int64_t* integer = value.if_int64()) return std::to_string(*integer);
  if (const std::uint64_t* unsigned_integer = value.if_uint64()) {
    return std::to_string(*unsigned_integer);
  }
  if (const double* number = value.if_double()) {
    // 1e400 parses to infinity, which has no JSON or header text: a malformed response.
    if (!std::isfinite(*number)) return std::nullopt;
    // The shortest text that reads back as the same double (1.5, not ryu's 1.5E0). snprintf,
    // not std::to_chars: the latter's double tables would grow the function's package.
    char text[32];
    for (int precision = 1; precision <= 17; ++precision) {
      std::snprintf(text, sizeof text, "%.*g", precision, *number);
      if (std::strtod(text, nullptr) == *number) break;
    }
    return std::string(text);
  }
  return std::nullopt;
}

StringMap read_headers(const json::value& value) {
  StringMap headers;
  if (value.is_null()) return headers;
  const json::object* object = value.if_object();
  if (object == nullptr) fail("headers must be an object of strings or null");
  for (const json::key_value_pair& member : *object) {
    std::optional<std::string> text = header_text(member.value());
    if (!text) {
      fail("headers." + std::string(member.key()) + " must be a string, a number or a boolean");
    }
    headers.insert_or_assign(std::string(member.key()), std::move(*text));
  }
  return headers;
}

MultiValueMap read_multi_value_headers(const json::value& value) {
  MultiValueMap headers;
  if (value.is_null()) return headers;
  const json::object* object = value.if_object();
  if (object == nullptr) fail("multiValueHeaders must be an object of string arrays or null");
  for (const json::key_value_pair& member : *object) {
    const auto not_strings = [&] {
      fail("multiValueHeaders." + std::string(member.key()) +
           " must be an array of strings, numbers or booleans");
    };
    const json::array* values = member.value().if_array();
    if (values == nullptr) not_strings();
    std::vector<std::string> strings;
    strings.reserve(values->size());
    for (const json::value& element : *values) {
      std::optional<std::string> text = header_text(element);
      if (!text) not_strings();
      strings.push_back(std::move(*text));
    }
    headers.insert_or_assign(std::string(member.key()), std::move(strings));
  }
  return headers;
}

}  // namespace

// "If you specify values for both headers and multiValueHeaders, API Gateway merges them into
// a single list. If the same key-value pair is specified in both, only the values from
// multiValueHeaders will appear in the merged list." (Set up Lambda proxy integrations,
// output format.)
MultiValueMap ProxyResponse::merged_headers() const {
  MultiValueMap merged = multi_value_headers;
  for (const auto& [name, value] : headers) {
    std::vector<std::string>* values = nullptr;
    for (auto& [multi_name, multi_values] : merged) {
      if (detail::ascii_iequals(name, multi_name)) {
        values = &multi_values;
        break;
      }
    }
    if (values == nullptr) {
      merged.emplace(name, std::vector<std::string>{value});
    } else if (std::find(values->begin(), values->end(), value) == values->end()) {
      values->push_back(value);
    }
  }
  return merged;
}

ProxyResponse parse_proxy_response(std::string_view json_text) {
  // A response is a few KB and is copied out right away, so its DOM lives in a stack arena:
  // one bulk release instead of a free per node. Larger ones spill over to the heap.
  alignas(std::max_align_t) unsigned char arena_buffer[16 * 1024];
  json::monotonic_resource arena(arena_buffer, sizeof arena_buffer);
  json::error_code error;
  const json::value document = json::parse(json_text, error, &arena);
  if (error) fail("response is not valid JSON: " + error.message());
  const json::object* root = document.if_object();
  if (root == nullptr) fail("response must be a JSON object");

  ProxyResponse response;
  for (const json::key_value_pair& member : *root) {
    const std::string_view key = member.key();
    const json::value& value = member.value();
    if (key == "statusCode") {
      response.status_code = read_status_code(value);
    } else if (key == "headers") {
      response.headers = read_headers(value);
    } else if (key == "multiValueHeaders") {
      response.multi_value_headers = read_multi_value_headers(value);
    } else if (key == "body") {
      if (const json::string* text = value.if_string()) {
        response.body.assign(text->data(), text->size());
      } else if (!value.is_null()) {
        fail("body must be a string or null");
      }
    } else if (key == "isBase64Encoded") {
      const bool* flag = value.if_bool();
      if (flag == nullptr) fail("isBase64Encoded must be a boolean");
      response.is_base64_encoded = *flag;
    } else {
      fail("unexpected key " + quoted(key));
    }
  }
  // No statusCode at all is a 200 (recorded from AWS; ProxyResponse's default).
  return response;
}

json::value to_json(const ProxyResponse& response) {
  json::object object;
  object.reserve(5);
  object.emplace("statusCode", response.status_code);
  if (!response.headers.empty()) {
    object.emplace("headers", detail::to_json_object(response.headers));
  }
  if (!response.multi_value_headers.empty()) {
    object.emplace("multiValueHeaders", detail::to_json_object(response.multi_value_headers));
  }
  object.emplace("body", response.body);
  object.emplace("isBase64Encoded", response.is_base64_encoded);
  return object;
}

std::string serialize(const ProxyResponse& response) {
  const std::size_t size_hint = 80 + response.body.size() +
                                detail::json_size_hint(response.headers) +
                                detail::json_size_hint(response.multi_value_headers);
  std::string out;
  out.reserve(size_hint);

  detail::JsonObjectWriter object(out);
  object.key("statusCode").append(std::to_string(response.status_code));
  if (!response.headers.empty()) {
    detail::append_json_object(object.key("headers"), response.headers);
  }
  if (!response.multi_value_headers.empty()) {
    detail::append_json_object(object.key("multiValueHeaders"), response.multi_value_headers);
  }
  detail::append_json_string(object.key("body"), response.body);
  object.key("isBase64Encoded").append(response.is_base64_encoded ? "true" : "false");
  object.close();
  return out;
}

}  // namespace cppstack::events

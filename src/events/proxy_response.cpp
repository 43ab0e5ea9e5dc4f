#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cppstack/events/proxy_response.hpp>
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

int read_status_code(const json::value& value) {
  if (value.is_string()) fail("statusCode must be an integer, not a string");
  if (value.is_uint64()) fail("statusCode must be between 100 and 599");
  const std::int64_t* number = value.if_int64();
  if (number == nullptr) fail("statusCode must be an integer");
  if (*number < lowest_status_code || *number > highest_status_code) {
    fail("statusCode must be between 100 and 599");
  }
  return static_cast<int>(*number);
}

StringMap read_headers(const json::value& value) {
  StringMap headers;
  if (value.is_null()) return headers;
  const json::object* object = value.if_object();
  if (object == nullptr) fail("headers must be an object of strings or null");
  for (const json::key_value_pair& member : *object) {
    const json::string* text = member.value().if_string();
    if (text == nullptr) fail("headers." + std::string(member.key()) + " must be a string");
    headers.insert_or_assign(std::string(member.key()), std::string(text->data(), text->size()));
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
      fail("multiValueHeaders." + std::string(member.key()) + " must be an array of strings");
    };
    const json::array* values = member.value().if_array();
    if (values == nullptr) not_strings();
    std::vector<std::string> strings;
    strings.reserve(values->size());
    for (const json::value& element : *values) {
      const json::string* text = element.if_string();
      if (text == nullptr) not_strings();
      strings.emplace_back(text->data(), text->size());
    }
    headers.insert_or_assign(std::string(member.key()), std::move(strings));
  }
  return headers;
}

}  // namespace

MultiValueMap ProxyResponse::merged_headers() const {
  MultiValueMap merged;
  for (const auto& [name, value] : headers) {
    bool overridden = false;
    for (const auto& [multi_name, values] : multi_value_headers) {
      if (detail::ascii_iequals(name, multi_name)) {
        overridden = true;
        break;
      }
    }
    if (!overridden) merged.emplace(name, std::vector<std::string>{value});
  }
  for (const auto& [name, values] : multi_value_headers) merged.insert_or_assign(name, values);
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
  bool has_status_code = false;
  for (const json::key_value_pair& member : *root) {
    const std::string_view key = member.key();
    const json::value& value = member.value();
    if (key == "statusCode") {
      response.status_code = read_status_code(value);
      has_status_code = true;
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
  if (!has_status_code) fail("statusCode is missing");
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

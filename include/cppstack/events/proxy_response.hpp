#pragma once
// The response a function returns to an API Gateway REST proxy integration (payload 1.0).
//
// Functions build one and serialize it; the local emulator parses one strictly, exactly as
// API Gateway does, and answers 502 when the shape is wrong.
//
//   cppstack::events::ProxyResponse response{.status_code = 200, .body = R"({"ok":true})"};
//   response.headers["Content-Type"] = "application/json";
//   std::string json = cppstack::events::serialize(response);

#include <boost/json/fwd.hpp>
#include <cppstack/events/proxy_event.hpp>
#include <stdexcept>
#include <string>
#include <string_view>

namespace cppstack::events {

struct ProxyResponse {
  int status_code = 200;
  StringMap headers{};
  MultiValueMap multi_value_headers{};
  std::string body{};
  bool is_base64_encoded = false;

  /// All headers as API Gateway sends them: headers and multiValueHeaders merged into one list
  /// per name (names compared case-insensitively, the multi-value spelling kept); a value given
  /// in both appears once.
  [[nodiscard]] MultiValueMap merged_headers() const;

  friend bool operator==(const ProxyResponse&, const ProxyResponse&) = default;
};

/// Thrown when a function's output is not a valid proxy response: API Gateway answers 502.
class ResponseShapeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Strict parse, as API Gateway validates: a JSON object whose only keys are statusCode
/// (an integer or a string of digits such as "201"; missing means 200), headers (object of
/// strings, numbers or booleans, or null; numbers and booleans become their text),
/// multiValueHeaders (object of arrays of the same, or null), body (string or null) and
/// isBase64Encoded (bool). Anything else throws ResponseShapeError naming the problem; so does
/// a number out of range (1e400), which has no text.
[[nodiscard]] ProxyResponse parse_proxy_response(std::string_view json);
/// The response as JSON; empty maps are omitted.
[[nodiscard]] boost::json::value to_json(const ProxyResponse& response);
/// to_json, serialized.
[[nodiscard]] std::string serialize(const ProxyResponse& response);

}  // namespace cppstack::events

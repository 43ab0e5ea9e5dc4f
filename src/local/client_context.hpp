#pragma once
// The invoking client's context (`X-Amz-Client-Context` of the Invoke API), checked as Lambda
// checks it: base64 of a JSON object. Only the re-serialized JSON ever reaches the Runtime
// API's `Lambda-Runtime-Client-Context` header, so a caller cannot add header lines or
// forge another field of the `/next` answer.
//
//   auto context = cppstack::local::decode_client_context(request["X-Amz-Client-Context"]);
//   if (!context) { /* 400 InvalidRequestContentException */ }

#include <optional>
#include <string>
#include <string_view>

namespace cppstack::local {

/// Lambda's message for a context that is not base64 of a JSON object (recorded in
/// boto/boto3 issue 2153: 400 InvalidRequestContentException).
inline constexpr std::string_view invalid_client_context_message =
    "Client context must be a valid Base64-encoded JSON object.";

/// The JSON text for the Runtime API, or nullopt when `header` is not base64 of a JSON object.
[[nodiscard]] std::optional<std::string> decode_client_context(std::string_view header);

/// `json_text` re-serialized when it is a JSON object (control characters escaped, so the
/// result is safe as a header value), else nullopt.
[[nodiscard]] std::optional<std::string> normalize_client_context(std::string_view json_text);

}  // namespace cppstack::local

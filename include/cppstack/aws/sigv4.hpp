#pragma once
// AWS Signature Version 4: the Authorization header of a request, and presigned URLs.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
//
//   cppstack::aws::RequestToSign request{.method = "POST", .path = "/", .headers = {
//       {"host", "dynamodb.eu-west-1.amazonaws.com"}, {"x-amz-date", amz_date(now)}}};
//   request.payload_hash = sha256_hex(body);
//   auto signature = sign(request, credentials, {.region = "eu-west-1", .service = "dynamodb"});
//   headers.emplace_back("authorization", signature.authorization);

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cppstack::aws {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token{};  ///< empty for long-term keys
};

using Header = std::pair<std::string, std::string>;

/// A request as it goes on the wire. Every header given is signed.
struct RequestToSign {
  std::string_view method{};
  std::string_view path{};   ///< percent-encoded, as on the request line
  std::string_view query{};  ///< the query string as sent, without '?'
  std::vector<Header> headers{};
  std::string payload_hash{};  ///< hex SHA-256 of the body, or UNSIGNED-PAYLOAD
};

struct SigningScope {
  std::string_view region;
  std::string_view service;
  std::string_view amz_date;  ///< YYYYMMDD'T'HHMMSS'Z', the X-Amz-Date of the request
  /// S3 signs the path as sent; every other service normalises it and encodes it once more.
  bool s3_path_rules = false;
};

struct Signature {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signed_headers;  ///< e.g. host;x-amz-date
  std::string signature;       ///< lower-case hex
  std::string authorization;   ///< the Authorization header's value
};

/// Signs `request` for the Authorization header.
[[nodiscard]] Signature sign(const RequestToSign& request, const Credentials& credentials,
                             const SigningScope& scope);

/// A presigned URL's query string (X-Amz-Algorithm ... X-Amz-Signature), for a request with
/// only the host header signed and an unsigned payload, valid for `expires` (1 s to 7 days).
[[nodiscard]] std::string presign_query(std::string_view method, std::string_view path,
                                        std::string_view host, const Credentials& credentials,
                                        const SigningScope& scope, std::chrono::seconds expires);

/// X-Amz-Date text of `time`: 20150830T123600Z.
[[nodiscard]] std::string amz_date(std::chrono::system_clock::time_point time);
/// AWS's URI encoding: unreserved characters (A-Z a-z 0-9 - _ . ~) kept, every other byte
/// %XX in upper case; '/' kept when `keep_slash`.
[[nodiscard]] std::string uri_encode(std::string_view bytes, bool keep_slash = false);
/// Lower-case hex of SHA-256(bytes).
[[nodiscard]] std::string sha256_hex(std::string_view bytes);

}  // namespace cppstack::aws

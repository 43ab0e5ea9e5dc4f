#pragma once
// One AWS service's HTTP client: signs each request (SigV4), sends it over a kept-alive
// connection (reused across invocations), retries as the SDKs' "standard" mode does, and turns
// an error answer into a typed exception. DynamoDB and S3 are built on it.
//
//   cppstack::aws::ServiceClient dynamodb(cppstack::aws::dynamodb_protocol());
//   auto response = dynamodb.call("GetItem", {.headers = {{"x-amz-target", "..."}}, .body = json});

#include <chrono>
#include <cppstack/aws/environment.hpp>
#include <cppstack/aws/errors.hpp>
#include <cppstack/aws/sigv4.hpp>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cppstack::aws {

struct HttpRequest {
  std::string method = "POST";
  std::string path = "/";  ///< percent-encoded
  std::string query{};     ///< percent-encoded, without '?'
  std::vector<Header> headers{};
  std::string body{};
  /// False for a request that must not be repeated once it may have reached the service
  /// (e.g. an UpdateItem that adds to a counter): it is then retried only when it was
  /// certainly not sent, or the service said it was not applied (throttling, 5XX).
  bool idempotent = true;
  /// Prepended to the endpoint's host with a dot (S3's virtual-hosted buckets); ignored for
  /// an AWS_ENDPOINT_URL* endpoint, which is used as it is.
  std::string host_prefix{};
  /// A 404 is an answer to return (S3's get and head of a missing key), not an error.
  bool not_found_is_answer = false;
};

struct HttpResponse {
  int status = 0;
  std::vector<Header> headers;
  std::string body;

  /// A header's value (case-insensitive name); std::nullopt when absent.
  [[nodiscard]] std::optional<std::string_view> header(std::string_view name) const;
};

struct ClientOptions {
  std::chrono::milliseconds connect_timeout{1000};
  std::chrono::milliseconds attempt_timeout{5000};  ///< one request and its answer
  int max_attempts = 3;                             ///< standard retry mode
  std::chrono::milliseconds backoff_base{100};      ///< transient errors
  std::chrono::milliseconds throttling_backoff_base{500};
  std::chrono::milliseconds max_backoff{20000};
  /// Kept free before the invocation's deadline, so the handler can still answer.
  std::chrono::milliseconds deadline_margin{200};
  std::size_t max_response_bytes = 64U << 20U;
};

/// How one service speaks: its endpoint and signing name, and its error answers.
struct ServiceProtocol {
  std::string_view service;  ///< endpoint and signing name: dynamodb, s3
  bool s3_rules = false;     ///< S3's path signing and payload hash header
  /// The error code and message of an error answer.
  void (*read_error)(const HttpResponse& response, ServiceError::Details& details) = nullptr;
  /// Throws the exception type of an error (when null, or when it returns: ServiceError).
  void (*raise)(ServiceError::Details details, const HttpResponse& response) = nullptr;
};

class ServiceClient {
 public:
  explicit ServiceClient(const ServiceProtocol& protocol, ClientOptions options = {});
  ~ServiceClient();
  ServiceClient(const ServiceClient&) = delete;
  ServiceClient& operator=(const ServiceClient&) = delete;

  /// Sends `request` (adding host, x-amz-date, the token and the signature) and returns the
  /// 2XX answer. Throws the protocol's ServiceError for an error answer, NetworkError or
  /// TimeoutError when the service cannot be reached, ConfigurationError when the
  /// environment lacks credentials or a region. The environment is read on the first call.
  HttpResponse call(std::string_view operation, const HttpRequest& request) const;

  /// The endpoint requests go to (reads the environment).
  [[nodiscard]] const Endpoint& endpoint() const;
  /// Credentials and region (reads the environment).
  [[nodiscard]] const Environment& environment() const;
  [[nodiscard]] const ClientOptions& options() const noexcept { return options_; }

 private:
  struct Resolved;
  const Resolved& resolved() const;

  const ServiceProtocol& protocol_;
  ClientOptions options_;
  mutable std::unique_ptr<Resolved> resolved_;
};

/// Whether a service error code is a throttling error of the standard retry mode.
[[nodiscard]] bool is_throttling_error(std::string_view code) noexcept;

}  // namespace cppstack::aws

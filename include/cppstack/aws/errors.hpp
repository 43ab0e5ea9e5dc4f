#pragma once
// The errors of AWS calls. A service's answer is a ServiceError carrying the service's error
// code, its message, the HTTP status and the request id to quote to AWS support; a failure to
// reach the service is a NetworkError. Both are AwsErrors, whose what() says all of it.
//
//   try { notes.put(note, Condition("attribute_not_exists(id)")); }
//   catch (const cppstack::aws::ConditionFailed&) { throw http::Conflict("note exists"); }

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace cppstack::aws {

class AwsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The service answered with an error.
class ServiceError : public AwsError {
 public:
  struct Details {
    std::string service{};    ///< dynamodb, s3
    std::string operation{};  ///< GetItem, PutObject
    std::string code{};       ///< ConditionalCheckFailedException, NoSuchKey
    std::string message{};
    std::string request_id{};  ///< x-amzn-RequestId / x-amz-request-id
    int status = 0;
  };
  explicit ServiceError(Details details)
      : AwsError(describe(details)), details_(std::move(details)) {}

  [[nodiscard]] const std::string& service() const noexcept { return details_.service; }
  [[nodiscard]] const std::string& operation() const noexcept { return details_.operation; }
  [[nodiscard]] const std::string& code() const noexcept { return details_.code; }
  [[nodiscard]] const std::string& message() const noexcept { return details_.message; }
  [[nodiscard]] const std::string& request_id() const noexcept { return details_.request_id; }
  [[nodiscard]] int status() const noexcept { return details_.status; }

 private:
  static std::string describe(const Details& details) {
    return details.service + " " + details.operation + " failed with " + details.code + " (" +
           std::to_string(details.status) + "): " + details.message +
           " [request id: " + details.request_id + "]";
  }
  Details details_;
};

/// A conditional write whose condition did not hold (DynamoDB's
/// ConditionalCheckFailedException); a handler usually answers 409.
class ConditionFailed : public ServiceError {
 public:
  using ServiceError::ServiceError;
};

/// A transaction the service cancelled; reasons() holds one code per item, "None" for items
/// that were not the cause (DynamoDB's CancellationReasons).
class TransactionCanceled : public ServiceError {
 public:
  TransactionCanceled(Details details, std::vector<std::string> reasons)
      : ServiceError(std::move(details)), reasons_(std::move(reasons)) {}
  [[nodiscard]] const std::vector<std::string>& reasons() const noexcept { return reasons_; }

 private:
  std::vector<std::string> reasons_;
};

/// The service could not be reached or did not answer in time (after the retries allowed).
class NetworkError : public AwsError {
 public:
  using AwsError::AwsError;
};

/// No answer before the timeout or the invocation's remaining time ran out.
class TimeoutError : public NetworkError {
 public:
  using NetworkError::NetworkError;
};

/// The configuration (environment) does not let the client call the service.
class ConfigurationError : public AwsError {
 public:
  using AwsError::AwsError;
};

}  // namespace cppstack::aws

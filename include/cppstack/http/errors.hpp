#pragma once
// HTTP errors a handler throws instead of building the answer by hand. The service turns
// each into its status with the shared JSON error body {"message", "requestId", "field",
// "rule"} ("field" and "rule" only when the error names them),
// so a handler can stop at any depth with one line.
//
//   auto found = store.find(id);
//   if (found == store.end()) throw cppstack::http::NotFound("no note with this id");
//   if (limit < 1) throw cppstack::http::BadRequest("must be at least 1", "limit");

#include <stdexcept>
#include <string>

namespace cppstack::http {

/// An answer with a 4xx or 5xx status. `what()` reaches the client, so it must not carry
/// secrets or internal details; `field()` names the input at fault ("" when none) and
/// `rule()` the JSON Schema keyword of the declared rule it broke ("maxLength"; "" when none).
class HttpError : public std::runtime_error {
 public:
  HttpError(int status_code, const std::string& message, std::string field = {},
            std::string rule = {})
      : std::runtime_error(message),
        status_code_(status_code),
        field_(std::move(field)),
        rule_(std::move(rule)) {}

  [[nodiscard]] int status_code() const noexcept { return status_code_; }
  [[nodiscard]] const std::string& field() const noexcept { return field_; }
  [[nodiscard]] const std::string& rule() const noexcept { return rule_; }

 private:
  int status_code_;
  std::string field_;
  std::string rule_;
};

/// An HttpError whose status is part of its type, so callers can catch one kind.
template <int Status>
class StatusError : public HttpError {
 public:
  explicit StatusError(const std::string& message, std::string field = {}, std::string rule = {})
      : HttpError(Status, message, std::move(field), std::move(rule)) {}
};

using BadRequest = StatusError<400>;           ///< malformed input; `field` names it
using Unauthorized = StatusError<401>;         ///< no or bad credentials
using Forbidden = StatusError<403>;            ///< credentials without the right
using NotFound = StatusError<404>;             ///< no such resource
using Conflict = StatusError<409>;             ///< clashes with the current state
using UnprocessableEntity = StatusError<422>;  ///< well-formed but not acceptable
using TooManyRequests = StatusError<429>;      ///< the caller must slow down
using ServiceUnavailable = StatusError<503>;   ///< a dependency is down; retry later

}  // namespace cppstack::http

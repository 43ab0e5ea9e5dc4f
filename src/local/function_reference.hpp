#pragma once
// What the FunctionName of a Lambda Invoke request (and its ?Qualifier=) names, checked as
// Lambda checks it: the same validation errors, the same "Function not found" ARN, recorded
// from AWS (LocalStack's test_function_name_and_qualifier_validation and test_invalid_invoke;
// tests/fidelity/cases.json).
//
//   auto named = parse_function_reference("my-fn:$LATEST", std::nullopt, "us-east-1", "1234...");
//   if (const auto* error = std::get_if<FunctionReferenceError>(&named)) { /* 400 or 404 */ }

#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace cppstack::local {

/// A function named by region, account, name and qualifier (`$LATEST` when none was given).
struct FunctionReference {
  std::string region{};
  std::string account{};
  std::string name{};
  std::string qualifier{};
  bool qualified = false;  ///< the caller named the qualifier (in the name or ?Qualifier=)

  /// `arn:aws:lambda:REGION:ACCOUNT:function:NAME:QUALIFIER`, as "Function not found" quotes it.
  [[nodiscard]] std::string arn() const;
};

/// A request that names no function: Lambda's status, error type and message.
struct FunctionReferenceError {
  int status = 400;
  std::string error_type{};
  std::string message{};
};

/// Reads a FunctionName (NAME, NAME:QUALIFIER, ACCOUNT:function:NAME, a full ARN) and the
/// optional Qualifier parameter; `region` and `account` are the endpoint's.
[[nodiscard]] std::variant<FunctionReference, FunctionReferenceError> parse_function_reference(
    std::string_view function_name, std::optional<std::string_view> qualifier,
    std::string_view region, std::string_view account);

}  // namespace cppstack::local

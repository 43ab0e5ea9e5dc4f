#pragma once
// How a failure is reported to the Lambda Runtime API: the JSON body of /error and
// /init/error and the Lambda-Runtime-Function-Error-Type header that goes with it.
//
// The runtime loop uses this for every exception that leaves an initializer or a handler;
// it is public so that other code reporting failures speaks the same format.
//
//   try {
//     throw std::runtime_error("table not found");
//   } catch (...) {
//     auto report = cppstack::runtime::report_current_exception(
//         cppstack::runtime::ErrorPhase::invocation);
//     // report.error_type == "std::runtime_error"
//     // report.category   == "Function.UnhandledException"
//     std::string body = cppstack::runtime::error_report_json(report);
//   }

#include <cppstack/observability/utf8.hpp>
#include <string>
#include <string_view>

namespace cppstack::runtime {

/// Where the failure happened; decides the default Lambda-Runtime-Function-Error-Type.
enum class ErrorPhase { initialization, invocation };

struct ErrorReport {
  std::string error_type;     ///< "errorType": FunctionError::error_type() or the C++ type name
  std::string error_message;  ///< "errorMessage": what(), always valid UTF-8
  std::string category;       ///< Lambda-Runtime-Function-Error-Type, "Category.Reason"
};

/// Category sent for an std::exception that leaves a handler.
inline constexpr std::string_view kUnhandledFunctionError = "Function.UnhandledException";
/// Category sent for an initialisation failure, and for anything thrown that is not an
/// std::exception (AWS documents Runtime.UnknownReason as the catch-all).
inline constexpr std::string_view kUnknownRuntimeError = "Runtime.UnknownReason";
/// Category and errorType sent when the Runtime API refuses a response as too large (413).
inline constexpr std::string_view kResponseTooLargeError = "Function.ResponseSizeTooLarge";

/// Describes the exception currently being handled. Call it only inside a catch block.
/// A FunctionError gives its error_type(); when that already has the "Runtime.Reason" or
/// "Function.Reason" form it also becomes the category.
[[nodiscard]] ErrorReport report_current_exception(ErrorPhase phase);

/// {"errorMessage":...,"errorType":...,"stackTrace":[]}: valid JSON whatever the input bytes.
[[nodiscard]] std::string error_report_json(const ErrorReport& report);

/// Repairs text to valid UTF-8 (U+FFFD for each maximal invalid subsequence).
using observability::to_valid_utf8;

/// True for "Runtime.Reason" or "Function.Reason" (Reason: an upper-case letter, then letters),
/// the form Lambda keeps as is; anything else Lambda reports as Runtime.Unknown.
[[nodiscard]] bool is_lambda_error_category(std::string_view text) noexcept;

}  // namespace cppstack::runtime

#include <cxxabi.h>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <cppstack/observability/utf8.hpp>
#include <cppstack/runtime/error_report.hpp>
#include <cppstack/runtime/invocation.hpp>
#include <cstdlib>
#include <exception>
#include <memory>
#include <typeinfo>

namespace cppstack::runtime {
namespace {

std::string demangled_name(const std::type_info* type) {
  if (type == nullptr) return "unknown";
  int status = 0;
  std::unique_ptr<char, decltype(&std::free)> readable(
      abi::__cxa_demangle(type->name(), nullptr, nullptr, &status), &std::free);
  std::string name = status == 0 && readable ? readable.get() : type->name();
  // boost::throw_exception wraps every exception it throws; report the type the code named.
  constexpr std::string_view kWrapper = "boost::wrapexcept<";
  if (name.size() > kWrapper.size() + 1 && name.compare(0, kWrapper.size(), kWrapper) == 0 &&
      name.back() == '>') {
    name = name.substr(kWrapper.size(), name.size() - kWrapper.size() - 1);
  }
  return name;
}

bool starts_with_category(std::string_view text, std::string_view category) {
  return text.size() > category.size() && text.substr(0, category.size()) == category;
}

}  // namespace

bool is_lambda_error_category(std::string_view text) noexcept {
  std::string_view reason;
  if (starts_with_category(text, "Runtime.")) {
    reason = text.substr(8);
  } else if (starts_with_category(text, "Function.")) {
    reason = text.substr(9);
  } else {
    return false;
  }
  if (reason.size() < 2 || reason[0] < 'A' || reason[0] > 'Z') return false;
  for (const char c : reason) {
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) return false;
  }
  return true;
}

ErrorReport report_current_exception(ErrorPhase phase) {
  const std::string_view std_category =
      phase == ErrorPhase::invocation ? kUnhandledFunctionError : kUnknownRuntimeError;
  ErrorReport report;
  const std::exception_ptr current = std::current_exception();
  if (!current) {
    report.error_type = "unknown";
    report.error_message = "no exception was being handled";
    report.category = kUnknownRuntimeError;
    return report;
  }
  try {
    std::rethrow_exception(current);
  } catch (const FunctionError& error) {
    report.error_type = to_valid_utf8(error.error_type());
    report.error_message = to_valid_utf8(error.what());
    report.category =
        is_lambda_error_category(error.error_type()) ? error.error_type() : std_category;
  } catch (const std::exception& error) {
    report.error_type = demangled_name(&typeid(error));
    report.error_message = to_valid_utf8(error.what());
    report.category = std_category;
  } catch (...) {
    report.error_type = demangled_name(abi::__cxa_current_exception_type());
    report.error_message = "a value of type " + report.error_type +
                           " was thrown; only std::exception carries a message";
    report.category = kUnknownRuntimeError;
  }
  return report;
}

std::string error_report_json(const ErrorReport& report) {
  boost::json::object body;
  body.reserve(3);
  body.emplace("errorMessage", to_valid_utf8(report.error_message));
  body.emplace("errorType", to_valid_utf8(report.error_type));
  body.emplace("stackTrace", boost::json::array());
  return boost::json::serialize(body);
}

}  // namespace cppstack::runtime

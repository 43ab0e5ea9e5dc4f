#include <cxxabi.h>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
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

// Length of the valid UTF-8 sequence at text[0], or 0 with `invalid_length` set to the bytes
// that form the maximal invalid subpart (Unicode 15, table 3-7 and section 3.9).
std::size_t utf8_sequence_length(std::string_view text, std::size_t& invalid_length) {
  const auto lead = static_cast<unsigned char>(text[0]);
  if (lead < 0x80) return 1;
  std::size_t continuation_bytes = 0;
  unsigned char second_low = 0x80;
  unsigned char second_high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    continuation_bytes = 1;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    continuation_bytes = 2;
    if (lead == 0xE0) second_low = 0xA0;   // overlong
    if (lead == 0xED) second_high = 0x9F;  // surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    continuation_bytes = 3;
    if (lead == 0xF0) second_low = 0x90;   // overlong
    if (lead == 0xF4) second_high = 0x8F;  // beyond U+10FFFF
  } else {
    invalid_length = 1;
    return 0;
  }
  for (std::size_t index = 1; index <= continuation_bytes; ++index) {
    if (index >= text.size()) {
      invalid_length = index;
      return 0;
    }
    const auto byte = static_cast<unsigned char>(text[index]);
    const unsigned char low = index == 1 ? second_low : 0x80;
    const unsigned char high = index == 1 ? second_high : 0xBF;
    if (byte < low || byte > high) {
      invalid_length = index;
      return 0;
    }
  }
  return continuation_bytes + 1;
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

std::string to_valid_utf8(std::string_view text) {
  std::size_t position = 0;
  std::size_t invalid_length = 0;
  while (position < text.size()) {
    const std::size_t length = utf8_sequence_length(text.substr(position), invalid_length);
    if (length == 0) break;
    position += length;
  }
  if (position == text.size()) return std::string(text);

  static constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";
  std::string repaired;
  repaired.reserve(text.size() + 16);
  repaired.append(text.substr(0, position));
  while (position < text.size()) {
    const std::size_t length = utf8_sequence_length(text.substr(position), invalid_length);
    if (length == 0) {
      repaired.append(kReplacementCharacter);
      position += invalid_length;
    } else {
      repaired.append(text.substr(position, length));
      position += length;
    }
  }
  return repaired;
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

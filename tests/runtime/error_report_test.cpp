#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <cppstack/runtime/error_report.hpp>
#include <cppstack/runtime/invocation.hpp>
#include <stdexcept>
#include <string>

namespace cppstack::runtime {
namespace {

template <class Throw>
ErrorReport report_of(Throw throw_it, ErrorPhase phase = ErrorPhase::invocation) {
  try {
    throw_it();
  } catch (...) {
    return report_current_exception(phase);
  }
  return {};
}

TEST(ToValidUtf8, KeepsValidTextUnchanged) {
  const std::string text = "plain, Grüße — 日本語 ✓ and 😀";
  EXPECT_EQ(to_valid_utf8(text), text);
  EXPECT_EQ(to_valid_utf8(""), "");
}

struct Utf8Case {
  std::string input;
  std::string expected;
};

TEST(ToValidUtf8, ReplacesEachMaximalInvalidSubpartWithReplacementCharacter) {
  const std::string fffd = "\xEF\xBF\xBD";
  const Utf8Case cases[] = {
      {"a\xFFz", "a" + fffd + "z"},                     // byte never used in UTF-8
      {"a\x80z", "a" + fffd + "z"},                     // lone continuation byte
      {"a\xC3", "a" + fffd},                            // truncated at end
      {"a\xE6\x97z", "a" + fffd + "z"},                 // truncated 3-byte sequence
      {"\xC0\xAF", fffd + fffd},                        // overlong '/'
      {"\xE0\x80\xAF", fffd + fffd + fffd},             // overlong 3-byte
      {"\xED\xA0\x80", fffd + fffd + fffd},             // UTF-16 surrogate
      {"\xF4\x90\x80\x80", fffd + fffd + fffd + fffd},  // above U+10FFFF
      {"\xF0\x9F\x98", fffd},                           // truncated emoji
      {"ok \xF0\x9F\x98\x80 \xFE", "ok \xF0\x9F\x98\x80 " + fffd},
  };
  for (const auto& [input, expected] : cases) {
    EXPECT_EQ(to_valid_utf8(input), expected) << "input bytes: " << input.size();
  }
}

TEST(IsLambdaErrorCategory, AcceptsOnlyRuntimeOrFunctionDotReason) {
  EXPECT_TRUE(is_lambda_error_category("Function.UnhandledException"));
  EXPECT_TRUE(is_lambda_error_category("Runtime.ConfigInvalid"));
  EXPECT_FALSE(is_lambda_error_category("Runtime."));
  EXPECT_FALSE(is_lambda_error_category("Runtime.lowercase"));
  EXPECT_FALSE(is_lambda_error_category("Extension.Crash"));
  EXPECT_FALSE(is_lambda_error_category("ValidationError"));
  EXPECT_FALSE(is_lambda_error_category("Function.Bad\r\nInjected: yes"));
}

TEST(ReportCurrentException, StdExceptionGivesDemangledTypeAndUnhandledCategory) {
  const auto report = report_of([] { throw std::out_of_range("index 7"); });
  EXPECT_EQ(report.error_type, "std::out_of_range");
  EXPECT_EQ(report.error_message, "index 7");
  EXPECT_EQ(report.category, "Function.UnhandledException");
}

TEST(ReportCurrentException, InitializationFailureIsRuntimeUnknownReason) {
  const auto report =
      report_of([] { throw std::runtime_error("no table"); }, ErrorPhase::initialization);
  EXPECT_EQ(report.error_type, "std::runtime_error");
  EXPECT_EQ(report.category, "Runtime.UnknownReason");
}

TEST(ReportCurrentException, FunctionErrorChoosesErrorType) {
  const auto plain = report_of([] { throw FunctionError("ValidationError", "name missing"); });
  EXPECT_EQ(plain.error_type, "ValidationError");
  EXPECT_EQ(plain.error_message, "name missing");
  EXPECT_EQ(plain.category, "Function.UnhandledException");

  const auto categorised =
      report_of([] { throw FunctionError("Runtime.ConfigInvalid", "TABLE unset"); },
                ErrorPhase::initialization);
  EXPECT_EQ(categorised.error_type, "Runtime.ConfigInvalid");
  EXPECT_EQ(categorised.category, "Runtime.ConfigInvalid");
}

TEST(ReportCurrentException, NonStdExceptionNamesItsTypeWithUnknownReason) {
  const auto report = report_of([] { throw 42; });
  EXPECT_EQ(report.error_type, "int");
  EXPECT_NE(report.error_message.find("int"), std::string::npos);
  EXPECT_EQ(report.category, "Runtime.UnknownReason");
}

TEST(ReportCurrentException, OutsideCatchDoesNotTerminate) {
  const auto report = report_current_exception(ErrorPhase::invocation);
  EXPECT_EQ(report.category, "Runtime.UnknownReason");
}

TEST(ErrorReportJson, HasTheThreeFieldsWithUnicodeVerbatimAndControlsEscaped) {
  ErrorReport report;
  report.error_type = "std::runtime_error";
  report.error_message = "Grüße — 日本語 ✓\nline\t\"quoted\" \x01";
  const std::string json = error_report_json(report);
  EXPECT_NE(json.find("Grüße — 日本語 ✓"), std::string::npos) << json;
  EXPECT_NE(json.find("\\n"), std::string::npos) << json;
  EXPECT_NE(json.find("\\u0001"), std::string::npos) << json;
  const auto parsed = boost::json::parse(json).as_object();
  EXPECT_EQ(parsed.at("errorMessage").as_string(), report.error_message);
  EXPECT_EQ(parsed.at("errorType").as_string(), "std::runtime_error");
  EXPECT_TRUE(parsed.at("stackTrace").as_array().empty());
  EXPECT_EQ(parsed.size(), 3u);
}

TEST(ErrorReportJson, InvalidUtf8StillGivesValidJson) {
  ErrorReport report;
  report.error_type = "bad\xC0type";
  report.error_message = "bytes \xFF\xFE end";
  const auto parsed = boost::json::parse(error_report_json(report)).as_object();
  EXPECT_EQ(parsed.at("errorMessage").as_string(), "bytes \xEF\xBF\xBD\xEF\xBF\xBD end");
  EXPECT_EQ(parsed.at("errorType").as_string(), "bad\xEF\xBF\xBDtype");
}

}  // namespace
}  // namespace cppstack::runtime

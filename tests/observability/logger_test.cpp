#include <boost/json/parse.hpp>
#include <cppstack/observability/logger.hpp>

#include <gtest/gtest.h>

#include <regex>
#include <vector>

namespace cppstack::observability {
namespace {

struct CapturedLines {
  std::vector<std::string> lines;
  Logger::Sink sink() {
    return [this](std::string_view line) { lines.emplace_back(line); };
  }
  [[nodiscard]] boost::json::object object(std::size_t index) const {
    return boost::json::parse(lines.at(index)).as_object();
  }
};

TEST(Logger, WritesOneJsonObjectPerLineWithPowertoolsKeys) {
  CapturedLines captured;
  const Logger logger("orders-api", LogLevel::info, "orders-fn", captured.sink());
  const InvocationLogContext context{.function_request_id = "req-1",
                                     .correlation_id = "api-1",
                                     .xray_trace_id = "Root=1-abc",
                                     .cold_start = true};
  logger.log(LogLevel::warn, "stock low", {{"sku", "A-1"}}, &context);
  ASSERT_EQ(captured.lines.size(), 1u);
  EXPECT_EQ(captured.lines[0].back(), '\n');
  EXPECT_EQ(captured.lines[0].find('\n'), captured.lines[0].size() - 1);
  const auto line = captured.object(0);
  EXPECT_EQ(line.at("level"), "WARN");
  EXPECT_EQ(line.at("message"), "stock low");
  EXPECT_EQ(line.at("service"), "orders-api");
  EXPECT_EQ(line.at("function_name"), "orders-fn");
  EXPECT_EQ(line.at("function_request_id"), "req-1");
  EXPECT_EQ(line.at("correlation_id"), "api-1");
  EXPECT_EQ(line.at("xray_trace_id"), "Root=1-abc");
  EXPECT_EQ(line.at("cold_start"), true);
  EXPECT_EQ(line.at("sku"), "A-1");
  EXPECT_TRUE(std::regex_match(std::string(line.at("timestamp").as_string()),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")));
}

TEST(Logger, FiltersBelowItsLevel) {
  CapturedLines captured;
  const Logger logger("svc", LogLevel::warn, "", captured.sink());
  logger.log(LogLevel::debug, "hidden");
  logger.log(LogLevel::info, "hidden");
  logger.log(LogLevel::warn, "shown");
  logger.log(LogLevel::error, "shown too");
  ASSERT_EQ(captured.lines.size(), 2u);
  EXPECT_EQ(captured.object(1).at("level"), "ERROR");
  EXPECT_FALSE(logger.enabled(LogLevel::info));
  EXPECT_TRUE(logger.enabled(LogLevel::error));
}

TEST(Logger, EmptyContextFieldsAreNullAndFieldsCannotReplaceStandardKeys) {
  CapturedLines captured;
  const Logger logger("svc", LogLevel::debug, "", captured.sink());
  const InvocationLogContext context{};
  logger.log(LogLevel::info, "real message", {{"message", "spoofed"}, {"level", "DEBUG"}},
             &context);
  const auto line = captured.object(0);
  EXPECT_EQ(line.at("message"), "real message");
  EXPECT_EQ(line.at("level"), "INFO");
  EXPECT_TRUE(line.at("function_name").is_null());
  EXPECT_TRUE(line.at("xray_trace_id").is_null());
  EXPECT_EQ(line.at("cold_start"), false);
}

TEST(Logger, EscapesTextSoEveryLineStaysValidJson) {
  CapturedLines captured;
  const Logger logger("svc", LogLevel::info, "", captured.sink());
  logger.log(LogLevel::error, "line one\nline \"two\"\t— ✓");
  EXPECT_EQ(captured.object(0).at("message"), "line one\nline \"two\"\t— ✓");
}

TEST(Logger, InvalidUtf8InTheMessageOrAFieldStillGivesValidJson) {
  CapturedLines captured;
  const Logger logger("svc", LogLevel::info, "", captured.sink());
  logger.log(LogLevel::error, "bad \xC3 byte", {{"error", "also \xFF bad"}});
  const auto line = captured.object(0);  // parses: the bytes were repaired
  EXPECT_EQ(line.at("message"), "bad \xEF\xBF\xBD byte");
  EXPECT_EQ(line.at("error"), "also \xEF\xBF\xBD bad");
}

TEST(LogLevelNames, ParseAndPrint) {
  EXPECT_EQ(parse_log_level("debug"), LogLevel::debug);
  EXPECT_EQ(parse_log_level("Info"), LogLevel::info);
  EXPECT_EQ(parse_log_level("WARNING"), LogLevel::warn);
  EXPECT_EQ(parse_log_level("ERROR"), LogLevel::error);
  EXPECT_FALSE(parse_log_level("LOUD"));
  EXPECT_FALSE(parse_log_level(""));
  EXPECT_EQ(to_string(LogLevel::warn), "WARN");
}

}  // namespace
}  // namespace cppstack::observability

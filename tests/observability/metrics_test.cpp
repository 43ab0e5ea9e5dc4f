// CloudWatch Embedded Metric Format records and their limits: at most 100 metrics per record
// and 30 dimensions per dimension set (CloudWatch_Embedded_Metric_Format_Specification).
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cppstack/observability/json_line.hpp>
#include <cppstack/observability/metrics.hpp>

#include <gtest/gtest.h>

#include <vector>

namespace cppstack::observability {
namespace {

std::vector<boost::json::object> records_of(const std::string& text) {
  std::vector<boost::json::object> records;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = text.find('\n', start);
    records.push_back(boost::json::parse(text.substr(start, end - start)).as_object());
    start = end + 1;
  }
  return records;
}

TEST(Emf, RecordShape) {
  const Dimension dimensions[] = {{"service", "orders"}, {"route", "GET /v1"}};
  const Metric metrics[] = {{"Requests", MetricUnit::count, 1},
                            {"Latency", MetricUnit::milliseconds, 0.25}};
  const Property properties[] = {{"correlation_id", "abc"}};
  std::string text;
  append_emf_records(text,
                     {.name_space = "Shop",
                      .dimensions = dimensions,
                      .metrics = metrics,
                      .properties = properties},
                     1700000000123);
  ASSERT_EQ(text.back(), '\n');
  const auto records = records_of(text);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(text,
            R"({"_aws":{"Timestamp":1700000000123,"CloudWatchMetrics":[{"Namespace":"Shop",)"
            R"("Dimensions":[["service","route"]],"Metrics":[{"Name":"Requests","Unit":"Count"},)"
            R"({"Name":"Latency","Unit":"Milliseconds"}]}]},"service":"orders","route":"GET /v1",)"
            R"("correlation_id":"abc","Requests":1,"Latency":0.25})"
            "\n");
}

TEST(Emf, SplitsMoreThanAHundredMetricsIntoRecordsOfAtMostAHundred) {
  std::vector<std::string> names;
  for (int index = 0; index < 250; ++index)
    names.push_back(std::string("M").append(std::to_string(index)));
  std::vector<Metric> metrics;
  for (const auto& name : names) metrics.push_back({name, MetricUnit::count, 1});
  const Dimension dimensions[] = {{"service", "orders"}};
  std::string text;
  append_emf_records(text, {.name_space = "Shop", .dimensions = dimensions, .metrics = metrics}, 1);
  const auto records = records_of(text);
  ASSERT_EQ(records.size(), 3u);
  std::size_t total = 0;
  for (const auto& record : records) {
    const auto& listed = record.at("_aws").at("CloudWatchMetrics").at(0).at("Metrics").as_array();
    EXPECT_LE(listed.size(), emf_max_metrics_per_record);
    total += listed.size();
    for (const auto& metric : listed) EXPECT_TRUE(record.contains(metric.at("Name").as_string()));
    EXPECT_EQ(record.at("service"), "orders");  // every record carries its dimensions
  }
  EXPECT_EQ(total, 250u);
}

TEST(Emf, ThirtyDimensionsPassThirtyOneAreRefused) {
  std::vector<std::string> names;
  for (int index = 0; index < 31; ++index)
    names.push_back(std::string("d").append(std::to_string(index)));
  std::vector<Dimension> dimensions;
  for (const auto& name : names) dimensions.push_back({name, "v"});
  const Metric metrics[] = {{"Requests", MetricUnit::count, 1}};
  std::string text;
  EXPECT_NO_THROW(
      append_emf_records(text,
                         {.name_space = "Shop",
                          .dimensions = std::span<const Dimension>(dimensions).first(30),
                          .metrics = metrics},
                         1));
  EXPECT_THROW(append_emf_records(
                   text, {.name_space = "Shop", .dimensions = dimensions, .metrics = metrics}, 1),
               MetricFormatError);
  const std::size_t too_long[] = {2};
  EXPECT_THROW(append_emf_records(text,
                                  {.name_space = "Shop",
                                   .dimensions = std::span<const Dimension>(dimensions).first(1),
                                   .dimension_set_lengths = too_long,
                                   .metrics = metrics},
                                  1),
               MetricFormatError);
  EXPECT_THROW(append_emf_records(text, {.name_space = "", .metrics = metrics}, 1),
               MetricFormatError);
}

TEST(Emf, TimestampIsEpochMilliseconds) {
  const std::int64_t now = unix_time_ms();
  EXPECT_GT(now, 1600000000000);  // milliseconds, not seconds
  EXPECT_LT(now, 4100000000000);
}

TEST(JsonLine, EscapesAndRepairsText) {
  std::string text;
  JsonLineWriter line(text);
  line.string("path", "/a\"b\\c\n\x01");
  line.string("bad", "\xff\xfe ok");
  line.string_or_null("none", "");
  line.close();
  const auto object = boost::json::parse(text).as_object();
  EXPECT_EQ(object.at("path"), "/a\"b\\c\n\x01");
  EXPECT_EQ(object.at("bad"), "\xEF\xBF\xBD\xEF\xBF\xBD ok");
  EXPECT_TRUE(object.at("none").is_null());
}

TEST(JsonLine, EveryByteThatNeedsEscapingIsFoundAtAnyPosition) {
  for (const char special : {'"', '\\', '\n', '\x01', '\x1f', '\x7f'}) {
    for (std::size_t position = 0; position < 20; ++position) {
      std::string text(20, 'a');
      text[position] = special;
      std::string out;
      append_json_string(out, text);
      EXPECT_EQ(boost::json::parse(out).as_string(), text) << int(special) << " at " << position;
    }
  }
}

// Joined parts are written as the joined text is, also when a UTF-8 sequence is cut between
// two parts (repaired once, as a whole) or a part needs escaping.
TEST(JsonLine, ConcatenatedPartsAreWrittenAsTheJoinedText) {
  const auto check = [](auto... parts) {
    const std::string joined = (std::string() + ... + std::string(parts));
    std::string expected = "x";
    append_json_string(expected, joined);
    std::string written = "x";
    append_json_string_concat(written, {std::string_view(parts)...});
    EXPECT_EQ(written, expected) << joined;
  };
  check("GET", " ", "/v1/items", " ", "200");
  check("GET", " ", "/a\"b", " ", "404");
  check("\xe2\x82", "\xac", " ok");
  check("\xe2\x82", " ", "\xac");
  check("", "", "\x01");
  check("");
}

TEST(JsonLine, NumbersReadBackAsWritten) {
  for (const double value :
       {0.0, 1.0, -3.0, 0.25, 12.345, 0.001, 1e-7, 123456789.5, 2.5e20, -0.125, 7.1}) {
    std::string out;
    append_json_number(out, value);
    EXPECT_NEAR(boost::json::parse(out).to_number<double>(), value, std::abs(value) * 1e-12) << out;
  }
  for (const auto& [value, text] : std::vector<std::pair<double, std::string>>{
           {0.25, "0.25"}, {0.123, "0.123"}, {1.0, "1"}, {1e-10, "1e-10"}}) {
    std::string out;
    append_json_number(out, value);
    EXPECT_EQ(out, text);
  }
}

}  // namespace
}  // namespace cppstack::observability

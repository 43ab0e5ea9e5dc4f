// The emulator's log relay: never blocks its caller, bounded, and says how many lines it had
// to drop when the terminal could not keep up.

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cppstack/local/emf_view.hpp>
#include <cppstack/local/lambda_log.hpp>
#include <cppstack/observability/metrics.hpp>
#include <regex>
#include <stdexcept>
#include <string>
#include <vector>

namespace cppstack::local {
namespace {

std::string read_available(int fd, std::chrono::milliseconds patience) {
  std::string text;
  char buffer[65536];
  while (true) {
    pollfd ready{fd, POLLIN, 0};
    if (::poll(&ready, 1, static_cast<int>(patience.count())) <= 0) return text;
    const ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got <= 0) return text;
    text.append(buffer, static_cast<std::size_t>(got));
  }
}

// A pipe standing in for the terminal, closed at the end of the test.
struct Pipe {
  int fds[2] = {-1, -1};
  Pipe() {
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  }
  ~Pipe() {
    ::close(fds[0]);
    ::close(fds[1]);
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  [[nodiscard]] int read_end() const { return fds[0]; }
  [[nodiscard]] int write_end() const { return fds[1]; }
};

// What arrives until `last` does (bounded: 20 s), on a slow writer thread of a loaded machine.
std::string read_until(int fd, std::string text, std::string_view last) {
  for (int attempt = 0; attempt < 40 && text.find(last) == std::string::npos; ++attempt) {
    text += read_available(fd, std::chrono::milliseconds(500));
  }
  return text;
}

TEST(LambdaLog, StuckTerminalDropsLinesAndSaysHowMany) {
  const Pipe terminal;
  {
    // Nobody reads the pipe while 10,000 lines arrive: once it and the 4 KB buffer are
    // full, lines are dropped instead of blocking this thread.
    LambdaLog log(terminal.write_end(), false, 4096);
    const std::string line(99, 'y');
    for (int i = 0; i < 10000; ++i) log.line(line);
    const auto shown = read_available(terminal.read_end(), std::chrono::milliseconds(500));
    log.line("after the flood");
    const auto rest = read_until(terminal.read_end(), shown, "after the flood\n");
    // The writer may take the buffer more than once during the flood, so there can be several
    // notices: together they account for every dropped line.
    const std::regex notice(
        R"(\[cppstack-local\] (\d+) log lines dropped: the terminal could not keep up)");
    std::size_t dropped = 0;
    std::size_t notices = 0;
    for (auto it = std::sregex_iterator(rest.begin(), rest.end(), notice);
         it != std::sregex_iterator(); ++it) {
      dropped += std::stoul((*it)[1]);
      ++notices;
    }
    ASSERT_GT(notices, 0U) << rest.size();
    const auto kept = static_cast<std::size_t>(std::count(rest.begin(), rest.end(), 'y')) / 99;
    EXPECT_EQ(dropped + kept, 10000U);
    EXPECT_NE(rest.find("after the flood\n"), std::string::npos);
  }
}

TEST(LambdaLog, LinesKeepTheirOrderAndMultiLineTextsStayWhole) {
  const Pipe terminal;
  {
    LambdaLog log(terminal.write_end(), true);
    log.function_line("id-1", "from the function");
    log.line("END RequestId: id-1\nREPORT RequestId: id-1\t");
    log.notice("emulator");
  }
  EXPECT_EQ(read_available(terminal.read_end(), std::chrono::milliseconds(200)),
            "id-1\tfrom the function\nEND RequestId: id-1\nREPORT RequestId: id-1\t\n"
            "[cppstack-local] emulator\n");
}

// Lines written while a Gather is open arrive in one write when the outermost one ends, in
// their order; a Gather for another log does not hold this log's lines.
TEST(LambdaLog, AGatherWritesItsLinesInOnePieceWhenItEnds) {
  const Pipe terminal;
  const Pipe other_terminal;
  {
    LambdaLog log(terminal.write_end(), true);
    LambdaLog other(other_terminal.write_end());
    {
      const LambdaLog::Gather gather(log);
      log.function_line("id-1", "from the function");
      {
        const LambdaLog::Gather nested(log);
        log.line("END RequestId: id-1\nREPORT RequestId: id-1\t");
      }
      const LambdaLog::Gather for_the_other(other);
      other.line("not held");
      EXPECT_EQ(read_available(other_terminal.read_end(), std::chrono::milliseconds(200)),
                "not held\n");
      EXPECT_EQ(read_available(terminal.read_end(), std::chrono::milliseconds(50)), "");
    }
    // One read takes what one write wrote.
    char buffer[4096];
    pollfd ready{terminal.read_end(), POLLIN, 0};
    ASSERT_EQ(::poll(&ready, 1, 5000), 1);
    const ssize_t got = ::read(terminal.read_end(), buffer, sizeof buffer);
    ASSERT_GT(got, 0);
    EXPECT_EQ(std::string(buffer, static_cast<std::size_t>(got)),
              "id-1\tfrom the function\nEND RequestId: id-1\nREPORT RequestId: id-1\t\n");
    log.notice("after");
  }
  EXPECT_EQ(read_available(terminal.read_end(), std::chrono::milliseconds(200)),
            "[cppstack-local] after\n");
}

// A refusal reason holding a JWT's `kid`, an /error body, a function's line: what they carry
// stays on one line and cannot drive the terminal (log_text.hpp).
TEST(LambdaLog, NoticesAndFunctionLinesAreEscaped) {
  const Pipe terminal;
  {
    LambdaLog log(terminal.write_end(), true);
    log.notice("no key of the user pool has kid x\n[cppstack-local] GET /prod/v1/ 200\x1B[2J");
    log.function_line("id-1",
                      "a\tb\rc\xC2\x85"
                      "d\xE2\x80\xA8"
                      "e\x9B"
                      "f");
  }
  EXPECT_EQ(read_available(terminal.read_end(), std::chrono::milliseconds(200)),
            "[cppstack-local] no key of the user pool has kid x\\x0A[cppstack-local] GET /prod/v1/ "
            "200\\x1B[2J\n"
            "id-1\ta\tb\\x0Dc\\xC2\\x85d\\xE2\\x80\\xA8e\\x9Bf\n");
}

// EMF lines as the function writes them (src/http/telemetry.cpp), made by the same code.
std::string request_metrics_line(std::string_view route, std::string_view status_class,
                                 double latency_ms) {
  using observability::Dimension;
  using observability::Metric;
  using observability::MetricUnit;
  const std::array dimensions{Dimension{"service", "api"}, Dimension{"route", route},
                              Dimension{"status_class", status_class}};
  static constexpr std::array<std::size_t, 2> dimension_sets{2, 3};
  const std::array metrics{Metric{"Requests", MetricUnit::count, 1},
                           Metric{"Latency", MetricUnit::milliseconds, latency_ms},
                           Metric{"Errors", MetricUnit::count, 0}};
  const std::array properties{observability::Property{"correlation_id", "c-1"}};
  std::string line;
  observability::append_emf_records(line,
                                    {.name_space = "CppStack",
                                     .dimensions = dimensions,
                                     .dimension_set_lengths = dimension_sets,
                                     .metrics = metrics,
                                     .properties = properties},
                                    1700000000000);
  line.pop_back();  // the newline
  return line;
}

std::vector<std::string> texts(const std::vector<ShownLine>& shown) {
  std::vector<std::string> result;
  for (const auto& line : shown) {
    result.push_back((line.from_emulator ? "[emulator] " : "") + line.text);
  }
  return result;
}

TEST(EmfView, PrettyShowsOneShortLinePerRecordAndTheNamespaceOnce) {
  EmfView view(MetricsView::pretty);
  EXPECT_EQ(texts(view.show(request_metrics_line("GET /v1/metadata", "2xx", 0.213))),
            (std::vector<std::string>{
                "[emulator] metrics in namespace CppStack, service api (--metrics raw shows the "
                "EMF JSON, --metrics off hides it)",
                "metrics GET /v1/metadata 2xx: Requests=1 Latency=0.213ms Errors=0"}));
  EXPECT_EQ(texts(view.show(request_metrics_line("POST /v1/notes", "4xx", 12))),
            (std::vector<std::string>{"metrics POST /v1/notes 4xx: Requests=1 Latency=12ms "
                                      "Errors=0"}));
  // Lines that are not EMF are untouched.
  EXPECT_EQ(texts(view.show(R"({"level":"INFO","message":"hello"})")),
            (std::vector<std::string>{R"({"level":"INFO","message":"hello"})"}));
  EXPECT_EQ(texts(view.show("plain text")), (std::vector<std::string>{"plain text"}));
}

TEST(EmfView, RawShowsTheJsonAndOffHidesOnlyMetrics) {
  const std::string line = request_metrics_line("GET /v1/", "2xx", 1);
  EmfView raw(MetricsView::raw);
  EXPECT_EQ(texts(raw.show(line)), (std::vector<std::string>{line}));
  EXPECT_TRUE(raw.summary().empty());
  EmfView off(MetricsView::off);
  EXPECT_TRUE(off.show(line).empty());
  EXPECT_EQ(texts(off.show("plain text")), (std::vector<std::string>{"plain text"}));
  EXPECT_TRUE(off.summary().empty());
}

// A log line is hostile input: whatever it holds, it is shown as printed (or as a short line
// with its control characters replaced), and reading it neither crashes nor allocates without
// bound.
TEST(EmfView, MalformedHugeOrHostileLinesAreShownAsPrinted) {
  EmfView view(MetricsView::pretty);
  const auto as_printed = [&view](const std::string& line) {
    const auto shown = view.show(line);
    ASSERT_FALSE(shown.empty());
    EXPECT_EQ(shown.front().text, line);
    EXPECT_FALSE(shown.front().from_emulator);
  };
  as_printed(R"({"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"N")");  // cut short
  as_printed(R"({"_aws": nonsense})");
  as_printed(std::string(100000, '[') + "\"_aws\"");
  std::string nested = R"({"_aws":{"Timestamp":1,"CloudWatchMetrics":[],"deep":)";
  nested += std::string(5000, '[') + std::string(5000, ']') + "}}";
  as_printed(nested);
  // Over the size limit: never parsed, even when it is valid EMF.
  std::string huge = request_metrics_line("GET /v1/", "2xx", 1);
  huge.insert(1, R"("padding":")" + std::string(max_emf_line_bytes, 'x') + "\",");
  as_printed(huge);
  EXPECT_TRUE(read_emf(huge).records.empty());
  // Many one-element arrays: under the size limit, over the parse memory (each is an
  // allocation of its own). Valid JSON otherwise: it would be reported as invalid EMF.
  std::string many = R"({"_aws":{"Timestamp":1},"v":[)";
  while (many.size() < max_emf_line_bytes - 16) many += "[0],";
  many += "1]}";
  as_printed(many);
  EXPECT_EQ(read_emf(many).problem, "");
  EXPECT_TRUE(view.summary().empty());
}

TEST(EmfView, InvalidEmfIsShownAsPrintedWithWhatIsWrong) {
  EmfView view(MetricsView::pretty);
  const std::string line =
      R"({"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[["route"]],)"
      R"("Metrics":[{"Name":"Latency","Unit":"Milliseconds"}]}]},"Latency":2})";
  EXPECT_EQ(texts(view.show(line)),
            (std::vector<std::string>{line,
                                      "[emulator] the line above has an _aws member but is not "
                                      "EMF that CloudWatch accepts: a dimension has no string "
                                      "value"}));
  EXPECT_EQ(read_emf(R"({"_aws":{"CloudWatchMetrics":[]}})").problem,
            "_aws has no numeric Timestamp");
  std::string too_many = R"({"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"N",)"
                         R"("Dimensions":[],"Metrics":[)";
  for (int index = 0; index < 101; ++index) {
    if (index > 0) too_many.push_back(',');
    too_many += R"({"Name":"m"})";
  }
  too_many += R"(]}]},"m":1})";
  EXPECT_EQ(read_emf(too_many).problem, "over 100 metrics");
  EmfView off(MetricsView::off);
  EXPECT_TRUE(off.show(line).empty());
}

// A record at the format's limits: 100 metrics of 100 values each, 30 dimensions in a set
// (Embedded metric format specification: "up to 100 values", "up to 30 dimensions", "up to
// 100 metrics"); `d0` is the first dimension's value.
std::string record_at_the_limits(const std::string& d0) {
  std::string line =
      R"({"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[[)";
  std::string members;
  for (int index = 0; index < 30; ++index) {
    if (index > 0) line.push_back(',');
    line += "\"d" + std::to_string(index) + "\"";
    members += ",\"d" + std::to_string(index) + "\":\"" + (index == 0 ? d0 : "value") + "\"";
  }
  line += R"(]],"Metrics":[)";
  for (int metric = 0; metric < 100; ++metric) {
    if (metric > 0) line.push_back(',');
    line += R"({"Name":"m)" + std::to_string(metric) + R"(","Unit":"Milliseconds"})";
    members += ",\"m" + std::to_string(metric) + "\":[";
    for (int value = 0; value < 100; ++value) members += (value > 0 ? ",12.345" : "12.345");
    members += "]";
  }
  line += "]}]}" + members + "}";
  return line;
}

TEST(EmfView, ARecordAtCloudWatchsLimitsIsRead) {
  const std::string line = record_at_the_limits("value");
  ASSERT_LT(line.size(), max_emf_line_bytes);
  const auto reading = read_emf(line);
  EXPECT_EQ(reading.problem, "");
  ASSERT_EQ(reading.records.size(), 1U);
  EXPECT_EQ(reading.records[0].dimensions.size(), 30U);
  ASSERT_EQ(reading.records[0].metrics.size(), 100U);
  EXPECT_EQ(reading.records[0].metrics[99].samples.size(), 100U);
}

// The view leaves escaping to the log, which escapes every line once (log_text.hpp): what the
// terminal gets holds no control character of the function's.
TEST(EmfView, ControlCharactersFromTheFunctionNeverReachTheTerminal) {
  const std::string line =
      R"({"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"N\u001b[2J",)"
      R"("Dimensions":[["route"]],"Metrics":[{"Name":"Hits\u0007"}]}]},)"
      R"("route":"GET /x\u001b]0;title\u0007\u2028","Hits\u0007":[1,2.5]})";
  const Pipe terminal;
  {
    LambdaLog log(terminal.write_end(), false, LambdaLog::default_buffer_limit,
                  MetricsView::pretty);
    log.function_line("id", line);
  }
  EXPECT_EQ(read_available(terminal.read_end(), std::chrono::milliseconds(200)),
            "[cppstack-local] metrics in namespace N\\x1B[2J (--metrics raw shows the EMF JSON, "
            "--metrics off hides it)\n"
            "metrics GET /x\\x1B]0;title\\x07\\xE2\\x80\\xA8: Hits\\x07=1,2.5\n");
}

TEST(EmfView, SummaryHasCountsAndPercentilesPerDimensionSet) {
  EmfView view(MetricsView::pretty);
  for (int latency = 1; latency <= 100; ++latency) {
    view.show(request_metrics_line("GET /v1/metadata", "2xx", latency));
  }
  view.show(request_metrics_line("GET /v1/metadata", "5xx", 7.5));
  EXPECT_EQ(view.summary(),
            (std::vector<std::string>{
                "metrics summary GET /v1/metadata 2xx: Requests=100 Errors=0; Latency p50=50ms "
                "p99=99ms",
                "metrics summary GET /v1/metadata 5xx: Requests=1 Errors=0; Latency p50=7.5ms "
                "p99=7.5ms"}));
}

TEST(EmfView, SummaryMemoryIsBounded) {
  EmfView view(MetricsView::pretty);
  for (std::size_t index = 0; index < EmfView::max_summary_keys + 5; ++index) {
    view.show(request_metrics_line("GET /r" + std::to_string(index), "2xx", 1));
  }
  const auto summary = view.summary();
  ASSERT_EQ(summary.size(), EmfView::max_summary_keys + 1);
  EXPECT_EQ(summary.back(),
            "metrics summary: 5 records of further dimension sets not summarized (at most 100 "
            "are)");
}

// The short view is made in the caller's thread, before the bounded buffer: a flood of metric
// lines on a stuck terminal is dropped and counted like any other, never waited for.
// Values kept for percentiles are bounded in all: 30 records of 10,000 values each are over
// the budget, so the later metrics have sums but no sample.
TEST(EmfView, SummarySamplesAreBoundedInAll) {
  EmfView view(MetricsView::pretty);
  for (int record = 0; record < 30; ++record) {
    std::string route = "r";
    route += std::to_string(record);
    view.show(record_at_the_limits(route));
  }
  const auto summary = view.summary();
  ASSERT_EQ(summary.size(), 30U);
  EXPECT_NE(summary.front().find(" m99 p50=12.345ms p99=12.345ms"), std::string::npos);
  EXPECT_EQ(summary.front().find("not sampled"), std::string::npos);
  EXPECT_NE(summary.back().find(" m0 not sampled (summary memory full)"), std::string::npos)
      << summary.back();
}

TEST(LambdaLog, PrettyMetricsOnAStuckTerminalAreDroppedNotWaitedFor) {
  const Pipe terminal;
  {
    LambdaLog log(terminal.write_end(), false, 4096, MetricsView::pretty);
    const std::string line = request_metrics_line("GET /v1/", "2xx", 1);
    for (int i = 0; i < 10000; ++i) log.function_line("id", line);
    const auto flood = read_available(terminal.read_end(), std::chrono::milliseconds(500));
    log.line("after the flood");
    const auto shown = read_until(terminal.read_end(), flood, "after the flood\n");
    EXPECT_NE(shown.find("metrics GET /v1/ 2xx: Requests=1 Latency=1ms Errors=0\n"),
              std::string::npos);
    EXPECT_TRUE(std::regex_search(
        shown, std::regex(R"(\[cppstack-local\] \d+ log lines dropped: the terminal could not)")));
    EXPECT_EQ(shown.find("\"_aws\""), std::string::npos);
  }
}

TEST(LambdaLog, PrettyMetricsKeepTheRequestIdPrefixAndTheSummaryIsMarked) {
  const Pipe terminal;
  {
    LambdaLog log(terminal.write_end(), true, LambdaLog::default_buffer_limit, MetricsView::pretty);
    log.function_line("id-1", request_metrics_line("GET /v1/", "2xx", 0.5));
    log.function_line("id-1", "plain");
    log.metrics_summary();
  }
  EXPECT_EQ(read_available(terminal.read_end(), std::chrono::milliseconds(200)),
            "[cppstack-local] metrics in namespace CppStack, service api (--metrics raw shows "
            "the EMF JSON, --metrics off hides it)\n"
            "id-1\tmetrics GET /v1/ 2xx: Requests=1 Latency=0.5ms Errors=0\n"
            "id-1\tplain\n"
            "[cppstack-local] metrics summary GET /v1/ 2xx: Requests=1 Errors=0; Latency "
            "p50=0.5ms p99=0.5ms\n");
}

}  // namespace
}  // namespace cppstack::local

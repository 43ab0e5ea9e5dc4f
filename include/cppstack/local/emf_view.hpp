#pragma once
// The function's CloudWatch Embedded Metric Format (EMF) lines, as a developer reads them in
// the emulator's output: one short line per record instead of the JSON, and an optional
// summary per dimension set when the emulator stops.
//
// A log line is hostile input: it is read only when it looks like EMF and is at most
// `max_emf_line_bytes`, with a bounded parser (fixed memory, bounded depth); anything else,
// malformed or huge, is shown as printed.
//
//   cppstack::local::EmfView view(cppstack::local::MetricsView::pretty);
//   for (const auto& shown : view.show(line)) print(shown.text);  // "metrics GET /v1/ 2xx: ..."
//   for (const auto& summary : view.summary()) print(summary);     // at shutdown

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cppstack::local {

/// How the emulator shows the function's EMF lines (`--metrics`).
enum class MetricsView {
  pretty,  ///< one short line per record, the namespace once, a summary at shutdown
  raw,     ///< the JSON as the function printed it (what CloudWatch receives)
  off,     ///< hidden
};

/// Lines longer than this are never parsed (shown as printed): CloudWatch Logs' event size
/// limit, which a record at the format's limits (100 metrics of 100 values) can come near.
inline constexpr std::size_t max_emf_line_bytes = std::size_t{256} * 1024;

/// One metric directive of an EMF record with the values it refers to.
struct EmfRecord {
  struct Value {
    std::string name;
    std::string unit;             ///< CloudWatch's unit name, "None" when not given
    std::vector<double> samples;  ///< one value, or EMF's array of values
  };
  std::string name_space;
  /// Each dimension named in the directive's dimension sets once, in order, with its value.
  std::vector<std::pair<std::string, std::string>> dimensions;
  std::vector<Value> metrics;
};

/// What reading a line found: not EMF, EMF records, or an EMF-looking line that is not valid
/// (`problem` says why, in words that quote nothing from the line).
struct EmfReading {
  std::vector<EmfRecord> records;
  std::string problem;
};

/// Reads `line` as EMF: records when it is a JSON object with a valid `_aws` member;
/// nothing when it does not look like EMF, is malformed JSON or is over the size limit.
EmfReading read_emf(std::string_view line);

/// A line to show; `from_emulator` when the emulator says it (not the function).
struct ShownLine {
  std::string text;
  bool from_emulator = false;
};

/// Turns EMF lines into what the emulator shows, per `MetricsView`. Thread-safe.
class EmfView {
 public:
  explicit EmfView(MetricsView view) : view_(view) {}

  [[nodiscard]] MetricsView view() const { return view_; }

  /// The lines to show for one line of the function's output (the line itself when it is not
  /// EMF or the view is raw; none when the view is off).
  std::vector<ShownLine> show(std::string_view line);

  /// One line per dimension set seen (at most `max_summary_keys`): the sum of each count
  /// metric and p50/p99 of the others, over a uniform sample of their values (bounded memory).
  /// Empty unless the view is pretty and a record was shown.
  std::vector<std::string> summary() const;

  static constexpr std::size_t max_summary_keys = 100;
  static constexpr std::size_t max_samples_per_metric = 4096;
  /// Values kept for percentiles by all metrics together (2 MB).
  static constexpr std::size_t max_summary_samples = std::size_t{256} * 1024;

 private:
  struct MetricTotals {
    std::string unit;
    double sum = 0;
    std::size_t seen = 0;
    std::vector<double> samples;  // a uniform sample of at most max_samples_per_metric
  };
  struct Totals {
    std::vector<std::pair<std::string, MetricTotals>> metrics;  // in first-seen order
  };

  static std::string label(const EmfRecord& record, std::string_view announced_service);
  void add_to_summary(const std::string& key, const EmfRecord& record);

  MetricsView view_;
  mutable std::mutex mutex_;
  std::string shown_namespace_;  // the namespace and service last announced
  std::map<std::string, Totals> totals_;
  std::vector<std::string> summary_order_;
  std::size_t unsummarized_records_ = 0;
  std::size_t sampled_values_ = 0;
  std::uint64_t random_state_ = 0x9e3779b97f4a7c15ULL;
};

}  // namespace cppstack::local

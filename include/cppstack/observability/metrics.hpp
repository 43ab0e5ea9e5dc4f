#pragma once
// CloudWatch Embedded Metric Format (EMF): metrics written as structured log lines, which
// CloudWatch Logs turns into metrics without any API call from the function. A record names
// its namespace, dimension sets and metrics under `_aws`, and carries the dimension values,
// the metric values and any extra properties as top-level members.
//
// The format's limits are enforced here: a dimension set has at most 30 dimensions (more is
// an error of the caller), and a record at most 100 metrics (more are split into several
// records with the same dimensions).
//
//   const Dimension dimensions[] = {{"service", "orders"}, {"route", "GET /v1/items"}};
//   const Metric metrics[] = {{"Requests", MetricUnit::count, 1},
//                             {"Latency", MetricUnit::milliseconds, 0.42}};
//   std::string lines;
//   append_emf_records(lines, {.name_space = "Orders", .dimensions = dimensions,
//                              .metrics = metrics}, unix_time_ms());

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

namespace cppstack::observability {

inline constexpr std::size_t emf_max_metrics_per_record = 100;
inline constexpr std::size_t emf_max_dimensions_per_set = 30;

enum class MetricUnit { none, count, milliseconds, seconds, bytes };

/// The unit's name in EMF and CloudWatch: "Count", "Milliseconds", ...
[[nodiscard]] std::string_view to_string(MetricUnit unit) noexcept;

struct Metric {
  std::string_view name;
  MetricUnit unit = MetricUnit::count;
  double value = 0;
};

struct Dimension {
  std::string_view name;
  std::string_view value;
};

/// A member of the record that is neither a dimension nor a metric (searchable in Logs
/// Insights, not a metric).
struct Property {
  std::string_view name;
  std::string_view value;
};

struct MetricRecord {
  std::string_view name_space;
  std::span<const Dimension> dimensions{};
  /// The dimension sets, each given as how many of `dimensions` (from the first) it takes:
  /// {2, 3} publishes every metric under the first two dimensions and under the first three.
  /// Empty: one set with every dimension.
  std::span<const std::size_t> dimension_set_lengths{};
  std::span<const Metric> metrics{};
  std::span<const Property> properties{};
};

class MetricFormatError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// Appends the record as one or more EMF lines (each ending in '\n'), at most 100 metrics per
/// line. Throws MetricFormatError for an empty namespace, a dimension set over 30 dimensions
/// or longer than `dimensions`, or an empty metric or dimension name.
void append_emf_records(std::string& out, const MetricRecord& record, std::int64_t timestamp_ms);

/// Milliseconds since the Unix epoch, the unit of `_aws.Timestamp`.
[[nodiscard]] std::int64_t unix_time_ms() noexcept;

}  // namespace cppstack::observability

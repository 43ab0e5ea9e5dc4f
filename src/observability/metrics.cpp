#include <cppstack/observability/json_line.hpp>
#include <cppstack/observability/metrics.hpp>

#include <algorithm>
#include <chrono>

namespace cppstack::observability {
namespace {

void validate(const MetricRecord& record) {
  if (record.name_space.empty()) throw MetricFormatError("EMF: the namespace is empty");
  for (const std::size_t length : record.dimension_set_lengths) {
    if (length > record.dimensions.size()) {
      throw MetricFormatError("EMF: a dimension set is longer than the dimensions given");
    }
  }
  const std::size_t widest = record.dimension_set_lengths.empty()
                                 ? record.dimensions.size()
                                 : *std::max_element(record.dimension_set_lengths.begin(),
                                                     record.dimension_set_lengths.end());
  if (widest > emf_max_dimensions_per_set) {
    throw MetricFormatError("EMF: a dimension set has " + std::to_string(widest) +
                            " dimensions, CloudWatch accepts at most 30");
  }
  for (const Dimension& dimension : record.dimensions) {
    if (dimension.name.empty()) throw MetricFormatError("EMF: a dimension has no name");
  }
  for (const Metric& metric : record.metrics) {
    if (metric.name.empty()) throw MetricFormatError("EMF: a metric has no name");
  }
}

void append_dimension_set(std::string& out, std::span<const Dimension> dimensions,
                          std::size_t length) {
  out.push_back('[');
  for (std::size_t index = 0; index < length; ++index) {
    if (index > 0) out.push_back(',');
    append_json_string(out, dimensions[index].name);
  }
  out.push_back(']');
}

void append_one_record(std::string& out, const MetricRecord& record,
                       std::span<const Metric> metrics, std::int64_t timestamp_ms) {
  JsonLineWriter line(out);
  std::string& aws = line.key("_aws");
  aws.append(R"({"Timestamp":)");
  aws.append(std::to_string(timestamp_ms));
  aws.append(R"(,"CloudWatchMetrics":[{"Namespace":)");
  append_json_string(aws, record.name_space);
  aws.append(R"(,"Dimensions":[)");
  if (record.dimension_set_lengths.empty()) {
    append_dimension_set(aws, record.dimensions, record.dimensions.size());
  } else {
    bool first = true;
    for (const std::size_t length : record.dimension_set_lengths) {
      if (!first) aws.push_back(',');
      first = false;
      append_dimension_set(aws, record.dimensions, length);
    }
  }
  aws.append(R"(],"Metrics":[)");
  bool first = true;
  for (const Metric& metric : metrics) {
    if (!first) aws.push_back(',');
    first = false;
    aws.append(R"({"Name":)");
    append_json_string(aws, metric.name);
    aws.append(R"(,"Unit":")");
    aws.append(to_string(metric.unit));
    aws.append("\"}");
  }
  aws.append("]}]}");
  for (const Dimension& dimension : record.dimensions) line.string(dimension.name, dimension.value);
  for (const Property& property : record.properties) line.string(property.name, property.value);
  for (const Metric& metric : metrics) line.number(metric.name, metric.value);
  line.close();
}

}  // namespace

std::string_view to_string(MetricUnit unit) noexcept {
  switch (unit) {
    case MetricUnit::none:
      return "None";
    case MetricUnit::count:
      return "Count";
    case MetricUnit::milliseconds:
      return "Milliseconds";
    case MetricUnit::seconds:
      return "Seconds";
    case MetricUnit::bytes:
      return "Bytes";
  }
  return "None";
}

void append_emf_records(std::string& out, const MetricRecord& record, std::int64_t timestamp_ms) {
  validate(record);
  std::span<const Metric> remaining = record.metrics;
  do {
    const std::size_t count = std::min(remaining.size(), emf_max_metrics_per_record);
    append_one_record(out, record, remaining.first(count), timestamp_ms);
    remaining = remaining.subspan(count);
  } while (!remaining.empty());
}

std::int64_t unix_time_ms() noexcept {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace cppstack::observability

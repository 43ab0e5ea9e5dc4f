#include <algorithm>
#include <array>
#include <boost/json/parse.hpp>
#include <boost/json/static_resource.hpp>
#include <boost/json/value.hpp>
#include <cmath>
#include <cppstack/local/emf_view.hpp>
#include <cppstack/observability/metrics.hpp>
#include <cstdio>
#include <iterator>
#include <memory>
#include <new>
#include <variant>

namespace cppstack::local {

namespace json = boost::json;

namespace {

// CloudWatch's limits for one EMF directive (Embedded metric format specification); the
// function's writer keeps to the same ones.
constexpr std::size_t max_metrics_per_directive = observability::emf_max_metrics_per_record;
constexpr std::size_t max_dimensions_per_set = observability::emf_max_dimensions_per_set;
constexpr std::size_t max_values_per_metric = 100;
// Shown text is cut here, so one line stays one terminal line or two.
constexpr std::size_t max_shown_text = 200;
// The parsed values of a line live here. A record at CloudWatch's limits (100 metrics of 100
// values) needs about 200 KB; a line that needs more (thousands of tiny arrays) runs out and is
// shown as printed.
constexpr std::size_t parse_memory_bytes = std::size_t{512} * 1024;

bool looks_like_emf(std::string_view line) {
  const auto first = line.find_first_not_of(" \t");
  return first != std::string_view::npos && line[first] == '{' &&
         line.find("\"_aws\"") != std::string_view::npos;
}

// Shortened only: every line the view produces is escaped where the log writes it
// (LambdaLog, log_text.hpp), once.
std::string printable(std::string_view text) {
  if (text.size() <= max_shown_text) return std::string(text);
  return std::string(text.substr(0, max_shown_text)) + "...";
}

std::string format_number(double value) {
  char text[64];
  if (std::isfinite(value) && value == std::trunc(value) && std::fabs(value) < 1e15) {
    std::snprintf(text, sizeof text, "%.0f", value);
    return text;
  }
  std::snprintf(text, sizeof text, std::fabs(value) < 1 ? "%.3g" : "%.3f", value);
  std::string shown = text;
  if (shown.find('.') != std::string::npos && shown.find('e') == std::string::npos) {
    while (shown.back() == '0') shown.pop_back();
    if (shown.back() == '.') shown.pop_back();
  }
  return shown;
}

std::string unit_suffix(std::string_view unit) {
  if (unit == "None" || unit == "Count") return "";
  if (unit == "Milliseconds") return "ms";
  if (unit == "Microseconds") return "us";
  if (unit == "Seconds") return "s";
  if (unit == "Bytes") return "B";
  if (unit == "Percent") return "%";
  std::string other = " ";  // g++ 12 reports a false -Wrestrict for " " + string
  other += printable(unit);
  return other;
}

bool is_count(std::string_view unit) { return unit == "Count" || unit == "None"; }

const json::string* string_member(const json::object& object, std::string_view name) {
  const auto* found = object.if_contains(name);
  return found != nullptr ? found->if_string() : nullptr;
}

std::optional<std::vector<double>> samples_of(const json::value& value) {
  if (value.is_number()) return std::vector<double>{value.to_number<double>()};
  const auto* values = value.if_array();
  if (values == nullptr || values->empty() || values->size() > max_values_per_metric) {
    return std::nullopt;
  }
  std::vector<double> samples;
  for (const auto& sample : *values) {
    if (!sample.is_number()) return std::nullopt;
    samples.push_back(sample.to_number<double>());
  }
  return samples;
}

// One directive of `_aws.CloudWatchMetrics`, with its values from the root object; the text
// says what is wrong otherwise.
std::variant<EmfRecord, std::string> read_directive(const json::value& value,
                                                    const json::object& root) {
  const auto* directive = value.if_object();
  if (directive == nullptr) return "a CloudWatchMetrics entry is not an object";
  EmfRecord record;
  const auto* name_space = string_member(*directive, "Namespace");
  if (name_space == nullptr || name_space->empty() || name_space->size() > 255) {
    return "Namespace is not a string of 1 to 255 characters";
  }
  record.name_space = std::string(*name_space);
  const auto* dimension_sets = directive->if_contains("Dimensions");
  if (dimension_sets == nullptr || !dimension_sets->is_array()) return "no Dimensions array";
  for (const auto& set : dimension_sets->get_array()) {
    const auto* names = set.if_array();
    if (names == nullptr) return "a dimension set is not an array";
    if (names->size() > max_dimensions_per_set) return "a dimension set has over 30 dimensions";
    for (const auto& name : *names) {
      const auto* text = name.if_string();
      if (text == nullptr) return "a dimension name is not a string";
      const auto* dimension_value = string_member(root, *text);
      if (dimension_value == nullptr) return "a dimension has no string value";
      const bool listed = std::any_of(
          record.dimensions.begin(), record.dimensions.end(),
          [&text](const auto& dimension) { return dimension.first == std::string_view(*text); });
      if (!listed)
        record.dimensions.emplace_back(std::string(*text), std::string(*dimension_value));
    }
  }
  const auto* metrics = directive->if_contains("Metrics");
  if (metrics == nullptr || !metrics->is_array()) return "no Metrics array";
  if (metrics->get_array().size() > max_metrics_per_directive) return "over 100 metrics";
  for (const auto& definition : metrics->get_array()) {
    const auto* metric = definition.if_object();
    const auto* name = metric != nullptr ? string_member(*metric, "Name") : nullptr;
    if (name == nullptr) return "a metric has no Name";
    const auto* unit = string_member(*metric, "Unit");
    if (unit == nullptr && metric->contains("Unit")) return "a metric's Unit is not a string";
    const auto* sample_value = root.if_contains(*name);
    auto samples = sample_value != nullptr ? samples_of(*sample_value) : std::nullopt;
    if (!samples) return "a metric has no number or array of up to 100 numbers";
    record.metrics.push_back({.name = std::string(*name),
                              .unit = unit != nullptr ? std::string(*unit) : "None",
                              .samples = std::move(*samples)});
  }
  return record;
}

EmfReading read_root(const json::object& root) {
  EmfReading reading;
  const auto* aws = root.if_contains("_aws");
  if (aws == nullptr) return reading;
  if (!aws->is_object()) return {.records = {}, .problem = "_aws is not an object"};
  const auto* timestamp = aws->get_object().if_contains("Timestamp");
  if (timestamp == nullptr || !timestamp->is_number()) {
    return {.records = {}, .problem = "_aws has no numeric Timestamp"};
  }
  const auto* directives = aws->get_object().if_contains("CloudWatchMetrics");
  if (directives == nullptr || !directives->is_array() || directives->get_array().empty()) {
    return {.records = {}, .problem = "_aws has no CloudWatchMetrics directives"};
  }
  for (const auto& directive : directives->get_array()) {
    auto read = read_directive(directive, root);
    if (auto* problem = std::get_if<std::string>(&read)) {
      return {.records = {}, .problem = std::move(*problem)};
    }
    reading.records.push_back(std::get<EmfRecord>(std::move(read)));
  }
  return reading;
}

}  // namespace

EmfReading read_emf(std::string_view line) {
  if (line.size() > max_emf_line_bytes || !looks_like_emf(line)) return {};
  // Parsing allocates from this thread's fixed block only, and the depth is bounded: a
  // hostile line cannot make the emulator allocate more or recurse deeper.
  thread_local const auto memory = std::make_unique<unsigned char[]>(parse_memory_bytes);
  json::static_resource resource(memory.get(), parse_memory_bytes);
  json::parse_options options;
  options.max_depth = 16;
  try {
    boost::system::error_code error;
    const json::value parsed = json::parse(line, error, &resource, options);
    if (error || !parsed.is_object()) return {};
    return read_root(parsed.get_object());
  } catch (const std::bad_alloc&) {
    return {};  // over the parse memory: shown as printed
  }
}

std::string EmfView::label(const EmfRecord& record, std::string_view announced_service) {
  std::string text;
  for (const auto& [name, value] : record.dimensions) {
    if (name == "service" && value == announced_service) continue;
    if (!text.empty()) text.push_back(' ');
    text += printable(value);
  }
  return text;
}

std::vector<ShownLine> EmfView::show(std::string_view line) {
  if (view_ == MetricsView::raw) return {{.text = std::string(line), .from_emulator = false}};
  EmfReading reading = read_emf(line);
  if (reading.records.empty()) {
    if (!reading.problem.empty() && view_ == MetricsView::off) return {};
    std::vector<ShownLine> shown{{.text = std::string(line), .from_emulator = false}};
    if (!reading.problem.empty()) {
      shown.push_back({.text = "the line above has an _aws member but is not EMF that CloudWatch "
                               "accepts: " +
                               reading.problem,
                       .from_emulator = true});
    }
    return shown;
  }
  if (view_ == MetricsView::off) return {};
  std::vector<ShownLine> shown;
  std::lock_guard lock(mutex_);
  for (const EmfRecord& record : reading.records) {
    std::string service;
    for (const auto& [name, value] : record.dimensions) {
      if (name == "service") service = value;
    }
    const std::string announcement = printable(record.name_space) + "\n" + printable(service);
    if (announcement != shown_namespace_) {
      shown_namespace_ = announcement;
      shown.push_back({.text = "metrics in namespace " + printable(record.name_space) +
                               (service.empty() ? "" : ", service " + printable(service)) +
                               " (--metrics raw shows the EMF JSON, --metrics off hides it)",
                       .from_emulator = true});
    }
    const std::string dimensions = label(record, service);
    std::string text = "metrics ";
    text += dimensions;
    text += ":";
    for (const auto& metric : record.metrics) {
      // Appended piece by piece: g++ 12 reports a false -Wrestrict for "literal" + string.
      text.push_back(' ');
      text += printable(metric.name);
      text.push_back('=');
      for (std::size_t index = 0; index < metric.samples.size(); ++index) {
        if (index > 0) text += ",";
        text += format_number(metric.samples[index]);
      }
      text += unit_suffix(metric.unit);
    }
    shown.push_back({.text = std::move(text), .from_emulator = false});
    add_to_summary(dimensions, record);
  }
  return shown;
}

void EmfView::add_to_summary(const std::string& key, const EmfRecord& record) {
  auto found = totals_.find(key);
  if (found == totals_.end()) {
    if (totals_.size() >= max_summary_keys) {
      ++unsummarized_records_;
      return;
    }
    found = totals_.emplace(key, Totals{}).first;
    summary_order_.push_back(key);
  }
  auto& metrics = found->second.metrics;
  for (const auto& metric : record.metrics) {
    // Names and units are kept as shown (cut to a few hundred bytes), never as sent.
    const std::string name = printable(metric.name);
    auto totals = std::find_if(metrics.begin(), metrics.end(),
                               [&name](const auto& entry) { return entry.first == name; });
    if (totals == metrics.end()) {
      if (metrics.size() >= max_metrics_per_directive) continue;
      metrics.emplace_back(
          name, MetricTotals{.unit = printable(metric.unit), .sum = 0, .seen = 0, .samples = {}});
      totals = std::prev(metrics.end());
    }
    MetricTotals& kept = totals->second;
    for (const double sample : metric.samples) {
      kept.sum += sample;
      ++kept.seen;
      if (is_count(kept.unit)) continue;  // summed, no percentiles
      if (kept.samples.size() < max_samples_per_metric && sampled_values_ < max_summary_samples) {
        kept.samples.push_back(sample);
        ++sampled_values_;
        continue;
      }
      if (kept.samples.empty()) continue;  // the summary's memory is used up
      // Reservoir sampling keeps a uniform sample of all values in bounded memory.
      random_state_ ^= random_state_ << 13;
      random_state_ ^= random_state_ >> 7;
      random_state_ ^= random_state_ << 17;
      const std::size_t slot = random_state_ % kept.seen;
      if (slot < kept.samples.size()) kept.samples[slot] = sample;
    }
  }
}

std::vector<std::string> EmfView::summary() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> lines;
  if (view_ != MetricsView::pretty) return lines;
  for (const auto& key : summary_order_) {
    std::string counts;
    std::string distributions;
    for (const auto& [name, totals] : totals_.at(key).metrics) {
      if (is_count(totals.unit)) {
        counts.append(" ").append(name).append("=").append(format_number(totals.sum));
        continue;
      }
      if (totals.samples.empty()) {
        distributions.append(" ").append(name).append(" not sampled (summary memory full)");
        continue;
      }
      std::vector<double> sorted = totals.samples;
      std::sort(sorted.begin(), sorted.end());
      // Nearest rank: the smallest value with at least p of the values at or below it.
      const auto percentile = [&sorted](double p) {
        const auto rank =
            static_cast<std::size_t>(std::ceil(p * static_cast<double>(sorted.size())));
        return sorted[std::max<std::size_t>(rank, 1) - 1];
      };
      const std::string suffix = unit_suffix(totals.unit);
      distributions.append(" ").append(name).append(" p50=");
      distributions.append(format_number(percentile(0.5))).append(suffix).append(" p99=");
      distributions.append(format_number(percentile(0.99))).append(suffix);
    }
    std::string line = "metrics summary ";
    line.append(key).append(":").append(counts);
    if (!distributions.empty()) line.append(counts.empty() ? "" : ";").append(distributions);
    lines.push_back(std::move(line));
  }
  if (unsummarized_records_ > 0) {
    lines.push_back("metrics summary: " + std::to_string(unsummarized_records_) +
                    " records of further dimension sets not summarized (at most " +
                    std::to_string(max_summary_keys) + " are)");
  }
  return lines;
}

}  // namespace cppstack::local

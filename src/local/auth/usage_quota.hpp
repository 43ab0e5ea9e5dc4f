#pragma once
// A usage plan's quota (API_QUOTA_LIMIT requests per API_QUOTA_PERIOD of DAY, WEEK or MONTH),
// counted per API key on the routes that require a key, as API Gateway counts it; over the
// limit the gateway answers 429 {"message":"Limit Exceeded"}. Periods start at 00:00 UTC (on
// Monday for WEEK, on the 1st for MONTH). Thread-safe; at most 10,000 keys are tracked.
//
//   UsageQuota quota({.limit = 1000, .period = QuotaPeriod::day});
//   if (!quota.try_consume(api_key, std::chrono::system_clock::now())) return limit_exceeded();

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace cppstack::local::auth {

enum class QuotaPeriod { day, week, month };

struct QuotaSettings {
  std::int64_t limit = 0;
  QuotaPeriod period = QuotaPeriod::day;
};

/// Reads API_QUOTA_LIMIT and API_QUOTA_PERIOD (default DAY); std::nullopt when no limit is
/// set. Throws std::invalid_argument naming the variable.
[[nodiscard]] std::optional<QuotaSettings> parse_quota(const std::optional<std::string>& limit,
                                                       const std::optional<std::string>& period);

/// Start of the quota period holding `time`.
[[nodiscard]] std::chrono::system_clock::time_point period_start(
    QuotaPeriod period, std::chrono::system_clock::time_point time);

class UsageQuota {
 public:
  static constexpr std::size_t max_tracked_keys = 10000;

  explicit UsageQuota(QuotaSettings settings) : settings_(settings) {}
  [[nodiscard]] const QuotaSettings& settings() const noexcept { return settings_; }
  /// Counts one request of `api_key`; false when it is over the period's limit.
  [[nodiscard]] bool try_consume(const std::string& api_key,
                                 std::chrono::system_clock::time_point now);

 private:
  struct Usage {
    std::chrono::system_clock::time_point period;
    std::int64_t count = 0;
  };
  QuotaSettings settings_;
  std::mutex mutex_;
  std::map<std::string, Usage, std::less<>> usage_;
};

}  // namespace cppstack::local::auth

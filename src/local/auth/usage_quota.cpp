#include "usage_quota.hpp"

#include <charconv>
#include <ctime>
#include <stdexcept>

namespace cppstack::local::auth {

std::optional<QuotaSettings> parse_quota(const std::optional<std::string>& limit,
                                         const std::optional<std::string>& period) {
  QuotaSettings settings;
  if (period && !period->empty()) {
    if (*period == "DAY") {
      settings.period = QuotaPeriod::day;
    } else if (*period == "WEEK") {
      settings.period = QuotaPeriod::week;
    } else if (*period == "MONTH") {
      settings.period = QuotaPeriod::month;
    } else {
      throw std::invalid_argument("API_QUOTA_PERIOD must be DAY, WEEK or MONTH, got '" + *period +
                                  "'");
    }
  }
  if (!limit || limit->empty()) return std::nullopt;
  const std::string_view text = *limit;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), settings.limit);
  if (error != std::errc{} || end != text.data() + text.size() || settings.limit < 1) {
    throw std::invalid_argument(
        "API_QUOTA_LIMIT must be a whole number of requests, at least 1, got '" + *limit + "'");
  }
  return settings;
}

std::chrono::system_clock::time_point period_start(QuotaPeriod period,
                                                   std::chrono::system_clock::time_point time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  utc.tm_hour = 0;
  utc.tm_min = 0;
  utc.tm_sec = 0;
  if (period == QuotaPeriod::week) utc.tm_mday -= (utc.tm_wday + 6) % 7;  // back to Monday
  if (period == QuotaPeriod::month) utc.tm_mday = 1;
  return std::chrono::system_clock::from_time_t(timegm(&utc));
}

bool UsageQuota::try_consume(const std::string& api_key,
                             std::chrono::system_clock::time_point now) {
  const auto current = period_start(settings_.period, now);
  const std::lock_guard lock(mutex_);
  auto found = usage_.find(api_key);
  if (found == usage_.end()) {
    if (usage_.size() >= max_tracked_keys) {
      std::erase_if(usage_,
                    [current](const auto& entry) { return entry.second.period != current; });
      if (usage_.size() >= max_tracked_keys) return false;  // bounded memory: refuse new keys
    }
    found = usage_.emplace(api_key, Usage{current, 0}).first;
  }
  if (found->second.period != current) found->second = Usage{current, 0};
  if (found->second.count >= settings_.limit) return false;
  ++found->second.count;
  return true;
}

}  // namespace cppstack::local::auth

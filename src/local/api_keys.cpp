#include <boost/json/serialize.hpp>
#include <cctype>
#include <charconv>
#include <cppstack/local/api_keys.hpp>
#include <cppstack/local/token_bucket.hpp>
#include <regex>
#include <set>

#include "auth/usage_quota.hpp"

namespace cppstack::local {
namespace {

// Names of plans and keys, and key values, as the CDK app checks them (infra/lib/config.ts).
const std::regex& name_pattern() {
  static const std::regex pattern("^[A-Za-z0-9_-]{1,64}$");
  return pattern;
}
const std::regex& value_pattern() {
  // "an alphanumeric string between 20 and 128 characters" (api-gateway-api-usage-plans.html).
  static const std::regex pattern("^[A-Za-z0-9]{20,128}$");
  return pattern;
}

[[noreturn]] void refuse_api_setting(std::string_view key, const std::string& message) {
  throw ApiKeySettingError(std::string(key) + ": " + message);
}

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const auto end = text.find(separator, start);
    parts.emplace_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

std::string trimmed(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return std::string(text);
}

// A comma-separated list without empty entries; [] for an empty value (config.ts list()).
std::vector<std::string> list(std::string_view key, const std::string& value) {
  if (trimmed(value).empty()) return {};
  std::vector<std::string> items;
  std::set<std::string, std::less<>> seen;
  for (const auto& item : split(trimmed(value), ',')) {
    items.push_back(trimmed(item));
    if (items.back().empty()) {
      refuse_api_setting(key, "must be a comma-separated list without empty entries, got '" +
                                  trimmed(value) + "'");
    }
    if (!seen.insert(items.back()).second)
      refuse_api_setting(key, "lists '" + items.back() + "' twice");
  }
  return items;
}

std::optional<std::int64_t> parse_whole_number(std::string_view text) {
  std::int64_t number = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return number;
}

std::optional<double> parse_positive_number(const std::string& text) {
  static const std::regex decimal(R"(^\d+(\.\d+)?$)");
  if (!std::regex_match(text, decimal) || std::stod(text) <= 0) return std::nullopt;
  return std::stod(text);
}

// Periods are read in any case, as the CDK app reads them.
std::string upper_case(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

// quota=LIMIT/PERIOD
PlanQuota quota_of(const std::string& plan, const std::string& text) {
  const auto slash = text.find('/');
  const auto limit = parse_whole_number(std::string_view(text).substr(0, slash));
  const std::string period = upper_case(slash == std::string::npos ? "" : text.substr(slash + 1));
  if (!limit || *limit < 1 || *limit > 2'000'000'000 ||
      (period != "DAY" && period != "WEEK" && period != "MONTH")) {
    refuse_api_setting("API_USAGE_PLANS",
                       "plan '" + plan +
                           "': quota must be LIMIT/PERIOD, a whole number from 1 to "
                           "2000000000 and DAY, WEEK or MONTH, got '" +
                           text + "'");
  }
  return {*limit, period};
}

// throttle=RATE/BURST
Throttle throttle_of(const std::string& plan, const std::string& text) {
  const auto slash = text.find('/');
  const auto rate = parse_positive_number(text.substr(0, slash));
  const auto burst = slash == std::string::npos
                         ? std::nullopt
                         : parse_whole_number(std::string_view(text).substr(slash + 1));
  if (!rate || !burst || *burst < 1 || *burst > 5000) {
    refuse_api_setting("API_USAGE_PLANS",
                       "plan '" + plan +
                           "': throttle must be RATE/BURST, a positive number of requests "
                           "per second and a whole number from 1 to 5000, got '" +
                           text + "'");
  }
  return {*rate, static_cast<double>(*burst)};
}

UsagePlanSetting plan_of(const std::string& entry) {
  const auto parts = split(entry, ':');
  UsagePlanSetting plan{.name = parts.front()};
  if (!std::regex_match(plan.name, name_pattern())) {
    refuse_api_setting(
        "API_USAGE_PLANS",
        "each plan name must be 1 to 64 letters, digits, '-' or '_', got '" + plan.name + "'");
  }
  for (std::size_t index = 1; index < parts.size(); ++index) {
    const auto& part = parts[index];
    if (part.rfind("quota=", 0) == 0 && !plan.quota) {
      plan.quota = quota_of(plan.name, part.substr(6));
    } else if (part.rfind("throttle=", 0) == 0 && !plan.throttle) {
      plan.throttle = throttle_of(plan.name, part.substr(9));
    } else {
      refuse_api_setting("API_USAGE_PLANS",
                         "plan '" + plan.name +
                             "': expected quota=LIMIT/PERIOD or throttle=RATE/BURST, got '" + part +
                             "'");
    }
  }
  return plan;
}

ApiKeySetting key_of(const std::string& entry) {
  const auto parts = split(entry, ':');
  if (parts.size() < 2 || parts.size() > 3) {
    refuse_api_setting("API_KEYS",
                       "each entry must be NAME:PLAN or NAME:PLAN:VALUE, got '" + entry + "'");
  }
  ApiKeySetting key{.name = parts[0], .plan = parts[1], .value = parts.size() == 3 ? parts[2] : ""};
  if (!std::regex_match(key.name, name_pattern())) {
    refuse_api_setting(
        "API_KEYS",
        "each key name must be 1 to 64 letters, digits, '-' or '_', got '" + key.name + "'");
  }
  if (parts.size() == 3 && !std::regex_match(key.value, value_pattern())) {
    refuse_api_setting("API_KEYS",
                       "the value of key '" + key.name +
                           "' must be 20 to 128 letters or digits (API Gateway's alphanumeric "
                           "key values)");
  }
  return key;
}

// The plan of an empty API_USAGE_PLANS, as the stack has always deployed it: API_QUOTA_LIMIT
// per API_QUOTA_PERIOD and the stage's throttle for each key.
UsagePlanSetting default_plan(const http::VariableLookup& lookup) {
  UsagePlanSetting plan{.name = std::string(default_plan_name)};
  const auto limit = lookup("API_QUOTA_LIMIT").value_or("");
  if (!limit.empty()) {
    const auto parsed = parse_whole_number(limit);
    if (!parsed || *parsed < 1 || *parsed > 2'000'000'000) {
      refuse_api_setting("API_QUOTA_LIMIT",
                         "must be a whole number from 1 to 2000000000, got '" + limit + "'");
    }
    const auto period = upper_case(lookup("API_QUOTA_PERIOD").value_or(""));
    if (period != "DAY" && period != "WEEK" && period != "MONTH") {
      refuse_api_setting("API_QUOTA_PERIOD",
                         "must be one of DAY, WEEK, MONTH, got '" + period + "'");
    }
    plan.quota = PlanQuota{*parsed, period};
  }
  const auto rate = parse_positive_number(lookup("API_THROTTLE_RATE_LIMIT").value_or(""));
  const auto burst = parse_whole_number(lookup("API_THROTTLE_BURST_LIMIT").value_or(""));
  if (rate && burst && *burst >= 1) plan.throttle = Throttle{*rate, static_cast<double>(*burst)};
  return plan;
}

}  // namespace

ApiKeySettings api_key_settings_from(const http::VariableLookup& lookup) {
  ApiKeySettings settings;
  const auto plans_text = lookup("API_USAGE_PLANS").value_or("");
  for (const auto& entry : list("API_USAGE_PLANS", plans_text)) {
    settings.plans.push_back(plan_of(entry));
  }
  if (settings.plans.empty()) {
    settings.plans.push_back(default_plan(lookup));
  } else if (!lookup("API_QUOTA_LIMIT").value_or("").empty()) {
    refuse_api_setting(
        "API_QUOTA_LIMIT",
        "is the quota of the default plan only: with API_USAGE_PLANS give each plan its own "
        "quota=LIMIT/PERIOD");
  }
  std::set<std::string, std::less<>> plan_names;
  for (const auto& plan : settings.plans) {
    if (!plan_names.insert(plan.name).second) {
      refuse_api_setting("API_USAGE_PLANS", "lists plan '" + plan.name + "' twice");
    }
  }
  for (const auto& entry : list("API_KEYS", lookup("API_KEYS").value_or(""))) {
    settings.keys.push_back(key_of(entry));
  }
  if (settings.keys.empty()) {
    settings.keys.push_back(
        ApiKeySetting{.name = std::string(default_key_name), .plan = settings.plans.front().name});
  }
  std::set<std::string, std::less<>> key_names;
  std::set<std::string, std::less<>> key_values;
  for (const auto& key : settings.keys) {
    if (!key_names.insert(key.name).second)
      refuse_api_setting("API_KEYS", "lists key '" + key.name + "' twice");
    if (!key.value.empty() && !key_values.insert(key.value).second) {
      refuse_api_setting("API_KEYS", "key '" + key.name + "' has the value of another key");
    }
    if (!plan_names.contains(key.plan)) {
      refuse_api_setting(
          "API_KEYS",
          "plan '" + key.plan + "' of key '" + key.name + "' is not in " +
              (plans_text.empty() ? "the default plans (only 'default')" : "API_USAGE_PLANS"));
    }
  }
  return settings;
}

struct ApiKeyRegistry::Plan {
  std::optional<auth::UsageQuota> quota;
  std::optional<Throttle> throttle;
};

struct ApiKeyRegistry::Key {
  Plan* plan = nullptr;
  std::optional<TokenBucket> bucket;  ///< the plan's throttle, for this key
};

ApiKeyRegistry::ApiKeyRegistry(const ApiKeySettings& settings) {
  for (const auto& setting : settings.plans) {
    auto plan = std::make_unique<Plan>();
    if (setting.quota) {
      plan->quota.emplace(
          *auth::parse_quota(std::to_string(setting.quota->limit), setting.quota->period));
    }
    plan->throttle = setting.throttle;
    plans_.emplace(setting.name, std::move(plan));
  }
  for (const auto& setting : settings.keys) {
    if (setting.value.empty()) continue;  // no value: no caller can present it
    auto key = std::make_unique<Key>();
    key->plan = plans_.at(setting.plan).get();
    if (key->plan->throttle) {
      key->bucket.emplace(key->plan->throttle->rate_limit, key->plan->throttle->burst_limit);
    }
    keys_by_value_.emplace(setting.value, std::move(key));
  }
}

ApiKeyRegistry::~ApiKeyRegistry() = default;

std::optional<GatewayAnswer> ApiKeyRegistry::admit(std::string_view presented,
                                                   std::chrono::system_clock::time_point now) {
  const auto answer = [](int status, std::string_view message, std::string_view type) {
    return GatewayAnswer{.status = status,
                         .body = boost::json::serialize(boost::json::object{{"message", message}}),
                         .error_type = std::string(type),
                         .headers = {}};
  };
  const auto found = keys_by_value_.find(presented);
  if (presented.empty() || found == keys_by_value_.end()) {
    // "API key required but missing or wrong": the gateway response API_KEY (403 Forbidden).
    return answer(403, "Forbidden", "ForbiddenException");
  }
  Key& key = *found->second;
  if (key.plan->quota && !key.plan->quota->try_consume(found->first, now)) {
    return answer(429, "Limit Exceeded", "LimitExceededException");
  }
  if (key.bucket && !key.bucket->try_take()) {
    return answer(429, "Too Many Requests", "TooManyRequestsException");
  }
  return std::nullopt;
}

}  // namespace cppstack::local

#pragma once
// API keys and usage plans as API Gateway applies them to the routes that require a key, from
// the same `.env` settings the CDK app deploys (API_KEYS, API_USAGE_PLANS, API_QUOTA_LIMIT,
// API_QUOTA_PERIOD, API_THROTTLE_*; see .env.example and docs/auth.md):
//
//   API_USAGE_PLANS=basic:quota=1000/MONTH:throttle=5/10,partner
//   API_KEYS=web:basic,partner-a:partner:abcdefghij0123456789
//
// A key that is not one of them is refused with 403 {"message":"Forbidden"}; a key over its
// plan's quota gets 429 "Limit Exceeded", over its plan's per-key throttle 429 "Too Many
// Requests".
//
//   auto settings = cppstack::local::api_key_settings_from(lookup);   // throws naming the key
//   cppstack::local::ApiKeyRegistry keys(settings, values);
//   if (auto refusal = keys.admit(request_key, now)) return answer(*refusal);

#include <chrono>
#include <cppstack/http/cors.hpp>
#include <cppstack/local/access_control.hpp>
#include <cppstack/local/route_table.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace cppstack::local {

/// The plan and key of the defaults: API_USAGE_PLANS or API_KEYS empty.
inline constexpr std::string_view default_plan_name = "default";
inline constexpr std::string_view default_key_name = "default";

struct PlanQuota {
  std::int64_t limit = 0;
  std::string period;  ///< DAY, WEEK or MONTH
};

struct UsagePlanSetting {
  std::string name;
  std::optional<PlanQuota> quota{};
  std::optional<Throttle> throttle{};  ///< per key
};

struct ApiKeySetting {
  std::string name;
  std::string plan;
  std::string value{};  ///< empty: generated (by API Gateway; locally see local_auth.hpp)
};

struct ApiKeySettings {
  std::vector<UsagePlanSetting> plans;
  std::vector<ApiKeySetting> keys;
};

/// Thrown with the CDK app's message, e.g. "API_KEYS: plan 'pro' of key 'web' is not in
/// API_USAGE_PLANS".
class ApiKeySettingError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// Reads the settings (with .env.example's defaults already applied by the lookup).
[[nodiscard]] ApiKeySettings api_key_settings_from(const http::VariableLookup& lookup);

class ApiKeyRegistry {
 public:
  /// `settings` with every key's value filled in (see fill_generated_key_values).
  explicit ApiKeyRegistry(const ApiKeySettings& settings);
  ~ApiKeyRegistry();
  ApiKeyRegistry(const ApiKeyRegistry&) = delete;
  ApiKeyRegistry& operator=(const ApiKeyRegistry&) = delete;

  /// std::nullopt when the key is known and within its plan's quota and throttle; else the
  /// gateway's answer.
  [[nodiscard]] std::optional<GatewayAnswer> admit(std::string_view presented,
                                                   std::chrono::system_clock::time_point now);

 private:
  struct Plan;
  struct Key;
  std::map<std::string, std::unique_ptr<Plan>, std::less<>> plans_;
  std::map<std::string, std::unique_ptr<Key>, std::less<>> keys_by_value_;
};

}  // namespace cppstack::local

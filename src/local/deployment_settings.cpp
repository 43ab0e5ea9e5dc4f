#include <cppstack/local/deployment_settings.hpp>

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <regex>
#include <stdexcept>
#include <string>

#include "auth/cognito.hpp"

namespace cppstack::local {
namespace {

using Check = void (*)(const std::string& key, const std::string& value);

[[noreturn]] void refuse(const std::string& key, const std::string& message) {
  throw DeploymentSettingError(key + ": " + message);
}

void require_present(const std::string& key, const std::string& value) {
  if (value.empty()) refuse(key, "must not be empty");
}

bool all_digits(const std::string& value) {
  return !value.empty() &&
         std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// infra/lib/config.ts integer(): digits only, within [minimum, maximum].
template <long Minimum, long Maximum>
void whole_number(const std::string& key, const std::string& value) {
  require_present(key, value);
  const bool fits = all_digits(value) && value.size() <= 12 && std::stol(value) >= Minimum &&
                    std::stol(value) <= Maximum;
  if (!fits) {
    refuse(key, "must be a whole number from " + std::to_string(Minimum) + " to " +
                    std::to_string(Maximum) + ", got '" + value + "'");
  }
}

template <long Minimum, long Maximum>
void optional_whole_number(const std::string& key, const std::string& value) {
  if (!value.empty()) whole_number<Minimum, Maximum>(key, value);
}

void positive_number(const std::string& key, const std::string& value) {
  require_present(key, value);
  static const std::regex decimal(R"(^\d+(\.\d+)?$)");
  if (!std::regex_match(value, decimal) || std::stod(value) <= 0) {
    refuse(key, "must be a positive number, got '" + value + "'");
  }
}

void application(const std::string& key, const std::string& value) {
  require_present(key, value);
  static const std::regex name("^[A-Za-z][A-Za-z0-9-]{0,63}$");
  if (!std::regex_match(value, name)) {
    refuse(key,
           "must start with a letter and contain only letters, digits and hyphens (at most 64 "
           "characters), as CloudFormation stack names do, got '" +
               value + "'");
  }
}

void region(const std::string& key, const std::string& value) {
  static const std::regex name(R"(^[a-z]{2}(-[a-z]+)+-\d$)");
  if (!value.empty() && !std::regex_match(value, name)) {
    refuse(key, "must be an AWS region name such as us-east-1, got '" + value + "'");
  }
}

void architecture(const std::string& key, const std::string& value) {
  require_present(key, value);
  if (value != "x86_64" && value != "arm64") {
    refuse(key, "must be one of x86_64, arm64, got '" + value + "'");
  }
}

void log_level(const std::string& key, const std::string& value) {
  require_present(key, value);
  std::string upper = value;
  std::transform(upper.begin(), upper.end(), upper.begin(), [](char c) {
    return static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  });
  constexpr std::array<std::string_view, 4> levels{"DEBUG", "INFO", "WARN", "ERROR"};
  if (std::find(levels.begin(), levels.end(), upper) == levels.end()) {
    refuse(key, "must be one of DEBUG, INFO, WARN, ERROR, got '" + value + "'");
  }
}

// A pool id or ARN, as the emulator's Cognito authorizer reads it (its messages are synth's).
void user_pool(const std::string& /*key*/, const std::string& value) {
  if (value.empty()) return;
  try {
    (void)auth::parse_user_pool(value);
  } catch (const std::invalid_argument& error) {
    throw DeploymentSettingError(error.what());
  }
}

const std::map<std::string, Check, std::less<>>& checks() {
  static const std::map<std::string, Check, std::less<>> table{
      {"APPLICATION", &application},
      {"AWS_REGION", &region},
      {"FUNCTION_MEMORY_MB", &whole_number<128, 10240>},
      {"FUNCTION_TIMEOUT_SECONDS", &whole_number<1, 900>},
      {"FUNCTION_ARCHITECTURE", &architecture},
      {"FUNCTION_RESERVED_CONCURRENCY", &optional_whole_number<0, 100000>},
      {"LOG_LEVEL", &log_level},
      {"API_THROTTLE_RATE_LIMIT", &positive_number},
      {"API_THROTTLE_BURST_LIMIT", &whole_number<1, 5000>},
      {"COGNITO_USER_POOL_ID", &user_pool},
  };
  return table;
}

}  // namespace

EnvironmentList with_documented_defaults(const EnvironmentList& variables) {
  EnvironmentList resolved = parse_env(env_example_text());
  resolved.insert(resolved.end(), variables.begin(), variables.end());
  return resolved;
}

void add_function_defaults(EnvironmentList& environment) {
  const auto last_value = [](const EnvironmentList& list, std::string_view key) {
    std::optional<std::string> found;
    for (const auto& [name, value] : list) {
      if (name == key) found = value;
    }
    return found;
  };
  const bool cors_on = !last_value(environment, "CORS_ALLOW_ORIGINS").value_or("").empty() ||
                       !last_value(environment, "CORS_ALLOW_ORIGIN").value_or("").empty();
  if (!cors_on) return;
  const EnvironmentList defaults = parse_env(env_example_text());
  for (const std::string_view key : {"CORS_ALLOW_METHODS", "CORS_ALLOW_HEADERS",
                                     "CORS_ALLOW_CREDENTIALS", "CORS_MAX_AGE_SECONDS"}) {
    if (last_value(environment, key)) continue;
    if (auto value = last_value(defaults, key)) environment.emplace_back(key, std::move(*value));
  }
}

void check_deployment_settings(const EnvironmentList& variables) {
  std::map<std::string, std::string, std::less<>> last;
  for (const auto& [key, value] : variables) last.insert_or_assign(key, value);
  for (const auto& [key, value] : last) {
    const auto check = checks().find(key);
    if (check != checks().end()) check->second(key, value);
  }
}

}  // namespace cppstack::local

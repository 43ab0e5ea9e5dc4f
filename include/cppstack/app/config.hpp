#pragma once
// The function's configuration, read once from the environment at initialisation. A bad
// value is an initialisation error whose message names the variable, so it shows up in the
// Lambda console (and locally) as a Runtime.InitError instead of a failing request later.
//
//   auto config = cppstack::app::Config::from_environment();
//   std::string_view name = config.application_name;

#include <cppstack/observability/logger.hpp>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace cppstack::app {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

using observability::LogLevel;

struct Config {
  std::string application_name = "aws-cpp-stack";  ///< APPLICATION
  std::string region;                              ///< AWS_REGION
  std::string function_name;                       ///< AWS_LAMBDA_FUNCTION_NAME
  std::string function_version;                    ///< AWS_LAMBDA_FUNCTION_VERSION
  int memory_size_mb = 0;               ///< AWS_LAMBDA_FUNCTION_MEMORY_SIZE; 0 when not on Lambda
  LogLevel log_level = LogLevel::info;  ///< LOG_LEVEL: DEBUG, INFO, WARN or ERROR
  std::optional<std::string> cors_allow_origin;  ///< CORS_ALLOW_ORIGIN; unset disables CORS

  using Lookup = std::function<std::optional<std::string>(std::string_view name)>;
  /// Reads the variables through `lookup`; throws ConfigError naming the bad variable.
  static Config from(const Lookup& lookup);
  static Config from_environment();
};

}  // namespace cppstack::app

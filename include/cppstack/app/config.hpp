#pragma once
// The function's configuration, read once from the environment at initialisation. A bad
// value is an initialisation error whose message names the variable, so it shows up in the
// Lambda console (and locally) as a Runtime.InitError instead of a failing request later.
//
//   auto config = cppstack::app::Config::from_environment();
//   std::string_view name = config.application_name;

#include <cppstack/http/cors.hpp>
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
  /// CORS_ALLOW_ORIGINS (alias CORS_ALLOW_ORIGIN), CORS_ALLOW_METHODS, CORS_ALLOW_HEADERS,
  /// CORS_ALLOW_CREDENTIALS, CORS_MAX_AGE_SECONDS; unset when no origin is given (CORS off).
  std::optional<http::CorsOptions> cors;
  /// METRICS_NAMESPACE: the CloudWatch namespace of the EMF metrics; default: the application
  /// name.
  std::string metrics_namespace;

  using Lookup = std::function<std::optional<std::string>(std::string_view name)>;
  /// Reads the variables through `lookup`; throws ConfigError naming the bad variable.
  static Config from(const Lookup& lookup);
  static Config from_environment();
};

}  // namespace cppstack::app

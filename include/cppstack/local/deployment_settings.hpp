#pragma once
// The deployment settings of a `.env` file that the emulator uses (APPLICATION, the function's
// memory, timeout, architecture and reserved concurrency, LOG_LEVEL, AWS_REGION, the stage
// throttle), checked by synth's rules with synth's messages (infra/lib/config.ts), so a value
// `make synth` would refuse stops `make run` at start-up instead of failing every request.
// tests/fixtures/env/cases.json holds the refusals both test suites check.
//
//   auto variables = cppstack::local::read_env_file(".env");
//   cppstack::local::check_deployment_settings(variables);   // throws naming the key

#include <cppstack/local/env_file.hpp>
#include <stdexcept>

namespace cppstack::local {

/// Thrown with synth's message, e.g. "FUNCTION_TIMEOUT_SECONDS: must be a whole number from
/// 1 to 900, got '0'".
class DeploymentSettingError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Checks the last value of each known key (keys it does not know are the function's own).
void check_deployment_settings(const EnvironmentList& variables);

/// The text of `.env.example`, compiled in: the documented default of every deployment setting.
/// The CDK app reads the same file as its defaults (infra/lib/config.ts loadConfig).
[[nodiscard]] std::string_view env_example_text();

/// The settings as the CDK app resolves them: `.env.example`'s values, then `variables` (an
/// env file and --env) over them, the last value of a key winning.
[[nodiscard]] EnvironmentList with_documented_defaults(const EnvironmentList& variables);

/// What the CDK app gives the function besides the env file's own variables: with CORS on
/// (CORS_ALLOW_ORIGINS set), every CORS_* setting it does not set, at its documented default
/// (infra/lib/cors.ts corsEnvironment). Appended to `environment`.
void add_function_defaults(EnvironmentList& environment);

}  // namespace cppstack::local

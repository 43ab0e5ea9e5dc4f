#include <cppstack/app/config.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>

namespace cppstack::app {
namespace {

// CloudFormation stack names are built from it: a letter, then letters, digits and hyphens.
void validate_application_name(const std::string& name) {
  const bool valid =
      !name.empty() && name.size() <= 64 && std::isalpha(static_cast<unsigned char>(name[0])) &&
      std::all_of(name.begin(), name.end(), [](char character) {
        return std::isalnum(static_cast<unsigned char>(character)) || character == '-';
      });
  if (!valid) {
    throw ConfigError(
        "APPLICATION must start with a letter and contain only letters, digits and "
        "hyphens (at most 64 characters), got '" +
        name + "'");
  }
}

int parse_memory_size(const std::string& text) {
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size() || value < 128 || value > 10240) {
    throw ConfigError(
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE must be a whole number of MB from 128 to "
        "10240, got '" +
        text + "'");
  }
  return value;
}

LogLevel parse_log_level(const std::string& text) {
  if (auto level = observability::parse_log_level(text)) return *level;
  throw ConfigError("LOG_LEVEL must be one of DEBUG, INFO, WARN, ERROR, got '" + text + "'");
}

// CloudWatch namespaces: 1 to 255 of these characters, and not AWS's own "AWS/" prefix.
std::string parse_metrics_namespace(std::string text, const std::string& application_name) {
  if (text.empty()) return application_name;
  const bool valid = text.size() <= 255 && !text.starts_with("AWS/") &&
                     std::all_of(text.begin(), text.end(), [](char character) {
                       return std::isalnum(static_cast<unsigned char>(character)) ||
                              std::string_view(".-_/#: ").find(character) != std::string_view::npos;
                     });
  if (!valid) {
    throw ConfigError(
        "METRICS_NAMESPACE must be at most 255 letters, digits or . - _ / # : and spaces, not "
        "starting with AWS/, got '" +
        text + "'");
  }
  return text;
}

}  // namespace

Config Config::from(const Lookup& lookup) {
  Config config;
  if (auto name = lookup("APPLICATION")) {
    validate_application_name(*name);
    config.application_name = std::move(*name);
  }
  config.region = lookup("AWS_REGION").value_or("");
  config.function_name = lookup("AWS_LAMBDA_FUNCTION_NAME").value_or("");
  config.function_version = lookup("AWS_LAMBDA_FUNCTION_VERSION").value_or("");
  if (auto memory = lookup("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")) {
    config.memory_size_mb = parse_memory_size(*memory);
  }
  if (auto level = lookup("LOG_LEVEL")) config.log_level = parse_log_level(*level);
  try {
    config.cors = http::cors_options_from(lookup);
  } catch (const http::CorsConfigError& error) {
    throw ConfigError(error.what());
  }
  config.metrics_namespace =
      parse_metrics_namespace(lookup("METRICS_NAMESPACE").value_or(""), config.application_name);
  return config;
}

Config Config::from_environment() {
  return from([](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  });
}

}  // namespace cppstack::app

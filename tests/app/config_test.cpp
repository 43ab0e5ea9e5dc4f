#include <cppstack/app/config.hpp>

#include <gtest/gtest.h>

#include <map>

namespace cppstack::app {
namespace {

Config config_from(std::map<std::string, std::string, std::less<>> variables) {
  return Config::from([&variables](std::string_view name) -> std::optional<std::string> {
    const auto found = variables.find(name);
    if (found == variables.end()) return std::nullopt;
    return found->second;
  });
}

std::string error_of(std::map<std::string, std::string, std::less<>> variables) {
  try {
    (void)config_from(std::move(variables));
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "";
}

TEST(Config, DefaultsWhenNothingIsSet) {
  const Config config = config_from({});
  EXPECT_EQ(config.application_name, "aws-cpp-stack");
  EXPECT_EQ(config.memory_size_mb, 0);
  EXPECT_EQ(config.log_level, LogLevel::info);
  EXPECT_FALSE(config.cors);
  EXPECT_EQ(config.metrics_namespace, "aws-cpp-stack");
}

TEST(Config, ReadsTheLambdaEnvironment) {
  const Config config = config_from({{"APPLICATION", "orders-api"},
                                     {"AWS_REGION", "ap-southeast-2"},
                                     {"AWS_LAMBDA_FUNCTION_NAME", "orders-fn"},
                                     {"AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"},
                                     {"AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256"},
                                     {"LOG_LEVEL", "debug"},
                                     {"CORS_ALLOW_ORIGINS", "https://example.com"},
                                     {"METRICS_NAMESPACE", "Orders/Api"}});
  EXPECT_EQ(config.application_name, "orders-api");
  EXPECT_EQ(config.region, "ap-southeast-2");
  EXPECT_EQ(config.function_name, "orders-fn");
  EXPECT_EQ(config.function_version, "$LATEST");
  EXPECT_EQ(config.memory_size_mb, 256);
  EXPECT_EQ(config.log_level, LogLevel::debug);
  ASSERT_TRUE(config.cors);
  EXPECT_EQ(config.cors->allow_origins, std::vector<std::string>{"https://example.com"});
  EXPECT_EQ(config.metrics_namespace, "Orders/Api");
}

TEST(Config, BadValuesGiveAnErrorNamingTheVariable) {
  struct Case {
    const char* variable;
    const char* value;
  };
  for (const Case& bad :
       {Case{"APPLICATION", ""}, Case{"APPLICATION", "1abc"}, Case{"APPLICATION", "my_app"},
        Case{"APPLICATION", "has space"}, Case{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "lots"},
        Case{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "64"},
        Case{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128MB"}, Case{"LOG_LEVEL", "LOUD"},
        Case{"CORS_ALLOW_ORIGINS", "example.com"}, Case{"CORS_MAX_AGE_SECONDS", "forever"},
        Case{"METRICS_NAMESPACE", "AWS/Lambda"}, Case{"METRICS_NAMESPACE", "bad\"name"}}) {
    const std::string message = error_of({{bad.variable, bad.value}});
    EXPECT_NE(message.find(bad.variable), std::string::npos) << bad.variable << "=" << bad.value;
    EXPECT_NE(message.find(std::string("'") + bad.value + "'"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace cppstack::app

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cppstack/local/deployment_settings.hpp>
#include <cppstack/local/env_file.hpp>
#include <fstream>
#include <sstream>

namespace cppstack::local {
namespace {

TEST(EnvFile, ParsesAssignmentsCommentsExportAndQuotes) {
  const auto variables = parse_env(
      "# application settings\n"
      "APPLICATION=demo-app\n"
      "\n"
      "export REGION = eu-west-1\r\n"
      "GREETING=\"hello world\"\n"
      "SINGLE='a=b'\n"
      "EMPTY=\n");
  const EnvironmentList expected{{"APPLICATION", "demo-app"},
                                 {"REGION", "eu-west-1"},
                                 {"GREETING", "hello world"},
                                 {"SINGLE", "a=b"},
                                 {"EMPTY", ""}};
  EXPECT_EQ(variables, expected);
}

TEST(EnvFile, NamesTheBadLine) {
  try {
    (void)parse_env("A=1\nnot an assignment\n");
    FAIL() << "expected EnvFileError";
  } catch (const EnvFileError& error) {
    EXPECT_NE(std::string(error.what()).find("line 2"), std::string::npos) << error.what();
  }
  EXPECT_THROW((void)parse_assignment("=value"), EnvFileError);
  EXPECT_THROW((void)read_env_file("/nonexistent/.env"), EnvFileError);
}

TEST(EnvFile, SplitsOneAssignmentKeepingTheValueAsGiven) {
  EXPECT_EQ(parse_assignment("KEY=a=b"), (std::pair<std::string, std::string>{"KEY", "a=b"}));
}

TEST(EnvFile, InlineCommentEndsAnUnquotedValue) {
  EXPECT_EQ(parse_env("APPLICATION=notes # my app\n"), (EnvironmentList{{"APPLICATION", "notes"}}));
}

// The cases infra/test/config.test.ts reads too: one syntax and one set of refusals for the
// emulator and the CDK app.
boost::json::object shared_cases() {
  std::ifstream file(ENV_CASES);
  std::stringstream text;
  text << file.rdbuf();
  return boost::json::parse(text.str()).as_object();
}

std::string text_of(const boost::json::value& value) { return std::string(value.as_string()); }

TEST(EnvFileSharedCases, ParsesLikeTheCdkApp) {
  const auto cases = shared_cases();
  ASSERT_FALSE(cases.at("parse").as_array().empty());
  for (const auto& entry : cases.at("parse").as_array()) {
    std::map<std::string, std::string> last;
    for (auto& [key, value] : parse_env(text_of(entry.at("text")))) last[key] = value;
    std::map<std::string, std::string> expected;
    for (const auto& [key, value] : entry.at("values").as_object()) {
      expected[std::string(key)] = text_of(value);
    }
    EXPECT_EQ(last, expected) << text_of(entry.at("name"));
  }
}

TEST(EnvFileSharedCases, RefusesLikeTheCdkAppNamingTheLine) {
  const auto cases = shared_cases();
  ASSERT_FALSE(cases.at("invalid").as_array().empty());
  for (const auto& entry : cases.at("invalid").as_array()) {
    const std::string line = "line " + std::to_string(entry.at("line").as_int64()) + ": ";
    try {
      (void)parse_env(text_of(entry.at("text")));
      ADD_FAILURE() << "accepted: " << text_of(entry.at("name"));
    } catch (const EnvFileError& error) {
      EXPECT_EQ(std::string(error.what()).rfind(line, 0), 0U) << error.what();
    }
  }
}

TEST(EnvFileSharedCases, RefusesWhatSynthRefusesWithSynthsMessage) {
  const auto cases = shared_cases();
  ASSERT_FALSE(cases.at("refused").as_array().empty());
  for (const auto& entry : cases.at("refused").as_array()) {
    const std::string key = text_of(entry.at("key"));
    const std::string value = text_of(entry.at("value"));
    try {
      check_deployment_settings(parse_env(key + "='" + value + "'\n"));
      ADD_FAILURE() << "accepted " << key << "=" << value;
    } catch (const DeploymentSettingError& error) {
      EXPECT_EQ(std::string(error.what()), text_of(entry.at("message")));
    }
  }
}

TEST(DeploymentSettings, AcceptsTheDocumentedDefaults) {
  EXPECT_NO_THROW(check_deployment_settings(
      parse_env("APPLICATION=aws-cpp-stack\nAWS_REGION=\nFUNCTION_MEMORY_MB=256\n"
                "FUNCTION_TIMEOUT_SECONDS=10\nFUNCTION_ARCHITECTURE=x86_64\n"
                "FUNCTION_RESERVED_CONCURRENCY=\nLOG_LEVEL=info\nAPI_THROTTLE_RATE_LIMIT=100\n"
                "API_THROTTLE_BURST_LIMIT=200\nMY_OWN_VARIABLE=anything at all\n")));
}

}  // namespace
}  // namespace cppstack::local

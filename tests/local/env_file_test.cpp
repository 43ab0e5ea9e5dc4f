#include <gtest/gtest.h>

#include <cppstack/local/env_file.hpp>

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

TEST(EnvFile, SplitsOneAssignment) {
  EXPECT_EQ(parse_assignment("KEY=a=b"), (std::pair<std::string, std::string>{"KEY", "a=b"}));
}

}  // namespace
}  // namespace cppstack::local

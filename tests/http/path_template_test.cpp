#include <cppstack/http/path_template.hpp>

#include <gtest/gtest.h>

namespace cppstack::http {
namespace {

struct MatchCase {
  const char* path_template;
  const char* path;
  bool matches;
  events::StringMap parameters;
};

class PathTemplateMatch : public ::testing::TestWithParam<MatchCase> {};

TEST_P(PathTemplateMatch, MatchesLikeApiGateway) {
  const MatchCase& test_case = GetParam();
  events::StringMap parameters;
  EXPECT_EQ(PathTemplate::parse(test_case.path_template).match(test_case.path, parameters),
            test_case.matches)
      << test_case.path_template << " vs " << test_case.path;
  EXPECT_EQ(parameters, test_case.parameters);
}

INSTANTIATE_TEST_SUITE_P(
    Table, PathTemplateMatch,
    ::testing::Values(
        MatchCase{"/", "/", true, {}}, MatchCase{"/", "/v1", false, {}},
        MatchCase{"/v1", "/v1", true, {}}, MatchCase{"/v1", "/v1/", true, {}},
        MatchCase{"/v1", "/v1//", false, {}}, MatchCase{"/v1", "/v2", false, {}},
        MatchCase{"/v1", "/V1", false, {}}, MatchCase{"/v1", "v1", false, {}},
        MatchCase{"/v1", "", false, {}}, MatchCase{"/v1/health", "/v1", false, {}},
        MatchCase{"/v1", "/v1/health", false, {}},
        MatchCase{"/v1/items/{id}", "/v1/items/42", true, {{"id", "42"}}},
        MatchCase{"/v1/items/{id}", "/v1/items/42/", true, {{"id", "42"}}},
        MatchCase{"/v1/items/{id}", "/v1/items", false, {}},
        MatchCase{"/v1/items/{id}", "/v1/items//", false, {}},
        MatchCase{"/v1/items/{id}", "/v1/items/42/extra", false, {}},
        MatchCase{"/v1/{kind}/{id}", "/v1/users/7", true, {{"kind", "users"}, {"id", "7"}}},
        MatchCase{"/files/{path+}", "/files/a", true, {{"path", "a"}}},
        MatchCase{"/files/{path+}", "/files/a/b/c.txt", true, {{"path", "a/b/c.txt"}}},
        MatchCase{"/files/{path+}", "/files", false, {}},
        MatchCase{"/files/{path+}", "/files/", false, {}},
        MatchCase{"/{proxy+}", "/anything/at/all", true, {{"proxy", "anything/at/all"}}},
        MatchCase{"/{proxy+}", "/", false, {}}));

TEST(PathTemplateParse, RejectsWhatApiGatewayRejects) {
  for (const char* bad : {"", "v1", "/v1/", "/v1//x", "/v1/{", "/v1/{}", "/v1/{id", "/v1/id}",
                          "/v1/a{id}", "/{proxy+}/tail", "/{id}/{id}", "/v1/{bad name}"}) {
    EXPECT_THROW((void)PathTemplate::parse(bad), PathTemplateError) << bad;
  }
}

TEST(PathTemplateParse, ErrorMessageNamesTheTemplate) {
  try {
    (void)PathTemplate::parse("/{proxy+}/tail");
    FAIL() << "expected PathTemplateError";
  } catch (const PathTemplateError& error) {
    EXPECT_NE(std::string(error.what()).find("/{proxy+}/tail"), std::string::npos);
    EXPECT_NE(std::string(error.what()).find("greedy"), std::string::npos);
  }
}

TEST(PathTemplateSpecificity, LiteralBeatsVariableBeatsGreedy) {
  const auto literal = PathTemplate::parse("/v1/items/special");
  const auto variable = PathTemplate::parse("/v1/items/{id}");
  const auto greedy = PathTemplate::parse("/v1/{proxy+}");
  EXPECT_TRUE(literal.more_specific_than(variable));
  EXPECT_FALSE(variable.more_specific_than(literal));
  EXPECT_TRUE(variable.more_specific_than(greedy));
  EXPECT_FALSE(greedy.more_specific_than(variable));
}

TEST(SplitPath, DropsOneTrailingSlashAndKeepsEmptySegments) {
  EXPECT_EQ(split_path("/v1/items/42/"), (std::vector<std::string_view>{"v1", "items", "42"}));
  EXPECT_EQ(split_path("/v1//x"), (std::vector<std::string_view>{"v1", "", "x"}));
  EXPECT_EQ(split_path("/v1//"), (std::vector<std::string_view>{"v1", ""}));
  EXPECT_TRUE(split_path("/").empty());
}

TEST(PathTemplateMatchSegments, MatchesDecodedSegmentsAndJoinsGreedyOnes) {
  events::StringMap parameters;
  EXPECT_TRUE(
      PathTemplate::parse("/files/{path+}").match_segments({"files", "a b", "c/d"}, parameters));
  EXPECT_EQ(parameters.at("path"), "a b/c/d");
  EXPECT_FALSE(PathTemplate::parse("/v1/{id}").match_segments({"v1", ""}, parameters));
}

}  // namespace
}  // namespace cppstack::http

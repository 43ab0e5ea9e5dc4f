// The bookmarks API end to end: its static bootstrap behind cppstack-local, routed by its
// generated routes.json, spoken to over HTTP on loopback as a client would. Both bootstraps
// answer the same: the packaged one and the dev one `make run` serves, whose own sources the
// dev compiler (CPPSTACK_DEV_CXX, clang) compiles and links with the g++-built libraries.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "emulator_process.hpp"

namespace cppstack::local::testing {
namespace {

using http::verb;

class BookmarksThroughTheEmulator : public ::testing::TestWithParam<const char*> {};

TEST_P(BookmarksThroughTheEmulator, KeyedWritesRulesAndPages) {
  Emulator emulator({"start-api", "--bootstrap", GetParam(), "--routes", BOOKMARKS_ROUTES,
                     "--api-key", "test-key"});
  const auto port = emulator.port();
  const Headers keyed{{"Content-Type", "application/json"}, {"x-api-key", "test-key"}};
  const std::string body = R"({"url":"https://example.com","tags":["news"]})";

  // Writes need the API key: the gateway refuses without calling the function.
  EXPECT_EQ(request(port, verb::post, "/prod/v1/bookmarks", body).result_int(), 403);
  for (int index = 0; index < 3; ++index) {
    const auto created = request(port, verb::post, "/prod/v1/bookmarks", body, keyed);
    ASSERT_EQ(created.result_int(), 201) << created.body() << emulator.logs();
  }
  // A broken rule is the function's 400 naming the field and the rule.
  const auto refused = request(port, verb::post, "/prod/v1/bookmarks",
                               R"({"url":"ftp://example.com","tags":[]})", keyed);
  ASSERT_EQ(refused.result_int(), 400);
  EXPECT_EQ(parse_json(refused.body()).at("rule"), "pattern");
  EXPECT_EQ(parse_json(refused.body()).at("field"), "url");

  const auto first = request(port, verb::get, "/prod/v1/bookmarks?limit=2&tag=news");
  ASSERT_EQ(first.result_int(), 200) << first.body();
  EXPECT_EQ(parse_json(first.body()).at("items").as_array().size(), 2U);
  // The Link header is a path below the stage the client can request as it is.
  std::string link(first[http::field::link]);
  ASSERT_EQ(link.front(), '<') << link;
  const std::string next = link.substr(1, link.find('>') - 1);
  const auto second = request(port, verb::get, next);
  ASSERT_EQ(second.result_int(), 200) << next;
  EXPECT_EQ(parse_json(second.body()).at("items").as_array().size(), 1U);
  EXPECT_EQ(parse_json(second.body()).as_object().count("next"), 0U);

  EXPECT_EQ(request(port, verb::delete_, "/prod/v1/bookmarks/1", "", keyed).result_int(), 204);
  // Thrown in the function's sources, answered by the library's error handling.
  const auto missing = request(port, verb::get, "/prod/v1/bookmarks/1");
  EXPECT_EQ(missing.result_int(), 404) << missing.body();
  EXPECT_EQ(parse_json(missing.body()).at("field"), "id") << missing.body();
}

INSTANTIATE_TEST_SUITE_P(Bootstraps, BookmarksThroughTheEmulator,
                         ::testing::Values(BOOKMARKS_BOOTSTRAP, BOOKMARKS_DEV_BOOTSTRAP),
                         [](const auto& parameter) {
                           return parameter.index == 0 ? "Packaged" : "Dev";
                         });

// The compilers that made each bootstrap, as their .comment section names them.
std::string file_text(const char* path) {
  std::ifstream file(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

TEST(DevBootstrap, ItsOwnSourcesComeFromTheDevCompilerAndThePackagedOnesFromGcc) {
  const std::string dev = file_text(BOOKMARKS_DEV_BOOTSTRAP);
  const std::string packaged = file_text(BOOKMARKS_BOOTSTRAP);
  ASSERT_FALSE(dev.empty());
  ASSERT_FALSE(packaged.empty());
  EXPECT_EQ(packaged.find("clang version"), std::string::npos);
  EXPECT_NE(dev.find("GCC: ("), std::string::npos);  // the libraries
  if (std::string(BOOKMARKS_DEV_CXX).empty()) {
    EXPECT_EQ(dev.find("clang version"), std::string::npos);
  } else {
    EXPECT_NE(dev.find("clang version"), std::string::npos) << BOOKMARKS_DEV_CXX;
  }
}

}  // namespace
}  // namespace cppstack::local::testing

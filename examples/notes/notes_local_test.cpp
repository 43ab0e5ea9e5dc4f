// The notes API end to end: its static bootstrap behind cppstack-local, routed by its
// generated routes.json, spoken to over HTTP on loopback as a client would.
#include <gtest/gtest.h>

#include "emulator_process.hpp"

namespace cppstack::local::testing {
namespace {

using http::verb;

const Headers json_type{{"Content-Type", "application/json"}};

TEST(NotesThroughTheEmulator, CreateReadListDelete) {
  Emulator emulator({"start-api", "--bootstrap", NOTES_BOOTSTRAP, "--routes", NOTES_ROUTES});
  const auto port = emulator.port();

  auto created =
      request(port, verb::post, "/prod/v1/notes", R"({"title":"t","text":"x"})", json_type);
  ASSERT_EQ(created.result_int(), 201) << created.body() << emulator.logs();
  EXPECT_EQ(created[http::field::location], "/prod/v1/notes/1");
  EXPECT_EQ(parse_json(created.body()).at("id"), 1);

  auto read = request(port, verb::get, "/prod/v1/notes/1");
  ASSERT_EQ(read.result_int(), 200) << read.body();
  EXPECT_EQ(parse_json(read.body()).at("title"), "t");
  EXPECT_EQ(parse_json(request(port, verb::get, "/prod/v1/notes?limit=5").body()).as_array().size(),
            1U);

  auto deleted = request(port, verb::delete_, "/prod/v1/notes/1");
  EXPECT_EQ(deleted.result_int(), 204);
  EXPECT_TRUE(deleted.body().empty());
  EXPECT_EQ(request(port, verb::get, "/prod/v1/notes/1").result_int(), 404);
}

TEST(NotesThroughTheEmulator, BadInputIs400AndTheInstanceKeepsServing) {
  Emulator emulator({"start-api", "--bootstrap", NOTES_BOOTSTRAP, "--routes", NOTES_ROUTES});
  const auto port = emulator.port();
  // An empty POST: the body is null in the event.
  auto empty = request(port, verb::post, "/prod/v1/notes");
  ASSERT_EQ(empty.result_int(), 400) << empty.body() << emulator.logs();
  EXPECT_EQ(parse_json(empty.body()).at("field"), "body");
  auto wrong_type =
      request(port, verb::post, "/prod/v1/notes", R"({"title":1,"text":""})", json_type);
  EXPECT_EQ(wrong_type.result_int(), 400);
  EXPECT_EQ(parse_json(wrong_type.body()).at("field"), "title");
  EXPECT_EQ(request(port, verb::get, "/prod/v1/notes/abc").result_int(), 400);
  EXPECT_EQ(request(port, verb::get, "/prod/v1/notes?limit=x").result_int(), 400);
  // The same instance answers afterwards: nothing crashed.
  EXPECT_EQ(request(port, verb::get, "/prod/v1/notes").result_int(), 200);
  EXPECT_EQ(emulator.logs().find("cold start: instance 2"), std::string::npos) << emulator.logs();
  // A method the table does not have: API Gateway's 403, not the function's.
  EXPECT_EQ(request(port, verb::put, "/prod/v1/notes/1", "{}").result_int(), 403);
}

}  // namespace
}  // namespace cppstack::local::testing

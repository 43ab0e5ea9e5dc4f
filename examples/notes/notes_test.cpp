// The notes API through the application, with events as API Gateway sends them: no runtime,
// no sockets.
#include <boost/json/parse.hpp>
#include <cppstack/app/application.hpp>
#include <cppstack/http/testing.hpp>

#include <gtest/gtest.h>

namespace {

using cppstack::http::testing::event;

class NotesApi : public ::testing::Test {
 protected:
  cppstack::events::ProxyResponse send(std::string_view method, std::string_view target,
                                       std::optional<std::string> body = std::nullopt) {
    return application_.handle(event(method, target, std::move(body)), {});
  }
  static boost::json::value json_of(const cppstack::events::ProxyResponse& response) {
    return boost::json::parse(response.body);
  }

 private:
  cppstack::app::Application application_{cppstack::app::Config{},
                                          [](std::string_view) { /* quiet */ }};
};

TEST_F(NotesApi, CreateAnswers201WithLocationAndTheNote) {
  const auto response = send("POST", "/v1/notes", R"({"title":"milk","text":"2 litres"})");
  EXPECT_EQ(response.status_code, 201);
  EXPECT_EQ(response.headers.at("Location"), "/prod/v1/notes/1");
  EXPECT_EQ(json_of(response), boost::json::parse(R"({"title":"milk","text":"2 litres","id":1})"));
}

TEST_F(NotesApi, ReadListAndDeleteWhatWasCreated) {
  (void)send("POST", "/v1/notes", R"({"title":"a","text":"1"})");
  (void)send("POST", "/v1/notes", R"({"title":"b","text":"2"})");
  EXPECT_EQ(json_of(send("GET", "/v1/notes/2")).at("title"), "b");
  EXPECT_EQ(json_of(send("GET", "/v1/notes")).as_array().size(), 2U);
  const auto limited = json_of(send("GET", "/v1/notes?limit=1")).as_array();
  ASSERT_EQ(limited.size(), 1U);
  EXPECT_EQ(limited[0].at("id"), 1);

  const auto deleted = send("DELETE", "/v1/notes/1");
  EXPECT_EQ(deleted.status_code, 204);
  EXPECT_TRUE(deleted.body.empty());
  EXPECT_EQ(send("GET", "/v1/notes/1").status_code, 404);
  EXPECT_EQ(send("DELETE", "/v1/notes/1").status_code, 404);
  EXPECT_EQ(json_of(send("GET", "/v1/notes")).as_array().size(), 1U);
}

TEST_F(NotesApi, MissingNoteIs404NamingTheParameter) {
  const auto response = send("GET", "/v1/notes/9");
  EXPECT_EQ(response.status_code, 404);
  EXPECT_EQ(json_of(response).at("field"), "id");
  EXPECT_EQ(json_of(response).at("requestId"), "test-request");
}

struct BadInput {
  const char* method;
  const char* target;
  std::optional<std::string> body;
  const char* field;
};

class NotesBadInput : public NotesApi, public ::testing::WithParamInterface<BadInput> {};

TEST_P(NotesBadInput, Is400NamingTheField) {
  const BadInput& input = GetParam();
  const auto response = send(input.method, input.target, input.body);
  EXPECT_EQ(response.status_code, 400) << response.body;
  EXPECT_EQ(json_of(response).at("field"), input.field) << response.body;
}

INSTANTIATE_TEST_SUITE_P(Cases, NotesBadInput,
                         ::testing::Values(
                             // An empty POST once dereferenced a missing body; now it is a 400.
                             BadInput{"POST", "/v1/notes", std::nullopt, "body"},
                             BadInput{"POST", "/v1/notes", "", "body"},
                             BadInput{"POST", "/v1/notes", "{not json", "body"},
                             BadInput{"POST", "/v1/notes", R"({"text":"no title"})", "title"},
                             BadInput{"POST", "/v1/notes", R"({"title":7,"text":"x"})", "title"},
                             BadInput{"POST", "/v1/notes", R"({"title":"t","text":null})", "text"},
                             BadInput{"GET", "/v1/notes/abc", std::nullopt, "id"},
                             BadInput{"GET", "/v1/notes/99999999999999999999", std::nullopt, "id"},
                             BadInput{"DELETE", "/v1/notes/1x", std::nullopt, "id"},
                             BadInput{"GET", "/v1/notes?limit=ten", std::nullopt, "limit"},
                             BadInput{"GET", "/v1/notes?limit=0", std::nullopt, "limit"}));

TEST(NotesRoutes, TableHasTheFourOperations) {
  const cppstack::app::Application application(cppstack::app::Config{});
  std::vector<std::string> operations;
  for (const auto& route : application.routes()) {
    operations.push_back(route.method + " " + route.path + " " + route.handler_name);
  }
  EXPECT_EQ(operations,
            (std::vector<std::string>{"POST /v1/notes post_v1_notes", "GET /v1/notes get_v1_notes",
                                      "GET /v1/notes/{id} get_v1_notes_id",
                                      "DELETE /v1/notes/{id} delete_v1_notes_id"}));
}

}  // namespace

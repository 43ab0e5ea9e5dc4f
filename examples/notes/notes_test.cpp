// The notes API through the application, with events as API Gateway sends them and its table
// and bucket in dynalite and s3rver on loopback: no runtime, no emulator.
#include <boost/json/parse.hpp>
#include <cppstack/app/application.hpp>
#include <cppstack/aws/dynamodb.hpp>
#include <cppstack/http/testing.hpp>

#include <gtest/gtest.h>

#include "local_services.hpp"

namespace {

using cppstack::http::testing::event;

std::unique_ptr<cppstack::aws::testing::LocalServices> services;

class LocalServers : public ::testing::Environment {
 public:
  void SetUp() override {
    services = std::make_unique<cppstack::aws::testing::LocalServices>(
        std::vector<std::string>{"note-attachments-test"});
    ::setenv("AWS_ENDPOINT_URL_DYNAMODB", services->dynamodb_url().c_str(), 1);
    ::setenv("AWS_ENDPOINT_URL_S3", services->s3_url().c_str(), 1);
    ::setenv("AWS_ACCESS_KEY_ID", cppstack::aws::testing::kAccessKey, 1);
    ::setenv("AWS_SECRET_ACCESS_KEY", cppstack::aws::testing::kSecretKey, 1);
    ::setenv("AWS_REGION", "us-east-1", 1);
    ::setenv("TABLE_NOTES", "notes-test", 1);
    ::setenv("BUCKET_NOTE_ATTACHMENTS", "note-attachments-test", 1);
    cppstack::aws::dynamodb().call(
        "CreateTable",
        {{"TableName", "notes-test"},
         {"BillingMode", "PAY_PER_REQUEST"},
         {"AttributeDefinitions",
          boost::json::array{{{"AttributeName", "id"}, {"AttributeType", "S"}}}},
         {"KeySchema", boost::json::array{{{"AttributeName", "id"}, {"KeyType", "HASH"}}}}});
  }
  void TearDown() override { services.reset(); }
};
const auto* const environment = ::testing::AddGlobalTestEnvironment(new LocalServers);

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
  ASSERT_EQ(response.status_code, 201) << response.body;
  const auto note = json_of(response);
  const std::string id(note.at("id").as_string());
  EXPECT_EQ(id.size(), 16U);
  EXPECT_EQ(response.headers.at("Location"), "/prod/v1/notes/" + id);
  EXPECT_EQ(note.at("title"), "milk");
  EXPECT_EQ(json_of(send("GET", "/v1/notes/" + id)), note);
}

TEST_F(NotesApi, ReadListAndDelete) {
  const std::string id(
      json_of(send("POST", "/v1/notes", R"({"title":"a","text":"1"})")).at("id").as_string());
  (void)send("POST", "/v1/notes", R"({"title":"b","text":"2"})");
  EXPECT_EQ(json_of(send("GET", "/v1/notes/" + id)).at("title"), "a");
  // Pages of one note, each with the cursor of the next.
  std::size_t listed = 0;
  std::string target = "/v1/notes?limit=1";
  for (int page = 0; page < 50; ++page) {
    const auto answer = json_of(send("GET", target));
    listed += answer.at("notes").as_array().size();
    const auto* cursor = answer.as_object().if_contains("cursor");
    if (cursor == nullptr || cursor->is_null()) break;
    target = "/v1/notes?limit=1&cursor=" + std::string(cursor->as_string());
  }
  EXPECT_GE(listed, 2U);

  const auto deleted = send("DELETE", "/v1/notes/" + id);
  EXPECT_EQ(deleted.status_code, 204);
  EXPECT_TRUE(deleted.body.empty());
  EXPECT_EQ(send("GET", "/v1/notes/" + id).status_code, 404);
  EXPECT_EQ(send("DELETE", "/v1/notes/" + id).status_code, 404);
}

TEST_F(NotesApi, AttachmentUrlsArePresignedForTheNote) {
  const std::string id(
      json_of(send("POST", "/v1/notes", R"({"title":"f","text":""})")).at("id").as_string());
  const auto answer = send("POST", "/v1/notes/" + id + "/attachment");
  ASSERT_EQ(answer.status_code, 200) << answer.body;
  const std::string upload(json_of(answer).at("upload_url").as_string());
  EXPECT_NE(upload.find("/note-attachments-test/notes/" + id + "?"), std::string::npos) << upload;
  EXPECT_NE(upload.find("X-Amz-Signature="), std::string::npos);
  EXPECT_EQ(send("POST", "/v1/notes/0000000000000000/attachment").status_code, 404);
}

TEST_F(NotesApi, MissingNoteIs404NamingTheParameter) {
  const auto response = send("GET", "/v1/notes/does-not-exist");
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

INSTANTIATE_TEST_SUITE_P(
    Cases, NotesBadInput,
    ::testing::Values(BadInput{"POST", "/v1/notes", std::nullopt, "body"},
                      BadInput{"POST", "/v1/notes", "", "body"},
                      BadInput{"POST", "/v1/notes", "{not json", "body"},
                      BadInput{"POST", "/v1/notes", R"({"text":"no title"})", "title"},
                      BadInput{"POST", "/v1/notes", R"({"title":7,"text":"x"})", "title"},
                      BadInput{"POST", "/v1/notes", R"({"title":"t","text":null})", "text"},
                      BadInput{"GET", "/v1/notes?limit=ten", std::nullopt, "limit"},
                      BadInput{"GET", "/v1/notes?limit=0", std::nullopt, "limit"},
                      BadInput{"GET", "/v1/notes?cursor=forged.0123", std::nullopt, "cursor"}));

TEST(NotesRoutes, TableHasTheFiveOperations) {
  const cppstack::app::Application application(cppstack::app::Config{});
  std::vector<std::string> operations;
  for (const auto& route : application.routes()) {
    operations.push_back(route.method + " " + route.path + " " + route.handler_name);
  }
  EXPECT_EQ(operations,
            (std::vector<std::string>{
                "POST /v1/notes post_v1_notes", "GET /v1/notes get_v1_notes",
                "GET /v1/notes/{id} get_v1_notes_id", "DELETE /v1/notes/{id} delete_v1_notes_id",
                "POST /v1/notes/{id}/attachment post_v1_notes_id_attachment"}));
}

}  // namespace

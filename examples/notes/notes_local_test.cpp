// The notes API end to end: its static bootstrap behind cppstack-local, routed by its
// generated routes.json, storing notes in dynalite and attachments in s3rver on loopback,
// spoken to over HTTP as a client would.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cppstack/aws/dynamodb.hpp>

#include "emulator_process.hpp"
#include "local_services.hpp"

namespace cppstack::local::testing {
namespace {

using http::verb;

const Headers json_type{{"Content-Type", "application/json"}};

std::unique_ptr<aws::testing::LocalServices> services;

class LocalServers : public ::testing::Environment {
 public:
  void SetUp() override {
    services = std::make_unique<aws::testing::LocalServices>(
        std::vector<std::string>{"note-attachments-local"});
    ::setenv("AWS_ENDPOINT_URL_DYNAMODB", services->dynamodb_url().c_str(), 1);
    ::setenv("AWS_ACCESS_KEY_ID", aws::testing::kAccessKey, 1);
    ::setenv("AWS_SECRET_ACCESS_KEY", aws::testing::kSecretKey, 1);
    ::setenv("AWS_REGION", "us-east-1", 1);
    aws::dynamodb().call(
        "CreateTable",
        {{"TableName", "notes-local"},
         {"BillingMode", "PAY_PER_REQUEST"},
         {"AttributeDefinitions",
          boost::json::array{{{"AttributeName", "id"}, {"AttributeType", "S"}}}},
         {"KeySchema", boost::json::array{{{"AttributeName", "id"}, {"KeyType", "HASH"}}}}});
  }
  void TearDown() override { services.reset(); }
};
const auto* const environment = ::testing::AddGlobalTestEnvironment(new LocalServers);

/// The emulator's arguments for the notes function pointed at `dynamodb_url`.
std::vector<std::string> notes_api(const std::string& dynamodb_url,
                                   std::vector<std::string> extra = {}) {
  std::vector<std::string> arguments{
      "start-api",
      "--bootstrap",
      NOTES_BOOTSTRAP,
      "--routes",
      NOTES_ROUTES,
      "--env",
      "AWS_ENDPOINT_URL_DYNAMODB=" + dynamodb_url,
      "--env",
      "AWS_ENDPOINT_URL_S3=" + services->s3_url(),
      "--env",
      std::string("AWS_ACCESS_KEY_ID=") + aws::testing::kAccessKey,
      "--env",
      std::string("AWS_SECRET_ACCESS_KEY=") + aws::testing::kSecretKey,
      "--env",
      "TABLE_NOTES=notes-local",
      "--env",
      "BUCKET_NOTE_ATTACHMENTS=note-attachments-local"};
  arguments.insert(arguments.end(), extra.begin(), extra.end());
  return arguments;
}

/// The path and query of an http://127.0.0.1:PORT/... URL.
std::string target_of(const std::string& url) { return url.substr(url.find('/', 7)); }

TEST(NotesThroughTheEmulator, CreateReadAttachListDelete) {
  Emulator emulator(notes_api(services->dynamodb_url()));
  const auto port = emulator.port();

  auto created =
      request(port, verb::post, "/prod/v1/notes", R"({"title":"t","text":"x"})", json_type);
  ASSERT_EQ(created.result_int(), 201) << created.body() << emulator.logs();
  const std::string id(parse_json(created.body()).at("id").as_string());
  EXPECT_EQ(created[http::field::location], "/prod/v1/notes/" + id);

  auto read = request(port, verb::get, "/prod/v1/notes/" + id);
  ASSERT_EQ(read.result_int(), 200) << read.body();
  EXPECT_EQ(parse_json(read.body()).at("title"), "t");
  EXPECT_FALSE(parse_json(request(port, verb::get, "/prod/v1/notes?limit=5").body())
                   .at("notes")
                   .as_array()
                   .empty());

  // The attachment goes straight to S3 through the presigned URLs.
  auto attachment = request(port, verb::post, "/prod/v1/notes/" + id + "/attachment");
  ASSERT_EQ(attachment.result_int(), 200) << attachment.body() << emulator.logs();
  const auto urls = parse_json(attachment.body());
  const auto uploaded = request(services->s3_port(), verb::put,
                                target_of(std::string(urls.at("upload_url").as_string())),
                                "attached bytes", {{"Content-Type", "text/plain"}});
  ASSERT_EQ(uploaded.result_int(), 200) << uploaded.body();
  const auto downloaded = request(services->s3_port(), verb::get,
                                  target_of(std::string(urls.at("download_url").as_string())));
  EXPECT_EQ(downloaded.body(), "attached bytes");

  auto deleted = request(port, verb::delete_, "/prod/v1/notes/" + id);
  EXPECT_EQ(deleted.result_int(), 204) << deleted.body() << emulator.logs();
  EXPECT_EQ(request(port, verb::get, "/prod/v1/notes/" + id).result_int(), 404);
  // Deleting the note deleted its attachment.
  EXPECT_EQ(request(services->s3_port(), verb::get,
                    target_of(std::string(urls.at("download_url").as_string())))
                .result_int(),
            404);
}

TEST(NotesThroughTheEmulator, BadInputIs400AndTheInstanceKeepsServing) {
  Emulator emulator(notes_api(services->dynamodb_url()));
  const auto port = emulator.port();
  auto empty = request(port, verb::post, "/prod/v1/notes");
  ASSERT_EQ(empty.result_int(), 400) << empty.body() << emulator.logs();
  EXPECT_EQ(parse_json(empty.body()).at("field"), "body");
  EXPECT_EQ(request(port, verb::get, "/prod/v1/notes?limit=x").result_int(), 400);
  EXPECT_EQ(request(port, verb::get, "/prod/v1/notes?cursor=forged").result_int(), 400);
  EXPECT_EQ(request(port, verb::get, "/prod/v1/notes").result_int(), 200);
  EXPECT_EQ(emulator.logs().find("cold start: instance 2"), std::string::npos) << emulator.logs();
  EXPECT_EQ(request(port, verb::put, "/prod/v1/notes/1", "{}").result_int(), 403);
}

/// A TCP listener on loopback that accepts connections and never answers.
class SilentServer {
 public:
  SilentServer() : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
        ::listen(fd_, 16) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0)
      throw std::runtime_error("cannot listen on loopback");
    port_ = ntohs(address.sin_port);
  }
  ~SilentServer() { ::close(fd_); }
  SilentServer(const SilentServer&) = delete;
  SilentServer& operator=(const SilentServer&) = delete;
  [[nodiscard]] std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  int fd_;
  std::uint16_t port_ = 0;
};

TEST(NotesThroughTheEmulator, AServiceThatNeverAnswersEndsWithinTheFunctionsTime) {
  // The kernel completes the connections (backlog); nothing ever answers. The client stops
  // before the invocation's deadline, so the function answers (500) instead of being killed
  // by the platform (502).
  const SilentServer silent;
  Emulator emulator(notes_api(silent.url(), {"--timeout", "3"}));
  const auto answer = request(emulator.port(), verb::get, "/prod/v1/notes/abc");
  EXPECT_EQ(answer.result_int(), 500) << answer.body() << emulator.logs();
  EXPECT_NE(emulator.logs().find("timed out"), std::string::npos) << emulator.logs();
  EXPECT_EQ(emulator.logs().find("Task timed out"), std::string::npos) << emulator.logs();
}

}  // namespace
}  // namespace cppstack::local::testing

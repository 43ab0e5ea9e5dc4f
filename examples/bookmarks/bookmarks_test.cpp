// The bookmarks API through the application, with events as API Gateway sends them: no
// runtime, no sockets. Each declared rule is a 400 naming its field and rule.
#include <boost/json/parse.hpp>
#include <cppstack/app/application.hpp>
#include <cppstack/http/route_export.hpp>
#include <cppstack/http/testing.hpp>

#include <gtest/gtest.h>

namespace {

using cppstack::http::testing::event;

class BookmarksApi : public ::testing::Test {
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

TEST_F(BookmarksApi, SaveReadAndDelete) {
  const auto created = send("POST", "/v1/bookmarks",
                            R"({"url":"https://example.com","tags":["news","c-plus-plus"]})");
  ASSERT_EQ(created.status_code, 201) << created.body;
  EXPECT_EQ(created.headers.at("Location"), "/prod/v1/bookmarks/1");
  const auto bookmark = json_of(created);
  EXPECT_EQ(bookmark.at("id"), 1);
  EXPECT_TRUE(cppstack::http::DateTime::parse(bookmark.at("created_at").as_string()));
  EXPECT_FALSE(bookmark.as_object().contains("title"));

  EXPECT_EQ(json_of(send("GET", "/v1/bookmarks/1")), bookmark);
  EXPECT_EQ(send("DELETE", "/v1/bookmarks/1").status_code, 204);
  const auto gone = send("GET", "/v1/bookmarks/1");
  EXPECT_EQ(gone.status_code, 404);
  EXPECT_EQ(json_of(gone).at("field"), "id");
  EXPECT_EQ(send("DELETE", "/v1/bookmarks/1").status_code, 404);
}

TEST_F(BookmarksApi, ListsByTagAPageAtATime) {
  for (int index = 0; index < 7; ++index) {
    const std::string tags = index % 2 == 0 ? R"(["even"])" : R"(["odd"])";
    ASSERT_EQ(send("POST", "/v1/bookmarks",
                   R"({"url":"https://example.com/)" + std::to_string(index) + R"(","tags":)" +
                       tags + "}")
                  .status_code,
              201);
  }
  const auto first = send("GET", "/v1/bookmarks?tag=even&limit=3");
  ASSERT_EQ(first.status_code, 200) << first.body;
  const auto page = json_of(first);
  ASSERT_EQ(page.at("items").as_array().size(), 3U);
  EXPECT_EQ(page.at("items").at(2).at("id"), 5);
  const std::string cursor(page.at("next").as_string());
  EXPECT_EQ(first.headers.at("Link"),
            "</prod/v1/bookmarks?limit=3&tag=even&cursor=" + cursor + ">; rel=\"next\"");
  const auto last = json_of(send("GET", "/v1/bookmarks?tag=even&limit=3&cursor=" + cursor));
  ASSERT_EQ(last.at("items").as_array().size(), 1U);
  EXPECT_EQ(last.at("items").at(0).at("id"), 7);
  EXPECT_FALSE(last.as_object().contains("next"));
  EXPECT_EQ(json_of(send("GET", "/v1/bookmarks")).at("items").as_array().size(), 7U);
}

struct Refused {
  const char* method;
  const char* target;
  std::optional<std::string> body;
  const char* field;
  const char* rule;
};

class BookmarksRefuse : public BookmarksApi, public ::testing::WithParamInterface<Refused> {};

TEST_P(BookmarksRefuse, With400NamingFieldAndRule) {
  const Refused& input = GetParam();
  const auto response = send(input.method, input.target, input.body);
  ASSERT_EQ(response.status_code, 400) << response.body;
  EXPECT_EQ(json_of(response).at("field"), input.field) << response.body;
  if (*input.rule != '\0') {
    EXPECT_EQ(json_of(response).at("rule"), input.rule) << response.body;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Rules, BookmarksRefuse,
    ::testing::Values(
        Refused{"POST", "/v1/bookmarks", R"({"url":"ftp://example.com","tags":[]})", "url",
                "pattern"},
        Refused{"POST", "/v1/bookmarks", R"({"url":"https://a b","tags":[]})", "url", "format"},
        Refused{"POST", "/v1/bookmarks", R"({"url":"https://a","tags":["a","b","c","d","e","f"]})",
                "tags", "maxItems"},
        Refused{"POST", "/v1/bookmarks", R"({"url":"https://a","tags":["a","a"]})", "tags",
                "uniqueItems"},
        Refused{"POST", "/v1/bookmarks", R"({"url":"https://a","tags":["Not OK"]})", "tags[0]",
                "pattern"},
        Refused{"POST", "/v1/bookmarks", R"({"url":"https://a","title":"","tags":[]})", "title",
                "minLength"},
        Refused{"POST", "/v1/bookmarks", R"({"tags":[]})", "url", ""},
        Refused{"GET", "/v1/bookmarks?limit=0", std::nullopt, "limit", "minimum"},
        Refused{"GET", "/v1/bookmarks?limit=101", std::nullopt, "limit", "maximum"},
        Refused{"GET", "/v1/bookmarks?cursor=nope!", std::nullopt, "cursor", ""},
        Refused{"GET", "/v1/bookmarks/0", std::nullopt, "id", "minimum"},
        Refused{"GET", "/v1/bookmarks/abc", std::nullopt, "id", ""}));

TEST(BookmarksOpenApi, EveryRuleIsInTheDocumentAndEachTypeOnce) {
  const cppstack::app::Application application(cppstack::app::Config{});
  const auto document = cppstack::http::openapi_document(
      application.routes(), {.title = "Bookmarks API", .version = "1", .description = ""});
  const auto& schemas = document.at("components").at("schemas");
  EXPECT_EQ(boost::json::parse(R"({"type":"string","format":"uri","pattern":"^https?://",
                                   "maxLength":2048})"),
            schemas.at("NewBookmark").at("properties").at("url"));
  EXPECT_EQ(boost::json::parse(R"({"type":"array","maxItems":5,"uniqueItems":true,
                                   "items":{"type":"string","pattern":"^[a-z0-9-]{1,30}$"}})"),
            schemas.at("NewBookmark").at("properties").at("tags"));
  EXPECT_EQ(schemas.at("Bookmark").at("properties").at("created_at").at("format"), "date-time");
  const auto& list = document.at("paths").at("/v1/bookmarks").at("get");
  EXPECT_EQ(list.at("parameters").at(0).at("schema").at("maximum"), 100);
  EXPECT_EQ(list.at("responses").at("200").at("content").at("application/json").at("schema"),
            boost::json::parse(R"({"$ref":"#/components/schemas/PageOf_Bookmark"})"));
  const auto& read = document.at("paths").at("/v1/bookmarks/{id}").at("get");
  EXPECT_EQ(read.at("parameters").at(0).at("schema"),
            boost::json::parse(R"({"type":"integer","format":"int64","minimum":1})"));
  EXPECT_EQ(document.at("paths").at("/v1/bookmarks").at("post").at("security"),
            boost::json::parse(R"([{"apiKey":[]}])"));
}

}  // namespace

// Validation rules declared beside a struct's members (CPPSTACK_RULES): a value that breaks one
// is a 400 naming the field and the rule, and the schema carries each rule as its JSON Schema
// keyword, in bodies, query strings and path parameters alike.
#include <boost/json/parse.hpp>
#include <cppstack/http/route_export.hpp>
#include <cppstack/http/routes.hpp>
#include <cppstack/http/service.hpp>
#include <cppstack/http/testing.hpp>

#include <gtest/gtest.h>

namespace rules_example {

struct NewBookmark {
  std::string url;
  std::vector<std::string> tags;
  std::optional<int> stars;
  std::optional<std::string> owner;
  std::optional<std::string> id;
  std::optional<std::string> kind;
  std::optional<cppstack::http::DateTime> read_at;
};
BOOST_DESCRIBE_STRUCT(NewBookmark, (), (url, tags, stars, owner, id, kind, read_at))
CPPSTACK_RULES(NewBookmark, (url, uri, pattern("^https?://"), max_length(40)),
               (tags, max_items(3), unique_items, min_length(1), max_length(5)),
               (stars, minimum(1), maximum(5)), (owner, email), (id, uuid),
               (kind, one_of("article", "video")))

struct ListQuery {
  int limit = 20;
  std::optional<std::string> tag;
};
BOOST_DESCRIBE_STRUCT(ListQuery, (), (limit, tag))
CPPSTACK_RULES(ListQuery, (limit, minimum(1), maximum(100)), (tag, max_length(5)))

struct ById {
  std::int64_t id;
};
BOOST_DESCRIBE_STRUCT(ById, (), (id))
CPPSTACK_RULES(ById, (id, minimum(1)))

}  // namespace rules_example

namespace cppstack::http {
namespace {

using rules_example::ById;
using rules_example::ListQuery;
using rules_example::NewBookmark;

struct Refusal {
  std::string field;
  std::string rule;
  std::string message;
};

Refusal refusal_of(const char* json) {
  try {
    (void)from_json<NewBookmark>(boost::json::parse(json));
  } catch (const BadRequest& error) {
    return {error.field(), error.rule(), error.what()};
  }
  return {"", "", "accepted"};
}

TEST(Rules, AValidValuePasses) {
  const auto bookmark = from_json<NewBookmark>(boost::json::parse(
      R"({"url":"https://example.com/a","tags":["a","b"],"stars":5,"owner":"me@example.com",
          "id":"123e4567-e89b-12d3-a456-426614174000","kind":"video",
          "read_at":"2024-05-01T12:30:00.25+02:00"})"));
  EXPECT_EQ(bookmark.tags.size(), 2U);
  EXPECT_EQ(bookmark.read_at->text(), "2024-05-01T10:30:00.250Z");
}

TEST(Rules, EachBrokenRuleNamesTheFieldAndTheRule) {
  struct Case {
    const char* json;
    const char* field;
    const char* rule;
    const char* message;
  };
  const Case cases[] = {
      {R"({"url":"http:/x y","tags":[]})", "url", "format",
       "url must be an absolute URI (RFC 3986)"},
      {R"({"url":"ftp://example.com","tags":[]})", "url", "pattern",
       "url must match the pattern ^https?://"},
      {R"({"url":"https://example.com/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","tags":[]})", "url",
       "maxLength", "url must be at most 40 characters long"},
      {R"({"url":"https://a","tags":["a","b","c","d"]})", "tags", "maxItems",
       "tags must have at most 3 items"},
      {R"({"url":"https://a","tags":["a","a"]})", "tags", "uniqueItems",
       "tags must not repeat an item"},
      {R"({"url":"https://a","tags":["a",""]})", "tags[1]", "minLength",
       "tags[1] must be at least 1 characters long"},
      {R"({"url":"https://a","tags":["abcdef"]})", "tags[0]", "maxLength",
       "tags[0] must be at most 5 characters long"},
      {R"({"url":"https://a","tags":[],"stars":0})", "stars", "minimum",
       "stars must be at least 1"},
      {R"({"url":"https://a","tags":[],"stars":6})", "stars", "maximum", "stars must be at most 5"},
      {R"({"url":"https://a","tags":[],"owner":"me@"})", "owner", "format",
       "owner must be an email address"},
      {R"({"url":"https://a","tags":[],"id":"123e4567-e89b-12d3-a456-42661417400"})", "id",
       "format", "id must be a UUID (8-4-4-4-12 hexadecimal digits)"},
      {R"({"url":"https://a","tags":[],"kind":"audio"})", "kind", "enum",
       "kind must be one of article, video"},
  };
  for (const Case& one : cases) {
    const Refusal refusal = refusal_of(one.json);
    EXPECT_EQ(refusal.field, one.field) << one.json;
    EXPECT_EQ(refusal.rule, one.rule) << one.json;
    EXPECT_EQ(refusal.message, one.message) << one.json;
  }
}

TEST(Rules, LengthsCountCharactersNotBytes) {
  // Five characters of two bytes each: within max_length(5).
  EXPECT_EQ(refusal_of(R"({"url":"https://a","tags":["ééééé"]})").message, "accepted");
  EXPECT_EQ(refusal_of(R"({"url":"https://a","tags":["éééééé"]})").rule, "maxLength");
}

TEST(Rules, APatternOnALongTextKeepsTheStackBounded) {
  // The breadth-first matcher: a megabyte of text against a pattern that scans all of it.
  NewBookmark bookmark;
  Rule rule;
  detail::merge_rule(rule, rule::pattern("^a*$").rule);
  const std::string long_text(1 << 20, 'a');
  EXPECT_NO_THROW(detail::check_text(rule, long_text, detail::FieldPath{}));
  EXPECT_THROW(detail::check_text(rule, long_text + "b", detail::FieldPath{}), BadRequest);
}

TEST(Rules, TheSchemaCarriesEveryRule) {
  const auto schema = json_schema<NewBookmark>();
  const auto& properties = schema.at("properties");
  EXPECT_EQ(properties.at("url"),
            boost::json::parse(
                R"({"type":"string","format":"uri","pattern":"^https?://","maxLength":40})"));
  EXPECT_EQ(properties.at("tags"), boost::json::parse(R"({"type":"array","maxItems":3,
            "uniqueItems":true,"items":{"type":"string","minLength":1,"maxLength":5}})"));
  EXPECT_EQ(properties.at("stars"), boost::json::parse(R"({"type":"integer","format":"int32",
            "minimum":1,"maximum":5,"nullable":true})"));
  EXPECT_EQ(properties.at("owner").at("format"), "email");
  EXPECT_EQ(properties.at("id").at("format"), "uuid");
  EXPECT_EQ(properties.at("kind").at("enum"), boost::json::parse(R"(["article","video"])"));
  EXPECT_EQ(properties.at("read_at").at("format"), "date-time");
}

TEST(Rules, ABadPatternIsRefusedWhenDeclared) {
  EXPECT_THROW((void)rule::pattern("(unclosed"), std::invalid_argument);
}

class RulesThroughRoutes : public ::testing::Test {
 protected:
  RulesThroughRoutes() {
    Routes routes;
    routes.post("/v1/bookmarks", [](const Request&, const Body<NewBookmark>& bookmark) {
      return Created<NewBookmark>{"/v1/bookmarks/1", bookmark};
    });
    routes.get("/v1/bookmarks", [](const Request&, const Query<ListQuery>& query) {
      return std::vector<int>{query.limit};
    });
    routes.get("/v1/bookmarks/{id}", [](const Request&, const Path<ById>& path) {
      return std::vector<std::int64_t>{path.id};
    });
    routes_ = std::move(routes).release();
  }
  events::ProxyResponse send(std::string_view method, std::string_view target,
                             std::optional<std::string> body = std::nullopt) const {
    const Service service{Router(routes_)};
    return service.handle(testing::event(method, target, std::move(body)), {});
  }
  std::vector<Route> routes_;
};

TEST_F(RulesThroughRoutes, TheFunctions400NamesFieldAndRule) {
  const auto response = send("POST", "/v1/bookmarks", R"({"url":"ftp://x","tags":[]})");
  EXPECT_EQ(response.status_code, 400);
  EXPECT_EQ(boost::json::parse(response.body), boost::json::parse(R"({"message":
            "url must match the pattern ^https?://","requestId":"test-request","field":"url",
            "rule":"pattern"})"));
}

TEST_F(RulesThroughRoutes, QueryAndPathParametersFollowTheirRules) {
  EXPECT_EQ(send("GET", "/v1/bookmarks?limit=100").body, "[100]");
  const auto too_many = send("GET", "/v1/bookmarks?limit=101");
  EXPECT_EQ(too_many.status_code, 400);
  EXPECT_EQ(boost::json::parse(too_many.body).at("rule"), "maximum");
  EXPECT_EQ(boost::json::parse(too_many.body).at("message"), "limit must be at most 100");
  EXPECT_EQ(send("GET", "/v1/bookmarks?limit=0").status_code, 400);
  EXPECT_EQ(send("GET", "/v1/bookmarks?tag=abcdef").status_code, 400);
  EXPECT_EQ(send("GET", "/v1/bookmarks/7").body, "[7]");
  const auto zero = send("GET", "/v1/bookmarks/0");
  EXPECT_EQ(zero.status_code, 400);
  EXPECT_EQ(boost::json::parse(zero.body).at("field"), "id");
  EXPECT_EQ(send("GET", "/v1/bookmarks/x").status_code, 400);
}

TEST_F(RulesThroughRoutes, OpenApiTypesParametersAsTheHandlerReadsThem) {
  const auto document =
      openapi_document(routes_, {.title = "t", .version = "1", .description = ""});
  const auto& paths = document.at("paths");
  EXPECT_EQ(paths.at("/v1/bookmarks").at("get").at("parameters").at(0).at("schema"),
            boost::json::parse(R"({"type":"integer","format":"int32","minimum":1,"maximum":100,
                                   "default":20})"));
  EXPECT_EQ(paths.at("/v1/bookmarks/{id}").at("get").at("parameters").at(0),
            boost::json::parse(R"({"name":"id","in":"path","required":true,"schema":
              {"type":"integer","format":"int64","minimum":1}})"));
  const auto& schemas = document.at("components").at("schemas");
  EXPECT_EQ(schemas.at("NewBookmark").at("properties").at("url").at("pattern"), "^https?://");
  EXPECT_TRUE(schemas.at("Error").at("properties").as_object().contains("rule"));
}

TEST(TypedPath, AMemberThatNamesNoVariableFailsTheExport) {
  Routes routes;
  routes.get("/v1/things/{thing}", [](const Request&, const Path<ById>&) { return NoContent{}; });
  const auto table = std::move(routes).release();
  EXPECT_THROW((void)openapi_document(table, {.title = "t", .version = "1", .description = ""}),
               std::invalid_argument);
}

TEST(DateTimes, ReadRfc3339AndWriteUtcMilliseconds) {
  EXPECT_EQ(DateTime::parse("2024-02-29T23:59:59Z")->text(), "2024-02-29T23:59:59.000Z");
  EXPECT_EQ(DateTime::parse("2024-01-01t00:00:00.123456-01:30")->text(),
            "2024-01-01T01:30:00.123Z");
  for (const char* bad : {"2023-02-29T00:00:00Z", "2024-01-01 00:00:00Z", "2024-01-01T00:00:00",
                          "2024-1-01T00:00:00Z", "2024-01-01T24:00:00Z", "2024-01-01T00:00:00.Z",
                          "2024-01-01T00:00:00+0100", ""}) {
    EXPECT_EQ(DateTime::parse(bad), std::nullopt) << bad;
  }
  EXPECT_LT(*DateTime::parse("2024-01-01T00:00:00Z"), *DateTime::parse("2024-01-01T00:00:00.001Z"));
  EXPECT_EQ(parse_parameter<DateTime>("2024-01-01T00:00:00Z")->text(), "2024-01-01T00:00:00.000Z");
  EXPECT_EQ(to_json(*DateTime::parse("1999-12-31T23:59:59.5Z")), "1999-12-31T23:59:59.500Z");
}

}  // namespace
}  // namespace cppstack::http

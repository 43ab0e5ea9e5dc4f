// Cursor-based pages: a client that follows "next" (or the Link header) sees every item once;
// a page stops at its byte budget so an answer stays far below Lambda's 6 MB; bad cursors are
// 400s naming "cursor".
#include <boost/json/parse.hpp>
#include <cppstack/http/route_export.hpp>
#include <cppstack/http/routes.hpp>
#include <cppstack/http/service.hpp>
#include <cppstack/http/testing.hpp>

#include <gtest/gtest.h>

namespace pagination_example {

struct Entry {
  std::int64_t id;
  std::string text;
};
BOOST_DESCRIBE_STRUCT(Entry, (), (id, text))

struct ListEntries : cppstack::http::PageQuery {
  std::optional<std::string> prefix;
};
BOOST_DESCRIBE_STRUCT(ListEntries, (cppstack::http::PageQuery), (prefix))

}  // namespace pagination_example

namespace cppstack::http {
namespace {

using pagination_example::Entry;
using pagination_example::ListEntries;

class Paging : public ::testing::Test {
 protected:
  explicit Paging(std::size_t text_bytes = 8) {
    for (std::int64_t id = 1; id <= 45; ++id) {
      store_->emplace(id, Entry{id, std::string(text_bytes, 'x')});
    }
    Routes routes;
    routes.get("/v1/entries", [store = store_](const Request&, const Query<ListEntries>& query) {
      PageBuilder<Entry> page(static_cast<std::size_t>(query.limit));
      const auto start = page.after<std::int64_t>(query.cursor);
      for (auto it = start ? store->upper_bound(*start) : store->begin(); it != store->end();
           ++it) {
        if (!page.add(it->second, std::to_string(it->first))) break;
      }
      return std::move(page).done();
    });
    routes_ = std::move(routes).release();
  }
  events::ProxyResponse get(std::string_view target) const {
    const Service service{Router(routes_)};
    return service.handle(testing::event("GET", target), {});
  }
  std::shared_ptr<std::map<std::int64_t, Entry>> store_ =
      std::make_shared<std::map<std::int64_t, Entry>>();
  std::vector<Route> routes_;
};

TEST_F(Paging, FollowingNextVisitsEveryItemOnce) {
  std::vector<std::int64_t> seen;
  std::string target = "/v1/entries?limit=10&prefix=x";
  int pages = 0;
  while (true) {
    const auto response = get(target);
    ASSERT_EQ(response.status_code, 200) << response.body;
    const auto body = boost::json::parse(response.body);
    for (const auto& item : body.at("items").as_array()) seen.push_back(item.at("id").as_int64());
    ++pages;
    if (!body.as_object().contains("next")) {
      EXPECT_EQ(response.headers.count("Link"), 0U);
      break;
    }
    const std::string cursor(body.at("next").as_string());
    // The Link header keeps the other parameters and replaces the cursor.
    EXPECT_EQ(response.headers.at("Link"),
              "</prod/v1/entries?limit=10&prefix=x&cursor=" + cursor + ">; rel=\"next\"");
    target = "/v1/entries?limit=10&prefix=x&cursor=" + cursor;
    ASSERT_LT(pages, 10);
  }
  EXPECT_EQ(pages, 5);
  ASSERT_EQ(seen.size(), 45U);
  for (std::size_t index = 0; index < seen.size(); ++index) {
    EXPECT_EQ(seen[index], static_cast<std::int64_t>(index) + 1);
  }
}

TEST_F(Paging, CursorsThatThisApiDidNotGiveAre400s) {
  for (const char* cursor : {"%2B%2B", "abc=", "!!", "QUJD"}) {  // QUJD is "ABC": not a number
    const auto response = get(std::string("/v1/entries?cursor=") + cursor);
    EXPECT_EQ(response.status_code, 400) << cursor;
    EXPECT_EQ(boost::json::parse(response.body).at("field"), "cursor") << cursor;
  }
  EXPECT_EQ(get("/v1/entries?limit=101").status_code, 400);  // PageQuery's rule, inherited
  EXPECT_EQ(get("/v1/entries?limit=0").status_code, 400);
}

TEST(PageCursor, RoundTripsAnyPosition) {
  for (const std::string& position :
       std::vector<std::string>{"", "1", "a/b+c", std::string("\0\xff", 2)}) {
    EXPECT_EQ(decode_cursor(encode_cursor(position)), position);
    EXPECT_EQ(encode_cursor(position).find_first_of("+/="), std::string::npos);
  }
  EXPECT_EQ(decode_cursor(std::nullopt), std::nullopt);
}

class PagingLargeItems : public Paging {
 protected:
  PagingLargeItems() : Paging(300 * 1024) {}  // 45 items of 300 KiB: 13 MiB in all
};

TEST_F(PagingLargeItems, APageStopsAtItsByteBudgetFarBelowLambdasLimit) {
  std::string target = "/v1/entries?limit=100";
  std::size_t items = 0;
  for (int page = 0; page < 20; ++page) {
    const auto response = get(target);
    ASSERT_EQ(response.status_code, 200);
    EXPECT_LE(response.body.size(), default_page_bytes);
    const auto body = boost::json::parse(response.body);
    const std::size_t count = body.at("items").as_array().size();
    EXPECT_GE(count, 1U);
    items += count;
    if (!body.as_object().contains("next")) break;
    target = "/v1/entries?limit=100&cursor=" + std::string(body.at("next").as_string());
  }
  EXPECT_EQ(items, 45U);
}

TEST(PageBuilderBudget, TheFirstItemIsAlwaysTakenAndTheBudgetIsCapped) {
  PageBuilder<std::string> page(10, 10);
  EXPECT_TRUE(page.add(std::string(100, 'a'), "1"));  // over the budget, but the first
  EXPECT_FALSE(page.add("b", "2"));
  const PageOf<std::string> done = std::move(page).done();
  EXPECT_EQ(done.items.size(), 1U);
  EXPECT_EQ(decode_cursor(done.next), "1");
  // Escaping counts: quotes and backslashes are escaped again inside Lambda's response;
  // one more byte separates items.
  EXPECT_EQ(page_item_bytes(boost::json::value("a\"b")), std::string(R"("a\"b")").size() + 4 + 1);
}

TEST_F(Paging, OpenApiNamesThePageSchema) {
  const auto document =
      openapi_document(routes_, {.title = "t", .version = "1", .description = ""});
  const auto& schemas = document.at("components").at("schemas");
  const auto& page = schemas.at("PageOf_Entry");
  EXPECT_EQ(page.at("properties").at("items").at("items"),
            boost::json::parse(R"({"$ref":"#/components/schemas/Entry"})"));
  EXPECT_EQ(page.at("required"), boost::json::parse(R"(["items"])"));
  const auto& parameters =
      document.at("paths").at("/v1/entries").at("get").at("parameters").as_array();
  ASSERT_EQ(parameters.size(), 3U);
  EXPECT_EQ(parameters[0].at("schema").at("maximum"), 100);
  EXPECT_EQ(parameters[1].at("name"), "cursor");
}

}  // namespace
}  // namespace cppstack::http

// Tables and buckets declared beside the routes: what the export writes, and what it refuses
// (what DynamoDB's CreateTable would refuse, found at build time instead of at deployment).
#include <boost/json/parse.hpp>
#include <cppstack/http/route_export.hpp>
#include <cppstack/http/routes.hpp>
#include <stdexcept>

#include <gtest/gtest.h>

namespace cppstack::http {
namespace {

const auto answer = [](const Request&) { return NoContent{}; };

boost::json::object exported(Routes routes) {
  const Resources resources = routes.resources();
  return route_table_json(std::move(routes).release(), resources).as_object();
}

TEST(Resources, ATableAndABucketAreExportedBesideTheRoutes) {
  Routes routes;
  routes.del("/v1/notes/{id}", answer);
  routes.table("notes", {.partition_key = {"id", KeyType::string}});
  routes.bucket("note-attachments");
  const auto table = exported(std::move(routes));
  EXPECT_EQ(table.at("routes").as_array().size(), 1u);
  EXPECT_EQ(table.at("tables"), boost::json::parse(R"([{
      "name": "notes", "partitionKey": {"name": "id", "type": "S"}, "sortKey": null,
      "globalIndexes": [], "localIndexes": [], "timeToLiveAttribute": null}])"));
  EXPECT_EQ(table.at("buckets"), boost::json::parse(R"([{"name": "note-attachments"}])"));
}

TEST(Resources, KeysIndexesAndTimeToLiveAreExportedWithDynamoDbTypes) {
  Routes routes;
  routes.get("/v1/events", answer);
  routes.table("events",
               {.partition_key = {"stream", KeyType::string},
                .sort_key = {"at", KeyType::number},
                .global_indexes = {{.name = "by-kind",
                                    .partition_key = {"kind", KeyType::string},
                                    .sort_key = {"at", KeyType::number},
                                    .projection = Projection::keys_only}},
                .local_indexes = {{.name = "by-digest", .sort_key = {"digest", KeyType::binary}}},
                .time_to_live = "expires_at"});
  const auto table = exported(std::move(routes));
  EXPECT_EQ(table.at("tables"), boost::json::parse(R"([{
      "name": "events",
      "partitionKey": {"name": "stream", "type": "S"}, "sortKey": {"name": "at", "type": "N"},
      "globalIndexes": [{"name": "by-kind", "partitionKey": {"name": "kind", "type": "S"},
                         "sortKey": {"name": "at", "type": "N"}, "projection": "KEYS_ONLY"}],
      "localIndexes": [{"name": "by-digest", "sortKey": {"name": "digest", "type": "B"},
                        "projection": "ALL"}],
      "timeToLiveAttribute": "expires_at"}])"));
  EXPECT_FALSE(table.contains("buckets"));
}

TEST(Resources, ARouteTableWithoutResourcesExportsNoResourceKeys) {
  Routes routes;
  routes.get("/v1/health", answer);
  const auto table = exported(std::move(routes));
  EXPECT_FALSE(table.contains("tables"));
  EXPECT_FALSE(table.contains("buckets"));
}

TEST(Resources, ReleaseHandsTheDeclarationsOverOnce) {
  (void)take_released_resources();
  Routes routes;
  routes.get("/v1/health", answer);
  routes.bucket("uploads");
  (void)std::move(routes).release();
  const Resources first = take_released_resources();
  ASSERT_EQ(first.buckets.size(), 1u);
  EXPECT_EQ(first.buckets[0].name, "uploads");
  EXPECT_TRUE(take_released_resources().empty());
}

TEST(Resources, EnvironmentVariablesNameTheKindAndTheUpperCasedName) {
  EXPECT_EQ(table_variable("notes"), "TABLE_NOTES");
  EXPECT_EQ(bucket_variable("note-attachments"), "BUCKET_NOTE_ATTACHMENTS");
  EXPECT_EQ(table_variable("orders-v2"), "TABLE_ORDERS_V2");
}

// The message of the std::invalid_argument `declare` throws.
template <class Declare>
std::string refusal(Declare declare) {
  Routes routes;
  try {
    declare(routes);
  } catch (const std::invalid_argument& error) {
    return error.what();
  }
  return "(accepted)";
}

TEST(Resources, ADeclarationDynamoDbWouldRefuseIsRefusedNamingTheTable) {
  EXPECT_EQ(refusal([](Routes& routes) {
              routes.table("notes", {.partition_key = {"id", KeyType::string}});
              routes.table("notes", {.partition_key = {"id", KeyType::string}});
            }),
            "table notes is declared twice");
  EXPECT_EQ(refusal([](Routes& routes) {
              routes.bucket("files");
              routes.bucket("files");
            }),
            "bucket files is declared twice");
  EXPECT_EQ(
      refusal([](Routes& routes) {
        routes.table(
            "orders",
            {.partition_key = {"id", KeyType::string},
             .global_indexes = {{.name = "by-id", .partition_key = {"id", KeyType::number}}}});
      }),
      "table orders: attribute \"id\" is a key of the index by-id as type N but was "
      "declared before as type S (DynamoDB keeps one type per attribute)");
  EXPECT_EQ(refusal([](Routes& routes) {
              routes.table(
                  "orders",
                  {.partition_key = {"id", KeyType::string},
                   .local_indexes = {{.name = "by-date", .sort_key = {"date", KeyType::string}}}});
            }),
            "table orders: a local secondary index needs a table with a sort key");
  EXPECT_EQ(refusal([](Routes& routes) {
              routes.table("orders", {.partition_key = {"id", KeyType::string},
                                      .sort_key = {"at", KeyType::number},
                                      .global_indexes = {{.name = "by-x", .partition_key = {"x"}}},
                                      .local_indexes = {{.name = "by-x", .sort_key = {"y"}}}});
            }),
            "table orders: the index name \"by-x\" is used twice");
  EXPECT_EQ(
      refusal([](Routes& routes) {
        routes.table("orders", {.partition_key = {"id", KeyType::string}, .time_to_live = "id"});
      }),
      "table orders: the time-to-live attribute \"id\" is a key of type S; time to live "
      "reads a Number (epoch seconds)");
  EXPECT_EQ(refusal([](Routes& routes) { routes.table("orders", {.partition_key = {}}); }),
            "table orders needs a partition key");
  EXPECT_EQ(
      refusal([](Routes& routes) {
        routes.table("orders", {.partition_key = {"id", KeyType::number}, .time_to_live = "id"});
      }),
      "(accepted)");
}

TEST(Resources, MoreIndexesThanDynamoDbAllowsAreRefused) {
  TableDeclaration table{"orders", {.partition_key = {"id", KeyType::string}}};
  for (std::size_t count = 0; count <= max_global_indexes; ++count) {
    table.options.global_indexes.push_back({.name = "index", .partition_key = {"key"}});
  }
  EXPECT_THROW(check_table(table), std::invalid_argument);
  try {
    check_table(table);
  } catch (const std::invalid_argument& error) {
    EXPECT_STREQ(error.what(), "table orders has 21 global secondary indexes; DynamoDB allows 20");
  }
}

TEST(Resources, DeclarationsFilledByHandAreCheckedWhenExported) {
  const std::vector<Route> routes{Route{.method = "GET", .path = "/v1"}};
  try {
    (void)route_table_json(routes, Resources{.buckets = {{"Uploads"}}});
    ADD_FAILURE() << "a bucket named Uploads was exported";
  } catch (const std::invalid_argument& error) {
    EXPECT_STREQ(error.what(),
                 "bucket name \"Uploads\" is not a logical resource name (3 to 48 lowercase "
                 "letters, digits and hyphens, starting with a letter)");
  }
  EXPECT_THROW((void)route_table_json(routes, Resources{.buckets = {{"files"}, {"files"}}}),
               std::invalid_argument);
}

TEST(Resources, LogicalNamesFollowTheContract) {
  EXPECT_TRUE(is_resource_name("notes"));
  EXPECT_TRUE(is_resource_name("note-attachments"));
  EXPECT_TRUE(is_resource_name("v2-orders"));
  EXPECT_FALSE(is_resource_name("Notes"));
  EXPECT_FALSE(is_resource_name("2notes"));
  EXPECT_FALSE(is_resource_name("notes-"));
  EXPECT_FALSE(is_resource_name("no"));
  EXPECT_FALSE(is_resource_name("note_attachments"));
  EXPECT_FALSE(is_resource_name(std::string(49, 'a')));
  EXPECT_TRUE(is_index_name("by_owner.v2-x"));
  EXPECT_FALSE(is_index_name("by owner"));
}

}  // namespace
}  // namespace cppstack::http

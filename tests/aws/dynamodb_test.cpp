// The typed DynamoDB client against dynalite (a DynamoDB implementation from npm) on loopback:
// items round-trip exactly, conditional writes fail with ConditionFailed, pages come with a
// checked cursor, batches and transactions work.
#include <gtest/gtest.h>

#include <chrono>
#include <cppstack/aws/dynamodb.hpp>
#include <cppstack/http/errors.hpp>
#include <cstdlib>
#include <memory>
#include <thread>

#include "local_services.hpp"

namespace {

using namespace cppstack::aws;

struct Address {
  std::string city;
  std::optional<std::string> zip;
};
BOOST_DESCRIBE_STRUCT(Address, (), (city, zip))

struct Record {
  std::string pk;
  std::int64_t sk = 0;
  std::string text;
  double ratio = 0;
  std::uint64_t big = 0;
  Number exact;
  bool flag = false;
  Binary blob;
  std::set<std::string> tags;
  std::set<std::int64_t> scores;
  std::vector<std::string> lines;
  std::map<std::string, std::int64_t> counts;
  Address address;
  std::optional<std::string> note;
};
BOOST_DESCRIBE_STRUCT(Record, (),
                      (pk, sk, text, ratio, big, exact, flag, blob, tags, scores, lines, counts,
                       address, note))

std::unique_ptr<cppstack::aws::testing::LocalServices> services;

class Dynalite : public ::testing::Environment {
 public:
  void SetUp() override {
    services = std::make_unique<cppstack::aws::testing::LocalServices>();
    ::setenv("AWS_ENDPOINT_URL_DYNAMODB", services->dynamodb_url().c_str(), 1);
    ::setenv("AWS_ACCESS_KEY_ID", cppstack::aws::testing::kAccessKey, 1);
    ::setenv("AWS_SECRET_ACCESS_KEY", cppstack::aws::testing::kSecretKey, 1);
    ::unsetenv("AWS_SESSION_TOKEN");
    ::setenv("AWS_REGION", "eu-west-1", 1);
    ::setenv("TABLE_RECORDS", "records-test", 1);
    ::setenv("TABLE_OTHER_RECORDS", "other-records-test", 1);
    for (const char* table : {"records-test", "other-records-test"}) {
      dynamodb().call(
          "CreateTable",
          {{"TableName", table},
           {"BillingMode", "PAY_PER_REQUEST"},
           {"AttributeDefinitions",
            boost::json::array{{{"AttributeName", "pk"}, {"AttributeType", "S"}},
                               {{"AttributeName", "sk"}, {"AttributeType", "N"}}}},
           {"KeySchema", boost::json::array{{{"AttributeName", "pk"}, {"KeyType", "HASH"}},
                                            {{"AttributeName", "sk"}, {"KeyType", "RANGE"}}}}});
    }
    // CreateTable answers while the table is CREATING (dynalite turns it ACTIVE a moment
    // later, as DynamoDB does): the tests start once both are ACTIVE.
    for (const char* table : {"records-test", "other-records-test"}) {
      for (int attempt = 0;; ++attempt) {
        const auto described = dynamodb().call("DescribeTable", {{"TableName", table}});
        if (described.at("Table").at("TableStatus") == "ACTIVE") break;
        ASSERT_LT(attempt, 500) << table << " never became ACTIVE";
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    }
  }
  void TearDown() override { services.reset(); }
};
const auto* const environment = ::testing::AddGlobalTestEnvironment(new Dynalite);

Record sample(std::string pk, std::int64_t sk) {
  return Record{.pk = std::move(pk),
                .sk = sk,
                .text = "héllo \"quoted\" \n line",
                .ratio = 0.1,
                .big = 18446744073709551615ULL,
                .exact = {"12345678901234567890.123456789"},
                .flag = true,
                .blob = {std::string("\0\x01\xff bytes", 9)},
                .tags = {"a", "b"},
                .scores = {-3, 7},
                .lines = {"one", "two"},
                .counts = {{"x", 1}, {"y", -2}},
                .address = {.city = "Paris", .zip = std::nullopt},
                .note = std::nullopt};
}

TEST(DynamoDb, ItemsRoundTripExactly) {
  const Table<Record> records("records");
  const Record written = sample("round", 1);
  records.put(written);
  const auto read = records.get({{"pk", "round"}, {"sk", 1}}, true);
  ASSERT_TRUE(read);
  EXPECT_EQ(to_item(*read), to_item(written));
  EXPECT_EQ(read->big, 18446744073709551615ULL);
  EXPECT_EQ(read->exact.text, "12345678901234567890.123456789");
  EXPECT_EQ(read->blob.bytes, written.blob.bytes);
  EXPECT_FALSE(read->note);
  EXPECT_FALSE(records.get({{"pk", "round"}, {"sk", 2}}));
}

TEST(DynamoDb, AConditionalWriteThatFailsIsConditionFailed) {
  const Table<Record> records("records");
  const Expression absent("attribute_not_exists(pk)");
  records.put(sample("conditional", 1), absent);
  try {
    records.put(sample("conditional", 1), absent);
    FAIL() << "the second put should have failed";
  } catch (const ConditionFailed& error) {
    EXPECT_EQ(error.code(), "ConditionalCheckFailedException");
    EXPECT_EQ(error.status(), 400);
    EXPECT_FALSE(error.request_id().empty());
  }
}

TEST(DynamoDb, UpdateUsesPlaceholdersAndReturnsTheNewItem) {
  const Table<Record> records("records");
  records.put(sample("update", 1));
  // A value that looks like expression syntax stays a value.
  const std::string hostile = ":v, #n = :x) OR (1=1";
  const auto updated = records.update({{"pk", "update"}, {"sk", 1}},
                                      Expression("SET #text = :text, note = :note ADD big :zero")
                                          .name("#text", "text")
                                          .value(":text", hostile)
                                          .value(":note", std::string("n"))
                                          .value(":zero", 0),
                                      Expression("flag = :yes").value(":yes", true));
  ASSERT_TRUE(updated);
  EXPECT_EQ(updated->text, hostile);
  EXPECT_EQ(updated->note, "n");
  EXPECT_THROW(records.update({{"pk", "update"}, {"sk", 1}},
                              Expression("SET note = :n").value(":n", std::string("m")),
                              Expression("flag = :no").value(":no", false)),
               ConditionFailed);
}

TEST(DynamoDb, RemoveReturnsWhatWasThere) {
  const Table<Record> records("records");
  records.put(sample("remove", 1));
  EXPECT_TRUE(records.remove({{"pk", "remove"}, {"sk", 1}}));
  EXPECT_FALSE(records.remove({{"pk", "remove"}, {"sk", 1}}));
  EXPECT_FALSE(records.get({{"pk", "remove"}, {"sk", 1}}, true));
}

TEST(DynamoDb, QueryPagesWithACheckedCursor) {
  const Table<Record> records("records");
  for (int sk = 1; sk <= 5; ++sk) records.put(sample("query", sk));
  QueryRequest request{.key_condition = Expression("pk = :pk AND sk >= :from")
                                            .value(":pk", std::string("query"))
                                            .value(":from", 2),
                       .limit = 2};
  std::vector<std::int64_t> seen;
  std::optional<std::string> cursor;
  int pages = 0;
  do {
    request.cursor = cursor;
    const auto page = records.query(request);
    for (const auto& item : page.items) seen.push_back(item.sk);
    cursor = page.cursor;
    ++pages;
  } while (cursor && pages < 10);
  EXPECT_EQ(seen, (std::vector<std::int64_t>{2, 3, 4, 5}));

  request.cursor = std::nullopt;
  const std::string first = *records.query(request).cursor;
  std::string tampered = first;
  tampered[2] = tampered[2] == 'A' ? 'B' : 'A';
  request.cursor = tampered;
  EXPECT_THROW((void)records.query(request), cppstack::http::BadRequest);
  request.cursor = "not a cursor";
  EXPECT_THROW((void)records.query(request), cppstack::http::BadRequest);
  // A cursor from another query is refused too.
  QueryRequest other = request;
  other.key_condition = Expression("pk = :pk").value(":pk", std::string("query"));
  other.cursor = first;
  EXPECT_THROW((void)records.query(other), cppstack::http::BadRequest);
}

TEST(DynamoDb, ScanWalksTheTable) {
  const Table<Record> records("other-records");
  for (int sk = 1; sk <= 3; ++sk) records.put(sample("scan", sk));
  std::size_t count = 0;
  std::optional<std::string> cursor;
  do {
    const auto page = records.scan({.limit = 2, .cursor = cursor});
    count += page.items.size();
    cursor = page.cursor;
  } while (cursor);
  EXPECT_GE(count, 3U);
}

TEST(DynamoDb, BatchWriteAndGetBeyondOneBatch) {
  const Table<Record> records("records");
  std::vector<Record> many;
  std::vector<Key> keys;
  for (int sk = 0; sk < 30; ++sk) {
    many.push_back(sample("batch", sk));
    keys.push_back({{"pk", "batch"}, {"sk", sk}});
  }
  records.batch_write(many);
  EXPECT_EQ(records.batch_get(keys, true).size(), 30U);
  records.batch_write({}, std::vector<Key>(keys.begin(), keys.begin() + 10));
  EXPECT_EQ(records.batch_get(keys, true).size(), 20U);
}

// Transactions: dynalite 4.0.0 has no TransactWriteItems (UnknownOperationException), so
// they are tested against a scripted server in fault_test.cpp.

TEST(DynamoDb, AServiceErrorCarriesCodeMessageAndRequestId) {
  ::setenv("TABLE_MISSING", "no-such-table", 1);
  const Table<Record> missing("missing");
  try {
    (void)missing.get({{"pk", "x"}, {"sk", 1}});
    FAIL() << "a missing table should be an error";
  } catch (const ServiceError& error) {
    EXPECT_EQ(error.code(), "ResourceNotFoundException");
    EXPECT_FALSE(error.message().empty());
    EXPECT_FALSE(error.request_id().empty());
    EXPECT_NE(std::string(error.what()).find(error.request_id()), std::string::npos);
  }
}

TEST(DynamoDb, AnUndeclaredTableNamesItsVariable) {
  const Table<Record> undeclared("never-declared");
  try {
    (void)undeclared.get({{"pk", "x"}, {"sk", 1}});
    FAIL();
  } catch (const ConfigurationError& error) {
    EXPECT_NE(std::string(error.what()).find("TABLE_NEVER_DECLARED"), std::string::npos);
  }
}

}  // namespace

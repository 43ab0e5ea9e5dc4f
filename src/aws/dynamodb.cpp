// DynamoDB over the JSON 1.0 protocol (DynamoDB API reference: "Low-level API").
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cppstack/aws/dynamodb.hpp>
#include <cppstack/aws/environment.hpp>
#include <cppstack/http/errors.hpp>

#include <thread>

#include "crypto.hpp"

namespace cppstack::aws {

namespace {

/// "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException" -> the part after '#'.
std::string short_code(std::string_view type) {
  const std::size_t hash = type.rfind('#');
  return std::string(hash == std::string_view::npos ? type : type.substr(hash + 1));
}

void read_dynamodb_error(const HttpResponse& response, ServiceError::Details& details) {
  boost::system::error_code error;
  const boost::json::value body = boost::json::parse(response.body, error);
  const boost::json::object* object = error ? nullptr : body.if_object();
  if (object != nullptr) {
    if (const auto* type = object->if_contains("__type"); type != nullptr && type->is_string())
      details.code = short_code(type->get_string());
    for (const char* key : {"message", "Message"})
      if (const auto* message = object->if_contains(key);
          message != nullptr && message->is_string())
        details.message = std::string(message->get_string());
  }
  if (details.code.empty()) details.code = "HTTP" + std::to_string(response.status);
}

void raise_dynamodb_error(ServiceError::Details details, const HttpResponse& response) {
  if (details.code == "ConditionalCheckFailedException") throw ConditionFailed(std::move(details));
  if (details.code == "TransactionCanceledException") {
    std::vector<std::string> reasons;
    boost::system::error_code error;
    const boost::json::value body = boost::json::parse(response.body, error);
    if (!error && body.is_object()) {
      if (const auto* list = body.as_object().if_contains("CancellationReasons");
          list != nullptr && list->is_array()) {
        for (const auto& reason : list->as_array()) {
          const auto* code = reason.is_object() ? reason.as_object().if_contains("Code") : nullptr;
          reasons.emplace_back(
              code != nullptr && code->is_string() ? std::string(code->get_string()) : "None");
        }
      }
    }
    throw TransactionCanceled(std::move(details), std::move(reasons));
  }
  throw ServiceError(std::move(details));
}

constexpr ServiceProtocol kDynamoDbProtocol{.service = "dynamodb",
                                            .s3_rules = false,
                                            .read_error = read_dynamodb_error,
                                            .raise = raise_dynamodb_error};

std::string base64url(std::string_view bytes) {
  std::string text = events::base64_encode(bytes);
  while (!text.empty() && text.back() == '=') text.pop_back();
  for (char& c : text) c = c == '+' ? '-' : c == '/' ? '_' : c;
  return text;
}

std::optional<std::string> from_base64url(std::string_view text) {
  std::string standard(text);
  for (char& c : standard) {
    if (c == '-')
      c = '+';
    else if (c == '_')
      c = '/';
    else if (c == '+' || c == '/' || c == '=')
      return std::nullopt;
  }
  while (standard.size() % 4 != 0) standard += '=';
  return events::base64_decode(standard);
}

[[noreturn]] void invalid_cursor() {
  throw http::BadRequest("cursor is not one this API handed out", "cursor");
}

std::string cursor_check(std::string_view payload, std::string_view fingerprint) {
  return detail::hex(detail::sha256(std::string(payload) + "\n" + std::string(fingerprint)))
      .substr(0, 32);
}

/// LastEvaluatedKey as an opaque text: base64url(JSON).check, the check binding it to the
/// table and the query it came from.
std::string encode_cursor(const boost::json::object& last_key, std::string_view fingerprint) {
  const std::string payload = boost::json::serialize(last_key);
  return base64url(payload) + "." + cursor_check(payload, fingerprint);
}

bool is_key_attribute(const boost::json::value& value) {
  const boost::json::object* object = value.if_object();
  if (object == nullptr || object->size() != 1) return false;
  const auto& entry = *object->begin();
  return (entry.key() == "S" || entry.key() == "N" || entry.key() == "B") &&
         entry.value().is_string();
}

boost::json::object decode_cursor(std::string_view cursor, std::string_view fingerprint) {
  if (cursor.size() > 4096) invalid_cursor();
  const std::size_t dot = cursor.rfind('.');
  if (dot == std::string_view::npos) invalid_cursor();
  const auto payload = from_base64url(cursor.substr(0, dot));
  if (!payload || cursor_check(*payload, fingerprint) != cursor.substr(dot + 1)) invalid_cursor();
  boost::system::error_code error;
  boost::json::value key = boost::json::parse(*payload, error);
  if (error || !key.is_object() || key.as_object().empty() || key.as_object().size() > 4)
    invalid_cursor();
  for (const auto& entry : key.as_object())
    if (!is_key_attribute(entry.value())) invalid_cursor();
  return std::move(key.as_object());
}

void add_expression(boost::json::object& request, const char* field, const Expression& expression) {
  if (expression.empty()) return;
  request[field] = expression.text();
  if (!expression.names().empty()) {
    auto& names = request["ExpressionAttributeNames"];
    if (!names.is_object()) names = boost::json::object();
    for (const auto& entry : expression.names()) names.as_object()[entry.key()] = entry.value();
  }
  if (!expression.values().empty()) {
    auto& values = request["ExpressionAttributeValues"];
    if (!values.is_object()) values = boost::json::object();
    for (const auto& entry : expression.values()) values.as_object()[entry.key()] = entry.value();
  }
}

std::string fingerprint_of(std::string_view table, const std::optional<std::string>& index,
                           const Expression& first, const Expression& second) {
  std::string out(table);
  out += '\n';
  out += index.value_or("");
  for (const Expression* expression : {&first, &second}) {
    out += '\n';
    out += expression->text();
    out += boost::json::serialize(expression->names());
    out += boost::json::serialize(expression->values());
  }
  return out;
}

std::optional<boost::json::object> attributes_of(const boost::json::object& answer,
                                                 const char* field) {
  const auto* found = answer.if_contains(field);
  if (found == nullptr || !found->is_object()) return std::nullopt;
  return found->as_object();
}

/// The same, taken out of an answer that is not used further: moved, not copied.
std::optional<boost::json::object> attributes_of(boost::json::object&& answer, const char* field) {
  auto* found = answer.if_contains(field);
  if (found == nullptr || !found->is_object()) return std::nullopt;
  return std::move(found->as_object());
}

std::pair<std::vector<boost::json::object>, std::optional<std::string>> page_of(
    const boost::json::object& answer, std::string_view fingerprint) {
  std::vector<boost::json::object> items;
  if (const auto* list = answer.if_contains("Items"); list != nullptr && list->is_array())
    for (const auto& item : list->as_array())
      if (item.is_object()) items.push_back(item.as_object());
  std::optional<std::string> cursor;
  if (const auto last = attributes_of(answer, "LastEvaluatedKey"); last && !last->empty())
    cursor = encode_cursor(*last, fingerprint);
  return {std::move(items), std::move(cursor)};
}

/// Waits before re-sending unprocessed items: exponential, jittered, within 2 s in all.
void backoff_for_unprocessed(int round) {
  const auto wait = std::chrono::milliseconds(std::min(50 << round, 1000));
  std::this_thread::sleep_for(wait);
}

constexpr int kMaxUnprocessedRounds = 6;

}  // namespace

const ServiceProtocol& dynamodb_protocol() { return kDynamoDbProtocol; }

DynamoDb::DynamoDb(ClientOptions options) : client_(kDynamoDbProtocol, options) {}

boost::json::object DynamoDb::call(std::string_view operation, const boost::json::object& request,
                                   bool idempotent) const {
  HttpRequest http_request{
      .headers = {{"content-type", "application/x-amz-json-1.0"},
                  {"x-amz-target", "DynamoDB_20120810." + std::string(operation)}},
      .body = boost::json::serialize(request),
      .idempotent = idempotent};
  const HttpResponse response = client_.call(operation, http_request);
  boost::system::error_code error;
  boost::json::value answer = boost::json::parse(response.body, error);
  if (error || !answer.is_object())
    throw NetworkError("dynamodb " + std::string(operation) + ": the answer is not a JSON object");
  return std::move(answer.as_object());
}

const DynamoDb& dynamodb() {
  static const DynamoDb client;
  return client;
}

namespace detail {

TableCore::TableCore(std::string logical_name, const DynamoDb* client)
    : logical_name_(std::move(logical_name)), client_(client) {
  (void)resource_variable("TABLE", logical_name_);  // a bad name fails where it is written
}

const std::string& TableCore::name() const {
  if (name_.empty()) name_ = table_name(logical_name_);
  return name_;
}

const DynamoDb& TableCore::client() const { return client_ != nullptr ? *client_ : dynamodb(); }

std::optional<boost::json::object> TableCore::get(const Key& key, bool consistent) const {
  boost::json::object request{{"TableName", name()}, {"Key", key.attributes()}};
  if (consistent) request["ConsistentRead"] = true;
  return attributes_of(client().call("GetItem", request), "Item");
}

void TableCore::put(boost::json::object item, const Expression& condition) const {
  boost::json::object request{{"TableName", name()}, {"Item", std::move(item)}};
  add_expression(request, "ConditionExpression", condition);
  (void)client().call("PutItem", request);
}

std::optional<boost::json::object> TableCore::update(const Key& key, const Expression& update,
                                                     const Expression& condition) const {
  boost::json::object request{
      {"TableName", name()}, {"Key", key.attributes()}, {"ReturnValues", "ALL_NEW"}};
  add_expression(request, "UpdateExpression", update);
  add_expression(request, "ConditionExpression", condition);
  // ADD and arithmetic SETs are not idempotent: never re-sent once they may have arrived.
  return attributes_of(client().call("UpdateItem", request, false), "Attributes");
}

std::optional<boost::json::object> TableCore::remove(const Key& key,
                                                     const Expression& condition) const {
  boost::json::object request{
      {"TableName", name()}, {"Key", key.attributes()}, {"ReturnValues", "ALL_OLD"}};
  add_expression(request, "ConditionExpression", condition);
  return attributes_of(client().call("DeleteItem", request), "Attributes");
}

std::pair<std::vector<boost::json::object>, std::optional<std::string>> TableCore::query(
    const QueryRequest& query) const {
  if (query.limit < 1) throw std::invalid_argument("a query's limit is at least 1");
  const std::string fingerprint =
      "Query\n" + fingerprint_of(name(), query.index, query.key_condition, query.filter);
  boost::json::object request{{"TableName", name()}, {"Limit", query.limit}};
  if (query.index) request["IndexName"] = *query.index;
  if (!query.forward) request["ScanIndexForward"] = false;
  if (query.consistent) request["ConsistentRead"] = true;
  add_expression(request, "KeyConditionExpression", query.key_condition);
  add_expression(request, "FilterExpression", query.filter);
  if (query.cursor) request["ExclusiveStartKey"] = decode_cursor(*query.cursor, fingerprint);
  return page_of(client().call("Query", request), fingerprint);
}

std::pair<std::vector<boost::json::object>, std::optional<std::string>> TableCore::scan(
    const ScanRequest& scan) const {
  if (scan.limit < 1) throw std::invalid_argument("a scan's limit is at least 1");
  const std::string fingerprint = "Scan\n" + fingerprint_of(name(), scan.index, scan.filter, {});
  boost::json::object request{{"TableName", name()}, {"Limit", scan.limit}};
  if (scan.index) request["IndexName"] = *scan.index;
  if (scan.consistent) request["ConsistentRead"] = true;
  add_expression(request, "FilterExpression", scan.filter);
  if (scan.cursor) request["ExclusiveStartKey"] = decode_cursor(*scan.cursor, fingerprint);
  return page_of(client().call("Scan", request), fingerprint);
}

std::vector<boost::json::object> TableCore::batch_get(const std::vector<Key>& keys,
                                                      bool consistent) const {
  std::vector<boost::json::object> items;
  constexpr std::size_t kBatch = 100;  // BatchGetItem's limit
  for (std::size_t start = 0; start < keys.size(); start += kBatch) {
    boost::json::array batch;
    for (std::size_t i = start; i < std::min(keys.size(), start + kBatch); ++i)
      batch.push_back(keys[i].attributes());
    for (int round = 0; !batch.empty(); ++round) {
      if (round > 0) backoff_for_unprocessed(round);
      if (round > kMaxUnprocessedRounds)
        throw ServiceError({.service = "dynamodb",
                            .operation = "BatchGetItem",
                            .code = "UnprocessedKeys",
                            .message = std::to_string(batch.size()) + " keys stayed unprocessed"});
      boost::json::object table_request{{"Keys", batch}};
      if (consistent) table_request["ConsistentRead"] = true;
      const boost::json::object answer = client().call(
          "BatchGetItem", {{"RequestItems", boost::json::object{{name(), table_request}}}});
      if (const auto responses = attributes_of(answer, "Responses"))
        if (const auto* list = responses->if_contains(name()); list != nullptr && list->is_array())
          for (const auto& item : list->as_array())
            if (item.is_object()) items.push_back(item.as_object());
      batch.clear();
      if (const auto unprocessed = attributes_of(answer, "UnprocessedKeys"))
        if (const auto* mine = unprocessed->if_contains(name());
            mine != nullptr && mine->is_object())
          if (const auto* left = mine->as_object().if_contains("Keys");
              left != nullptr && left->is_array())
            batch = left->as_array();
    }
  }
  return items;
}

void TableCore::batch_write(std::vector<boost::json::object> puts,
                            const std::vector<Key>& deletes) const {
  boost::json::array writes;
  for (auto& item : puts)
    writes.push_back(
        boost::json::object{{"PutRequest", boost::json::object{{"Item", std::move(item)}}}});
  for (const Key& key : deletes)
    writes.push_back(
        boost::json::object{{"DeleteRequest", boost::json::object{{"Key", key.attributes()}}}});
  constexpr std::size_t kBatch = 25;  // BatchWriteItem's limit
  for (std::size_t start = 0; start < writes.size(); start += kBatch) {
    boost::json::array batch(
        writes.begin() + static_cast<std::ptrdiff_t>(start),
        writes.begin() + static_cast<std::ptrdiff_t>(std::min(writes.size(), start + kBatch)));
    for (int round = 0; !batch.empty(); ++round) {
      if (round > 0) backoff_for_unprocessed(round);
      if (round > kMaxUnprocessedRounds)
        throw ServiceError(
            {.service = "dynamodb",
             .operation = "BatchWriteItem",
             .code = "UnprocessedItems",
             .message = std::to_string(batch.size()) + " writes stayed unprocessed"});
      const boost::json::object answer =
          client().call("BatchWriteItem", {{"RequestItems", boost::json::object{{name(), batch}}}});
      batch.clear();
      if (const auto unprocessed = attributes_of(answer, "UnprocessedItems"))
        if (const auto* mine = unprocessed->if_contains(name());
            mine != nullptr && mine->is_array())
          batch = mine->as_array();
    }
  }
}

}  // namespace detail

namespace {
boost::json::object transaction_entry(const std::string& table, const Expression& condition) {
  boost::json::object entry{{"TableName", table}};
  add_expression(entry, "ConditionExpression", condition);
  return entry;
}
}  // namespace

Transaction& Transaction::put_item(const std::string& table, boost::json::object item,
                                   const Expression& condition) {
  boost::json::object entry = transaction_entry(table, condition);
  entry["Item"] = std::move(item);
  items_.push_back(boost::json::object{{"Put", std::move(entry)}});
  return *this;
}

Transaction& Transaction::update(const std::string& table, const Key& key, const Expression& update,
                                 const Expression& condition) {
  boost::json::object entry = transaction_entry(table, condition);
  entry["Key"] = key.attributes();
  add_expression(entry, "UpdateExpression", update);
  items_.push_back(boost::json::object{{"Update", std::move(entry)}});
  return *this;
}

Transaction& Transaction::remove(const std::string& table, const Key& key,
                                 const Expression& condition) {
  boost::json::object entry = transaction_entry(table, condition);
  entry["Key"] = key.attributes();
  items_.push_back(boost::json::object{{"Delete", std::move(entry)}});
  return *this;
}

Transaction& Transaction::check(const std::string& table, const Key& key,
                                const Expression& condition) {
  boost::json::object entry = transaction_entry(table, condition);
  entry["Key"] = key.attributes();
  items_.push_back(boost::json::object{{"ConditionCheck", std::move(entry)}});
  return *this;
}

void Transaction::commit() {
  const DynamoDb& client = client_ != nullptr ? *client_ : dynamodb();
  // A client token makes a repeated TransactWriteItems idempotent for 10 minutes.
  const std::string token =
      detail::hex(detail::sha256(
                      boost::json::serialize(items_) +
                      std::to_string(std::chrono::steady_clock::now().time_since_epoch().count())))
          .substr(0, 36);
  (void)client.call("TransactWriteItems",
                    {{"TransactItems", items_}, {"ClientRequestToken", token}});
}

}  // namespace cppstack::aws

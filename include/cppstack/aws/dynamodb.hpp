#pragma once
// DynamoDB, typed: a Table<T> stores described structs as items (attribute_value.hpp).
// Expressions take their values and names through placeholders (:v, #n), so no value is ever
// spliced into an expression; a failed condition is ConditionFailed; query and scan pages
// end with an opaque cursor to hand to clients, checked when it comes back.
//
//   struct Note { std::string id; std::string title; };
//   BOOST_DESCRIBE_STRUCT(Note, (), (id, title))
//   cppstack::aws::Table<Note> notes("notes");                    // table from $TABLE_NOTES
//   notes.put(note, Expression("attribute_not_exists(id)"));       // ConditionFailed if present
//   std::optional<Note> found = notes.get({{"id", id}});
//   notes.update({{"id", id}}, Expression("SET #t = :t").name("#t", "title").value(":t", title));
//   auto page = notes.scan({.limit = 20, .cursor = request.query("cursor")});

#include <boost/json/object.hpp>
#include <cppstack/aws/attribute_value.hpp>
#include <cppstack/aws/service_client.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cppstack::aws {

/// The DynamoDB protocol (JSON 1.0, X-Amz-Target DynamoDB_20120810.<Operation>).
[[nodiscard]] const ServiceProtocol& dynamodb_protocol();

/// One attribute of a key: its name and its value as an attribute value.
struct KeyPart {
  template <class T>
  KeyPart(std::string_view attribute_name, const T& value)
      : name(attribute_name), attribute(to_attribute(value)) {}
  std::string_view name;
  boost::json::value attribute;
};

/// A key: attribute name -> value, e.g. {{"id", "n-1"}} or {{"pk", user}, {"sk", 42}}.
class Key {
 public:
  Key() = default;
  Key(std::initializer_list<KeyPart> parts) {
    for (const KeyPart& part : parts) attributes_[part.name] = part.attribute;
  }
  /// A key read back from an item (e.g. DynamoDB's UnprocessedKeys).
  explicit Key(boost::json::object attributes) : attributes_(std::move(attributes)) {}
  [[nodiscard]] const boost::json::object& attributes() const noexcept { return attributes_; }

 private:
  boost::json::object attributes_;
};

/// A value of a key or an expression placeholder, as its attribute value.
template <class T>
[[nodiscard]] boost::json::value attr(const T& value) {
  return to_attribute(value);
}

/// A condition, update, key condition, filter or projection expression with its placeholders.
class Expression {
 public:
  Expression() = default;
  explicit Expression(std::string text) : text_(std::move(text)) {}

  /// #placeholder -> attribute name (for reserved words and names with dots).
  Expression& name(std::string_view placeholder, std::string_view attribute) & {
    names_[placeholder] = attribute;
    return *this;
  }
  Expression&& name(std::string_view placeholder, std::string_view attribute) && {
    return std::move(name(placeholder, attribute));
  }
  /// :placeholder -> value.
  template <class T>
  Expression& value(std::string_view placeholder, const T& value) & {
    values_[placeholder] = to_attribute(value);
    return *this;
  }
  template <class T>
  Expression&& value(std::string_view placeholder, const T& value) && {
    return std::move(this->value(placeholder, value));
  }

  [[nodiscard]] bool empty() const noexcept { return text_.empty(); }
  [[nodiscard]] const std::string& text() const noexcept { return text_; }
  [[nodiscard]] const boost::json::object& names() const noexcept { return names_; }
  [[nodiscard]] const boost::json::object& values() const noexcept { return values_; }

 private:
  std::string text_;
  boost::json::object names_;
  boost::json::object values_;
};

struct QueryRequest {
  Expression key_condition;  ///< e.g. "pk = :pk AND begins_with(sk, :prefix)"
  Expression filter{};
  std::optional<std::string> index{};
  int limit = 100;
  bool forward = true;
  bool consistent = false;
  std::optional<std::string_view> cursor{};  ///< from the previous page
};

struct ScanRequest {
  Expression filter{};
  std::optional<std::string> index{};
  int limit = 100;
  bool consistent = false;
  std::optional<std::string_view> cursor{};
};

template <class T>
struct ItemPage {
  std::vector<T> items;
  std::optional<std::string> cursor;  ///< std::nullopt on the last page
};

/// The low-level DynamoDB client: one JSON request per operation, the answer's JSON.
class DynamoDb {
 public:
  explicit DynamoDb(ClientOptions options = {});
  boost::json::object call(std::string_view operation, const boost::json::object& request,
                           bool idempotent = true) const;
  [[nodiscard]] const ServiceClient& client() const noexcept { return client_; }

 private:
  ServiceClient client_;
};

/// The process's shared DynamoDB client (its connections live across invocations).
[[nodiscard]] const DynamoDb& dynamodb();

namespace detail {

/// The untyped table operations Table<T> is built on.
class TableCore {
 public:
  explicit TableCore(std::string logical_name, const DynamoDb* client = nullptr);
  [[nodiscard]] const std::string& name() const;

  std::optional<boost::json::object> get(const Key& key, bool consistent) const;
  void put(boost::json::object item, const Expression& condition) const;
  std::optional<boost::json::object> update(const Key& key, const Expression& update,
                                            const Expression& condition) const;
  std::optional<boost::json::object> remove(const Key& key, const Expression& condition) const;
  std::pair<std::vector<boost::json::object>, std::optional<std::string>> query(
      const QueryRequest& request) const;
  std::pair<std::vector<boost::json::object>, std::optional<std::string>> scan(
      const ScanRequest& request) const;
  std::vector<boost::json::object> batch_get(const std::vector<Key>& keys, bool consistent) const;
  void batch_write(std::vector<boost::json::object> puts, const std::vector<Key>& deletes) const;

 private:
  const DynamoDb& client() const;
  std::string logical_name_;
  const DynamoDb* client_;
  mutable std::string name_;
};

}  // namespace detail

template <class T>
class Table {
 public:
  /// The table declared as `logical_name`; its name is read from TABLE_<NAME> on first use.
  explicit Table(std::string logical_name, const DynamoDb* client = nullptr)
      : core_(std::move(logical_name), client) {}

  [[nodiscard]] std::optional<T> get(const Key& key, bool consistent = false) const {
    auto item = core_.get(key, consistent);
    if (!item) return std::nullopt;
    return from_item<T>(*item);
  }
  /// Writes the item whole; with a condition, throws ConditionFailed when it does not hold.
  void put(const T& item, const Expression& condition = {}) const {
    core_.put(to_item(item), condition);
  }
  /// Applies an update expression and returns the item as it is after it (std::nullopt never
  /// happens for SET; an update creates the item when absent unless a condition prevents it).
  std::optional<T> update(const Key& key, const Expression& update,
                          const Expression& condition = {}) const {
    auto item = core_.update(key, update, condition);
    if (!item) return std::nullopt;
    return from_item<T>(*item);
  }
  /// Deletes and returns the item that was there (std::nullopt when none).
  std::optional<T> remove(const Key& key, const Expression& condition = {}) const {
    auto item = core_.remove(key, condition);
    if (!item) return std::nullopt;
    return from_item<T>(*item);
  }
  [[nodiscard]] ItemPage<T> query(const QueryRequest& request) const {
    return typed_page(core_.query(request));
  }
  [[nodiscard]] ItemPage<T> scan(const ScanRequest& request = {}) const {
    return typed_page(core_.scan(request));
  }
  /// The items of `keys` that exist (any order), unprocessed keys retried.
  [[nodiscard]] std::vector<T> batch_get(const std::vector<Key>& keys,
                                         bool consistent = false) const {
    std::vector<T> out;
    for (const auto& item : core_.batch_get(keys, consistent)) out.push_back(from_item<T>(item));
    return out;
  }
  /// Puts and deletes in batches of 25, unprocessed items retried.
  void batch_write(const std::vector<T>& puts, const std::vector<Key>& deletes = {}) const {
    std::vector<boost::json::object> items;
    items.reserve(puts.size());
    for (const T& item : puts) items.push_back(to_item(item));
    core_.batch_write(std::move(items), deletes);
  }
  [[nodiscard]] const std::string& name() const { return core_.name(); }

 private:
  static ItemPage<T> typed_page(
      std::pair<std::vector<boost::json::object>, std::optional<std::string>>&& page) {
    ItemPage<T> out;
    out.items.reserve(page.first.size());
    for (const auto& item : page.first) out.items.push_back(from_item<T>(item));
    out.cursor = std::move(page.second);
    return out;
  }
  detail::TableCore core_;
};

/// One write of a transaction (TransactWriteItems): build with Transaction's methods.
class Transaction {
 public:
  explicit Transaction(const DynamoDb* client = nullptr) : client_(client) {}
  template <class T>
  Transaction& put(const Table<T>& table, const T& item, const Expression& condition = {}) {
    return put_item(table.name(), to_item(item), condition);
  }
  Transaction& put_item(const std::string& table, boost::json::object item,
                        const Expression& condition);
  Transaction& update(const std::string& table, const Key& key, const Expression& update,
                      const Expression& condition = {});
  Transaction& remove(const std::string& table, const Key& key, const Expression& condition = {});
  Transaction& check(const std::string& table, const Key& key, const Expression& condition);
  /// Applies every write or none; throws TransactionCanceled with one reason per write.
  void commit();

 private:
  const DynamoDb* client_;
  boost::json::array items_;
};

}  // namespace cppstack::aws

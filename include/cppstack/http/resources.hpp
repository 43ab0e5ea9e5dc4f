#pragma once
// The DynamoDB tables and S3 buckets a function uses, declared beside its routes by a logical
// name. The build exports them with the route table (routes.json, docs/route-table.md); the
// CDK app creates them with least-privilege grants for the function, and `make run` creates
// them on local servers. The function finds a resource's physical name in its environment:
// TABLE_<NAME> for a table, BUCKET_<NAME> for a bucket (docs/aws-services.md).
//
//   Routes routes;
//   routes.table("notes", {.partition_key = {"id", KeyType::string}});          // TABLE_NOTES
//   routes.table("events", {.partition_key = {"stream", KeyType::string},
//                           .sort_key = {"at", KeyType::number},
//                           .global_indexes = {{.name = "by-kind",
//                                               .partition_key = {"kind", KeyType::string}}},
//                           .time_to_live = "expires_at"});
//   routes.bucket("note-attachments");                                   // BUCKET_NOTE_ATTACHMENTS
//
// Names are checked when the program compiles (a bad one is a compile error naming the rule);
// what needs the whole declaration (a key attribute declared with two types, an index name used
// twice, a local index on a table without a sort key) is refused when it is declared, which
// fails the build's route export with a message naming the table.

#include <cppstack/http/authorizer.hpp>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace cppstack::http {

/// The longest logical name: a bucket's local physical name adds "local-" and must stay within
/// S3's 63 characters.
inline constexpr std::size_t max_resource_name_length = 48;

/// Whether `name` is a logical resource name: 3 to 48 of lowercase letters, digits and
/// hyphens, starting with a letter and ending with a letter or a digit.
[[nodiscard]] constexpr bool is_resource_name(std::string_view name) noexcept {
  if (name.size() < 3 || name.size() > max_resource_name_length) return false;
  if (name.front() < 'a' || name.front() > 'z' || name.back() == '-') return false;
  for (const char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

/// Whether `name` can name a key attribute: DynamoDB allows 1 to 255 bytes for the names of
/// key attributes. Printable ASCII only here, so the name reads the same in every tool.
[[nodiscard]] constexpr bool is_key_attribute_name(std::string_view name) noexcept {
  if (name.empty() || name.size() > 255) return false;
  for (const char c : name) {
    if (c < '!' || c > '~') return false;
  }
  return true;
}

/// Whether `name` can name a secondary index: DynamoDB's 3 to 255 of a-z A-Z 0-9 _ . -
[[nodiscard]] constexpr bool is_index_name(std::string_view name) noexcept {
  if (name.size() < 3 || name.size() > 255) return false;
  for (const char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '.' || c == '-')) {
      return false;
    }
  }
  return true;
}

namespace resource_rules {
// Called only when a literal breaks a rule: being non-constexpr, each turns the mistake into a
// compile error whose text names the rule.
void resource_name_must_be_3_to_48_lowercase_letters_digits_hyphens_starting_with_a_letter();
void key_attribute_name_must_be_1_to_255_printable_ascii_characters();
void index_name_must_be_3_to_255_letters_digits_underscores_dots_hyphens();
}  // namespace resource_rules

/// The logical name of a table or bucket (`notes`, `note-attachments`), checked at compile time.
class ResourceName {
 public:
  // NOLINTNEXTLINE(google-explicit-constructor): a string literal is the natural spelling.
  consteval ResourceName(const char* text) : text_(text) {
    if (!is_resource_name(text_)) {
      resource_rules::
          resource_name_must_be_3_to_48_lowercase_letters_digits_hyphens_starting_with_a_letter();
    }
  }
  [[nodiscard]] constexpr std::string_view text() const noexcept { return text_; }

 private:
  std::string_view text_;
};

/// The name of a key attribute (or of the time-to-live attribute), checked at compile time.
/// Default-constructed it is empty: no such attribute.
class AttributeName {
 public:
  constexpr AttributeName() = default;
  // NOLINTNEXTLINE(google-explicit-constructor): a string literal is the natural spelling.
  consteval AttributeName(const char* text) : text_(text) {
    if (!is_key_attribute_name(text_)) {
      resource_rules::key_attribute_name_must_be_1_to_255_printable_ascii_characters();
    }
  }
  [[nodiscard]] constexpr std::string_view text() const noexcept { return text_; }
  [[nodiscard]] constexpr bool empty() const noexcept { return text_.empty(); }

 private:
  std::string_view text_;
};

/// The name of a secondary index, checked at compile time.
class IndexName {
 public:
  // NOLINTNEXTLINE(google-explicit-constructor): a string literal is the natural spelling.
  consteval IndexName(const char* text) : text_(text) {
    if (!is_index_name(text_)) {
      resource_rules::index_name_must_be_3_to_255_letters_digits_underscores_dots_hyphens();
    }
  }
  [[nodiscard]] constexpr std::string_view text() const noexcept { return text_; }

 private:
  std::string_view text_;
};

/// The scalar types DynamoDB allows for a key attribute: S, N and B.
enum class KeyType { string, number, binary };

/// One key attribute: its name and type. A default-constructed one (empty name) is "none".
struct KeyAttribute {
  AttributeName name{};
  KeyType type = KeyType::string;
};

/// Which attributes an index copies: all of them, or only the table's and the index's keys.
enum class Projection { all, keys_only };

/// A global secondary index: its own partition key and optional sort key.
struct GlobalIndex {
  IndexName name;
  KeyAttribute partition_key;
  KeyAttribute sort_key{};
  Projection projection = Projection::all;
};

/// A local secondary index: the table's partition key with another sort key (only on a table
/// with a sort key; created with the table, never added later).
struct LocalIndex {
  IndexName name;
  KeyAttribute sort_key;
  Projection projection = Projection::all;
};

/// A table's key schema, indexes and time-to-live attribute, as designated initializers.
struct TableOptions {
  KeyAttribute partition_key;
  KeyAttribute sort_key{};
  std::vector<GlobalIndex> global_indexes{};
  std::vector<LocalIndex> local_indexes{};
  /// A Number attribute holding an epoch time in seconds after which DynamoDB deletes the item.
  AttributeName time_to_live{};
};

/// DynamoDB's default quotas: 20 global and 5 local secondary indexes per table.
inline constexpr std::size_t max_global_indexes = 20;
inline constexpr std::size_t max_local_indexes = 5;

struct TableDeclaration {
  std::string name;  ///< the logical name
  TableOptions options;
};

struct BucketDeclaration {
  std::string name;  ///< the logical name
};

/// Every table, bucket and Lambda authorizer a function declares, in declaration order.
struct Resources {
  std::vector<TableDeclaration> tables{};
  std::vector<BucketDeclaration> buckets{};
  std::vector<AuthorizerDeclaration> authorizers{};  ///< authorizer.hpp
  [[nodiscard]] bool empty() const noexcept { return tables.empty() && buckets.empty(); }
};

/// Refuses a table DynamoDB would refuse to create: a key attribute declared with two types,
/// an index name used twice, a local index on a table without a sort key, more indexes than the
/// quotas, a time-to-live attribute that is a key of another type than Number. Throws
/// std::invalid_argument naming the table.
void check_table(const TableDeclaration& table);

/// The environment variable holding a resource's physical name: `TABLE_` or `BUCKET_` and the
/// logical name upper-cased with '-' turned into '_' (`note-attachments` gives
/// BUCKET_NOTE_ATTACHMENTS).
[[nodiscard]] std::string table_variable(std::string_view logical_name);
[[nodiscard]] std::string bucket_variable(std::string_view logical_name);

/// DynamoDB's spelling of a key type: "S", "N" or "B".
[[nodiscard]] std::string_view to_string(KeyType type) noexcept;
/// DynamoDB's spelling of a projection: "ALL" or "KEYS_ONLY".
[[nodiscard]] std::string_view to_string(Projection projection) noexcept;

/// The declarations of the last Routes released on this thread, handed over once: the
/// Application takes them right after application_routes() returns (routes.hpp, release()).
[[nodiscard]] Resources take_released_resources();
/// Hands `resources` over for take_released_resources() (called by Routes::release()).
void hand_over_resources(Resources resources);

}  // namespace cppstack::http

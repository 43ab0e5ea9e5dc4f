#include <cppstack/http/resources.hpp>

#include <map>
#include <set>
#include <stdexcept>
#include <utility>

namespace cppstack::http {
namespace {

std::string variable_for(std::string_view prefix, std::string_view logical_name) {
  std::string variable(prefix);
  for (const char character : logical_name) {
    if (character == '-') {
      variable += '_';
    } else if (character >= 'a' && character <= 'z') {
      variable += static_cast<char>(character - 'a' + 'A');
    } else {
      variable += character;
    }
  }
  return variable;
}

// DynamoDB's AttributeDefinitions hold one type per attribute name, shared by the table's key
// and every index: the same name declared with two types cannot be created.
class AttributeTypes {
 public:
  explicit AttributeTypes(const std::string& table) : table_(table) {}

  void add(const KeyAttribute& attribute, std::string_view where) {
    if (attribute.name.empty()) return;
    const std::string name(attribute.name.text());
    const auto [known, added] = types_.emplace(name, attribute.type);
    if (!added && known->second != attribute.type) {
      throw std::invalid_argument(
          "table " + table_ + ": attribute \"" + name + "\" is a key of " + std::string(where) +
          " as type " + std::string(to_string(attribute.type)) +
          " but was declared before as type " + std::string(to_string(known->second)) +
          " (DynamoDB keeps one type per attribute)");
    }
  }

  [[nodiscard]] const KeyType* find(std::string_view name) const {
    const auto found = types_.find(std::string(name));
    return found == types_.end() ? nullptr : &found->second;
  }

 private:
  const std::string& table_;
  std::map<std::string, KeyType> types_;
};

void check_index_count(const TableDeclaration& table) {
  const auto& options = table.options;
  if (options.global_indexes.size() > max_global_indexes) {
    throw std::invalid_argument(
        "table " + table.name + " has " + std::to_string(options.global_indexes.size()) +
        " global secondary indexes; DynamoDB allows " + std::to_string(max_global_indexes));
  }
  if (options.local_indexes.size() > max_local_indexes) {
    throw std::invalid_argument(
        "table " + table.name + " has " + std::to_string(options.local_indexes.size()) +
        " local secondary indexes; DynamoDB allows " + std::to_string(max_local_indexes));
  }
  if (!options.local_indexes.empty() && options.sort_key.name.empty()) {
    throw std::invalid_argument("table " + table.name +
                                ": a local secondary index needs a table with a sort key");
  }
}

void check_index_names(const TableDeclaration& table) {
  std::set<std::string_view> names;
  const auto add = [&](std::string_view name) {
    if (!names.insert(name).second) {
      throw std::invalid_argument("table " + table.name + ": the index name \"" +
                                  std::string(name) + "\" is used twice");
    }
  };
  for (const GlobalIndex& index : table.options.global_indexes) add(index.name.text());
  for (const LocalIndex& index : table.options.local_indexes) add(index.name.text());
}

void check_key_types(const TableDeclaration& table) {
  const auto& options = table.options;
  if (options.partition_key.name.empty()) {
    throw std::invalid_argument("table " + table.name + " needs a partition key");
  }
  AttributeTypes types(table.name);
  types.add(options.partition_key, "the table");
  types.add(options.sort_key, "the table");
  for (const GlobalIndex& index : options.global_indexes) {
    if (index.partition_key.name.empty()) {
      throw std::invalid_argument("table " + table.name + ": the global index " +
                                  std::string(index.name.text()) + " needs a partition key");
    }
    const std::string where = "the index " + std::string(index.name.text());
    types.add(index.partition_key, where);
    types.add(index.sort_key, where);
  }
  for (const LocalIndex& index : options.local_indexes) {
    if (index.sort_key.name.empty()) {
      throw std::invalid_argument("table " + table.name + ": the local index " +
                                  std::string(index.name.text()) + " needs a sort key");
    }
    types.add(index.sort_key, "the index " + std::string(index.name.text()));
  }
  if (options.time_to_live.empty()) return;
  // DynamoDB deletes an item when this attribute holds a Number of epoch seconds in the past;
  // a key of another type would never expire.
  const KeyType* key_type = types.find(options.time_to_live.text());
  if (key_type != nullptr && *key_type != KeyType::number) {
    throw std::invalid_argument("table " + table.name + ": the time-to-live attribute \"" +
                                std::string(options.time_to_live.text()) + "\" is a key of type " +
                                std::string(to_string(*key_type)) +
                                "; time to live reads a Number (epoch seconds)");
  }
}

thread_local Resources released_resources;

}  // namespace

void check_table(const TableDeclaration& table) {
  check_key_types(table);
  check_index_count(table);
  check_index_names(table);
}

std::string table_variable(std::string_view logical_name) {
  return variable_for("TABLE_", logical_name);
}

std::string bucket_variable(std::string_view logical_name) {
  return variable_for("BUCKET_", logical_name);
}

std::string_view to_string(KeyType type) noexcept {
  switch (type) {
    case KeyType::number:
      return "N";
    case KeyType::binary:
      return "B";
    case KeyType::string:
      break;
  }
  return "S";
}

std::string_view to_string(Projection projection) noexcept {
  return projection == Projection::keys_only ? "KEYS_ONLY" : "ALL";
}

Resources take_released_resources() { return std::exchange(released_resources, Resources{}); }

void hand_over_resources(Resources resources) { released_resources = std::move(resources); }

}  // namespace cppstack::http

#pragma once
// Typed JSON for request and response bodies: a struct described with Boost.Describe is read
// from JSON (a wrong or missing field is a BadRequest naming it), written to JSON, and
// described as a JSON Schema for the OpenAPI document and API Gateway's request validation.
//
//   struct NewNote { std::string title; std::optional<std::string> text; };
//   BOOST_DESCRIBE_STRUCT(NewNote, (), (title, text))
//
//   NewNote note = cppstack::http::from_json<NewNote>(boost::json::parse(body));
//   boost::json::value json = cppstack::http::to_json(note);
//   boost::json::object schema = cppstack::http::json_schema<NewNote>();
//
// Supported member types: bool, integers (range-checked), floating point, std::string,
// DateTime (RFC 3339 text), std::optional<T> (may be missing or null; omitted when empty),
// std::vector<T>, described enums (their enumerator names as strings), nested described
// structs, boost::json::value. Members are required unless std::optional; unknown members are
// ignored. Rules declared with CPPSTACK_RULES (rules.hpp) are checked when reading and appear
// in the schema. Every field of an aggregate must be listed in BOOST_DESCRIBE_STRUCT: one left
// out is a compile error naming it (it would silently vanish from the JSON).

#include <boost/describe/bases.hpp>
#include <boost/describe/class.hpp>
#include <boost/describe/enum.hpp>
#include <boost/describe/enum_from_string.hpp>
#include <boost/describe/enum_to_string.hpp>
#include <boost/describe/enumerators.hpp>
#include <boost/describe/members.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/mp11/algorithm.hpp>
#include <boost/pfr/core.hpp>
#include <charconv>
#include <cppstack/http/date_time.hpp>
#include <cppstack/http/errors.hpp>
#include <cppstack/http/rules.hpp>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_set>
#include <utility>
#include <vector>

namespace cppstack::http {

template <class T>
concept DescribedStruct = boost::describe::has_describe_members<T>::value && std::is_class_v<T>;
template <class T>
concept DescribedEnum = boost::describe::has_describe_enumerators<T>::value;

/// The named schemas of one OpenAPI document (its components/schemas): each described struct
/// is written there once, under its type's name, and referenced everywhere else.
class SchemaComponents {
 public:
  using Builder = boost::json::object (*)(SchemaComponents&);
  /// {"$ref": "#/components/schemas/<name>"} for the type `identity` stands for, building its
  /// schema with `build` the first time. Two types with one name get Name, Name2, ...
  [[nodiscard]] boost::json::object reference(std::string_view type_name, const void* identity,
                                              Builder build);
  /// Adds a schema under a fixed name (e.g. the shared Error).
  void add(std::string_view name, boost::json::object schema);
  [[nodiscard]] const boost::json::object& schemas() const noexcept { return schemas_; }

 private:
  boost::json::object schemas_;
  std::vector<std::pair<std::string, const void*>> names_;
};

namespace detail {

template <class T>
struct IsOptional : std::false_type {};
template <class T>
struct IsOptional<std::optional<T>> : std::true_type {};
template <class T>
struct IsVector : std::false_type {};
template <class T, class A>
struct IsVector<std::vector<T, A>> : std::true_type {};

template <class T>
inline constexpr bool is_integer_v = std::is_integral_v<T> && !std::is_same_v<T, bool>;

/// A described struct's public members, its described bases' first.
template <class T>
using public_members = boost::describe::describe_members<T, boost::describe::mod_public |
                                                                boost::describe::mod_inherited>;

/// A type's name as the compiler spells it in this function's signature; schema_name() makes
/// a component name of it.
template <class T>
constexpr std::string_view pretty_type_name() {
  return __PRETTY_FUNCTION__;
}
/// "ns::Bookmark" from pretty_type_name's text gives "Bookmark"; templates' arguments join with
/// '_' (a component name allows letters, digits, '.', '-' and '_').
[[nodiscard]] std::string schema_name(std::string_view pretty_function);

template <class T>
inline constexpr char type_identity = 0;

// ---- Every field of an aggregate described -------------------------------------------------

// Never defined: only addresses of its fields are taken, at compile time (as Boost.PFR's own
// field names do). Clang warns about the missing definition; nothing needs one.
#if defined(__clang__)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wundefined-var-template"
#endif
template <class T>
extern const T fake_object;

template <class T>
inline constexpr bool fields_countable =
    std::is_aggregate_v<T> && !std::is_polymorphic_v<T> &&
    boost::mp11::mp_empty<
        boost::describe::describe_bases<T, boost::describe::mod_any_access>>::value;

template <class T, std::size_t Index>
constexpr bool field_is_described() {
  bool described = false;
  boost::mp11::mp_for_each<public_members<T>>([&](auto member) {
    if (static_cast<const void*>(&(fake_object<T>.*member.pointer)) ==
        static_cast<const void*>(&boost::pfr::get<Index>(fake_object<T>))) {
      described = true;
    }
  });
  return described;
}

/// The index of the first field BOOST_DESCRIBE_STRUCT does not list; the field count when
/// every one is.
template <class T>
constexpr std::size_t first_undescribed_field() {
  constexpr std::size_t count = boost::pfr::tuple_size_v<T>;
  std::size_t missing = count;
  [&]<std::size_t... Index>(std::index_sequence<Index...>) {
    ((missing == count && !field_is_described<T, Index>() ? (missing = Index) : missing), ...);
  }
  (std::make_index_sequence<count>{});
  return missing;
}

template <auto>
inline constexpr bool always_false = false;

/// The compile error's subject names the field: `field_missing_from_BOOST_DESCRIBE_STRUCT<
/// (& fake_object<Bookmark>.Bookmark::tags)>`.
template <auto Field>
// NOLINTNEXTLINE(readability-identifier-naming): the compile error shows it; it names the macro.
struct field_missing_from_BOOST_DESCRIBE_STRUCT {
  static_assert(always_false<Field>,
                "this field of the struct is not listed in its BOOST_DESCRIBE_STRUCT: add it to "
                "the list, or it is left out of the JSON and the OpenAPI document");
  static constexpr bool value = false;
};

template <class T>
constexpr bool check_fields_described() {
  if constexpr (fields_countable<T>) {
    constexpr std::size_t missing = first_undescribed_field<T>();
    if constexpr (missing != boost::pfr::tuple_size_v<T>) {
      return field_missing_from_BOOST_DESCRIBE_STRUCT<&boost::pfr::get<missing>(
          fake_object<T>)>::value;
    }
  }
  return true;
}
#if defined(__clang__)
#pragma clang diagnostic pop
#endif

// ---- Reading --------------------------------------------------------------------------------

[[noreturn]] inline void field_error(const FieldPath& path, std::string_view expected) {
  std::string field = path.text();
  if (field.empty()) throw BadRequest("the request body must be " + std::string(expected));
  const std::string message = field + " must be " + std::string(expected);
  throw BadRequest(message, std::move(field));
}

/// The rules of `Owner`'s member `name`, or nullptr; checks once that every rule names a
/// described member.
template <class Owner>
const Rule* member_rule_of(std::string_view name) {
  const TypeRules* rules = rules_of<Owner>();
  if (rules == nullptr || find_rule(rules, name) == nullptr) {
    // A member inherited from a described base keeps the base's rules.
    const Rule* inherited = nullptr;
    boost::mp11::mp_for_each<boost::describe::describe_bases<Owner, boost::describe::mod_public>>(
        [&](auto base) {
          if (inherited == nullptr) inherited = member_rule_of<typename decltype(base)::type>(name);
        });
    if (inherited != nullptr || rules == nullptr) return inherited;
  }
  static const bool checked = [rules] {
    std::vector<std::string_view> described;
    boost::mp11::mp_for_each<public_members<Owner>>(
        [&](auto member) { described.emplace_back(member.name); });
    check_rules_name_described_members(*rules, described, schema_name(pretty_type_name<Owner>()));
    return true;
  }();
  (void)checked;
  return find_rule(rules, name);
}

template <class T>
void check_unique(const std::vector<T>& items, const FieldPath& path);

/// Checks a member's value against its declared rule.
template <class M>
void check_member(const Rule& rule, const M& value, const FieldPath& path) {
  if constexpr (IsOptional<M>::value) {
    if (value) check_member(rule, *value, path);
  } else if constexpr (IsVector<M>::value) {
    check_item_count(rule, value.size(), path);
    if (rule.unique_items) check_unique(value, path);
    for (std::size_t index = 0; index < value.size(); ++index) {
      check_member(rule, value[index], FieldPath{&path, {}, index, true});
    }
  } else if constexpr (std::is_same_v<M, std::string>) {
    check_text(rule, value, path);
  } else if constexpr (std::is_arithmetic_v<M> && !std::is_same_v<M, bool>) {
    check_number(rule, static_cast<double>(value), path);
  }
}

template <class T>
T read(const boost::json::value& json, const FieldPath& path);

template <class T>
T read_integer(const boost::json::value& json, const FieldPath& path) {
  if (json.is_int64() && std::in_range<T>(json.get_int64())) {
    return static_cast<T>(json.get_int64());
  }
  if (json.is_uint64() && std::in_range<T>(json.get_uint64())) {
    return static_cast<T>(json.get_uint64());
  }
  field_error(path, "an integer from " + std::to_string(std::numeric_limits<T>::min()) + " to " +
                        std::to_string(std::numeric_limits<T>::max()));
}

template <class T>
T read_struct(const boost::json::value& json, const FieldPath& path) {
  [[maybe_unused]] constexpr bool described = check_fields_described<T>();
  const boost::json::object* object = json.if_object();
  if (object == nullptr) field_error(path, "an object");
  T result{};
  boost::mp11::mp_for_each<public_members<T>>([&](auto member) {
    using Member = std::remove_cvref_t<decltype(result.*member.pointer)>;
    const FieldPath member_path{&path, member.name};
    const boost::json::value* found = object->if_contains(member.name);
    if (found == nullptr || found->is_null()) {
      if constexpr (!IsOptional<Member>::value) field_error(member_path, "present");
      return;
    }
    result.*member.pointer = read<Member>(*found, member_path);
    if (const Rule* rule = member_rule_of<T>(member.name)) {
      check_member(*rule, result.*member.pointer, member_path);
    }
  });
  return result;
}

template <class T>
T read(const boost::json::value& json, const FieldPath& path) {
  if constexpr (std::is_same_v<T, boost::json::value>) {
    return json;
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!json.is_bool()) field_error(path, "true or false");
    return json.get_bool();
  } else if constexpr (is_integer_v<T>) {
    return read_integer<T>(json, path);
  } else if constexpr (std::is_floating_point_v<T>) {
    if (!json.is_number()) field_error(path, "a number");
    return json.to_number<T>();
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (!json.is_string()) field_error(path, "a string");
    return std::string(json.get_string());
  } else if constexpr (std::is_same_v<T, DateTime>) {
    const auto* text = json.if_string();
    std::optional<DateTime> value = text != nullptr ? DateTime::parse(*text) : std::nullopt;
    if (!value) field_error(path, "a date-time (RFC 3339, e.g. 2024-05-01T12:30:00Z)");
    return *value;
  } else if constexpr (IsOptional<T>::value) {
    if (json.is_null()) return T{};
    return read<typename T::value_type>(json, path);
  } else if constexpr (IsVector<T>::value) {
    const boost::json::array* array = json.if_array();
    if (array == nullptr) field_error(path, "an array");
    T result;
    result.reserve(array->size());
    for (std::size_t index = 0; index < array->size(); ++index) {
      const FieldPath item_path{&path, {}, index, true};
      result.push_back(read<typename T::value_type>((*array)[index], item_path));
    }
    return result;
  } else if constexpr (DescribedEnum<T>) {
    T value{};
    if (!json.is_string() || !boost::describe::enum_from_string(json.get_string().c_str(), value)) {
      std::string names;
      boost::mp11::mp_for_each<boost::describe::describe_enumerators<T>>([&](auto enumerator) {
        names += names.empty() ? "" : ", ";
        names += enumerator.name;
      });
      field_error(path, "one of " + names);
    }
    return value;
  } else if constexpr (DescribedStruct<T>) {
    return read_struct<T>(json, path);
  } else {
    static_assert(DescribedStruct<T>, "add BOOST_DESCRIBE_STRUCT for this type");
  }
}

}  // namespace detail

/// Whether T is a type typed JSON reads and writes (see the list at the top of this file).
template <class T>
inline constexpr bool is_json_type_v =
    std::is_same_v<T, boost::json::value> || std::is_arithmetic_v<T> ||
    std::is_same_v<T, std::string> || std::is_same_v<T, DateTime> || DescribedEnum<T> ||
    DescribedStruct<T>;
template <class T>
inline constexpr bool is_json_type_v<std::optional<T>> = is_json_type_v<T>;
template <class T, class A>
inline constexpr bool is_json_type_v<std::vector<T, A>> = is_json_type_v<T>;

/// Reads a described type from JSON. Throws BadRequest whose field() names the wrong member
/// (and whose rule() names the declared rule it broke).
template <class T>
[[nodiscard]] T from_json(const boost::json::value& json) {
  return detail::read<T>(json, detail::FieldPath{});
}

/// Writes a described type (or any supported member type) as JSON.
template <class T>
[[nodiscard]] boost::json::value to_json(const T& value) {
  if constexpr (std::is_same_v<T, boost::json::value>) {
    return value;
  } else if constexpr (std::is_same_v<T, bool> || detail::is_integer_v<T> ||
                       std::is_floating_point_v<T> || std::is_same_v<T, std::string>) {
    return boost::json::value(value);
  } else if constexpr (std::is_same_v<T, DateTime>) {
    return boost::json::value(value.text());
  } else if constexpr (detail::IsOptional<T>::value) {
    return value ? to_json(*value) : boost::json::value(nullptr);
  } else if constexpr (detail::IsVector<T>::value) {
    boost::json::array array;
    array.reserve(value.size());
    for (const auto& item : value) array.push_back(to_json(item));
    return array;
  } else if constexpr (DescribedEnum<T>) {
    const char* name = boost::describe::enum_to_string(value, nullptr);
    return name != nullptr ? boost::json::value(name) : boost::json::value(nullptr);
  } else {
    static_assert(DescribedStruct<T>, "add BOOST_DESCRIBE_STRUCT for this type");
    [[maybe_unused]] constexpr bool described = detail::check_fields_described<T>();
    boost::json::object object;
    boost::mp11::mp_for_each<detail::public_members<T>>([&](auto member) {
      const auto& field = value.*member.pointer;
      if constexpr (detail::IsOptional<std::remove_cvref_t<decltype(field)>>::value) {
        if (!field) return;
      }
      object[member.name] = to_json(field);
    });
    return object;
  }
}

namespace detail {

template <class T>
void check_unique(const std::vector<T>& items, const FieldPath& path) {
  // Hashing each item's JSON text: linear in the items, whatever their type.
  std::unordered_set<std::string> seen;
  seen.reserve(items.size());
  for (const T& item : items) {
    if (!seen.insert(boost::json::serialize(to_json(item))).second) {
      rule_error(path, "not repeat an item", "uniqueItems");
    }
  }
}

template <class T>
boost::json::object schema_of(SchemaComponents* components);

/// A member's schema with its declared rule's keywords.
template <class Owner, class Member>
boost::json::object member_schema(std::string_view name, SchemaComponents* components) {
  boost::json::object schema = schema_of<Member>(components);
  if (const Rule* rule = member_rule_of<Owner>(name)) {
    add_rule_keywords(schema, *rule, RuleTarget<Member>::is_array);
  }
  return schema;
}

template <class T>
boost::json::object struct_schema(SchemaComponents* components) {
  [[maybe_unused]] constexpr bool described = check_fields_described<T>();
  boost::json::object properties;
  boost::json::array required;
  boost::mp11::mp_for_each<public_members<T>>([&](auto member) {
    using Member = std::remove_cvref_t<decltype(std::declval<T&>().*member.pointer)>;
    properties[member.name] = member_schema<T, Member>(member.name, components);
    if constexpr (!IsOptional<Member>::value) required.emplace_back(member.name);
  });
  boost::json::object schema{{"type", "object"}, {"properties", std::move(properties)}};
  if (!required.empty()) schema["required"] = std::move(required);
  return schema;
}

template <class T>
boost::json::object component_schema(SchemaComponents& components) {
  return struct_schema<T>(&components);
}

template <class T>
boost::json::object schema_of(SchemaComponents* components) {
  if constexpr (std::is_same_v<T, boost::json::value>) {
    return {};
  } else if constexpr (std::is_same_v<T, bool>) {
    return {{"type", "boolean"}};
  } else if constexpr (is_integer_v<T>) {
    boost::json::object schema{{"type", "integer"}};
    schema["format"] = sizeof(T) > 4 ? "int64" : "int32";
    schema["minimum"] = static_cast<std::int64_t>(std::numeric_limits<T>::min());
    if constexpr (sizeof(T) < 8) schema["maximum"] = std::numeric_limits<T>::max();
    return schema;
  } else if constexpr (std::is_floating_point_v<T>) {
    return {{"type", "number"}, {"format", sizeof(T) > 4 ? "double" : "float"}};
  } else if constexpr (std::is_same_v<T, std::string>) {
    return {{"type", "string"}};
  } else if constexpr (std::is_same_v<T, DateTime>) {
    return {{"type", "string"}, {"format", "date-time"}};
  } else if constexpr (IsOptional<T>::value) {
    boost::json::object schema = schema_of<typename T::value_type>(components);
    // The function reads null as absent; a $ref takes no siblings in OpenAPI 3.0.
    if (!schema.contains("$ref") && !schema.empty()) schema["nullable"] = true;
    return schema;
  } else if constexpr (IsVector<T>::value) {
    return {{"type", "array"}, {"items", schema_of<typename T::value_type>(components)}};
  } else if constexpr (DescribedEnum<T>) {
    boost::json::array names;
    boost::mp11::mp_for_each<boost::describe::describe_enumerators<T>>(
        [&](auto enumerator) { names.emplace_back(enumerator.name); });
    return {{"type", "string"}, {"enum", std::move(names)}};
  } else {
    static_assert(DescribedStruct<T>, "add BOOST_DESCRIBE_STRUCT for this type");
    if (components == nullptr) return struct_schema<T>(nullptr);
    return components->reference(schema_name(pretty_type_name<T>()), &type_identity<T>,
                                 &component_schema<T>);
  }
}

}  // namespace detail

/// The JSON Schema (OpenAPI 3.0 dialect) of a supported type, every struct inline.
template <class T>
[[nodiscard]] boost::json::object json_schema() {
  return detail::schema_of<T>(nullptr);
}
/// The same, with each described struct written once into `components` and referenced.
template <class T>
[[nodiscard]] boost::json::object json_schema(SchemaComponents& components) {
  return detail::schema_of<T>(&components);
}

/// Parses one path or query parameter's text as T: integers and floating point in full
/// (no trailing characters), bool as true/false, DateTime as RFC 3339, described enums by name,
/// strings as they are. std::nullopt when the text does not fit.
template <class T>
[[nodiscard]] std::optional<T> parse_parameter(std::string_view text) {
  if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, std::string_view>) {
    return T(text);
  } else if constexpr (std::is_same_v<T, bool>) {
    if (text == "true") return true;
    if (text == "false") return false;
    return std::nullopt;
  } else if constexpr (std::is_same_v<T, DateTime>) {
    return DateTime::parse(text);
  } else if constexpr (std::is_arithmetic_v<T>) {
    T value{};
    const char* end = text.data() + text.size();
    const auto [stop, error] = std::from_chars(text.data(), end, value);
    if (error != std::errc{} || stop != end || text.empty()) return std::nullopt;
    return value;
  } else {
    static_assert(DescribedEnum<T>,
                  "path and query parameters are numbers, bools, strings, DateTime or "
                  "described enums");
    T value{};
    if (!boost::describe::enum_from_string(std::string(text).c_str(), value)) return std::nullopt;
    return value;
  }
}

/// What a parameter of type T must be, for the 400 answer: "an integer", "true or false".
template <class T>
[[nodiscard]] constexpr std::string_view parameter_expectation() {
  if constexpr (std::is_same_v<T, bool>) return "true or false";
  if constexpr (detail::is_integer_v<T>) return "an integer in range";
  if constexpr (std::is_floating_point_v<T>) return "a number";
  if constexpr (std::is_same_v<T, DateTime>) return "a date-time (RFC 3339)";
  if constexpr (DescribedEnum<T>) return "one of the documented values";
  return "text";
}

}  // namespace cppstack::http

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
// std::optional<T> (may be missing or null; omitted when empty), std::vector<T>, described
// enums (their enumerator names as strings), nested described structs, boost::json::value.
// Members are required unless std::optional; unknown members are ignored.

#include <boost/describe/class.hpp>
#include <boost/describe/enum.hpp>
#include <boost/describe/enum_from_string.hpp>
#include <boost/describe/enum_to_string.hpp>
#include <boost/describe/enumerators.hpp>
#include <boost/describe/members.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/mp11/algorithm.hpp>
#include <charconv>
#include <cppstack/http/errors.hpp>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace cppstack::http {

template <class T>
concept DescribedStruct = boost::describe::has_describe_members<T>::value && std::is_class_v<T>;
template <class T>
concept DescribedEnum = boost::describe::has_describe_enumerators<T>::value;

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

/// Where a value sits in the document, built only when an error names it: "tags[2].name".
struct FieldPath {
  const FieldPath* parent = nullptr;
  std::string_view name{};
  std::size_t index = 0;
  bool is_index = false;

  [[nodiscard]] std::string text() const {
    std::string prefix = parent != nullptr ? parent->text() : std::string();
    if (is_index) return prefix + "[" + std::to_string(index) + "]";
    if (name.empty()) return prefix;
    return prefix.empty() ? std::string(name) : prefix + "." + std::string(name);
  }
};

[[noreturn]] inline void field_error(const FieldPath& path, std::string_view expected) {
  std::string field = path.text();
  if (field.empty()) throw BadRequest("the request body must be " + std::string(expected));
  const std::string message = field + " must be " + std::string(expected);
  throw BadRequest(message, std::move(field));
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

/// Reads a described type from JSON. Throws BadRequest whose field() names the wrong member.
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

/// The JSON Schema (OpenAPI 3.0 dialect) of a supported type.
template <class T>
[[nodiscard]] boost::json::object json_schema() {
  if constexpr (std::is_same_v<T, boost::json::value>) {
    return {};
  } else if constexpr (std::is_same_v<T, bool>) {
    return {{"type", "boolean"}};
  } else if constexpr (detail::is_integer_v<T>) {
    boost::json::object schema{{"type", "integer"}};
    schema["format"] = sizeof(T) > 4 ? "int64" : "int32";
    schema["minimum"] = static_cast<std::int64_t>(std::numeric_limits<T>::min());
    if constexpr (sizeof(T) < 8) schema["maximum"] = std::numeric_limits<T>::max();
    return schema;
  } else if constexpr (std::is_floating_point_v<T>) {
    return {{"type", "number"}};
  } else if constexpr (std::is_same_v<T, std::string>) {
    return {{"type", "string"}};
  } else if constexpr (detail::IsOptional<T>::value) {
    return json_schema<typename T::value_type>();
  } else if constexpr (detail::IsVector<T>::value) {
    return {{"type", "array"}, {"items", json_schema<typename T::value_type>()}};
  } else if constexpr (DescribedEnum<T>) {
    boost::json::array names;
    boost::mp11::mp_for_each<boost::describe::describe_enumerators<T>>(
        [&](auto enumerator) { names.emplace_back(enumerator.name); });
    return {{"type", "string"}, {"enum", std::move(names)}};
  } else {
    static_assert(DescribedStruct<T>, "add BOOST_DESCRIBE_STRUCT for this type");
    boost::json::object properties;
    boost::json::array required;
    boost::mp11::mp_for_each<detail::public_members<T>>([&](auto member) {
      using Member = std::remove_cvref_t<decltype(std::declval<T&>().*member.pointer)>;
      properties[member.name] = json_schema<Member>();
      if constexpr (!detail::IsOptional<Member>::value) required.emplace_back(member.name);
    });
    boost::json::object schema{{"type", "object"}, {"properties", std::move(properties)}};
    if (!required.empty()) schema["required"] = std::move(required);
    return schema;
  }
}

/// Parses one path or query parameter's text as T: integers and floating point in full
/// (no trailing characters), bool as true/false, described enums by name, strings as they
/// are. std::nullopt when the text does not fit.
template <class T>
[[nodiscard]] std::optional<T> parse_parameter(std::string_view text) {
  if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, std::string_view>) {
    return T(text);
  } else if constexpr (std::is_same_v<T, bool>) {
    if (text == "true") return true;
    if (text == "false") return false;
    return std::nullopt;
  } else if constexpr (std::is_arithmetic_v<T>) {
    T value{};
    const char* end = text.data() + text.size();
    const auto [stop, error] = std::from_chars(text.data(), end, value);
    if (error != std::errc{} || stop != end || text.empty()) return std::nullopt;
    return value;
  } else {
    static_assert(DescribedEnum<T>,
                  "path and query parameters are numbers, bools, strings or "
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
  if constexpr (DescribedEnum<T>) return "one of the documented values";
  return "text";
}

}  // namespace cppstack::http

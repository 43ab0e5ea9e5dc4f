#pragma once
// C++ values to DynamoDB attribute values and back, exactly (AttributeValue in the DynamoDB
// API reference): strings S, numbers N as exact decimal text, bool BOOL, Binary B (base64 on
// the wire), sets SS/NS/BS, vectors L, string-keyed maps and described structs M; an empty
// std::optional member is left out of the item, and an absent attribute reads as empty.
//
//   struct Note { std::string id; std::int64_t version; std::optional<std::string> text; };
//   BOOST_DESCRIBE_STRUCT(Note, (), (id, version, text))
//   boost::json::object item = cppstack::aws::to_item(note);   //
//   {"id":{"S":..},"version":{"N":"3"}} Note back = cppstack::aws::from_item<Note>(item); // throws
//   ItemError on a mismatch

#include <boost/describe.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/mp11/algorithm.hpp>
#include <charconv>
#include <cppstack/events/base64.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace cppstack::aws {

/// Bytes stored as DynamoDB binary (B).
struct Binary {
  std::string bytes;
  auto operator<=>(const Binary&) const = default;
};

/// A number kept as its exact decimal text (up to 38 digits in DynamoDB), for values no C++
/// arithmetic type holds exactly.
struct Number {
  std::string text;
  auto operator<=>(const Number&) const = default;
};

/// An item or attribute that does not have the shape of the C++ type it is read as.
class ItemError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
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
struct IsSet : std::false_type {};
template <class T, class C, class A>
struct IsSet<std::set<T, C, A>> : std::true_type {};
template <class T>
struct IsStringMap : std::false_type {};
template <class T, class C, class A>
struct IsStringMap<std::map<std::string, T, C, A>> : std::true_type {};

template <class T>
inline constexpr bool is_number_v =
    (std::is_arithmetic_v<T> && !std::is_same_v<T, bool>) || std::is_same_v<T, Number>;

template <class T>
using described_members = boost::describe::describe_members<T, boost::describe::mod_public |
                                                                   boost::describe::mod_inherited>;

template <class T>
std::string number_text(const T& value) {
  if constexpr (std::is_same_v<T, Number>) {
    return value.text;
  } else {
    char text[64];
    const auto result = std::to_chars(text, text + sizeof text, value);
    return {text, result.ptr};
  }
}

template <class T>
T parse_number(std::string_view text, std::string_view where) {
  if constexpr (std::is_same_v<T, Number>) {
    return Number{std::string(text)};
  } else {
    T value{};
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size())
      throw ItemError(std::string(where) + ": the number " + std::string(text.substr(0, 64)) +
                      " does not fit its C++ type");
    return value;
  }
}

[[noreturn]] inline void shape_error(std::string_view where, std::string_view expected) {
  throw ItemError(std::string(where) + " must be " + std::string(expected));
}

inline const boost::json::value& typed(const boost::json::value& attribute, const char* type,
                                       std::string_view where) {
  const boost::json::object* object = attribute.if_object();
  const boost::json::value* found = object != nullptr ? object->if_contains(type) : nullptr;
  if (found == nullptr) shape_error(where, std::string("a DynamoDB ") + type + " attribute");
  return *found;
}

inline std::string_view text_of(const boost::json::value& value, std::string_view where) {
  const boost::json::string* text = value.if_string();
  if (text == nullptr) shape_error(where, "a string");
  return *text;
}

}  // namespace detail

template <class T>
boost::json::value to_attribute(const T& value);
template <class T>
T from_attribute(const boost::json::value& attribute, std::string_view where = "attribute");

/// A described struct as a DynamoDB item (attribute name -> attribute value).
template <class T>
boost::json::object to_item(const T& value) {
  boost::json::object item;
  boost::mp11::mp_for_each<detail::described_members<T>>([&](auto member) {
    const auto& field = value.*member.pointer;
    using Member = std::remove_cvref_t<decltype(field)>;
    if constexpr (detail::IsOptional<Member>::value) {
      if (field) item[member.name] = to_attribute(*field);
    } else {
      item[member.name] = to_attribute(field);
    }
  });
  return item;
}

/// A DynamoDB item as a described struct; a missing attribute is an error unless its member
/// is a std::optional. Throws ItemError naming the attribute.
template <class T>
T from_item(const boost::json::object& item, std::string_view where = "item") {
  T value{};
  boost::mp11::mp_for_each<detail::described_members<T>>([&](auto member) {
    auto& field = value.*member.pointer;
    using Member = std::remove_cvref_t<decltype(field)>;
    const std::string path = std::string(where) + "." + member.name;
    const boost::json::value* found = item.if_contains(member.name);
    if (found == nullptr || (found->is_object() && found->as_object().contains("NULL"))) {
      if constexpr (!detail::IsOptional<Member>::value) detail::shape_error(path, "present");
      return;
    }
    if constexpr (detail::IsOptional<Member>::value) {
      field = from_attribute<typename Member::value_type>(*found, path);
    } else {
      field = from_attribute<Member>(*found, path);
    }
  });
  return value;
}

template <class T>
boost::json::value to_attribute(const T& value) {
  boost::json::object out;
  if constexpr (std::is_same_v<T, boost::json::value>) {
    return value;  // an attribute value already
  } else if constexpr (std::is_same_v<T, bool>) {
    out["BOOL"] = value;
  } else if constexpr (std::is_convertible_v<T, std::string_view>) {
    out["S"] = std::string_view(value);
  } else if constexpr (detail::is_number_v<T>) {
    out["N"] = detail::number_text(value);
  } else if constexpr (std::is_same_v<T, Binary>) {
    out["B"] = events::base64_encode(value.bytes);
  } else if constexpr (detail::IsOptional<T>::value) {
    if (!value) {
      out["NULL"] = true;
    } else {
      return to_attribute(*value);
    }
  } else if constexpr (detail::IsSet<T>::value) {
    using Element = typename T::value_type;
    boost::json::array members;
    for (const auto& element : value) {
      const boost::json::value attribute = to_attribute(element);
      members.push_back(attribute.as_object().begin()->value());
    }
    if constexpr (std::is_convertible_v<Element, std::string_view>) {
      out["SS"] = std::move(members);
    } else if constexpr (detail::is_number_v<Element>) {
      out["NS"] = std::move(members);
    } else {
      static_assert(std::is_same_v<Element, Binary>, "a set holds strings, numbers or Binary");
      out["BS"] = std::move(members);
    }
  } else if constexpr (detail::IsVector<T>::value) {
    boost::json::array list;
    for (const auto& element : value) list.push_back(to_attribute(element));
    out["L"] = std::move(list);
  } else if constexpr (detail::IsStringMap<T>::value) {
    boost::json::object map;
    for (const auto& [key, element] : value) map[key] = to_attribute(element);
    out["M"] = std::move(map);
  } else {
    static_assert(boost::describe::has_describe_members<T>::value,
                  "store strings, numbers, bool, Binary, sets, vectors, maps or described structs");
    out["M"] = to_item(value);
  }
  return out;
}

template <class T>
T from_attribute(const boost::json::value& attribute, std::string_view where) {
  if constexpr (std::is_same_v<T, boost::json::value>) {
    return attribute;
  } else if constexpr (std::is_same_v<T, bool>) {
    const boost::json::value& flag = detail::typed(attribute, "BOOL", where);
    if (!flag.is_bool()) detail::shape_error(where, "true or false");
    return flag.get_bool();
  } else if constexpr (std::is_same_v<T, std::string>) {
    return std::string(detail::text_of(detail::typed(attribute, "S", where), where));
  } else if constexpr (detail::is_number_v<T>) {
    return detail::parse_number<T>(detail::text_of(detail::typed(attribute, "N", where), where),
                                   where);
  } else if constexpr (std::is_same_v<T, Binary>) {
    auto bytes =
        events::base64_decode(detail::text_of(detail::typed(attribute, "B", where), where));
    if (!bytes) detail::shape_error(where, "base64");
    return Binary{std::move(*bytes)};
  } else if constexpr (detail::IsOptional<T>::value) {
    if (attribute.is_object() && attribute.as_object().contains("NULL")) return std::nullopt;
    return from_attribute<typename T::value_type>(attribute, where);
  } else if constexpr (detail::IsSet<T>::value) {
    using Element = typename T::value_type;
    const char* type = std::is_same_v<Element, std::string> ? "SS"
                       : detail::is_number_v<Element>       ? "NS"
                                                            : "BS";
    const char* member_type = std::is_same_v<Element, std::string> ? "S"
                              : detail::is_number_v<Element>       ? "N"
                                                                   : "B";
    const boost::json::array* members = detail::typed(attribute, type, where).if_array();
    if (members == nullptr) detail::shape_error(where, "a set");
    T out;
    for (const auto& member : *members) {
      boost::json::object wrapped;
      wrapped[member_type] = member;
      out.insert(from_attribute<Element>(wrapped, where));
    }
    return out;
  } else if constexpr (detail::IsVector<T>::value) {
    const boost::json::array* list = detail::typed(attribute, "L", where).if_array();
    if (list == nullptr) detail::shape_error(where, "a list");
    T out;
    out.reserve(list->size());
    for (std::size_t index = 0; index < list->size(); ++index)
      out.push_back(from_attribute<typename T::value_type>(
          (*list)[index], std::string(where) + "[" + std::to_string(index) + "]"));
    return out;
  } else if constexpr (detail::IsStringMap<T>::value) {
    const boost::json::object* map = detail::typed(attribute, "M", where).if_object();
    if (map == nullptr) detail::shape_error(where, "a map");
    T out;
    for (const auto& entry : *map)
      out.emplace(std::string(entry.key()),
                  from_attribute<typename T::mapped_type>(
                      entry.value(), std::string(where) + "." + std::string(entry.key())));
    return out;
  } else {
    const boost::json::object* map = detail::typed(attribute, "M", where).if_object();
    if (map == nullptr) detail::shape_error(where, "a map");
    return from_item<T>(*map, where);
  }
}

}  // namespace cppstack::aws

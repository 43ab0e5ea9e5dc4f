#pragma once
// Validation rules declared once, beside a described struct's members. From that one
// declaration the function refuses input that breaks a rule (400 naming the field and the
// rule), the OpenAPI document carries each rule as its JSON Schema keyword, and API Gateway's
// request model (JSON Schema draft 4) enforces the ones draft 4 can express.
//
//   struct NewBookmark {
//     std::string url;
//     std::vector<std::string> tags;
//     std::optional<int> stars;
//   };
//   BOOST_DESCRIBE_STRUCT(NewBookmark, (), (url, tags, stars))
//   CPPSTACK_RULES(NewBookmark, (url, uri, pattern("^https?://"), max_length(2048)),
//                  (tags, max_items(5), unique_items, min_length(1), max_length(30)),
//                  (stars, minimum(1), maximum(5)))
//
// Rules (namespace cppstack::http::rule, usable unqualified inside CPPSTACK_RULES):
//   strings     min_length(n), max_length(n) (Unicode characters), pattern("ECMAScript regex"),
//               one_of("a", "b"), and the formats date_time (RFC 3339), email, uri (absolute,
//               RFC 3986), uuid
//   numbers     minimum(x), maximum(x) (inclusive)
//   arrays      min_items(n), max_items(n), unique_items; string and number rules given to an
//               array apply to each of its items
// A rule that cannot apply to the member's type is a compile error; std::optional members are
// checked when present. Write CPPSTACK_RULES in the struct's namespace, like
// BOOST_DESCRIBE_STRUCT.

#include <boost/json/object.hpp>
#include <boost/preprocessor/seq/for_each.hpp>
#include <boost/preprocessor/stringize.hpp>
#include <boost/preprocessor/tuple/elem.hpp>
#include <boost/preprocessor/tuple/enum.hpp>
#include <boost/preprocessor/tuple/pop_front.hpp>
#include <boost/preprocessor/variadic/to_seq.hpp>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace cppstack::http {

/// A string format a member must have (OpenAPI's `format`).
enum class Format { none, date_time, email, uri, uuid };

class CompiledPattern;

/// Everything one member must satisfy beyond its type. Built by the functions of
/// cppstack::http::rule; a default Rule allows anything.
struct Rule {
  std::optional<std::size_t> min_length{};
  std::optional<std::size_t> max_length{};
  std::string pattern{};
  std::shared_ptr<const CompiledPattern> compiled_pattern{};  ///< set when pattern is
  Format format = Format::none;
  std::vector<std::string> one_of{};
  std::optional<double> minimum{};
  std::optional<double> maximum{};
  std::optional<std::size_t> min_items{};
  std::optional<std::size_t> max_items{};
  bool unique_items = false;
};

/// The rules of one member, by its described name.
struct MemberRule {
  std::string_view member;
  Rule rule;
};
using TypeRules = std::vector<MemberRule>;

namespace rule {

/// A rule for strings (or each string of an array).
struct TextRule {
  Rule rule;
};
/// A rule for numbers (or each number of an array).
struct NumberRule {
  Rule rule;
};
/// A rule for arrays.
struct ItemsRule {
  Rule rule;
};

[[nodiscard]] TextRule min_length(std::size_t characters);
[[nodiscard]] TextRule max_length(std::size_t characters);
/// An ECMAScript regular expression the text must contain a match of (anchor it with ^ and $
/// to match the whole text), as JSON Schema's `pattern`.
[[nodiscard]] TextRule pattern(std::string_view expression);
[[nodiscard]] TextRule one_of_values(std::vector<std::string> values);
/// The text must be one of `values` (JSON Schema's `enum`): one_of("article", "video").
template <class... Values>
[[nodiscard]] TextRule one_of(const Values&... values) {
  return one_of_values({std::string(values)...});
}
[[nodiscard]] NumberRule minimum(double value);
[[nodiscard]] NumberRule maximum(double value);
[[nodiscard]] ItemsRule min_items(std::size_t count);
[[nodiscard]] ItemsRule max_items(std::size_t count);

/// A format rule; constant, so that including this header costs no start-up work.
struct FormatRule {
  Format format;
};
/// The unique_items rule.
struct UniqueItemsRule {};

inline constexpr UniqueItemsRule unique_items{};
inline constexpr FormatRule date_time{Format::date_time};
inline constexpr FormatRule email{Format::email};
inline constexpr FormatRule uri{Format::uri};
inline constexpr FormatRule uuid{Format::uuid};

}  // namespace rule

namespace detail {

/// Where a value sits in the document, built only when an error names it: "tags[2].name".
struct FieldPath {
  const FieldPath* parent = nullptr;
  std::string_view name{};
  std::size_t index = 0;
  bool is_index = false;

  [[nodiscard]] std::string text() const;
};

/// Throws the BadRequest of a broken rule: "<field> must <requirement>", naming the field and
/// the rule's JSON Schema keyword.
[[noreturn]] void rule_error(const FieldPath& path, const std::string& requirement,
                             std::string_view keyword);
void check_text(const Rule& rule, std::string_view text, const FieldPath& path);
void check_number(const Rule& rule, double value, const FieldPath& path);
void check_item_count(const Rule& rule, std::size_t count, const FieldPath& path);
/// Throws when `described` lacks a member `rules` names (a rule that would never run).
void check_rules_name_described_members(const TypeRules& rules,
                                        const std::vector<std::string_view>& described,
                                        std::string_view type);

template <class T>
struct RuleTarget {
  using type = T;
  static constexpr bool is_array = false;
};
template <class T>
struct RuleTarget<std::optional<T>> : RuleTarget<T> {};
template <class T, class A>
struct RuleTarget<std::vector<T, A>> {
  using type = typename RuleTarget<T>::type;
  static constexpr bool is_array = true;
};

template <class T>
inline constexpr bool is_rule_number_v = std::is_arithmetic_v<T> && !std::is_same_v<T, bool>;

/// Copies into `into` what `from` sets.
void merge_rule(Rule& into, const Rule& from);

template <class Member, class Part>
void add_rule_part(Rule& rule, const Part& part) {
  using Target = typename RuleTarget<Member>::type;
  if constexpr (std::is_same_v<Part, rule::FormatRule>) {
    static_assert(std::is_same_v<Target, std::string>,
                  "min_length, max_length, pattern, one_of and the formats apply to std::string "
                  "members or arrays of them");
    rule.format = part.format;
  } else if constexpr (std::is_same_v<Part, rule::UniqueItemsRule>) {
    static_assert(RuleTarget<Member>::is_array,
                  "min_items, max_items and unique_items apply to std::vector members");
    rule.unique_items = true;
  } else if constexpr (std::is_same_v<Part, rule::TextRule>) {
    static_assert(std::is_same_v<Target, std::string>,
                  "min_length, max_length, pattern, one_of and the formats apply to std::string "
                  "members or arrays of them");
    merge_rule(rule, part.rule);
  } else if constexpr (std::is_same_v<Part, rule::NumberRule>) {
    static_assert(is_rule_number_v<Target>,
                  "minimum and maximum apply to number members or arrays of numbers");
    merge_rule(rule, part.rule);
  } else {
    static_assert(std::is_same_v<Part, rule::ItemsRule>, "not a rule of cppstack::http::rule");
    static_assert(RuleTarget<Member>::is_array,
                  "min_items, max_items and unique_items apply to std::vector members");
    merge_rule(rule, part.rule);
  }
}

}  // namespace detail

/// One member's rules; CPPSTACK_RULES calls it with each member's declared type.
template <class Member, class... Parts>
[[nodiscard]] MemberRule member_rule(std::string_view member, const Parts&... parts) {
  MemberRule result{member, {}};
  (detail::add_rule_part<Member>(result.rule, parts), ...);
  return result;
}

/// The rules CPPSTACK_RULES declared for T, or nullptr.
template <class T>
[[nodiscard]] const TypeRules* rules_of() {
  if constexpr (requires { cppstack_rules(static_cast<const T*>(nullptr)); }) {
    return &cppstack_rules(static_cast<const T*>(nullptr));
  } else {
    return nullptr;
  }
}

/// The rule of `member` in `rules`, or nullptr.
[[nodiscard]] const Rule* find_rule(const TypeRules* rules, std::string_view member);

/// Adds a rule's JSON Schema keywords to the schema of a member (for an array member, the
/// string and number rules go to its `items`).
void add_rule_keywords(boost::json::object& schema, const Rule& rule, bool is_array);

}  // namespace cppstack::http

#define CPPSTACK_RULES_MEMBER(r, Type, entry) \
  ::cppstack::http::member_rule<decltype(Type::BOOST_PP_TUPLE_ELEM(0, entry))>(BOOST_PP_STRINGIZE(BOOST_PP_TUPLE_ELEM(0, entry)), BOOST_PP_TUPLE_ENUM(BOOST_PP_TUPLE_POP_FRONT(entry))),

/// Declares the rules of a described struct's members: (member, rule, rule...) per member.
#define CPPSTACK_RULES(Type, ...)                                                          \
  [[maybe_unused]] inline const ::cppstack::http::TypeRules& cppstack_rules(const Type*) { \
    using namespace ::cppstack::http::rule;                                                \
    static const ::cppstack::http::TypeRules rules{BOOST_PP_SEQ_FOR_EACH(                  \
        CPPSTACK_RULES_MEMBER, Type, BOOST_PP_VARIADIC_TO_SEQ(__VA_ARGS__))};              \
    return rules;                                                                          \
  }

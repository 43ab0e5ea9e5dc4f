#include <cppstack/http/date_time.hpp>
#include <cppstack/http/errors.hpp>
#include <cppstack/http/rules.hpp>

#include <algorithm>
#include <cmath>
#include <regex>
#include <stdexcept>

namespace cppstack::http {

/// A rule's pattern, compiled once when the rules are declared.
class CompiledPattern {
 public:
  explicit CompiledPattern(const std::string& expression)
      // The polynomial (breadth-first) matcher of libstdc++ keeps its stack bounded by the
      // pattern, not by the text: a long hostile input cannot exhaust the stack.
      : regex_(expression, std::regex::ECMAScript | std::regex_constants::__polynomial) {}
  [[nodiscard]] bool found_in(std::string_view text) const {
    return std::regex_search(text.begin(), text.end(), regex_);
  }

 private:
  std::regex regex_;
};

namespace rule {

TextRule min_length(std::size_t characters) { return {{.min_length = characters}}; }
TextRule max_length(std::size_t characters) { return {{.max_length = characters}}; }
TextRule pattern(std::string_view expression) {
  Rule rule{.pattern = std::string(expression)};
  try {
    rule.compiled_pattern = std::make_shared<const CompiledPattern>(rule.pattern);
  } catch (const std::regex_error& error) {
    throw std::invalid_argument("pattern \"" + rule.pattern +
                                "\" is not an ECMAScript regular expression: " + error.what());
  }
  return {std::move(rule)};
}
TextRule one_of_values(std::vector<std::string> values) { return {{.one_of = std::move(values)}}; }
NumberRule minimum(double value) { return {{.minimum = value}}; }
NumberRule maximum(double value) { return {{.maximum = value}}; }
ItemsRule min_items(std::size_t count) { return {{.min_items = count}}; }
ItemsRule max_items(std::size_t count) { return {{.max_items = count}}; }

}  // namespace rule

namespace detail {
namespace {

// JSON Schema counts a string's length in Unicode code points: UTF-8 bytes that do not
// continue a sequence.
std::size_t characters_in(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char byte) {
    return (static_cast<unsigned char>(byte) & 0xC0U) != 0x80U;
  }));
}

bool is_hex(char character) {
  return (character >= '0' && character <= '9') || (character >= 'a' && character <= 'f') ||
         (character >= 'A' && character <= 'F');
}
bool is_alpha(char character) {
  return (character >= 'a' && character <= 'z') || (character >= 'A' && character <= 'Z');
}
bool is_digit(char character) { return character >= '0' && character <= '9'; }

bool is_uuid(std::string_view text) {
  if (text.size() != 36) return false;
  for (std::size_t index = 0; index < text.size(); ++index) {
    const bool dash = index == 8 || index == 13 || index == 18 || index == 23;
    if (dash ? text[index] != '-' : !is_hex(text[index])) return false;
  }
  return true;
}

// RFC 3986 absolute URI: a scheme, ':', then only characters a URI may hold, with every '%'
// starting an escape.
bool is_uri(std::string_view text) {
  const std::size_t colon = text.find(':');
  if (colon == 0 || colon == std::string_view::npos || !is_alpha(text[0])) return false;
  for (std::size_t index = 1; index < colon; ++index) {
    const char character = text[index];
    if (!is_alpha(character) && !is_digit(character) && character != '+' && character != '-' &&
        character != '.') {
      return false;
    }
  }
  static constexpr std::string_view allowed = "-._~:/?#[]@!$&'()*+,;=";
  for (std::size_t index = colon + 1; index < text.size(); ++index) {
    const char character = text[index];
    if (character == '%') {
      if (index + 2 >= text.size() || !is_hex(text[index + 1]) || !is_hex(text[index + 2])) {
        return false;
      }
      index += 2;
    } else if (!is_alpha(character) && !is_digit(character) &&
               allowed.find(character) == std::string_view::npos) {
      return false;
    }
  }
  return colon + 1 < text.size();
}

// An address of the form local@domain (RFC 5321's sizes): no spaces, one '@', a domain of
// dot-separated labels. Deliverability is not checked.
bool is_email(std::string_view text) {
  const std::size_t at = text.find('@');
  if (at == 0 || at == std::string_view::npos || at > 64 || text.size() > 254) return false;
  const std::string_view local = text.substr(0, at);
  const std::string_view domain = text.substr(at + 1);
  if (domain.empty() || domain.front() == '.' || domain.back() == '.' ||
      domain.find("..") != std::string_view::npos || local.front() == '.' || local.back() == '.') {
    return false;
  }
  static constexpr std::string_view local_extra = "!#$%&'*+-/=?^_`{|}~.";
  for (const char character : local) {
    if (!is_alpha(character) && !is_digit(character) &&
        local_extra.find(character) == std::string_view::npos) {
      return false;
    }
  }
  for (const char character : domain) {
    if (!is_alpha(character) && !is_digit(character) && character != '-' && character != '.') {
      return false;
    }
  }
  return true;
}

struct FormatFacts {
  std::string_view keyword;      // OpenAPI's format name
  std::string_view description;  // for the 400
};

FormatFacts facts_of(Format format) {
  switch (format) {
    case Format::date_time:
      return {"date-time", "be a date-time (RFC 3339, e.g. 2024-05-01T12:30:00Z)"};
    case Format::email:
      return {"email", "be an email address"};
    case Format::uri:
      return {"uri", "be an absolute URI (RFC 3986)"};
    case Format::uuid:
      return {"uuid", "be a UUID (8-4-4-4-12 hexadecimal digits)"};
    case Format::none:
      break;
  }
  return {"", ""};
}

bool has_format(Format format, std::string_view text) {
  switch (format) {
    case Format::date_time:
      return DateTime::parse(text).has_value();
    case Format::email:
      return is_email(text);
    case Format::uri:
      return is_uri(text);
    case Format::uuid:
      return is_uuid(text);
    case Format::none:
      break;
  }
  return true;
}

// Whole numbers as integers in messages and schemas: "at most 100", not "at most 100.000000".
boost::json::value number_json(double value) {
  if (std::trunc(value) == value && std::fabs(value) < 9.0e15) {
    return static_cast<std::int64_t>(value);
  }
  return value;
}
std::string number_text(double value) {
  const boost::json::value json = number_json(value);
  if (json.is_int64()) return std::to_string(json.get_int64());
  std::string text = std::to_string(value);
  while (!text.empty() && text.back() == '0') text.pop_back();
  return text;
}

std::string quoted_list(const std::vector<std::string>& values) {
  std::string list;
  for (const std::string& value : values) list += (list.empty() ? "" : ", ") + value;
  return list;
}

}  // namespace

std::string FieldPath::text() const {
  std::string prefix = parent != nullptr ? parent->text() : std::string();
  if (is_index) return prefix + "[" + std::to_string(index) + "]";
  if (name.empty()) return prefix;
  return prefix.empty() ? std::string(name) : prefix + "." + std::string(name);
}

void rule_error(const FieldPath& path, const std::string& requirement, std::string_view keyword) {
  std::string field = path.text();
  const std::string subject = field.empty() ? std::string("the request body") : field;
  throw BadRequest(subject + " must " + requirement, std::move(field), std::string(keyword));
}

void merge_rule(Rule& into, const Rule& from) {
  if (from.min_length) into.min_length = from.min_length;
  if (from.max_length) into.max_length = from.max_length;
  if (!from.pattern.empty()) {
    into.pattern = from.pattern;
    into.compiled_pattern = from.compiled_pattern;
  }
  if (from.format != Format::none) into.format = from.format;
  if (!from.one_of.empty()) into.one_of = from.one_of;
  if (from.minimum) into.minimum = from.minimum;
  if (from.maximum) into.maximum = from.maximum;
  if (from.min_items) into.min_items = from.min_items;
  if (from.max_items) into.max_items = from.max_items;
  if (from.unique_items) into.unique_items = true;
}

void check_text(const Rule& rule, std::string_view text, const FieldPath& path) {
  if (rule.min_length || rule.max_length) {
    const std::size_t length = characters_in(text);
    if (rule.min_length && length < *rule.min_length) {
      rule_error(path, "be at least " + std::to_string(*rule.min_length) + " characters long",
                 "minLength");
    }
    if (rule.max_length && length > *rule.max_length) {
      rule_error(path, "be at most " + std::to_string(*rule.max_length) + " characters long",
                 "maxLength");
    }
  }
  if (!rule.one_of.empty() &&
      std::find(rule.one_of.begin(), rule.one_of.end(), text) == rule.one_of.end()) {
    rule_error(path, "be one of " + quoted_list(rule.one_of), "enum");
  }
  if (rule.format != Format::none && !has_format(rule.format, text)) {
    rule_error(path, std::string(facts_of(rule.format).description), "format");
  }
  if (rule.compiled_pattern && !rule.compiled_pattern->found_in(text)) {
    rule_error(path, "match the pattern " + rule.pattern, "pattern");
  }
}

void check_number(const Rule& rule, double value, const FieldPath& path) {
  if (rule.minimum && value < *rule.minimum) {
    rule_error(path, "be at least " + number_text(*rule.minimum), "minimum");
  }
  if (rule.maximum && value > *rule.maximum) {
    rule_error(path, "be at most " + number_text(*rule.maximum), "maximum");
  }
}

void check_item_count(const Rule& rule, std::size_t count, const FieldPath& path) {
  if (rule.min_items && count < *rule.min_items) {
    rule_error(path, "have at least " + std::to_string(*rule.min_items) + " items", "minItems");
  }
  if (rule.max_items && count > *rule.max_items) {
    rule_error(path, "have at most " + std::to_string(*rule.max_items) + " items", "maxItems");
  }
}

void check_rules_name_described_members(const TypeRules& rules,
                                        const std::vector<std::string_view>& described,
                                        std::string_view type) {
  for (const MemberRule& member : rules) {
    if (std::find(described.begin(), described.end(), member.member) == described.end()) {
      throw std::invalid_argument("CPPSTACK_RULES(" + std::string(type) + ") names " +
                                  std::string(member.member) +
                                  ", which BOOST_DESCRIBE_STRUCT does not list: its rules would "
                                  "never run");
    }
  }
}

}  // namespace detail

const Rule* find_rule(const TypeRules* rules, std::string_view member) {
  if (rules == nullptr) return nullptr;
  for (const MemberRule& entry : *rules) {
    if (entry.member == member) return &entry.rule;
  }
  return nullptr;
}

void add_rule_keywords(boost::json::object& schema, const Rule& rule, bool is_array) {
  if (is_array) {
    if (rule.min_items) schema["minItems"] = *rule.min_items;
    if (rule.max_items) schema["maxItems"] = *rule.max_items;
    if (rule.unique_items) schema["uniqueItems"] = true;
    boost::json::value& items = schema["items"];
    if (!items.is_object()) items = boost::json::object{};
    add_rule_keywords(items.as_object(), rule, false);
    return;
  }
  if (rule.min_length) schema["minLength"] = *rule.min_length;
  if (rule.max_length) schema["maxLength"] = *rule.max_length;
  if (!rule.pattern.empty()) schema["pattern"] = rule.pattern;
  if (rule.format != Format::none) schema["format"] = detail::facts_of(rule.format).keyword;
  if (!rule.one_of.empty()) {
    schema["enum"] = boost::json::array(rule.one_of.begin(), rule.one_of.end());
  }
  if (rule.minimum) schema["minimum"] = detail::number_json(*rule.minimum);
  if (rule.maximum) schema["maximum"] = detail::number_json(*rule.maximum);
}

}  // namespace cppstack::http

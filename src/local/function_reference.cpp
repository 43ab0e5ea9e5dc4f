#include "function_reference.hpp"

#include <regex>
#include <vector>

namespace cppstack::local {
namespace {

// The patterns as Lambda quotes them in its validation messages.
constexpr std::string_view function_name_pattern_text =
    R"((arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_\.]+)(:(\$LATEST(\.PUBLISHED)?|[a-zA-Z0-9-_]+))?)";
constexpr std::string_view qualifier_pattern_text = R"(\$(LATEST(\.PUBLISHED)?)|[a-zA-Z0-9-_$]+)";
constexpr std::size_t max_qualifier_length = 128;
// Longer than any name Lambda accepts (an ARN with a qualifier is at most 170 + 129): such a name
// is refused without running the pattern, whose matcher recurses once per character.
constexpr std::size_t max_matched_name_length = 512;

// The same patterns for std::regex: groups 1 region, 2 account, 3 name, 4 qualifier.
const std::regex& function_name_pattern() {
  static const std::regex pattern(
      R"((?:arn:(?:aws[a-zA-Z-]*)?:lambda:)?(?:((?:eusc-)?[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-[0-9]):)?)"
      R"((?:([0-9]{12}):)?(?:function:)?([a-zA-Z0-9_.\-]+)(?::(\$LATEST(?:\.PUBLISHED)?|[a-zA-Z0-9_\-]+))?)");
  return pattern;
}

const std::regex& qualifier_pattern() {
  static const std::regex pattern(R"(\$LATEST(?:\.PUBLISHED)?|[a-zA-Z0-9_$\-]+)");
  return pattern;
}

std::string pattern_error(std::string_view value, std::string_view field,
                          std::string_view pattern) {
  return "Value '" + std::string(value) + "' at '" + std::string(field) +
         "' failed to satisfy constraint: Member must satisfy regular expression pattern: " +
         std::string(pattern);
}

FunctionReferenceError validation_error(const std::vector<std::string>& problems) {
  std::string message = std::to_string(problems.size()) + " validation error" +
                        (problems.size() == 1 ? "" : "s") + " detected: ";
  for (std::size_t i = 0; i < problems.size(); ++i) {
    if (i > 0) message += "; ";
    message += problems[i];
  }
  return {400, "ValidationException", message};
}

}  // namespace

std::string FunctionReference::arn() const {
  return "arn:aws:lambda:" + region + ":" + account + ":function:" + name + ":" + qualifier;
}

std::variant<FunctionReference, FunctionReferenceError> parse_function_reference(
    std::string_view function_name, std::optional<std::string_view> qualifier,
    std::string_view region, std::string_view account) {
  // The qualifier is reported first, then the name (recorded with both wrong).
  std::vector<std::string> problems;
  if (qualifier) {
    if (qualifier->size() > max_qualifier_length) {
      problems.push_back("Value '" + std::string(*qualifier) +
                         "' at 'qualifier' failed to satisfy constraint: Member must have length "
                         "less than or equal to " +
                         std::to_string(max_qualifier_length));
    } else if (!std::regex_match(qualifier->begin(), qualifier->end(), qualifier_pattern())) {
      problems.push_back(pattern_error(*qualifier, "qualifier", qualifier_pattern_text));
    }
  }
  std::match_results<std::string_view::const_iterator> parts;
  if (function_name.size() > max_matched_name_length ||
      !std::regex_match(function_name.begin(), function_name.end(), parts,
                        function_name_pattern())) {
    problems.push_back(pattern_error(function_name, "functionName", function_name_pattern_text));
  }
  if (!problems.empty()) return validation_error(problems);

  FunctionReference reference{parts[1].matched ? parts[1].str() : std::string(region),
                              parts[2].matched ? parts[2].str() : std::string(account),
                              parts[3].str(), parts[4].matched ? parts[4].str() : std::string()};
  if (reference.region != region) {
    return FunctionReferenceError{404, "ResourceNotFoundException",
                                  "Functions from '" + reference.region +
                                      "' are not reachable in this region ('" +
                                      std::string(region) + "')"};
  }
  if (qualifier) {
    if (!reference.qualifier.empty() && reference.qualifier != *qualifier) {
      return FunctionReferenceError{
          400, "InvalidParameterValueException",
          "The derived qualifier from the function name does not match the specified "
          "qualifier."};
    }
    reference.qualifier = std::string(*qualifier);
  }
  reference.qualified = !reference.qualifier.empty();
  if (!reference.qualified) reference.qualifier = "$LATEST";
  return reference;
}

}  // namespace cppstack::local

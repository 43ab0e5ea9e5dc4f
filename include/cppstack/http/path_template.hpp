#pragma once
// API Gateway-style resource path templates: `/v1/items/{id}` and a greedy last segment
// `/files/{path+}`. Pure string matching, no I/O.
//
//   auto path_template = cppstack::http::PathTemplate::parse("/v1/items/{id}");
//   cppstack::events::StringMap parameters;
//   if (path_template.match("/v1/items/42", parameters)) { /* parameters["id"] == "42" */ }

#include <cppstack/events/proxy_event.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace cppstack::http {

/// The ways a resource path template breaks API Gateway's rules (and this project's stricter
/// rule for variable names, which must also name C++ and CloudFormation parameters).
enum class TemplateProblem {
  none,
  must_start_with_a_slash,
  must_not_end_with_a_slash,
  has_an_empty_segment,
  has_a_character_api_gateway_rejects,  ///< a literal segment outside [A-Za-z0-9._:-]
  starts_with_a_colon,                  ///< `:id` is a variable elsewhere, a literal here
  has_a_malformed_variable,             ///< braces not around the whole segment
  has_an_invalid_variable_name,         ///< a name outside [A-Za-z_][A-Za-z0-9_]*
  has_a_greedy_variable_before_the_end,
  repeats_a_variable_name,
};

/// Why `path_template` is not a valid API Gateway resource path, checked the same way at
/// compile time (RoutePath) and at run time (PathTemplate::parse). Resource path parts may
/// hold a-z, A-Z, 0-9, '.', '_', '-' and ':' (API Gateway's CreateResource rule), or be a
/// whole-segment `{name}`, or a last-segment greedy `{name+}`. A segment may not start with
/// ':' either: API Gateway would serve `/notes/:id` as a literal path, never what was meant.
[[nodiscard]] constexpr TemplateProblem template_problem(std::string_view path_template) {
  const auto is_name_start = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  };
  const auto is_name_char = [&](char c) { return is_name_start(c) || (c >= '0' && c <= '9'); };
  const auto is_literal_char = [&](char c) {
    return is_name_char(c) || c == '.' || c == '-' || c == ':';
  };
  if (path_template.empty() || path_template.front() != '/') {
    return TemplateProblem::must_start_with_a_slash;
  }
  if (path_template == "/") return TemplateProblem::none;
  if (path_template.back() == '/') return TemplateProblem::must_not_end_with_a_slash;
  std::string_view rest = path_template.substr(1);
  std::string_view names[64]{};
  std::size_t name_count = 0;
  bool after_greedy = false;
  while (true) {
    const std::size_t slash = rest.find('/');
    const std::string_view segment = rest.substr(0, slash);
    if (segment.empty()) return TemplateProblem::has_an_empty_segment;
    if (after_greedy) return TemplateProblem::has_a_greedy_variable_before_the_end;
    if (segment.front() == '{' || segment.back() == '}') {
      if (segment.size() < 3 || segment.front() != '{' || segment.back() != '}') {
        return TemplateProblem::has_a_malformed_variable;
      }
      std::string_view name = segment.substr(1, segment.size() - 2);
      if (name.back() == '+') {
        after_greedy = true;
        name.remove_suffix(1);
      }
      if (name.empty() || !is_name_start(name.front())) {
        return TemplateProblem::has_an_invalid_variable_name;
      }
      for (const char c : name) {
        if (!is_name_char(c)) return TemplateProblem::has_an_invalid_variable_name;
      }
      for (std::size_t index = 0; index < name_count; ++index) {
        if (names[index] == name) return TemplateProblem::repeats_a_variable_name;
      }
      if (name_count < std::size(names)) names[name_count++] = name;
    } else {
      if (segment.front() == ':') return TemplateProblem::starts_with_a_colon;
      for (const char c : segment) {
        if (c == '{' || c == '}') return TemplateProblem::has_a_malformed_variable;
        if (!is_literal_char(c)) return TemplateProblem::has_a_character_api_gateway_rejects;
      }
    }
    if (slash == std::string_view::npos) return TemplateProblem::none;
    rest.remove_prefix(slash + 1);
  }
}

/// A readable sentence for a problem: "has a character API Gateway rejects (...)".
[[nodiscard]] std::string_view describe(TemplateProblem problem) noexcept;

namespace template_rules {
// Called only when a RoutePath literal breaks a rule: being non-constexpr, each turns the
// mistake into a compile error whose text names the rule; the compiler's "in 'constexpr'
// expansion of" line names the route.
void route_path_must_start_with_a_slash();
void route_path_must_not_end_with_a_slash();
void route_path_has_an_empty_segment();
void route_path_segment_allows_only_letters_digits_dot_underscore_hyphen_colon();
void route_path_segment_starts_with_a_colon_write_variables_as_braces();
void route_path_variable_must_be_a_whole_segment_in_braces();
void route_path_variable_name_must_be_letters_digits_underscores();
void route_path_greedy_variable_must_be_the_last_segment();
void route_path_repeats_a_variable_name();
}  // namespace template_rules

/// A route's path template, checked when the program is compiled: a template API Gateway
/// would reject does not build.
///
///   cppstack::http::RoutePath path = "/v1/notes/{id}";   // fine
///   cppstack::http::RoutePath bad = "/v1/notes/<id>";    // compile error naming the rule
class RoutePath {
 public:
  // NOLINTNEXTLINE(google-explicit-constructor): a string literal is the natural spelling.
  consteval RoutePath(const char* text) : text_(text) {
    switch (template_problem(text_)) {
      case TemplateProblem::none:
        break;
      case TemplateProblem::must_start_with_a_slash:
        template_rules::route_path_must_start_with_a_slash();
        break;
      case TemplateProblem::must_not_end_with_a_slash:
        template_rules::route_path_must_not_end_with_a_slash();
        break;
      case TemplateProblem::has_an_empty_segment:
        template_rules::route_path_has_an_empty_segment();
        break;
      case TemplateProblem::has_a_character_api_gateway_rejects:
        template_rules::route_path_segment_allows_only_letters_digits_dot_underscore_hyphen_colon();
        break;
      case TemplateProblem::starts_with_a_colon:
        template_rules::route_path_segment_starts_with_a_colon_write_variables_as_braces();
        break;
      case TemplateProblem::has_a_malformed_variable:
        template_rules::route_path_variable_must_be_a_whole_segment_in_braces();
        break;
      case TemplateProblem::has_an_invalid_variable_name:
        template_rules::route_path_variable_name_must_be_letters_digits_underscores();
        break;
      case TemplateProblem::has_a_greedy_variable_before_the_end:
        template_rules::route_path_greedy_variable_must_be_the_last_segment();
        break;
      case TemplateProblem::repeats_a_variable_name:
        template_rules::route_path_repeats_a_variable_name();
        break;
    }
  }
  [[nodiscard]] constexpr std::string_view text() const noexcept { return text_; }

 private:
  std::string_view text_;
};

/// Thrown for a template API Gateway would reject (no leading slash, empty or malformed
/// segment, greedy segment not last, duplicate variable name).
class PathTemplateError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

class PathTemplate {
 public:
  enum class SegmentKind { literal, variable, greedy };
  struct Segment {
    SegmentKind kind;
    std::string text;  ///< the literal, or the variable name without braces and '+'
  };

  static PathTemplate parse(std::string_view path_template);

  /// Matches a request path (without stage). A trailing slash is ignored, as on API Gateway
  /// REST APIs. Fills `parameters` only on success; greedy variables keep their slashes.
  bool match(std::string_view path, events::StringMap& parameters) const;
  /// The same, on a path already split by split_path(): for callers that match one path
  /// against many templates, or match percent-decoded segments.
  bool match_segments(const std::vector<std::string_view>& path_segments,
                      events::StringMap& parameters) const;

  [[nodiscard]] const std::string& text() const noexcept { return text_; }
  [[nodiscard]] const std::vector<Segment>& segments() const noexcept { return segments_; }
  /// Orders templates so that the most specific is tried first: at each position a literal
  /// beats a variable, which beats a greedy variable.
  [[nodiscard]] bool more_specific_than(const PathTemplate& other) const;

 private:
  std::string text_;
  std::vector<Segment> segments_;
};

/// Splits a request path as API Gateway walks it: without the leading slash and one trailing
/// slash, keeping empty segments (which no template segment matches). "/" gives none.
[[nodiscard]] std::vector<std::string_view> split_path(std::string_view path);

}  // namespace cppstack::http

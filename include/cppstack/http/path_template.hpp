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

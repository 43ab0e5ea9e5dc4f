#include <cppstack/http/path_template.hpp>

#include <algorithm>

namespace cppstack::http {
namespace {

PathTemplate::Segment parse_segment(std::string_view segment) {
  if (segment.front() != '{') return {PathTemplate::SegmentKind::literal, std::string(segment)};
  std::string_view name = segment.substr(1, segment.size() - 2);
  if (name.back() == '+') {
    name.remove_suffix(1);
    return {PathTemplate::SegmentKind::greedy, std::string(name)};
  }
  return {PathTemplate::SegmentKind::variable, std::string(name)};
}

}  // namespace

std::string_view describe(TemplateProblem problem) noexcept {
  switch (problem) {
    case TemplateProblem::none:
      break;
    case TemplateProblem::must_start_with_a_slash:
      return "must start with '/'";
    case TemplateProblem::must_not_end_with_a_slash:
      return "must not end with '/'";
    case TemplateProblem::has_an_empty_segment:
      return "has an empty segment";
    case TemplateProblem::has_a_character_api_gateway_rejects:
      return "has a character API Gateway rejects (a segment allows a-z A-Z 0-9 . _ - :)";
    case TemplateProblem::starts_with_a_colon:
      return "has a segment starting with ':' (write a variable as {name})";
    case TemplateProblem::has_a_malformed_variable:
      return "has a malformed variable (a variable is a whole segment: {name} or {name+})";
    case TemplateProblem::has_an_invalid_variable_name:
      return "has an invalid variable name (a letter or _, then letters, digits or _)";
    case TemplateProblem::has_a_greedy_variable_before_the_end:
      return "has a greedy variable that is not the last segment";
    case TemplateProblem::repeats_a_variable_name:
      return "repeats a variable name";
  }
  return "is valid";
}

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> segments;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  // API Gateway REST APIs ignore one trailing slash: /prod/v1/ reaches /v1.
  if (!path.empty() && path.back() == '/') path.remove_suffix(1);
  if (path.empty()) return segments;
  for (;;) {
    const std::size_t slash = path.find('/');
    segments.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return segments;
}

PathTemplate PathTemplate::parse(std::string_view path_template) {
  if (const TemplateProblem problem = template_problem(path_template);
      problem != TemplateProblem::none) {
    throw PathTemplateError("path template '" + std::string(path_template) + "' " +
                            std::string(describe(problem)));
  }
  PathTemplate result;
  result.text_ = std::string(path_template);
  for (const std::string_view segment : split_path(path_template)) {
    result.segments_.push_back(parse_segment(segment));
  }
  return result;
}

bool PathTemplate::match(std::string_view path, events::StringMap& parameters) const {
  if (path.empty() || path.front() != '/') return false;
  return match_segments(split_path(path), parameters);
}

bool PathTemplate::match_segments(const std::vector<std::string_view>& path_segments,
                                  events::StringMap& parameters) const {
  // An empty segment ("//") never matches a literal or a variable, as on API Gateway.
  std::size_t index = 0;
  events::StringMap captured;
  for (const Segment& segment : segments_) {
    if (index >= path_segments.size()) return false;
    if (segment.kind == SegmentKind::greedy) {
      std::string rest(path_segments[index]);
      for (++index; index < path_segments.size(); ++index) {
        rest.append("/").append(path_segments[index]);
      }
      captured.emplace(segment.text, std::move(rest));
      break;
    }
    const std::string_view piece = path_segments[index++];
    if (piece.empty()) return false;
    if (segment.kind == SegmentKind::literal) {
      if (piece != segment.text) return false;
    } else {
      captured.emplace(segment.text, std::string(piece));
    }
  }
  if (index != path_segments.size()) return false;
  for (auto& [name, value] : captured) parameters.insert_or_assign(name, std::move(value));
  return true;
}

bool PathTemplate::more_specific_than(const PathTemplate& other) const {
  const std::size_t common = std::min(segments_.size(), other.segments_.size());
  for (std::size_t index = 0; index < common; ++index) {
    const auto mine = static_cast<int>(segments_[index].kind);
    const auto theirs = static_cast<int>(other.segments_[index].kind);
    if (mine != theirs) return mine < theirs;
  }
  return segments_.size() > other.segments_.size();
}

}  // namespace cppstack::http

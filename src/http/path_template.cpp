#include <cppstack/http/path_template.hpp>

#include <algorithm>
#include <set>

namespace cppstack::http {
namespace {

bool is_valid_variable_name(std::string_view name) {
  if (name.empty()) return false;
  return std::all_of(name.begin(), name.end(), [](char character) {
    return (character >= 'a' && character <= 'z') || (character >= 'A' && character <= 'Z') ||
           (character >= '0' && character <= '9') || character == '_' || character == '-' ||
           character == '.';
  });
}

PathTemplate::Segment parse_segment(std::string_view segment, std::string_view whole) {
  if (segment.empty()) {
    throw PathTemplateError("path template '" + std::string(whole) + "' has an empty segment");
  }
  const bool opens = segment.front() == '{';
  const bool closes = segment.back() == '}';
  if (!opens && !closes) {
    if (segment.find_first_of("{}") != std::string_view::npos) {
      throw PathTemplateError("path template '" + std::string(whole) +
                              "' mixes text and a variable in one segment");
    }
    return {PathTemplate::SegmentKind::literal, std::string(segment)};
  }
  if (!opens || !closes || segment.size() < 3) {
    throw PathTemplateError("path template '" + std::string(whole) + "' has a malformed variable");
  }
  std::string_view name = segment.substr(1, segment.size() - 2);
  auto kind = PathTemplate::SegmentKind::variable;
  if (name.back() == '+') {
    kind = PathTemplate::SegmentKind::greedy;
    name.remove_suffix(1);
  }
  if (!is_valid_variable_name(name)) {
    throw PathTemplateError("path template '" + std::string(whole) +
                            "' has an invalid variable name '" + std::string(name) + "'");
  }
  return {kind, std::string(name)};
}

}  // namespace

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
  if (path_template.empty() || path_template.front() != '/') {
    throw PathTemplateError("path template '" + std::string(path_template) +
                            "' must start with '/'");
  }
  if (path_template.size() > 1 && path_template.back() == '/') {
    throw PathTemplateError("path template '" + std::string(path_template) +
                            "' must not end with '/'");
  }
  PathTemplate result;
  result.text_ = std::string(path_template);
  std::set<std::string, std::less<>> names;
  std::string_view rest = path_template.substr(1);
  while (!rest.empty()) {
    const std::size_t slash = rest.find('/');
    const std::string_view segment = rest.substr(0, slash);
    Segment parsed = parse_segment(segment, path_template);
    if (parsed.kind != SegmentKind::literal && !names.insert(parsed.text).second) {
      throw PathTemplateError("path template '" + std::string(path_template) +
                              "' repeats the variable '" + parsed.text + "'");
    }
    if (!result.segments_.empty() && result.segments_.back().kind == SegmentKind::greedy) {
      throw PathTemplateError("path template '" + std::string(path_template) +
                              "' has a greedy variable that is not the last segment");
    }
    result.segments_.push_back(std::move(parsed));
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
    if (rest.empty()) break;
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

#include <algorithm>
#include <cppstack/http/resource_matcher.hpp>
#include <map>
#include <stdexcept>

namespace cppstack::http {
namespace {

std::string describe(const Operation& operation) { return operation.method + " " + operation.path; }

// A resource of the tree has at most one variable child ({name} or {name+}).
void check_variable_siblings(const std::vector<Operation>& operations) {
  std::map<std::string, std::pair<std::string, const Operation*>, std::less<>> variable_child;
  for (const Operation& operation : operations) {
    std::string parent;
    for (const std::string_view segment : split_path(operation.path)) {
      if (!segment.empty() && segment.front() == '{') {
        const auto [known, inserted] =
            variable_child.try_emplace(parent, std::string(segment), &operation);
        if (!inserted && known->second.first != segment) {
          throw std::invalid_argument(
              "routes " + describe(*known->second.second) + " and " + describe(operation) +
              " give '" + (parent.empty() ? "/" : parent) + "' two variable children, " +
              known->second.first + " and " + std::string(segment) +
              "; API Gateway allows one (use the same name in both)");
        }
      }
      parent.append("/").append(segment);
    }
  }
}

}  // namespace

ResourceMatcher::ResourceMatcher(const std::vector<Operation>& operations) {
  std::map<std::string, std::size_t, std::less<>> resource_of_path;
  for (std::size_t index = 0; index < operations.size(); ++index) {
    const Operation& operation = operations[index];
    methods_.push_back(operation.method);
    // One resource per path however it is spelled (a trailing slash names the same one).
    std::string resource_key;
    for (const std::string_view segment : split_path(operation.path)) {
      resource_key.append("/").append(segment);
    }
    auto [found, added] = resource_of_path.try_emplace(resource_key, resources_.size());
    if (added) {
      PathTemplate path_template = PathTemplate::parse(operation.path);
      const bool greedy = !path_template.segments().empty() &&
                          path_template.segments().back().kind == PathTemplate::SegmentKind::greedy;
      resources_.push_back({std::move(path_template), {}, greedy});
    }
    Resource& resource = resources_[found->second];
    for (const std::size_t earlier : resource.operations) {
      if (methods_[earlier] == operation.method) {
        throw std::invalid_argument("route " + describe(operation) + " is defined twice");
      }
    }
    resource.operations.push_back(index);
  }
  check_variable_siblings(operations);
  std::stable_sort(resources_.begin(), resources_.end(),
                   [](const Resource& left, const Resource& right) {
                     return left.path_template.more_specific_than(right.path_template);
                   });
}

const std::size_t* ResourceMatcher::operation_for(const Resource& resource,
                                                  std::string_view method) const {
  const std::size_t* any = nullptr;
  for (const std::size_t& index : resource.operations) {
    if (methods_[index] == method) return &index;
    if (methods_[index] == "ANY" && any == nullptr) any = &index;
  }
  return any;
}

namespace {

// A greedy {name+} value as sent: from its first segment to the end of the path, an empty
// segment inside it kept ("/prod/proxy/a//b" gives "a//b" in pathParameters, recorded from AWS:
// LocalStack's test_lambda_aws_proxy_integration, "invocation-payload-with-double-slash"). The
// trailing slash is not part of it ("/prod/proxy-value/" gives "proxy-value", same recording).
void keep_greedy_value_as_sent(const PathTemplate& path_template, std::string_view path,
                               const std::vector<std::string_view>& segments,
                               events::StringMap& parameters) {
  const auto& template_segments = path_template.segments();
  const std::string_view first = segments[template_segments.size() - 1];
  std::string_view value = path.substr(static_cast<std::size_t>(first.data() - path.data()));
  while (!value.empty() && value.back() == '/') value.remove_suffix(1);
  parameters.insert_or_assign(template_segments.back().text, std::string(value));
}

}  // namespace

Selection ResourceMatcher::select(std::string_view method, std::string_view path) const {
  Selection selection;
  std::vector<std::string_view> segments = split_path(path);
  std::erase_if(segments, [](std::string_view segment) { return segment.empty(); });
  const Resource* most_specific = nullptr;
  for (const Resource& resource : resources_) {
    if (most_specific != nullptr && !resource.greedy) continue;
    events::StringMap parameters;
    if (!resource.path_template.match_segments(segments, parameters)) continue;
    if (resource.greedy)
      keep_greedy_value_as_sent(resource.path_template, path, segments, parameters);
    if (const std::size_t* operation = operation_for(resource, method)) {
      selection.outcome = Selection::Outcome::matched;
      selection.operation = *operation;
      selection.parameters = std::move(parameters);
      return selection;
    }
    if (most_specific == nullptr) {
      most_specific = &resource;
      selection.parameters = std::move(parameters);
    }
  }
  if (most_specific == nullptr) return selection;
  selection.outcome = Selection::Outcome::method_not_allowed;
  selection.resource_operations = most_specific->operations;
  return selection;
}

}  // namespace cppstack::http

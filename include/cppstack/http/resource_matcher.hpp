#pragma once
// How API Gateway (REST API) picks the operation a request reaches, in one place: the local
// gateway (cppstack::local::RouteTable) and the function's own router (cppstack::http::Router)
// both ask it, so the two cannot disagree.
//
// - Empty path segments are skipped and one trailing slash is ignored (recorded from AWS,
//   contracts.md section 1), except inside a greedy value, which keeps them as sent.
// - Resources are tried most specific first: at each position a literal beats a variable,
//   which beats a greedy `{name+}`.
// - The most specific matching resource answers when it has the method (or ANY; the exact
//   method first). When it lacks it, a less specific greedy resource that matches the path and
//   has the method answers (recorded: OPTIONS /test reaches OPTIONS /{proxy+} next to GET
//   /test; GET /v1/items/42 reaches GET /{proxy+} next to POST /v1/items/{id}). Otherwise the
//   path has a resource but not the method.
// - A table API Gateway refuses is refused when built: a bad template, one operation twice,
//   or a resource with two variable children ("A sibling ({id}) of this resource already has
//   a variable path part -- only one is allowed", API Gateway's answer to CreateResource;
//   `{id}` next to `{proxy+}` included).
//
//   ResourceMatcher matcher({{"GET", "/v1/items/{id}"}, {"ANY", "/{proxy+}"}});
//   auto selection = matcher.select("GET", "/v1/items/42");  // operation 0, id = 42

#include <cppstack/events/proxy_event.hpp>
#include <cppstack/http/path_template.hpp>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace cppstack::http {

struct Operation {
  std::string method;  ///< upper case, or ANY
  std::string path;    ///< resource template, e.g. /v1/items/{id}
};

struct Selection {
  enum class Outcome { matched, not_found, method_not_allowed };
  Outcome outcome = Outcome::not_found;
  std::size_t operation = 0;  ///< index of the operation given to the matcher, when matched
  /// Captures of the matched resource (when method_not_allowed: of the most specific one),
  /// as they are in the path (still percent-encoded when the path is).
  events::StringMap parameters;
  /// When method_not_allowed: the operations of the most specific resource, in table order.
  std::vector<std::size_t> resource_operations;
};

class ResourceMatcher {
 public:
  /// Throws PathTemplateError for a bad template, std::invalid_argument for an operation
  /// given twice or a resource with two different variable children.
  explicit ResourceMatcher(const std::vector<Operation>& operations);

  [[nodiscard]] Selection select(std::string_view method, std::string_view path) const;

 private:
  struct Resource {
    PathTemplate path_template;
    std::vector<std::size_t> operations;  ///< indexes, in table order
    bool greedy = false;
  };
  [[nodiscard]] const std::size_t* operation_for(const Resource& resource,
                                                 std::string_view method) const;

  std::vector<std::string> methods_;  ///< per operation
  std::vector<Resource> resources_;   ///< most specific first
};

}  // namespace cppstack::http

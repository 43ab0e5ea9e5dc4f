// The two routers over generated route tables and requests: the local gateway's table
// (cppstack::local::RouteTable) and the function's own router (cppstack::http::Router) accept
// and refuse the same tables and pick the same operation with the same captures, and both
// agree with a reference that walks API Gateway's resource tree literally: at each level a
// literal child, then the variable child, then the greedy child; the first resource reached
// answers when it has the method, else the next greedy resource reached that has it.
//
// Input: one byte per route (method and three path segments from small alphabets, so
// collisions are frequent) until a zero byte, then the request's method and segments.

#include <cppstack/events/proxy_event.hpp>
#include <cppstack/http/router.hpp>
#include <cppstack/local/route_table.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace {

constexpr const char* methods[] = {"GET", "POST", "ANY", "OPTIONS"};
constexpr const char* template_segments[] = {"a", "b", "{x}", "{y}", "{p+}", "", "a", "{x}"};
constexpr const char* path_segments[] = {"a", "b", "c", ""};

struct Operation {
  std::string method;
  std::string path;
};

// The resource tree API Gateway builds from the table.
struct Node {
  std::map<std::string, std::unique_ptr<Node>> literals;
  std::unique_ptr<Node> variable;  // {name} or {name+}
  std::string variable_name;
  bool variable_is_greedy = false;
  bool greedy = false;  // this resource is a {name+}
  std::vector<std::size_t> operations;
};

// The non-empty segments of a path, each with where it starts in the path.
struct Segments {
  std::vector<std::string> text;
  std::vector<std::size_t> offset;
};

Segments split_with_offsets(const std::string& path) {
  Segments segments;
  std::size_t start = 1;
  while (start <= path.size()) {
    const auto slash = path.find('/', start);
    const auto end = slash == std::string::npos ? path.size() : slash;
    if (end > start) {
      segments.text.push_back(path.substr(start, end - start));
      segments.offset.push_back(start);
    }
    start = end + 1;
  }
  return segments;
}

std::vector<std::string> split(const std::string& path) { return split_with_offsets(path).text; }

// A greedy value is the path as sent from its first segment on, empty segments inside it kept
// and trailing slashes left out (recorded from AWS: "/proxy/a//b" gives "a//b").
std::string greedy_value(const std::string& path, std::size_t offset) {
  std::string value = path.substr(offset);
  while (!value.empty() && value.back() == '/') value.pop_back();
  return value;
}

// Resources reached by `path`, in the order API Gateway tries them, with their captures.
void walk(const Node& node, const std::string& original, const Segments& segments,
          std::size_t index, cppstack::events::StringMap captures,
          std::vector<std::pair<const Node*, cppstack::events::StringMap>>& reached) {
  const std::vector<std::string>& path = segments.text;
  if (index == path.size()) {
    if (!node.operations.empty()) reached.emplace_back(&node, captures);
    return;
  }
  if (const auto literal = node.literals.find(path[index]); literal != node.literals.end()) {
    walk(*literal->second, original, segments, index + 1, captures, reached);
  }
  if (node.variable && !node.variable_is_greedy) {
    auto with = captures;
    with[node.variable_name] = path[index];
    walk(*node.variable, original, segments, index + 1, std::move(with), reached);
  }
  if (node.variable && node.variable_is_greedy && !node.variable->operations.empty()) {
    auto with = captures;
    with[node.variable_name] = greedy_value(original, segments.offset[index]);
    reached.emplace_back(node.variable.get(), std::move(with));
  }
}

struct Choice {
  std::optional<std::size_t> operation;
  cppstack::events::StringMap parameters;
};

Choice reference(const Node& root, const std::vector<Operation>& table, const std::string& method,
                 const std::string& path) {
  std::vector<std::pair<const Node*, cppstack::events::StringMap>> reached;
  walk(root, path, split_with_offsets(path), 0, {}, reached);
  const auto operation_on = [&](const Node& node) -> std::optional<std::size_t> {
    std::optional<std::size_t> any;
    for (const std::size_t index : node.operations) {
      if (table[index].method == method) return index;
      if (table[index].method == "ANY" && !any) any = index;
    }
    return any;
  };
  for (std::size_t i = 0; i < reached.size(); ++i) {
    if (i > 0 && !reached[i].first->greedy) continue;
    if (const auto operation = operation_on(*reached[i].first)) {
      return {operation, reached[i].second};
    }
  }
  return {};
}

// The tree, or nullopt when API Gateway refuses the table (two variable children of one
// resource, or one operation twice).
std::optional<std::unique_ptr<Node>> build_tree(const std::vector<Operation>& table) {
  auto root = std::make_unique<Node>();
  for (std::size_t index = 0; index < table.size(); ++index) {
    Node* node = root.get();
    for (const std::string& segment : split(table[index].path)) {
      if (segment.front() != '{') {
        auto& child = node->literals[segment];
        if (!child) child = std::make_unique<Node>();
        node = child.get();
        continue;
      }
      const bool greedy = segment.back() == '}' && segment[segment.size() - 2] == '+';
      const std::string name = segment.substr(1, segment.size() - (greedy ? 3 : 2));
      if (node->variable && (node->variable_name != name || node->variable_is_greedy != greedy)) {
        return std::nullopt;
      }
      if (!node->variable) {
        node->variable = std::make_unique<Node>();
        node->variable_name = name;
        node->variable_is_greedy = greedy;
        node->variable->greedy = greedy;
      }
      node = node->variable.get();
    }
    for (const std::size_t earlier : node->operations) {
      if (table[earlier].method == table[index].method) return std::nullopt;
    }
    node->operations.push_back(index);
  }
  return root;
}

[[noreturn]] void disagree() { std::abort(); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<Operation> table;
  std::size_t at = 0;
  for (; at < size && data[at] != 0 && table.size() < 12; ++at) {
    const std::uint8_t byte = data[at];
    std::string path;
    for (int segment = 0; segment < 1 + ((byte >> 2U) % 3); ++segment) {
      const std::uint8_t pick =
          static_cast<std::uint8_t>((byte * (segment + 7U)) >> (segment + 1U));
      path += "/";
      path += template_segments[(pick + at + static_cast<std::size_t>(segment)) % 8];
    }
    table.push_back({methods[byte % 4], path});
  }
  ++at;
  if (at >= size) return 0;
  const std::string method = methods[data[at] % 4];
  std::string path;
  for (++at; at < size && path.size() < 64; ++at) {
    path += "/";
    path += path_segments[data[at] % 4];
  }
  if (path.empty()) path = "/";

  // A template the parser refuses ("/a//b", "/{p+}/a") is refused by both routers alike.
  std::vector<cppstack::local::Route> local_routes;
  std::vector<cppstack::http::Route> http_routes;
  for (const Operation& operation : table) {
    local_routes.push_back({.method = operation.method, .path = operation.path});
    http_routes.push_back({.method = operation.method,
                           .path = operation.path,
                           .handler_name = std::to_string(http_routes.size()),
                           .summary = "",
                           .handler = [](const cppstack::http::Request&) {
                             return cppstack::events::ProxyResponse{};
                           }});
  }
  std::optional<cppstack::local::RouteTable> local_table;
  std::optional<cppstack::http::Router> router;
  try {
    local_table.emplace(local_routes);
  } catch (const cppstack::local::RouteTableError&) {
  }
  try {
    router.emplace(http_routes);
  } catch (const std::invalid_argument&) {
  }
  if (local_table.has_value() != router.has_value()) disagree();
  bool templates_parse = true;
  for (const Operation& operation : table) {
    try {
      (void)cppstack::http::PathTemplate::parse(operation.path);
    } catch (const cppstack::http::PathTemplateError&) {
      templates_parse = false;
    }
  }
  const auto tree = build_tree(table);
  // With every template valid, the routers refuse exactly the tables API Gateway refuses.
  if (templates_parse && tree.has_value() != local_table.has_value()) disagree();
  if (!local_table) return 0;
  if (!tree) disagree();

  const auto local_match = local_table->match(method, path);
  const auto http_match = router->match(method, path);
  const Choice expected = reference(**tree, table, method, path);

  const auto local_index = local_match ? std::optional<std::size_t>(static_cast<std::size_t>(
                                             local_match->route - local_table->routes().data()))
                                       : std::nullopt;
  const auto http_index = http_match.outcome == cppstack::http::RouteMatch::Outcome::matched
                              ? std::optional<std::size_t>(static_cast<std::size_t>(
                                    http_match.route - router->routes().data()))
                              : std::nullopt;
  if (local_index != expected.operation || http_index != expected.operation) disagree();
  if (expected.operation && (local_match->path_parameters != expected.parameters ||
                             http_match.parameters != expected.parameters)) {
    disagree();
  }
  return 0;
}

#include <cppstack/http/typed_json.hpp>

#include <algorithm>
#include <cctype>

namespace cppstack::http {
namespace detail {

std::string schema_name(std::string_view pretty_function) {
  // GCC: "... [with T = ns::Bookmark; std::string_view = ...]"; Clang: "... [T = ns::Bookmark]".
  const std::size_t start = pretty_function.find("T = ");
  if (start == std::string_view::npos) return "Schema";
  std::string_view type = pretty_function.substr(start + 4);
  int depth = 0;
  std::size_t end = 0;
  for (; end < type.size(); ++end) {
    const char character = type[end];
    if (character == '<') ++depth;
    if (character == '>') --depth;
    if (depth == 0 && (character == ';' || character == ']')) break;
  }
  type = type.substr(0, end);
  // Drop the namespaces of the outermost name; template arguments keep only their last part.
  std::string name;
  std::size_t segment_start = 0;
  for (std::size_t index = 0; index < type.size(); ++index) {
    const char character = type[index];
    if (character == ':' && index + 1 < type.size() && type[index + 1] == ':') {
      name.resize(segment_start);
      ++index;
      continue;
    }
    if (character == '<' || character == ',') {
      name += '_';
      segment_start = name.size();
      continue;
    }
    if (character == '>' || character == ' ') {
      segment_start = name.size();
      continue;
    }
    const bool allowed = std::isalnum(static_cast<unsigned char>(character)) != 0 ||
                         character == '_' || character == '.' || character == '-';
    name += allowed ? character : '_';
  }
  return name.empty() ? std::string("Schema") : name;
}

}  // namespace detail

boost::json::object SchemaComponents::reference(std::string_view type_name, const void* identity,
                                                Builder build) {
  const auto known = std::find_if(names_.begin(), names_.end(), [identity](const auto& entry) {
    return entry.second == identity;
  });
  std::string name;
  if (known != names_.end()) {
    name = known->first;
  } else {
    name = std::string(type_name);
    for (int suffix = 2; schemas_.contains(name); ++suffix) {
      name = std::string(type_name) + std::to_string(suffix);
    }
    names_.emplace_back(name, identity);
    // Reserved before building, so a type that contains itself refers to its own name.
    schemas_[name] = boost::json::object{};
    boost::json::object schema = build(*this);
    schemas_[name] = std::move(schema);
  }
  return {{"$ref", "#/components/schemas/" + name}};
}

void SchemaComponents::add(std::string_view name, boost::json::object schema) {
  schemas_[name] = std::move(schema);
}

}  // namespace cppstack::http

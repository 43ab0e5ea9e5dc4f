#include <boost/json/parse.hpp>
#include <cppstack/http/request.hpp>

namespace cppstack::http {

std::optional<std::string_view> Request::path_parameter(std::string_view name) const {
  const auto found = path_parameters.find(std::string(name));
  if (found == path_parameters.end()) return std::nullopt;
  return std::string_view(found->second);
}

std::string_view Request::correlation_id() const {
  if (!event.request_context.request_id.empty()) return event.request_context.request_id;
  return invocation.request_id;
}

std::string Request::public_path(std::string_view path) const {
  const std::string& full = event.request_context.path;
  const std::string& resource = event.path;
  std::string prefix;
  if (!resource.empty() && full.size() > resource.size() &&
      full.compare(full.size() - resource.size(), resource.size(), resource) == 0) {
    prefix = full.substr(0, full.size() - resource.size());
  }
  if (path.empty() || path.front() != '/') return std::string(path);
  return prefix + std::string(path);
}

boost::json::value Request::json_body() const {
  const std::string text = body_text();
  if (text.empty()) throw BadRequest("the request body must be a JSON document", "body");
  boost::system::error_code error;
  boost::json::value document = boost::json::parse(text, error);
  if (error) throw BadRequest("the request body is not valid JSON", "body");
  return document;
}

}  // namespace cppstack::http

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cppstack/events/base64.hpp>
#include <cppstack/events/proxy_event.hpp>
#include <utility>

#include "event_fields.hpp"
#include "json_text.hpp"

namespace cppstack::events {
namespace json = boost::json;
using detail::context_string_fields;
using detail::ContextStringField;
using detail::identity_fields;
using detail::IdentityField;

namespace {

// ---- writing --------------------------------------------------------------------------------

void append_optional_string(std::string& out, const std::optional<std::string>& text) {
  if (text) {
    detail::append_json_string(out, *text);
  } else {
    out.append("null");
  }
}

// API Gateway sends null, never {}, for a map with no entries.
template <typename Map>
void append_optional_map(std::string& out, const std::optional<Map>& map) {
  if (map && !map->empty()) {
    detail::append_json_object(out, *map);
  } else {
    out.append("null");
  }
}

template <typename Map>
std::size_t optional_map_size_hint(const std::optional<Map>& map) {
  return map ? detail::json_size_hint(*map) : 4;
}

std::size_t event_size_hint(const ProxyEvent& event) {
  // Fixed part: key names, punctuation and identity nulls.
  std::size_t size = 900 + event.resource.size() + event.path.size() + event.http_method.size();
  size += optional_map_size_hint(event.headers) + optional_map_size_hint(event.multi_value_headers);
  size += optional_map_size_hint(event.query_string_parameters) +
          optional_map_size_hint(event.multi_value_query_string_parameters);
  size +=
      optional_map_size_hint(event.path_parameters) + optional_map_size_hint(event.stage_variables);
  for (const ContextStringField& field : context_string_fields) {
    size += (event.request_context.*field.member).size();
  }
  for (const IdentityField& field : identity_fields) {
    if (const auto& value = event.request_context.identity.*field.member) size += value->size();
  }
  if (event.body) size += event.body->size();
  return size;
}

json::value to_json_value(const std::optional<std::string>& text) {
  if (text) return json::string(*text);
  return nullptr;
}

template <typename Map>
json::value to_json_value(const std::optional<Map>& map) {
  if (!map || map->empty()) return nullptr;
  return detail::to_json_object(*map);
}

}  // namespace

// ---- ProxyEvent helpers ---------------------------------------------------------------------

std::optional<std::string_view> ProxyEvent::header(std::string_view name) const {
  if (headers) {
    // A linear scan beats building a lower-cased key: events carry a few dozen headers.
    std::optional<std::string_view> found;
    for (const auto& [candidate, value] : *headers) {
      if (candidate == name) return value;
      if (!found && detail::ascii_iequals(candidate, name)) found = value;
    }
    if (found) return found;
  }
  // Events built by hand may carry only the multi-value form.
  if (multi_value_headers) {
    for (const auto& [candidate, values] : *multi_value_headers) {
      if (!values.empty() && detail::ascii_iequals(candidate, name)) return values.back();
    }
  }
  return std::nullopt;
}

std::optional<std::string> ProxyEvent::header_list(std::string_view name) const {
  if (multi_value_headers) {
    std::optional<std::string> combined;
    for (const auto& [candidate, values] : *multi_value_headers) {
      if (!detail::ascii_iequals(candidate, name)) continue;
      for (const auto& value : values) {
        if (!combined) {
          combined.emplace(value);
        } else {
          combined->append(", ").append(value);
        }
      }
    }
    if (combined) return combined;
  }
  const auto single = header(name);
  return single ? std::optional<std::string>(*single) : std::nullopt;
}

std::optional<std::string_view> ProxyEvent::query(std::string_view name) const {
  if (query_string_parameters) {
    if (auto found = query_string_parameters->find(std::string(name));
        found != query_string_parameters->end()) {
      return found->second;
    }
  }
  if (multi_value_query_string_parameters) {
    if (auto found = multi_value_query_string_parameters->find(std::string(name));
        found != multi_value_query_string_parameters->end() && !found->second.empty()) {
      return found->second.back();
    }
  }
  return std::nullopt;
}

std::optional<std::string_view> ProxyEvent::path_parameter(std::string_view name) const {
  if (!path_parameters) return std::nullopt;
  auto found = path_parameters->find(std::string(name));
  if (found == path_parameters->end()) return std::nullopt;
  return found->second;
}

std::string ProxyEvent::decoded_body() const {
  if (!body) return {};
  if (!is_base64_encoded) return *body;
  std::optional<std::string> bytes = base64_decode(*body);
  if (!bytes) throw EventParseError("body is not valid base64");
  return std::move(*bytes);
}

// ---- writing --------------------------------------------------------------------------------

json::value to_json(const ProxyEvent& event) {
  const RequestContext& context = event.request_context;
  json::object identity;
  identity.reserve(std::size(identity_fields));
  for (const IdentityField& field : identity_fields) {
    identity.emplace(field.name, to_json_value(context.identity.*field.member));
  }

  json::object request_context;
  request_context.reserve(std::size(context_string_fields) + 3);
  for (const ContextStringField& field : context_string_fields) {
    request_context.emplace(field.name, context.*field.member);
  }
  request_context.emplace("requestTimeEpoch", context.request_time_epoch);
  request_context.emplace("identity", std::move(identity));
  if (context.authorizer) {
    request_context.emplace("authorizer", detail::has_non_finite_number(*context.authorizer)
                                              ? detail::with_finite_numbers(*context.authorizer)
                                              : json::value(*context.authorizer));
  }

  json::object object;
  object.reserve(12);
  object.emplace("resource", event.resource);
  object.emplace("path", event.path);
  object.emplace("httpMethod", event.http_method);
  object.emplace("headers", to_json_value(event.headers));
  object.emplace("multiValueHeaders", to_json_value(event.multi_value_headers));
  object.emplace("queryStringParameters", to_json_value(event.query_string_parameters));
  object.emplace("multiValueQueryStringParameters",
                 to_json_value(event.multi_value_query_string_parameters));
  object.emplace("pathParameters", to_json_value(event.path_parameters));
  object.emplace("stageVariables", to_json_value(event.stage_variables));
  object.emplace("requestContext", std::move(request_context));
  object.emplace("body", to_json_value(event.body));
  object.emplace("isBase64Encoded", event.is_base64_encoded);
  return object;
}

std::string serialize(const ProxyEvent& event) {
  const RequestContext& context = event.request_context;
  std::string out;
  out.reserve(event_size_hint(event));

  detail::JsonObjectWriter root(out);
  detail::append_json_string(root.key("resource"), event.resource);
  detail::append_json_string(root.key("path"), event.path);
  detail::append_json_string(root.key("httpMethod"), event.http_method);
  append_optional_map(root.key("headers"), event.headers);
  append_optional_map(root.key("multiValueHeaders"), event.multi_value_headers);
  append_optional_map(root.key("queryStringParameters"), event.query_string_parameters);
  append_optional_map(root.key("multiValueQueryStringParameters"),
                      event.multi_value_query_string_parameters);
  append_optional_map(root.key("pathParameters"), event.path_parameters);
  append_optional_map(root.key("stageVariables"), event.stage_variables);

  root.key("requestContext");
  detail::JsonObjectWriter request_context(out);
  for (const ContextStringField& field : context_string_fields) {
    detail::append_json_string(request_context.key(field.name), context.*field.member);
  }
  request_context.key("requestTimeEpoch").append(std::to_string(context.request_time_epoch));
  request_context.key("identity");
  detail::JsonObjectWriter identity(out);
  for (const IdentityField& field : identity_fields) {
    append_optional_string(identity.key(field.name), context.identity.*field.member);
  }
  identity.close();
  if (context.authorizer) {
    request_context.key("authorizer").append(detail::serialize_finite(*context.authorizer));
  }
  request_context.close();

  append_optional_string(root.key("body"), event.body);
  root.key("isBase64Encoded").append(event.is_base64_encoded ? "true" : "false");
  root.close();
  return out;
}

}  // namespace cppstack::events

#pragma once
// What a handler receives: the API Gateway event, the path parameters the router captured,
// and facts about the invocation that carries it. The typed accessors never reach undefined
// behaviour: a missing or malformed value is a BadRequest (a 400 answer naming it).
//
//   events::ProxyResponse get_item(const cppstack::http::Request& request) {
//     auto id = request.path<std::int64_t>("id");          // 400 when not an integer
//     auto limit = request.query<int>("limit").value_or(20); // 400 when present but not an int
//     auto item = request.body<NewItem>();                   // 400 naming the bad field
//     ...
//   }

#include <boost/json/value.hpp>
#include <cppstack/events/proxy_event.hpp>
#include <cppstack/http/errors.hpp>
#include <cppstack/http/typed_json.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace cppstack::http {

/// Facts about the Lambda invocation behind the request.
struct InvocationInfo {
  std::string_view request_id{};  ///< Lambda's request id (not API Gateway's)
  std::int64_t deadline_ms = 0;   ///< epoch milliseconds; 0 when unknown
  bool cold_start = false;        ///< first invocation handled by this process
  std::string_view trace_id{};    ///< X-Ray trace header of the invocation; empty when none
};

struct Request {
  const events::ProxyEvent& event;
  InvocationInfo invocation;
  events::StringMap path_parameters;            ///< captured by the router from the route template
  const std::string* route_template = nullptr;  ///< the matched template, once routed
  /// What middleware hands the handler (an authenticated subject, a tenant, a timing start):
  ///   routes.before([](Request& request) { request.context["user"] = ...; });
  std::map<std::string, std::string, std::less<>> context{};

  [[nodiscard]] std::optional<std::string_view> path_parameter(std::string_view name) const;
  /// API Gateway's request id, falling back to Lambda's when the event has none.
  [[nodiscard]] std::string_view correlation_id() const;

  /// A path parameter of the route template as T. Throws BadRequest naming it when it is
  /// missing or does not parse as T (see parse_parameter()).
  template <class T = std::string_view>
  [[nodiscard]] T path(std::string_view name) const {
    return required_parameter<T>("path parameter", name, path_parameter(name));
  }
  /// A query string parameter as T; std::nullopt when absent, BadRequest when not a T.
  template <class T = std::string_view>
  [[nodiscard]] std::optional<T> query(std::string_view name) const {
    const auto text = event.query(name);
    if (!text) return std::nullopt;
    return required_parameter<T>("query parameter", name, text);
  }
  /// A header (case-insensitive name) as text; std::nullopt when absent.
  [[nodiscard]] std::optional<std::string_view> header(std::string_view name) const {
    return event.header(name);
  }
  /// `path` (a resource path such as /v1/notes/7) as the client addresses it: below the
  /// stage or base path mapping the request came through (requestContext.path without the
  /// resource path), e.g. /prod/v1/notes/7. For Location headers and links.
  [[nodiscard]] std::string public_path(std::string_view path) const;
  /// The body as bytes (base64-decoded when API Gateway encoded it); empty when none.
  [[nodiscard]] std::string body_text() const { return event.decoded_body(); }
  /// The body parsed as JSON. Throws BadRequest when it is missing or not JSON.
  [[nodiscard]] boost::json::value json_body() const;
  /// The body read as a described struct (see typed_json.hpp). Throws BadRequest naming the
  /// field that is missing or of the wrong type.
  template <class T>
  [[nodiscard]] T body() const {
    return from_json<T>(json_body());
  }

 private:
  template <class T>
  static T required_parameter(std::string_view kind, std::string_view name,
                              std::optional<std::string_view> text) {
    if (!text)
      throw BadRequest(std::string(kind) + " " + std::string(name) + " is missing",
                       std::string(name));
    auto value = parse_parameter<T>(*text);
    if (!value) {
      throw BadRequest(std::string(kind) + " " + std::string(name) + " must be " +
                           std::string(parameter_expectation<T>()),
                       std::string(name));
    }
    return *value;
  }
};

}  // namespace cppstack::http

#pragma once
// Building proxy responses: JSON bodies with the right Content-Type, the error shape every
// endpoint shares, and the usual REST answers.
//
//   return cppstack::http::json_response(200, {{"status", "ok"}});
//   return cppstack::http::json(200, note);                  // a described struct
//   return cppstack::http::created("/v1/notes/7", note);     // 201 with Location
//   return cppstack::http::no_content();                     // 204, no body
//   return cppstack::http::error_response(404, "Not Found", request.correlation_id());

#include <boost/json/value.hpp>
#include <cppstack/events/proxy_response.hpp>
#include <cppstack/http/errors.hpp>
#include <cppstack/http/typed_json.hpp>
#include <string>
#include <string_view>

namespace cppstack::http {

/// JSON text with numbers as people write them: 1.25 (shortest round trip), never
/// Boost.JSON's 1.25E0.
[[nodiscard]] std::string to_json_text(const boost::json::value& value);
/// `body` serialized by to_json_text(), Content-Type application/json.
[[nodiscard]] events::ProxyResponse json_response(int status_code, const boost::json::value& body);
/// {"message": ..., "requestId": ...}, Content-Type application/json.
[[nodiscard]] events::ProxyResponse error_response(int status_code, std::string_view message,
                                                   std::string_view request_id);
/// The answer an HttpError stands for: its status, {"message", "requestId"} and, when the
/// error names one, "field".
[[nodiscard]] events::ProxyResponse error_response(const HttpError& error,
                                                   std::string_view request_id);
/// 204 No Content: no body, no Content-Type.
[[nodiscard]] events::ProxyResponse no_content();

/// Any status with a described struct (or vector, or JSON value) as the JSON body.
template <class T>
[[nodiscard]] events::ProxyResponse json(int status_code, const T& value) {
  return json_response(status_code, to_json(value));
}
/// 201 Created with the new resource's address in Location and the resource as the body.
template <class T>
[[nodiscard]] events::ProxyResponse created(std::string location, const T& value) {
  events::ProxyResponse response = json(201, value);
  response.headers.emplace("Location", std::move(location));
  return response;
}

}  // namespace cppstack::http

#pragma once
// Building proxy responses: JSON bodies with the right Content-Type, and the error shape
// every endpoint shares.
//
//   return cppstack::http::json_response(200, {{"status", "ok"}});
//   return cppstack::http::error_response(404, "Not Found", request.correlation_id());

#include <boost/json/value.hpp>
#include <cppstack/events/proxy_response.hpp>
#include <string_view>

namespace cppstack::http {

/// `body` serialized, Content-Type application/json.
[[nodiscard]] events::ProxyResponse json_response(int status_code, const boost::json::value& body);
/// {"message": ..., "requestId": ...}, Content-Type application/json.
[[nodiscard]] events::ProxyResponse error_response(int status_code, std::string_view message,
                                                   std::string_view request_id);

}  // namespace cppstack::http

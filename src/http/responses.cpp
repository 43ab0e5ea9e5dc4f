#include <boost/json/serialize.hpp>
#include <cppstack/http/responses.hpp>

namespace cppstack::http {

events::ProxyResponse json_response(int status_code, const boost::json::value& body) {
  events::ProxyResponse response;
  response.status_code = status_code;
  response.headers.emplace("Content-Type", "application/json");
  response.body = boost::json::serialize(body);
  return response;
}

events::ProxyResponse error_response(int status_code, std::string_view message,
                                     std::string_view request_id) {
  return json_response(status_code,
                       boost::json::object{{"message", message}, {"requestId", request_id}});
}

}  // namespace cppstack::http

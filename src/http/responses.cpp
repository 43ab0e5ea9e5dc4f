#include <boost/json/serialize.hpp>
#include <charconv>
#include <cmath>
#include <cppstack/http/responses.hpp>

namespace cppstack::http {
namespace {

template <class Number>
void append_number(std::string& out, Number number) {
  char digits[32];
  const auto result = std::to_chars(digits, digits + sizeof digits, number);
  out.append(digits, result.ptr);
}

void append_json(std::string& out, const boost::json::value& value) {
  switch (value.kind()) {
    case boost::json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, member] : value.get_object()) {
        if (!first) out += ',';
        first = false;
        out += boost::json::serialize(key);
        out += ':';
        append_json(out, member);
      }
      out += '}';
      return;
    }
    case boost::json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& item : value.get_array()) {
        if (!first) out += ',';
        first = false;
        append_json(out, item);
      }
      out += ']';
      return;
    }
    case boost::json::kind::double_: {
      const double number = value.get_double();
      // JSON has no NaN or infinity.
      if (!std::isfinite(number)) {
        out += "null";
      } else {
        append_number(out, number);
      }
      return;
    }
    case boost::json::kind::int64:
      append_number(out, value.get_int64());
      return;
    case boost::json::kind::uint64:
      append_number(out, value.get_uint64());
      return;
    default:
      out += boost::json::serialize(value);
  }
}

}  // namespace

std::string to_json_text(const boost::json::value& value) {
  std::string out;
  append_json(out, value);
  return out;
}

events::ProxyResponse json_response(int status_code, const boost::json::value& body) {
  events::ProxyResponse response;
  response.status_code = status_code;
  response.headers.emplace("Content-Type", "application/json");
  response.body = to_json_text(body);
  return response;
}

events::ProxyResponse error_response(int status_code, std::string_view message,
                                     std::string_view request_id) {
  return json_response(status_code,
                       boost::json::object{{"message", message}, {"requestId", request_id}});
}

events::ProxyResponse error_response(const HttpError& error, std::string_view request_id) {
  boost::json::object body{{"message", error.what()}, {"requestId", request_id}};
  if (!error.field().empty()) body["field"] = error.field();
  return json_response(error.status_code(), body);
}

events::ProxyResponse no_content() {
  events::ProxyResponse response;
  response.status_code = 204;
  return response;
}

}  // namespace cppstack::http

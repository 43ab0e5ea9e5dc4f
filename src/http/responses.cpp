#include <boost/json/serialize.hpp>
#include <charconv>
#include <cmath>
#include <cppstack/http/responses.hpp>

namespace cppstack::http {
namespace {

template <class Number>
void append_number(std::string& out, Number number) {
  char digits[24];
  const auto result = std::to_chars(digits, digits + sizeof digits, number);
  out.append(digits, result.ptr);
}

// Boost.JSON writes a double as "1.253314731E0". This moves the point instead, reusing that
// shortest round-trip output rather than linking a second double formatter into bootstrap:
// "1.253314731", "0.5", "2". Very large or small numbers keep the exponent form (valid JSON).
std::string plain_decimal(const std::string& text) {
  const std::size_t e = text.find_first_of("eE");
  if (e == std::string::npos) return text;
  int exponent = 0;
  const auto [end, error] =
      std::from_chars(text.data() + e + 1, text.data() + text.size(), exponent);
  if (error != std::errc{} || exponent < -7 || exponent > 20) return text;
  std::string_view mantissa(text.data(), e);
  const bool negative = !mantissa.empty() && mantissa.front() == '-';
  if (negative) mantissa.remove_prefix(1);
  const std::size_t dot = mantissa.find('.');
  std::string digits(mantissa.substr(0, dot));
  if (dot != std::string_view::npos) digits.append(mantissa.substr(dot + 1));
  const long point =
      static_cast<long>(dot == std::string_view::npos ? mantissa.size() : dot) + exponent;
  std::string result = negative ? "-" : "";
  if (point <= 0) {
    result.append("0.").append(static_cast<std::size_t>(-point), '0').append(digits);
  } else if (static_cast<std::size_t>(point) >= digits.size()) {
    result.append(digits).append(static_cast<std::size_t>(point) - digits.size(), '0');
  } else {
    result.append(digits, 0, static_cast<std::size_t>(point))
        .append(".")
        .append(digits, static_cast<std::size_t>(point));
  }
  return result;
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
      // JSON has no NaN or infinity.
      if (!std::isfinite(value.get_double())) {
        out += "null";
      } else {
        out += plain_decimal(boost::json::serialize(value));
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
  if (!error.rule().empty()) body["rule"] = error.rule();
  return json_response(error.status_code(), body);
}

events::ProxyResponse no_content() {
  events::ProxyResponse response;
  response.status_code = 204;
  return response;
}

}  // namespace cppstack::http

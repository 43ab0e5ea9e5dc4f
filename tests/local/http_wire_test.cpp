// The HTTP server sends an answer in one piece (wire_form) instead of through Beast's
// serializer: the bytes must be the serializer's, for every kind of answer the emulator sends.

#include <gtest/gtest.h>

#include <sstream>

#include "http_server.hpp"

namespace cppstack::local {
namespace {

std::string serialized_by_beast(const HttpResponse& response) {
  std::ostringstream bytes;
  bytes << response;
  return bytes.str();
}

HttpResponse prepared(HttpResponse response) {
  response.prepare_payload();
  return response;
}

TEST(HttpWire, TheBytesAreBeastsSerializersForEveryKindOfAnswer) {
  std::vector<HttpResponse> answers;
  answers.push_back(prepared(json_response(beast_http::status::ok, R"({"status":"pass"})")));

  HttpResponse gateway = json_response(beast_http::status::forbidden, R"({"message":"Forbidden"})");
  gateway.set(beast_http::field::date, "Mon, 07 Dec 2026 04:03:19 GMT");
  gateway.set("x-amzn-RequestId", "4c354cb1-a30f-4a79-be97-51ce29817d0a");
  gateway.insert("Set-Cookie", "a=1");
  gateway.insert("Set-Cookie", "b=2");
  gateway.set("X-Empty", "");
  gateway.keep_alive(false);
  answers.push_back(prepared(std::move(gateway)));

  HttpResponse custom_reason{beast_http::status::not_found, 11};
  custom_reason.reason("Nothing Here");
  custom_reason.body() = "no";
  answers.push_back(prepared(std::move(custom_reason)));

  HttpResponse unknown_status{static_cast<beast_http::status>(299), 11};  // no standard reason
  unknown_status.body() = "{}";
  answers.push_back(prepared(std::move(unknown_status)));

  HttpResponse http10 = json_response(beast_http::status::accepted, R"({"status":"OK"})", 10);
  http10.keep_alive(true);
  answers.push_back(prepared(std::move(http10)));

  answers.push_back(prepared(HttpResponse{beast_http::status::no_content, 11}));

  HttpResponse head = json_response(beast_http::status::ok, std::string(5000, 'x'));
  head.prepare_payload();
  head.body().clear();
  head.content_length(5000);  // a HEAD answer announces the body it does not carry
  answers.push_back(std::move(head));

  answers.push_back(prepared(json_response(beast_http::status::ok, std::string(1 << 20, 'b'))));

  for (const auto& answer : answers) {
    SCOPED_TRACE(answer.result_int());
    EXPECT_EQ(wire_form(answer), serialized_by_beast(answer));
  }
}

}  // namespace
}  // namespace cppstack::local

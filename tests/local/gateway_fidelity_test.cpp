// start-api answers as API Gateway does where no fixture file can say it: limits that need
// large messages, headers whose values change per request (Date, X-Amzn-Trace-Id), and
// function responses that must never reach the wire.

#include <gtest/gtest.h>

#include <regex>

#include "emulator_process.hpp"

namespace cppstack::local::testing {
namespace {

using http::verb;

std::vector<std::string> start_api() { return {"start-api", "--bootstrap", FIXTURE_FUNCTION}; }

Response respond(std::uint16_t port, const std::string& function_response) {
  return request(port, verb::post, "/prod/respond", function_response,
                 {{"X-Fixture-Mode", "respond"}});
}

void expect_internal_server_error(const Response& response) {
  EXPECT_EQ(response.result_int(), 502) << response.body();
  EXPECT_EQ(response.body(), R"({"message":"Internal server error"})");
  EXPECT_EQ(response["x-amzn-ErrorType"], "InternalServerErrorException");
}

// API Gateway quotas (REST APIs): "Total combined size of request line and header values:
// 10240 bytes", not raisable. Under it the request reaches the function; over it, it does not,
// and the gateway keeps serving. Which status AWS sends is not documented (docs/local.md):
// the emulator answers RFC 9112's 431 in the shape of the gateway's own answers.
TEST(GatewayFidelity, RequestLineAndHeadersOver10240BytesAreRefused) {
  Emulator emulator(start_api());
  const auto under =
      request(emulator.port(), verb::get, "/prod/echo", {}, {{"X-Pad", std::string(9000, 'p')}});
  EXPECT_EQ(under.result_int(), 200);
  const auto over =
      request(emulator.port(), verb::get, "/prod/echo", {}, {{"X-Pad", std::string(10300, 'p')}});
  EXPECT_EQ(over.result_int(), 431);
  EXPECT_EQ(over.body(), R"({"message":"Request Header Fields Too Large"})");
  EXPECT_FALSE(over["x-amzn-RequestId"].empty());
  EXPECT_FALSE(over[http::field::date].empty());
  EXPECT_EQ(emulator.logs().find(std::string(10300, 'p')), std::string::npos);
  EXPECT_EQ(request(emulator.port(), verb::get, "/prod/echo").result_int(), 200);
}

// A header name or value too long for the HTTP writer (64 KB or more) is a malformed response
// (502), never a crash; the next request is served.
TEST(GatewayFidelity, ResponseHeaderOf64KilobytesIs502AndTheGatewayKeepsServing) {
  Emulator emulator(start_api());
  for (const std::size_t size : {std::size_t{65536}, std::size_t{70000}}) {
    SCOPED_TRACE(size);
    const std::string value(size, 'v');
    expect_internal_server_error(
        respond(emulator.port(), R"({"statusCode":200,"headers":{"X-Big":")" + value + R"("}})"));
    expect_internal_server_error(
        respond(emulator.port(), R"({"statusCode":200,"headers":{")" + value + R"(":"v"}})"));
  }
  const std::string fits(60000, 'f');
  const auto ok =
      respond(emulator.port(), R"({"statusCode":200,"headers":{"X-Big":")" + fits + R"("}})");
  EXPECT_EQ(ok.result_int(), 200);
  EXPECT_EQ(ok["X-Big"], fits);
}

// Response splitting: CR/LF in a name or value, or an empty name, never reaches the wire.
TEST(GatewayFidelity, HeaderInjectionIsRefusedOnEveryPath) {
  Emulator emulator(start_api());
  const std::string attacks[] = {
      R"({"statusCode":200,"headers":{"X-A":"a\r\nSet-Cookie: evil=1"}})",
      R"({"statusCode":200,"headers":{"X-A\r\nSet-Cookie":"evil=1"}})",
      R"({"statusCode":200,"multiValueHeaders":{"X-A":["ok","b\nSet-Cookie: evil=1"]}})",
      R"({"statusCode":200,"headers":{"":"v"}})",
      R"({"statusCode":200,"headers":{"X-A":"a\rb"}})",
  };
  for (const auto& attack : attacks) {
    SCOPED_TRACE(attack);
    const auto response = respond(emulator.port(), attack);
    expect_internal_server_error(response);
    EXPECT_TRUE(header_values(response, "Set-Cookie").empty());
  }
  EXPECT_TRUE(emulator.wait_for_log("Malformed Lambda proxy response"));
}

// Every answer carries Date (RFC 9110 IMF-fixdate); answers of requests that reached the
// integration carry X-Amzn-Trace-Id, the same one the function saw (tracing on in the stage).
TEST(GatewayFidelity, DateAlwaysAndTheTraceHeaderOfTheEvent) {
  Emulator emulator(start_api());
  const std::regex imf_fixdate(R"([A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT)");
  const auto ok = request(emulator.port(), verb::get, "/prod/echo");
  ASSERT_EQ(ok.result_int(), 200);
  EXPECT_TRUE(std::regex_match(std::string(ok[http::field::date]), imf_fixdate));
  const auto event = parse_json(ok.body());
  const std::string trace(event.at("headers").at("X-Amzn-Trace-Id").as_string());
  EXPECT_TRUE(std::regex_match(trace, std::regex("Root=1-[0-9a-f]{8}-[0-9a-f]{24}"))) << trace;
  EXPECT_EQ(ok["X-Amzn-Trace-Id"], trace);
  EXPECT_FALSE(event.at("requestContext").at("deploymentId").as_string().empty());

  for (const auto& target : {std::string("/nostage"), std::string("/prod/garbage")}) {
    const auto error = request(emulator.port(), verb::get, target);
    EXPECT_TRUE(std::regex_match(std::string(error[http::field::date]), imf_fixdate)) << target;
  }
  // A caller's trace header continues.
  const std::string given = "Root=1-5e66d96f-7491f09b0123456789abcdef;Sampled=1";
  const auto continued =
      request(emulator.port(), verb::get, "/prod/echo", {}, {{"X-Amzn-Trace-Id", given}});
  EXPECT_EQ(
      std::string(parse_json(continued.body()).at("headers").at("X-Amzn-Trace-Id").as_string()),
      given);
  EXPECT_EQ(continued["X-Amzn-Trace-Id"], given);
}

// Bytes that are not UTF-8 in a header, the query or a text body never make the event invalid
// JSON: the function gets the event (with U+FFFD), not a 502.
TEST(GatewayFidelity, NonUtf8RequestBytesStillGiveAJsonEvent) {
  Emulator emulator(start_api());
  const auto response = request(emulator.port(), verb::post, "/prod/echo?q=%FF%FE", "text \xff",
                                {{"X-Bin",
                                  "a\xfe"
                                  "b"},
                                 {"Content-Type", "text/plain"}});
  ASSERT_EQ(response.result_int(), 200) << response.body();
  const auto event = parse_json(response.body());
  EXPECT_EQ(event.at("body"), "text \xef\xbf\xbd");
  EXPECT_EQ(event.at("headers").at("X-Bin"),
            "a\xef\xbf\xbd"
            "b");
  EXPECT_EQ(event.at("queryStringParameters").at("q"), "\xef\xbf\xbd\xef\xbf\xbd");
}

// With active tracing the function's invocation carries the gateway's trace: the Root of
// Lambda-Runtime-Trace-Id (which a runtime puts in _X_AMZN_TRACE_ID) is the Root of the
// X-Amzn-Trace-Id the gateway answered with.
TEST(GatewayFidelity, TheFunctionSeesTheGatewaysTraceRoot) {
  Emulator emulator(start_api());
  const auto response = request(emulator.port(), verb::get, "/prod/context");
  ASSERT_EQ(response.result_int(), 200) << response.body();
  const std::string answered(response["X-Amzn-Trace-Id"]);
  const auto next_headers = parse_json(response.body());
  const std::string runtime(next_headers.at("Lambda-Runtime-Trace-Id").as_string());
  ASSERT_EQ(answered.size(), 40U) << answered;
  EXPECT_EQ(runtime.substr(0, 40), answered) << runtime;
  EXPECT_NE(runtime.find(";Parent="), std::string::npos) << runtime;
}

// Gateway response types: INTEGRATION_TIMEOUT is 504 "Endpoint request timed out"; the request
// reached its integration, so the answer carries its trace header, and Date as every answer.
TEST(GatewayFidelity, IntegrationTimeoutAnswerCarriesDateAndTrace) {
  Emulator emulator({"start-api", "--bootstrap", FIXTURE_FUNCTION, "--integration-timeout", "300",
                     "--timeout", "5"});
  const auto response = request(emulator.port(), verb::get, "/prod/sleep/2000");
  EXPECT_EQ(response.result_int(), 504);
  EXPECT_EQ(response.body(), R"({"message":"Endpoint request timed out"})");
  EXPECT_TRUE(std::regex_match(std::string(response["X-Amzn-Trace-Id"]),
                               std::regex("Root=1-[0-9a-f]{8}-[0-9a-f]{24}")));
  EXPECT_FALSE(response[http::field::date].empty());
}

}  // namespace
}  // namespace cppstack::local::testing

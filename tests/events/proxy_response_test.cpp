#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cppstack/events/proxy_response.hpp>
#include <random>
#include <string>
#include <vector>

#include "fixtures.hpp"

namespace {

namespace json = boost::json;
using cppstack::events::MultiValueMap;
using cppstack::events::parse_proxy_response;
using cppstack::events::ProxyResponse;
using cppstack::events::ResponseShapeError;
using cppstack::events::serialize;
using cppstack::events::StringMap;
using cppstack::events::to_json;
using cppstack::events::testing::fixture_names;
using cppstack::events::testing::read_fixture;
using namespace std::string_literals;

// ---- fixtures -------------------------------------------------------------------------------

class ValidResponseFixture : public ::testing::TestWithParam<std::string> {};

TEST_P(ValidResponseFixture, ParsesAndRoundTrips) {
  const ProxyResponse response =
      parse_proxy_response(read_fixture("responses/valid/" + GetParam() + ".json"));
  EXPECT_EQ(parse_proxy_response(serialize(response)), response);
  EXPECT_EQ(serialize(response), json::serialize(to_json(response)));
}

INSTANTIATE_TEST_SUITE_P(EveryFixture, ValidResponseFixture,
                         ::testing::ValuesIn(fixture_names("responses/valid")),
                         [](const auto& param_info) { return param_info.param; });

class InvalidResponseFixture : public ::testing::TestWithParam<std::string> {};

TEST_P(InvalidResponseFixture, IsRejected) {
  const std::string text = read_fixture("responses/invalid/" + GetParam() + ".json");
  EXPECT_THROW((void)parse_proxy_response(text), ResponseShapeError) << text;
}

INSTANTIATE_TEST_SUITE_P(EveryFixture, InvalidResponseFixture,
                         ::testing::ValuesIn(fixture_names("responses/invalid")),
                         [](const auto& param_info) { return param_info.param; });

TEST(ResponseFixtures, AreFound) {
  EXPECT_GE(fixture_names("responses/valid").size(), 5u);
  EXPECT_GE(fixture_names("responses/invalid").size(), 20u);
}

TEST(ResponseFixtures, FullResponseFields) {
  const ProxyResponse response = parse_proxy_response(read_fixture("responses/valid/full.json"));
  EXPECT_EQ(response.status_code, 201);
  EXPECT_EQ(response.headers, (StringMap{{"Content-Type", "application/json"},
                                         {"Location", "/v1/items/42"},
                                         {"X-Request-Source", "single"}}));
  EXPECT_EQ(response.multi_value_headers,
            (MultiValueMap{{"Set-Cookie", {"session=abc; Path=/; HttpOnly", "theme=dark; Path=/"}},
                           {"x-request-source", {"multi-1", "multi-2"}}}));
  EXPECT_EQ(response.body, "{\"id\":\"42\",\"name\":\"Cr\xc3\xa8me br\xc3\xbbl\xc3\xa9\x65\"}");
  EXPECT_FALSE(response.is_base64_encoded);
}

TEST(ResponseFixtures, MinimalResponseDefaults) {
  const ProxyResponse response = parse_proxy_response(read_fixture("responses/valid/minimal.json"));
  EXPECT_EQ(response, (ProxyResponse{.status_code = 204}));
}

TEST(ResponseFixtures, NullFieldsReadAsEmpty) {
  const ProxyResponse response =
      parse_proxy_response(read_fixture("responses/valid/null_fields.json"));
  EXPECT_EQ(response, (ProxyResponse{.status_code = 404}));
}

TEST(ResponseFixtures, Base64Body) {
  const ProxyResponse response =
      parse_proxy_response(read_fixture("responses/valid/base64_body.json"));
  EXPECT_TRUE(response.is_base64_encoded);
  EXPECT_EQ(response.body, "iVBORw0KGgo=");
}

// ---- every shape error ----------------------------------------------------------------------

struct ShapeErrorCase {
  const char* name;
  std::string json;
  const char* message;
};

class ResponseShapeErrorCase : public ::testing::TestWithParam<ShapeErrorCase> {};

TEST_P(ResponseShapeErrorCase, ThrowsNamingTheProblem) {
  try {
    (void)parse_proxy_response(GetParam().json);
    FAIL() << "accepted: " << GetParam().json;
  } catch (const ResponseShapeError& error) {
    EXPECT_EQ(std::string(error.what()), GetParam().message);
  }
}

const ShapeErrorCase shape_error_cases[] = {
    {"TopLevelArray", R"([{"statusCode":200}])", "response must be a JSON object"},
    {"TopLevelString", R"("200")", "response must be a JSON object"},
    {"TopLevelNull", "null", "response must be a JSON object"},
    {"TopLevelNumber", "200", "response must be a JSON object"},
    {"StatusCodeText", R"({"statusCode":"OK"})",
     "statusCode must be an integer or a string of digits"},
    {"StatusCodeStringFraction", R"({"statusCode":"200.5"})",
     "statusCode must be an integer or a string of digits"},
    {"StatusCodeStringSigned", R"({"statusCode":"+200"})",
     "statusCode must be an integer or a string of digits"},
    {"StatusCodeStringEmpty", R"({"statusCode":""})",
     "statusCode must be an integer or a string of digits"},
    {"StatusCodeStringTooHigh", R"({"statusCode":"600"})",
     "statusCode must be between 100 and 599"},
    {"StatusCodeFraction", R"({"statusCode":200.5})", "statusCode must be an integer"},
    {"StatusCodeFloat", R"({"statusCode":200.0})", "statusCode must be an integer"},
    {"StatusCodeExponent", R"({"statusCode":2e2})", "statusCode must be an integer"},
    {"StatusCodeBool", R"({"statusCode":true})", "statusCode must be an integer"},
    {"StatusCodeNull", R"({"statusCode":null})", "statusCode must be an integer"},
    {"StatusCodeObject", R"({"statusCode":{"code":200}})", "statusCode must be an integer"},
    {"StatusCodeTooLow", R"({"statusCode":99})", "statusCode must be between 100 and 599"},
    {"StatusCodeTooHigh", R"({"statusCode":600})", "statusCode must be between 100 and 599"},
    {"StatusCodeNegative", R"({"statusCode":-200})", "statusCode must be between 100 and 599"},
    {"StatusCodeHuge", R"({"statusCode":18446744073709551615})",
     "statusCode must be between 100 and 599"},
    {"BodyObject", R"({"statusCode":200,"body":{"hey":"dude"}})", "body must be a string or null"},
    {"BodyNumber", R"({"statusCode":200,"body":42})", "body must be a string or null"},
    {"BodyArray", R"({"statusCode":200,"body":["a"]})", "body must be a string or null"},
    {"BodyBool", R"({"statusCode":200,"body":false})", "body must be a string or null"},
    {"HeadersArray", R"({"statusCode":200,"headers":["Content-Type: text/plain"]})",
     "headers must be an object of strings or null"},
    {"HeadersString", R"({"statusCode":200,"headers":"x"})",
     "headers must be an object of strings or null"},
    {"HeaderNull", R"({"statusCode":200,"headers":{"X":null}})",
     "headers.X must be a string, a number or a boolean"},
    {"HeaderArray", R"({"statusCode":200,"headers":{"X":["a"]}})",
     "headers.X must be a string, a number or a boolean"},
    {"HeaderObject", R"({"statusCode":200,"headers":{"X":{"a":1}}})",
     "headers.X must be a string, a number or a boolean"},
    // Boost.JSON reads 1e400 as infinity, which has no text to send: malformed, never "inf".
    {"HeaderNumberOutOfRange", R"({"statusCode":200,"headers":{"X":1e400}})",
     "headers.X must be a string, a number or a boolean"},
    {"MultiValueHeaderOutOfRange", R"({"statusCode":200,"multiValueHeaders":{"X":[-1e400]}})",
     "multiValueHeaders.X must be an array of strings, numbers or booleans"},
    {"MultiValueHeadersArray", R"({"statusCode":200,"multiValueHeaders":[]})",
     "multiValueHeaders must be an object of string arrays or null"},
    {"MultiValueHeaderString", R"({"statusCode":200,"multiValueHeaders":{"Set-Cookie":"a=1"}})",
     "multiValueHeaders.Set-Cookie must be an array of strings, numbers or booleans"},
    {"MultiValueHeaderNull", R"({"statusCode":200,"multiValueHeaders":{"X":null}})",
     "multiValueHeaders.X must be an array of strings, numbers or booleans"},
    {"IsBase64EncodedString", R"({"statusCode":200,"isBase64Encoded":"false"})",
     "isBase64Encoded must be a boolean"},
    {"IsBase64EncodedNumber", R"({"statusCode":200,"isBase64Encoded":1})",
     "isBase64Encoded must be a boolean"},
    {"IsBase64EncodedNull", R"({"statusCode":200,"isBase64Encoded":null})",
     "isBase64Encoded must be a boolean"},
    {"UnknownKey", R"({"statusCode":200,"extra":1})", R"(unexpected key "extra")"},
    {"WrongCaseKey", R"({"StatusCode":200})", R"(unexpected key "StatusCode")"},
    {"UnknownKeyWithQuote", R"({"statusCode":200,"a\"b":1})", R"(unexpected key "a\"b")"},
    {"HeadersSingular", R"({"statusCode":200,"header":{}})", R"(unexpected key "header")"},
};

INSTANTIATE_TEST_SUITE_P(Table, ResponseShapeErrorCase, ::testing::ValuesIn(shape_error_cases),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(ResponseShapeErrorInvalidJson, NamesTheJsonProblem) {
  const std::string invalid_inputs[] = {
      "",
      "Internal error",
      R"({"statusCode":200,)",
      R"({"statusCode":200} {"statusCode":200})",
      "{\"statusCode\":200,\"body\":\"\xc3\x28\"}",  // not UTF-8
  };
  for (const std::string& input : invalid_inputs) {
    try {
      (void)parse_proxy_response(input);
      ADD_FAILURE() << "accepted: " << input;
    } catch (const ResponseShapeError& error) {
      EXPECT_EQ(std::string(error.what()).rfind("response is not valid JSON: ", 0), 0u)
          << error.what();
    }
  }
}

// Recorded from AWS (contracts.md section 1): a numeric string statusCode is accepted and a
// response without statusCode is a 200.
TEST(ResponseParse, NumericStringAndMissingStatusCodeAreAcceptedAsApiGatewayDoes) {
  EXPECT_EQ(parse_proxy_response(R"({"statusCode":"201","body":"x"})").status_code, 201);
  EXPECT_EQ(parse_proxy_response(R"({"statusCode":"404"})").status_code, 404);
  EXPECT_EQ(parse_proxy_response(R"({"body":"no status"})").status_code, 200);
  EXPECT_EQ(parse_proxy_response("{}").status_code, 200);
}

// Recorded from AWS (contracts.md section 1): boolean and number header values are sent as
// their text instead of failing the response.
TEST(ResponseParse, BooleanAndNumberHeaderValuesBecomeText) {
  const ProxyResponse response = parse_proxy_response(
      R"({"statusCode":200,"headers":{"A":true,"B":false,"C":42,"D":-7,"E":1.5,)"
      R"("F":18446744073709551615},"multiValueHeaders":{"G":["x",1,true]}})");
  EXPECT_EQ(response.headers, (StringMap{{"A", "true"},
                                         {"B", "false"},
                                         {"C", "42"},
                                         {"D", "-7"},
                                         {"E", "1.5"},
                                         {"F", "18446744073709551615"}}));
  EXPECT_EQ(response.multi_value_headers, (MultiValueMap{{"G", {"x", "1", "true"}}}));
}

TEST(ResponseParse, StatusCodeBoundsAreAccepted) {
  EXPECT_EQ(parse_proxy_response(R"({"statusCode":100})").status_code, 100);
  EXPECT_EQ(parse_proxy_response(R"({"statusCode":599})").status_code, 599);
}

TEST(ResponseParse, EveryFieldInAnyOrder) {
  const ProxyResponse response = parse_proxy_response(
      R"({"isBase64Encoded":true,"body":"aGk=","multiValueHeaders":{"A":["1","2"]},
          "headers":{"B":"3"},"statusCode":418})");
  EXPECT_EQ(response, (ProxyResponse{.status_code = 418,
                                     .headers = {{"B", "3"}},
                                     .multi_value_headers = {{"A", {"1", "2"}}},
                                     .body = "aGk=",
                                     .is_base64_encoded = true}));
}

// ---- merged headers -------------------------------------------------------------------------

// "If you specify values for both headers and multiValueHeaders, API Gateway merges them into
// a single list. If the same key-value pair is specified in both, only the values from
// multiValueHeaders will appear in the merged list." (Set up Lambda proxy integrations.)
TEST(ResponseMergedHeaders, BothAreMergedIntoOneListIgnoringCase) {
  const ProxyResponse response = parse_proxy_response(read_fixture("responses/valid/full.json"));
  const MultiValueMap expected{
      {"Content-Type", {"application/json"}},
      {"Location", {"/v1/items/42"}},
      {"Set-Cookie", {"session=abc; Path=/; HttpOnly", "theme=dark; Path=/"}},
      {"x-request-source", {"multi-1", "multi-2", "single"}},
  };
  EXPECT_EQ(response.merged_headers(), expected);
}

TEST(ResponseMergedHeaders, SameNameAndValueInBothAppearsOnce) {
  const ProxyResponse response{.headers = {{"X-A", "m2"}, {"X-B", "b"}},
                               .multi_value_headers = {{"X-A", {"m1", "m2"}}}};
  EXPECT_EQ(response.merged_headers(), (MultiValueMap{{"X-A", {"m1", "m2"}}, {"X-B", {"b"}}}));
}

TEST(ResponseMergedHeaders, EmptyMultiValueEntryGetsTheSingleValue) {
  const ProxyResponse response{.headers = {{"X-A", "single"}},
                               .multi_value_headers = {{"x-a", {}}}};
  EXPECT_EQ(response.merged_headers(), (MultiValueMap{{"x-a", {"single"}}}));
}

TEST(ResponseMergedHeaders, OnlySingleOrOnlyMultiOrNeither) {
  EXPECT_EQ((ProxyResponse{.headers = {{"A", "1"}}}).merged_headers(),
            (MultiValueMap{{"A", {"1"}}}));
  EXPECT_EQ((ProxyResponse{.multi_value_headers = {{"A", {"1", "2"}}}}).merged_headers(),
            (MultiValueMap{{"A", {"1", "2"}}}));
  EXPECT_TRUE(ProxyResponse{}.merged_headers().empty());
}

// ---- writing --------------------------------------------------------------------------------

TEST(ResponseSerialize, MinimalResponseAlwaysHasStatusBodyAndFlag) {
  EXPECT_EQ(serialize(ProxyResponse{}), R"({"statusCode":200,"body":"","isBase64Encoded":false})");
  EXPECT_EQ(json::serialize(to_json(ProxyResponse{})),
            R"({"statusCode":200,"body":"","isBase64Encoded":false})");
}

TEST(ResponseSerialize, WritesNonEmptyMaps) {
  const ProxyResponse response{.status_code = 302,
                               .headers = {{"Location", "/next"}},
                               .multi_value_headers = {{"Set-Cookie", {"a=1", "b=2"}}},
                               .body = "",
                               .is_base64_encoded = false};
  EXPECT_EQ(
      serialize(response),
      R"({"statusCode":302,"headers":{"Location":"/next"},)"
      R"("multiValueHeaders":{"Set-Cookie":["a=1","b=2"]},"body":"","isBase64Encoded":false})");
  EXPECT_EQ(serialize(response), json::serialize(to_json(response)));
}

TEST(ResponseSerialize, OmitsEmptyMapsEvenWhenTheOtherIsSet) {
  const ProxyResponse response{.multi_value_headers = {{"A", {"1"}}}};
  const json::object written = json::parse(serialize(response)).as_object();
  EXPECT_FALSE(written.contains("headers"));
  EXPECT_TRUE(written.contains("multiValueHeaders"));
}

TEST(ResponseSerialize, EscapesControlCharactersAndKeepsUtf8) {
  const ProxyResponse response{
      .headers = {{"X-Note", "caf\xc3\xa9\t\x01"}},
      .body = "{\"msg\":\"line\nbreak \xe2\x9c\x93 \\ \x1f\"}\0"s,
  };
  const std::string text = serialize(response);
  EXPECT_NE(text.find(R"("X-Note":"café\t\u0001")"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("body":"{\"msg\":\"line\nbreak ✓ \\ \u001f\"}\u0000")"), std::string::npos)
      << text;
  for (char c : text) EXPECT_GE(static_cast<unsigned char>(c), 0x20) << text;
  EXPECT_EQ(parse_proxy_response(text), response);
  EXPECT_EQ(text, json::serialize(to_json(response)));
}

// The writer measures the escaped size, then writes in place: every byte value, runs with no
// escape, only escapes, and empty text give what Boost.JSON's serializer gives.
TEST(ResponseSerialize, EveryByteIsWrittenAsBoostJsonWritesIt) {
  std::string every_byte;
  for (int byte = 0; byte < 256; ++byte) every_byte.push_back(static_cast<char>(byte));
  for (const std::string& body : {every_byte, std::string(100, '"'), std::string(3, '\x01'),
                                  std::string("plain text, no escape"), std::string()}) {
    const ProxyResponse response{.headers = {{"X-Bytes", body}}, .body = body};
    EXPECT_EQ(serialize(response), json::serialize(to_json(response)));
  }
  // Escapes at every offset of the 8-byte steps, and bodies longer than one 4096-byte chunk.
  std::mt19937 random(20261130);
  const std::string alphabet = "ab\"\\\n\x01\x1f\x7f\xc3\xa9 {}:";
  for (int round = 0; round < 300; ++round) {
    std::string body(random() % (round < 290 ? 40 : 9000), ' ');
    for (char& character : body) character = alphabet[random() % alphabet.size()];
    const ProxyResponse response{.body = body};
    ASSERT_EQ(serialize(response), json::serialize(to_json(response))) << round;
  }
}

TEST(ResponseSerialize, RoundTripsEveryField) {
  const ProxyResponse response{.status_code = 503,
                               .headers = {{"Retry-After", "120"}, {"Content-Type", "text/plain"}},
                               .multi_value_headers = {{"Vary", {"Accept", "Origin"}}},
                               .body = "try later",
                               .is_base64_encoded = true};
  EXPECT_EQ(parse_proxy_response(serialize(response)), response);
}

}  // namespace

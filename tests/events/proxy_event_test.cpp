#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cppstack/events/proxy_event.hpp>
#include <limits>
#include <string>
#include <vector>

#include "fixtures.hpp"

namespace {

namespace json = boost::json;
using cppstack::events::EventParseError;
using cppstack::events::MultiValueMap;
using cppstack::events::parse_proxy_event;
using cppstack::events::proxy_event_from_json;
using cppstack::events::ProxyEvent;
using cppstack::events::serialize;
using cppstack::events::StringMap;
using cppstack::events::to_json;
using cppstack::events::testing::fixture_names;
using cppstack::events::testing::read_fixture;
using namespace std::string_literals;

ProxyEvent load_event(const std::string& name) {
  return parse_proxy_event(read_fixture("events/" + name + ".json"));
}

// ---- every field of every fixture -----------------------------------------------------------

TEST(ProxyEventFixtures, GetWithRepeatedQueryKeysAndHeaders) {
  const ProxyEvent event = load_event("get_multi_value_query");
  EXPECT_EQ(event.resource, "/v1/items");
  EXPECT_EQ(event.path, "/v1/items");
  EXPECT_EQ(event.http_method, "GET");

  ASSERT_TRUE(event.headers.has_value());
  EXPECT_EQ(event.headers->size(), 9u);
  EXPECT_EQ(event.headers->at("Accept"), "application/json");
  EXPECT_EQ(event.headers->at("accept-encoding"), "gzip, deflate, br");
  EXPECT_EQ(event.headers->at("X-Custom-Tag"), "second");
  ASSERT_TRUE(event.multi_value_headers.has_value());
  EXPECT_EQ(event.multi_value_headers->size(), 9u);
  EXPECT_EQ(event.multi_value_headers->at("X-Custom-Tag"),
            (std::vector<std::string>{"first", "second"}));

  const StringMap expected_query{{"color", "blue"}, {"q", "hello world & more"}, {"limit", "10"}};
  EXPECT_EQ(event.query_string_parameters, expected_query);
  const MultiValueMap expected_multi_query{
      {"color", {"red", "green", "blue"}}, {"q", {"hello world & more"}}, {"limit", {"10"}}};
  EXPECT_EQ(event.multi_value_query_string_parameters, expected_multi_query);
  EXPECT_FALSE(event.path_parameters.has_value());
  EXPECT_FALSE(event.stage_variables.has_value());

  const auto& context = event.request_context;
  EXPECT_EQ(context.account_id, "123456789012");
  EXPECT_EQ(context.api_id, "abcd123456");
  EXPECT_EQ(context.resource_id, "2gxmpl");
  EXPECT_EQ(context.resource_path, "/v1/items");
  EXPECT_EQ(context.http_method, "GET");
  EXPECT_EQ(context.stage, "prod");
  EXPECT_EQ(context.request_id, "6d0b8a3e-1f5c-4b2a-9c3d-7e8f90a1b2c3");
  EXPECT_EQ(context.extended_request_id, "Uq3S8FxmPHcFYGg=");
  EXPECT_EQ(context.path, "/prod/v1/items");
  EXPECT_EQ(context.protocol, "HTTP/1.1");
  EXPECT_EQ(context.request_time, "14/Mar/2024:10:15:42 +0000");
  EXPECT_EQ(context.request_time_epoch, 1710411342123);
  EXPECT_EQ(context.domain_name, "abcd123456.execute-api.us-east-1.amazonaws.com");
  EXPECT_EQ(context.domain_prefix, "abcd123456");
  EXPECT_EQ(context.identity.source_ip, "198.51.100.7");
  EXPECT_EQ(context.identity.user_agent, "curl/8.4.0");
  EXPECT_FALSE(context.identity.api_key.has_value());
  EXPECT_FALSE(context.identity.api_key_id.has_value());
  EXPECT_FALSE(context.identity.access_key.has_value());
  EXPECT_FALSE(context.identity.account_id.has_value());
  EXPECT_FALSE(context.identity.caller.has_value());
  EXPECT_FALSE(context.identity.cognito_authentication_provider.has_value());
  EXPECT_FALSE(context.identity.cognito_authentication_type.has_value());
  EXPECT_FALSE(context.identity.cognito_identity_id.has_value());
  EXPECT_FALSE(context.identity.cognito_identity_pool_id.has_value());
  EXPECT_FALSE(context.identity.principal_org_id.has_value());
  EXPECT_FALSE(context.identity.user.has_value());
  EXPECT_FALSE(context.identity.user_arn.has_value());
  EXPECT_FALSE(context.authorizer.has_value());

  EXPECT_FALSE(event.body.has_value());
  EXPECT_FALSE(event.is_base64_encoded);
}

TEST(ProxyEventFixtures, PostWithBase64Body) {
  const ProxyEvent event = load_event("post_base64_body");
  EXPECT_EQ(event.http_method, "POST");
  EXPECT_EQ(event.resource, "/v1/uploads");
  EXPECT_EQ(event.request_context.path, "/prod/v1/uploads");
  EXPECT_EQ(event.request_context.request_time_epoch, 1710411363456);
  EXPECT_EQ(event.body, "AAECA/9+f4CBgg==");
  EXPECT_TRUE(event.is_base64_encoded);
  EXPECT_EQ(event.decoded_body(), "\x00\x01\x02\x03\xff~\x7f\x80\x81\x82"s);
  EXPECT_EQ(event.header("content-length"), "10");
  EXPECT_EQ(event.decoded_body().size(), 10u);
  EXPECT_FALSE(event.query_string_parameters.has_value());
  EXPECT_FALSE(event.multi_value_query_string_parameters.has_value());
}

TEST(ProxyEventFixtures, PathParametersStageVariablesAndApiKey) {
  const ProxyEvent event = load_event("path_parameters");
  EXPECT_EQ(event.resource, "/v1/items/{id}");
  EXPECT_EQ(event.path, "/v1/items/42");
  EXPECT_EQ(event.http_method, "PUT");
  EXPECT_EQ(event.request_context.resource_path, "/v1/items/{id}");
  EXPECT_EQ(event.request_context.path, "/prod/v1/items/42");
  EXPECT_EQ(event.path_parameters, (StringMap{{"id", "42"}}));
  EXPECT_EQ(event.path_parameter("id"), "42");
  EXPECT_FALSE(event.path_parameter("ID").has_value());
  EXPECT_FALSE(event.path_parameter("name").has_value());
  EXPECT_EQ(event.stage_variables, (StringMap{{"tableName", "items-prod"}, {"logLevel", "INFO"}}));
  EXPECT_EQ(event.request_context.identity.api_key, "k3y-3xampl3-v4lu3");
  EXPECT_EQ(event.request_context.identity.api_key_id, "q8xmpl7abc");
  EXPECT_EQ(event.request_context.identity.user_agent,
            "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/124.0");
  // The fixture spells the dash as \u2014; it must arrive as UTF-8 bytes.
  EXPECT_EQ(event.body,
            "{\"name\":\"Cr\xc3\xa8me br\xc3\xbbl\xc3\xa9\x65 \xe2\x80\x94 "
            "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\",\"price\":4.5}");
  EXPECT_EQ(event.decoded_body(), *event.body);
}

TEST(ProxyEventFixtures, GreedyProxyPathWithAuthorizerAndFullIdentity) {
  const ProxyEvent event = load_event("greedy_proxy_path");
  EXPECT_EQ(event.resource, "/{proxy+}");
  EXPECT_EQ(event.path, "/hello/world/with%20space");
  EXPECT_EQ(event.http_method, "DELETE");
  EXPECT_EQ(event.path_parameter("proxy"), "hello/world/with space");
  EXPECT_EQ(event.query("dryRun"), "");
  EXPECT_EQ(event.request_context.stage, "v1");

  const auto& identity = event.request_context.identity;
  EXPECT_EQ(identity.cognito_identity_pool_id, "us-east-1:11111111-2222-3333-4444-555555555555");
  EXPECT_EQ(identity.account_id, "123456789012");
  EXPECT_EQ(identity.cognito_identity_id, "us-east-1:66666666-7777-8888-9999-000000000000");
  EXPECT_EQ(identity.caller, "AROAEXAMPLEID:session");
  EXPECT_EQ(identity.source_ip, "198.51.100.200");
  EXPECT_EQ(identity.principal_org_id, "o-exampleorg");
  EXPECT_EQ(identity.access_key, "ASIAEXAMPLEKEY");
  EXPECT_EQ(identity.cognito_authentication_type, "authenticated");
  EXPECT_EQ(identity.cognito_authentication_provider,
            "cognito-idp.us-east-1.amazonaws.com/us-east-1_Example,cognito-idp.us-east-1."
            "amazonaws.com/us-east-1_Example:CognitoSignIn:7f3a");
  EXPECT_EQ(identity.user_arn, "arn:aws:sts::123456789012:assumed-role/Example/session");
  EXPECT_EQ(identity.user_agent, "okhttp/4.12.0");
  EXPECT_EQ(identity.user, "AROAEXAMPLEID:session");

  ASSERT_TRUE(event.request_context.authorizer.has_value());
  const json::object& authorizer = *event.request_context.authorizer;
  EXPECT_EQ(authorizer.at("principalId"), "user-7f3a");
  EXPECT_EQ(authorizer.at("integrationLatency"), 12);
  EXPECT_EQ(authorizer.at("claims").at("email"), "someone@example.com");
}

TEST(ProxyEventFixtures, AllNulls) {
  const ProxyEvent event = load_event("all_nulls");
  EXPECT_EQ(event.http_method, "GET");
  EXPECT_EQ(event.path, "/v1/health");
  EXPECT_FALSE(event.headers.has_value());
  EXPECT_FALSE(event.multi_value_headers.has_value());
  EXPECT_FALSE(event.query_string_parameters.has_value());
  EXPECT_FALSE(event.multi_value_query_string_parameters.has_value());
  EXPECT_FALSE(event.path_parameters.has_value());
  EXPECT_FALSE(event.stage_variables.has_value());
  EXPECT_FALSE(event.body.has_value());
  EXPECT_EQ(event.request_context.identity, cppstack::events::Identity{});
  EXPECT_FALSE(event.header("Host").has_value());
  EXPECT_FALSE(event.query("q").has_value());
  EXPECT_FALSE(event.path_parameter("id").has_value());
  EXPECT_EQ(event.decoded_body(), "");
}

TEST(ProxyEventFixtures, AwsDocumentedExample) {
  const ProxyEvent event = load_event("documented_example");
  EXPECT_EQ(event.header("header2"), "value2");
  EXPECT_EQ(event.multi_value_headers->at("header2"),
            (std::vector<std::string>{"value1", "value2"}));
  EXPECT_EQ(event.query("parameter1"), "value1");
  EXPECT_EQ(event.multi_value_query_string_parameters->at("parameter1"),
            (std::vector<std::string>{"value1", "value2"}));
  // The documented example sends resourceId as null; the struct keeps it as a plain string.
  EXPECT_EQ(event.request_context.resource_id, "");
  EXPECT_EQ(event.request_context.stage, "$default");
  EXPECT_EQ(event.request_context.request_id, "id=");
  EXPECT_EQ(event.request_context.request_time_epoch, 1583349317135);
  EXPECT_EQ(event.request_context.identity.source_ip, "IP");
  ASSERT_TRUE(event.request_context.authorizer.has_value());
  EXPECT_TRUE(event.request_context.authorizer->at("claims").is_null());
  EXPECT_EQ(event.body, "Hello from Lambda!");
}

// ---- round trips ----------------------------------------------------------------------------

class ProxyEventRoundTrip : public ::testing::TestWithParam<std::string> {};

TEST_P(ProxyEventRoundTrip, ParseSerializeParseIsEqual) {
  const ProxyEvent first = load_event(GetParam());
  const std::string text = serialize(first);
  const ProxyEvent second = parse_proxy_event(text);
  EXPECT_EQ(first, second);
  EXPECT_EQ(serialize(second), text);
}

TEST_P(ProxyEventRoundTrip, HandWrittenWriterMatchesToJson) {
  const ProxyEvent event = load_event(GetParam());
  EXPECT_EQ(serialize(event), json::serialize(to_json(event)));
  EXPECT_EQ(proxy_event_from_json(to_json(event)), event);
}

// Every value the fixture holds (in a field the event models) comes out unchanged: nulls stay
// null, numbers stay integers, strings keep their bytes.
TEST_P(ProxyEventRoundTrip, SerializedJsonKeepsEveryModelledValue) {
  const json::value original = json::parse(read_fixture("events/" + GetParam() + ".json"));
  const json::value written = json::parse(serialize(load_event(GetParam())));
  for (const auto& [key, value] : original.as_object()) {
    if (key == "requestContext") continue;
    if (value.is_object() && value.as_object().empty()) continue;  // {} is written as null
    EXPECT_EQ(written.at(key), value) << key;
  }
  const json::object& original_context = original.at("requestContext").as_object();
  const json::object& written_context = written.at("requestContext").as_object();
  for (const auto& [key, value] : original_context) {
    if (key == "identity") continue;
    if (key == "resourceId" && value.is_null()) continue;  // kept as "" by the struct
    EXPECT_EQ(written_context.at(key), value) << "requestContext." << key;
  }
  const json::object& written_identity = written_context.at("identity").as_object();
  for (const auto& [key, value] : original_context.at("identity").as_object()) {
    if (key == "clientCert") continue;  // not modelled
    EXPECT_EQ(written_identity.at(key), value) << "requestContext.identity." << key;
  }
  // Identity fields the fixture leaves out are written as null, as API Gateway does.
  EXPECT_EQ(written_identity.size(), 14u);
}

INSTANTIATE_TEST_SUITE_P(EveryFixture, ProxyEventRoundTrip,
                         ::testing::ValuesIn(fixture_names("events")),
                         [](const auto& param_info) { return param_info.param; });

TEST(ProxyEventRoundTrip, FixturesAreFound) { EXPECT_GE(fixture_names("events").size(), 6u); }

TEST(ProxyEventSerialize, AllNullsStayNull) {
  const json::value written = json::parse(serialize(load_event("all_nulls")));
  for (const char* key :
       {"headers", "multiValueHeaders", "queryStringParameters", "multiValueQueryStringParameters",
        "pathParameters", "stageVariables", "body"}) {
    EXPECT_TRUE(written.at(key).is_null()) << key;
  }
  for (const auto& [key, value] : written.at("requestContext").at("identity").as_object()) {
    EXPECT_TRUE(value.is_null()) << key;
  }
}

TEST(ProxyEventSerialize, EmptyMapsAreWrittenAsNull) {
  ProxyEvent event{.path = "/", .http_method = "GET"};
  event.headers = StringMap{};
  event.multi_value_headers = MultiValueMap{};
  event.path_parameters = StringMap{};
  const json::value written = json::parse(serialize(event));
  EXPECT_TRUE(written.at("headers").is_null());
  EXPECT_TRUE(written.at("multiValueHeaders").is_null());
  EXPECT_TRUE(written.at("pathParameters").is_null());
  EXPECT_TRUE(to_json(event).as_object().at("headers").is_null());
}

TEST(ProxyEventParse, EmptyObjectsReadAsNull) {
  const ProxyEvent event = parse_proxy_event(
      R"({"httpMethod":"GET","path":"/","headers":{},"multiValueQueryStringParameters":{}})");
  EXPECT_FALSE(event.headers.has_value());
  EXPECT_FALSE(event.multi_value_query_string_parameters.has_value());
}

TEST(ProxyEventSerialize, AuthorizerOnlyWhenPresent) {
  const json::value without = json::parse(serialize(load_event("all_nulls")));
  EXPECT_FALSE(without.at("requestContext").as_object().contains("authorizer"));
  const json::value with = json::parse(serialize(load_event("greedy_proxy_path")));
  EXPECT_EQ(with.at("requestContext").at("authorizer").at("claims").at("sub"),
            "7f3a9c2e-1b4d-4e8f-a0c1-d2e3f4a5b6c7");
}

TEST(ProxyEventSerialize, RequestTimeEpochIsAnIntegerInMilliseconds) {
  const json::value written = json::parse(serialize(load_event("get_multi_value_query")));
  const json::value& epoch = written.at("requestContext").at("requestTimeEpoch");
  ASSERT_TRUE(epoch.is_int64());
  EXPECT_EQ(epoch.as_int64(), 1710411342123);
}

TEST(ProxyEventSerialize, EscapesControlCharacters) {
  ProxyEvent event{.path = "/", .http_method = "POST"};
  event.body = "line1\nline2\ttab\r\b\f\x01\x1f\x7f \"quoted\" back\\slash \0end"s;
  event.headers = StringMap{{"X-Odd\x02", "v\x1b"}};
  const std::string text = serialize(event);
  EXPECT_NE(text.find(R"("body":"line1\nline2\ttab\r\b\f\u0001\u001f)"
                      "\x7f"
                      R"( \"quoted\" back\\slash \u0000end")"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(R"("X-Odd\u0002":"v\u001b")"), std::string::npos) << text;
  // No raw control character reaches the output.
  for (char c : text) EXPECT_GE(static_cast<unsigned char>(c), 0x20) << text;
  EXPECT_EQ(parse_proxy_event(text), event);
  EXPECT_EQ(text, json::serialize(to_json(event)));
}

TEST(ProxyEventSerialize, Utf8SurvivesUnchanged) {
  ProxyEvent event{.path = "/v1/caf\xc3\xa9", .http_method = "GET"};
  event.body = "\xf0\x9f\x9a\x80 \xe6\x97\xa5\xe6\x9c\xac \xc3\xa9";  // rocket, Japanese, e-acute
  event.query_string_parameters = StringMap{{"name", "J\xc3\xbcrgen"}};
  event.request_context.identity.user_agent = "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82";
  const std::string text = serialize(event);
  EXPECT_NE(text.find("\xf0\x9f\x9a\x80 \xe6\x97\xa5\xe6\x9c\xac \xc3\xa9"), std::string::npos);
  EXPECT_NE(text.find("J\xc3\xbcrgen"), std::string::npos);
  EXPECT_EQ(parse_proxy_event(text), event);
}

TEST(ProxyEventParse, UnicodeEscapesBecomeUtf8) {
  const ProxyEvent event = parse_proxy_event(
      R"({"httpMethod":"GET","path":"/","body":"\u00e9\ud83d\ude80","headers":{"X":"\u2014"}})");
  EXPECT_EQ(event.body, "\xc3\xa9\xf0\x9f\x9a\x80");
  EXPECT_EQ(event.header("x"), "\xe2\x80\x94");
}

// ---- lookups --------------------------------------------------------------------------------

TEST(ProxyEventHeader, LookupIgnoresAsciiCase) {
  const ProxyEvent event = load_event("get_multi_value_query");
  EXPECT_EQ(event.header("Accept"), "application/json");
  EXPECT_EQ(event.header("accept"), "application/json");
  EXPECT_EQ(event.header("ACCEPT"), "application/json");
  EXPECT_EQ(event.header("Accept-Encoding"), "gzip, deflate, br");
  EXPECT_EQ(event.header("user-agent"), "curl/8.4.0");
  EXPECT_EQ(event.header("x-forwarded-for"), "198.51.100.7");
  EXPECT_FALSE(event.header("Accep").has_value());
  EXPECT_FALSE(event.header("Accept ").has_value());
  EXPECT_FALSE(event.header("Content-Type").has_value());
  EXPECT_FALSE(event.header("").has_value());
}

TEST(ProxyEventHeader, ReturnsTheLastValueWhileMultiValueKeepsAll) {
  const ProxyEvent event = load_event("get_multi_value_query");
  EXPECT_EQ(event.header("x-custom-tag"), "second");
  EXPECT_EQ(event.multi_value_headers->at("X-Custom-Tag"),
            (std::vector<std::string>{"first", "second"}));
}

TEST(ProxyEventHeader, PrefersTheExactSpellingWhenTwoSpellingsExist) {
  ProxyEvent event{.path = "/", .http_method = "GET"};
  event.headers = StringMap{{"X-Id", "upper"}, {"x-id", "lower"}};
  EXPECT_EQ(event.header("x-id"), "lower");
  EXPECT_EQ(event.header("X-Id"), "upper");
}

TEST(ProxyEventHeader, FallsBackToMultiValueHeaders) {
  ProxyEvent event{.path = "/", .http_method = "GET"};
  event.multi_value_headers = MultiValueMap{{"Cookie", {"a=1", "b=2"}}, {"X-Empty", {}}};
  EXPECT_EQ(event.header("cookie"), "b=2");
  EXPECT_FALSE(event.header("x-empty").has_value());
}

TEST(ProxyEventHeader, IsNotLocaleOrUnicodeCaseFolding) {
  ProxyEvent event{.path = "/", .http_method = "GET"};
  event.headers = StringMap{{"X-\xc3\x89t\xc3\xa9", "v"}};  // X-Été
  EXPECT_EQ(event.header("x-\xc3\x89t\xc3\xa9"), "v");
  EXPECT_FALSE(event.header("x-\xc3\xa9t\xc3\xa9").has_value());
}

TEST(ProxyEventQuery, LastValueAndExactNames) {
  const ProxyEvent event = load_event("get_multi_value_query");
  EXPECT_EQ(event.query("color"), "blue");
  EXPECT_EQ(event.query("q"), "hello world & more");  // URL-decoded as API Gateway sends it
  EXPECT_EQ(event.query("limit"), "10");
  EXPECT_FALSE(event.query("Color").has_value());
  EXPECT_FALSE(event.query("missing").has_value());
}

TEST(ProxyEventQuery, FallsBackToMultiValueParameters) {
  ProxyEvent event{.path = "/", .http_method = "GET"};
  event.multi_value_query_string_parameters = MultiValueMap{{"tag", {"a", "b"}}};
  EXPECT_EQ(event.query("tag"), "b");
}

TEST(ProxyEventBody, PlainBodyIsReturnedAsSent) {
  ProxyEvent event{.path = "/", .http_method = "POST"};
  event.body = "aGk=";
  EXPECT_EQ(event.decoded_body(), "aGk=");
  event.is_base64_encoded = true;
  EXPECT_EQ(event.decoded_body(), "hi");
}

TEST(ProxyEventBody, InvalidBase64Throws) {
  ProxyEvent event{.path = "/", .http_method = "POST"};
  event.body = "not base64!";
  event.is_base64_encoded = true;
  EXPECT_THROW((void)event.decoded_body(), EventParseError);
}

TEST(ProxyEventBody, NullBodyIsEmptyEvenWhenFlaggedBase64) {
  ProxyEvent event{.path = "/", .http_method = "POST"};
  event.is_base64_encoded = true;
  EXPECT_EQ(event.decoded_body(), "");
}

// ---- leniency and errors --------------------------------------------------------------------

TEST(ProxyEventParse, OnlyHttpMethodAndPathAreRequired) {
  const ProxyEvent event = parse_proxy_event(R"({"httpMethod":"GET","path":"/v1/health"})");
  ProxyEvent expected;
  expected.http_method = "GET";
  expected.path = "/v1/health";
  EXPECT_EQ(event, expected);
  const json::value written = json::parse(serialize(event));
  EXPECT_TRUE(written.at("headers").is_null());
  EXPECT_TRUE(written.at("body").is_null());
  EXPECT_EQ(written.at("isBase64Encoded"), false);
  EXPECT_EQ(written.at("requestContext").at("requestTimeEpoch"), 0);
}

TEST(ProxyEventParse, NullsReadAsDefaults) {
  const ProxyEvent event = parse_proxy_event(
      R"({"httpMethod":"GET","path":"/","resource":null,"requestContext":null,
          "isBase64Encoded":null,"body":null})");
  EXPECT_EQ(event.resource, "");
  EXPECT_FALSE(event.is_base64_encoded);
  EXPECT_FALSE(event.body.has_value());
  EXPECT_EQ(event.request_context, cppstack::events::RequestContext{});
}

TEST(ProxyEventParse, UnknownFieldsAreIgnored) {
  const ProxyEvent event = parse_proxy_event(
      R"({"httpMethod":"GET","path":"/","version":"1.0","requestContext":{"stage":"prod",
          "operationName":"x","identity":{"vpcId":"vpc-1"}}})");
  EXPECT_EQ(event.request_context.stage, "prod");
}

TEST(ProxyEventParse, ProxyEventFromJsonAppliesTheSameRules) {
  EXPECT_THROW((void)proxy_event_from_json(json::parse(R"({"path":"/"})")), EventParseError);
  const ProxyEvent event =
      proxy_event_from_json(json::parse(R"({"httpMethod":"GET","path":"/a","body":"x"})"));
  EXPECT_EQ(event.path, "/a");
  EXPECT_EQ(event.body, "x");
}

TEST(ProxyEventParse, AuthorizerOutlivesTheParse) {
  // The authorizer is copied out of the parse arena; using it after the parse must be safe.
  ProxyEvent event = parse_proxy_event(
      R"({"httpMethod":"GET","path":"/","requestContext":{"authorizer":{"principalId":"p",
          "nested":{"list":[1,2,3],"text":"a long string that does not fit small buffers"}}}})");
  ProxyEvent copy = event;
  event = ProxyEvent{};
  ASSERT_TRUE(copy.request_context.authorizer.has_value());
  EXPECT_EQ(copy.request_context.authorizer->at("nested").at("text"),
            "a long string that does not fit small buffers");
}

TEST(ProxyEventParse, LargeEventSpillsPastTheStackArena) {
  ProxyEvent event{.path = "/big", .http_method = "POST"};
  event.headers.emplace();
  for (int i = 0; i < 500; ++i) {
    (*event.headers)["X-Header-" + std::to_string(i)] =
        std::string(64, static_cast<char>('a' + i % 26));
  }
  event.body = std::string(100000, 'z');
  EXPECT_EQ(parse_proxy_event(serialize(event)), event);
}

TEST(ProxyEventParse, NestedUnknownMembersCannotOverrideKnownFields) {
  const ProxyEvent event = parse_proxy_event(
      R"({"httpMethod":"GET","path":"/real","extra":{"httpMethod":"POST","path":"/fake",
          "headers":{"a":1},"list":[{"body":"no"},[null,{"isBase64Encoded":"x"}]]},
          "requestContext":{"stage":"prod","extra":{"stage":"fake","identity":7},
          "identity":{"sourceIp":"1.2.3.4","clientCert":{"sourceIp":"fake","validity":{}}}}})");
  EXPECT_EQ(event.http_method, "GET");
  EXPECT_EQ(event.path, "/real");
  EXPECT_FALSE(event.headers.has_value());
  EXPECT_FALSE(event.body.has_value());
  EXPECT_EQ(event.request_context.stage, "prod");
  EXPECT_EQ(event.request_context.identity.source_ip, "1.2.3.4");
}

TEST(ProxyEventParse, AuthorizerKeepsEveryJsonType) {
  const std::string text =
      R"({"httpMethod":"GET","path":"/","requestContext":{"authorizer":{"s":"x","i":-3,)"
      R"("u":18446744073709551615,"d":1.5,"b":true,"n":null,"a":[1,[2,{"k":"v"}],{}],)"
      R"("o":{"nested":{"deep":["\u00e9"]}}},"stage":"after"}})";
  const ProxyEvent event = parse_proxy_event(text);
  ASSERT_TRUE(event.request_context.authorizer.has_value());
  const json::value expected =
      json::parse(R"({"s":"x","i":-3,"u":18446744073709551615,"d":1.5,"b":true,"n":null,)"
                  R"("a":[1,[2,{"k":"v"}],{}],"o":{"nested":{"deep":["\u00e9"]}}})");
  EXPECT_EQ(json::value(*event.request_context.authorizer), expected);
  EXPECT_EQ(event.request_context.stage, "after");
  EXPECT_EQ(proxy_event_from_json(json::parse(text)), event);
}

TEST(ProxyEventParse, LongEscapedStringsAndKeysArriveWhole) {
  // Escapes and long strings make the parser hand over text in pieces.
  std::string escaped_body;
  std::string expected_body;
  for (int i = 0; i < 3000; ++i) {
    escaped_body += R"(line\n\"q\"\u00e9\\)";
    expected_body += "line\n\"q\"\xc3\xa9\\";
  }
  const std::string long_key(5000, 'k');
  const std::string text = R"({"httpMethod":"GET","path":"/","body":")" + escaped_body +
                           R"(","headers":{"X-\u0041bc":"v\u00e9","K)" + long_key +
                           R"(":"long"},"multiValueHeaders":{"M\n":["a\tb","c"]}})";
  const ProxyEvent event = parse_proxy_event(text);
  EXPECT_EQ(event.body, expected_body);
  EXPECT_EQ(event.headers, (StringMap{{"X-Abc", "v\xc3\xa9"}, {"K" + long_key, "long"}}));
  EXPECT_EQ(event.multi_value_headers, (MultiValueMap{{"M\n", {"a\tb", "c"}}}));
  EXPECT_EQ(proxy_event_from_json(json::parse(text)), event);
}

TEST(ProxyEventParse, SyntaxErrorWinsOverAnEarlierShapeError) {
  try {
    (void)parse_proxy_event(R"({"httpMethod":1,"path":"/",)");
    FAIL() << "accepted";
  } catch (const EventParseError& error) {
    EXPECT_EQ(std::string(error.what()).rfind("event is not valid JSON: ", 0), 0u) << error.what();
  }
}

TEST(ProxyEventParse, FirstShapeErrorIsReported) {
  try {
    (void)parse_proxy_event(R"({"httpMethod":"GET","path":"/","body":1,"headers":{"A":2}})");
    FAIL() << "accepted";
  } catch (const EventParseError& error) {
    EXPECT_STREQ(error.what(), "body must be a string");
  }
}

TEST(ProxyEventParse, LaterDuplicateMembersWin) {
  const ProxyEvent event =
      parse_proxy_event(R"({"httpMethod":"GET","path":"/","headers":{"A":"1"},"headers":null,)"
                        R"("requestContext":{"stage":"a"},"requestContext":{"apiId":"b"}})");
  EXPECT_FALSE(event.headers.has_value());
  EXPECT_EQ(event.request_context.stage, "");
  EXPECT_EQ(event.request_context.api_id, "b");
}

// A refused member that a later duplicate replaces does not count: the push reader and the DOM
// reader accept and refuse the same texts, and read the same event.
TEST(ProxyEventParse, BothReadersAgreeOnDuplicateMembers) {
  for (const char* text :
       {R"({"httpMethod":"GET","path":"/","body":1,"body":"x"})",
        R"({"httpMethod":"GET","path":1,"path":"/"})",
        R"({"httpMethod":"GET","path":"/","headers":{"A":1,"A":"2"}})",
        R"({"httpMethod":"GET","path":"/","multiValueHeaders":{"A":"1","A":["2"]}})",
        R"({"httpMethod":"GET","path":"/","requestContext":{"identity":1,"identity":{}}})",
        R"({"httpMethod":"GET","path":"/","requestContext":7,"requestContext":{"stage":"s"}})"}) {
    const ProxyEvent pushed = parse_proxy_event(text);
    EXPECT_EQ(pushed, proxy_event_from_json(json::parse(text))) << text;
  }
  EXPECT_EQ(parse_proxy_event(R"({"httpMethod":"GET","path":"/","body":1,"body":"x"})").body, "x");
  EXPECT_EQ(
      parse_proxy_event(R"({"httpMethod":"GET","path":"/","headers":{"A":1,"A":"2"}})").header("A"),
      "2");
  for (const char* text : {R"({"httpMethod":"GET","path":"/","body":"x","body":1})",
                           R"({"httpMethod":"GET","path":"/","headers":{"A":"2","A":1}})"}) {
    EXPECT_THROW((void)parse_proxy_event(text), EventParseError) << text;
    EXPECT_THROW((void)proxy_event_from_json(json::parse(text)), EventParseError) << text;
  }
}

struct ParseErrorCase {
  const char* name;
  const char* json;
  const char* message;
};

class ProxyEventParseError : public ::testing::TestWithParam<ParseErrorCase> {};

TEST_P(ProxyEventParseError, ThrowsNamingTheField) {
  try {
    (void)parse_proxy_event(GetParam().json);
    FAIL() << "no exception for " << GetParam().json;
  } catch (const EventParseError& error) {
    EXPECT_EQ(std::string(error.what()), GetParam().message);
  }
}

TEST_P(ProxyEventParseError, ProxyEventFromJsonGivesTheSameMessage) {
  const json::value document = json::parse(GetParam().json);
  try {
    (void)proxy_event_from_json(document);
    FAIL() << "no exception for " << GetParam().json;
  } catch (const EventParseError& error) {
    EXPECT_EQ(std::string(error.what()), GetParam().message);
  }
}

#define EVENT(fields) R"({"httpMethod":"GET","path":"/",)" fields "}"

const ParseErrorCase parse_error_cases[] = {
    {"TopLevelArray", "[]", "event must be a JSON object"},
    {"TopLevelString", R"("event")", "event must be a JSON object"},
    {"MissingHttpMethod", R"({"path":"/"})", "httpMethod is missing"},
    {"MissingPath", R"({"httpMethod":"GET"})", "path is missing"},
    {"NullHttpMethod", R"({"httpMethod":null,"path":"/"})", "httpMethod must be a string"},
    {"NumericPath", R"({"httpMethod":"GET","path":7})", "path must be a string"},
    {"ResourceNumber", EVENT(R"("resource":1)"), "resource must be a string"},
    {"HeadersString", EVENT(R"("headers":"Accept: */*")"), "headers must be an object"},
    {"HeaderNumber", EVENT(R"("headers":{"Accept":1})"), "headers.Accept must be a string"},
    {"HeaderNull", EVENT(R"("headers":{"Accept":null})"), "headers.Accept must be a string"},
    {"MultiValueHeaderString", EVENT(R"("multiValueHeaders":{"Accept":"*/*"})"),
     "multiValueHeaders.Accept must be an array of strings"},
    {"MultiValueHeaderElement", EVENT(R"("multiValueHeaders":{"Accept":["*/*",null]})"),
     "multiValueHeaders.Accept must be an array of strings"},
    {"QueryArray", EVENT(R"("queryStringParameters":{"q":["a"]})"),
     "queryStringParameters.q must be a string"},
    {"MultiValueQueryNumber", EVENT(R"("multiValueQueryStringParameters":{"q":[1]})"),
     "multiValueQueryStringParameters.q must be an array of strings"},
    {"PathParameterNumber", EVENT(R"("pathParameters":{"id":42})"),
     "pathParameters.id must be a string"},
    {"StageVariablesArray", EVENT(R"("stageVariables":[])"), "stageVariables must be an object"},
    {"RequestContextString", EVENT(R"("requestContext":"ctx")"),
     "requestContext must be an object"},
    {"StageNumber", EVENT(R"("requestContext":{"stage":1})"),
     "requestContext.stage must be a string"},
    {"DomainNameBool", EVENT(R"("requestContext":{"domainName":true})"),
     "requestContext.domainName must be a string"},
    {"EpochString", EVENT(R"("requestContext":{"requestTimeEpoch":"1583349317135"})"),
     "requestContext.requestTimeEpoch must be an integer (milliseconds)"},
    {"EpochFraction", EVENT(R"("requestContext":{"requestTimeEpoch":1583349317.135})"),
     "requestContext.requestTimeEpoch must be an integer (milliseconds)"},
    {"IdentityString", EVENT(R"("requestContext":{"identity":"me"})"),
     "requestContext.identity must be an object"},
    {"SourceIpNumber", EVENT(R"("requestContext":{"identity":{"sourceIp":127}})"),
     "requestContext.identity.sourceIp must be a string"},
    {"AuthorizerArray", EVENT(R"("requestContext":{"authorizer":[]})"),
     "requestContext.authorizer must be an object"},
    {"BodyObject", EVENT(R"("body":{"a":1})"), "body must be a string"},
    {"IsBase64EncodedString", EVENT(R"("isBase64Encoded":"true")"),
     "isBase64Encoded must be a boolean"},
};

#undef EVENT

INSTANTIATE_TEST_SUITE_P(Table, ProxyEventParseError, ::testing::ValuesIn(parse_error_cases),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(ProxyEventParseErrorInvalidJson, NamesTheJsonProblem) {
  const std::string invalid_inputs[] = {
      "",
      "{",
      R"({"httpMethod":"GET","path":"/",})",
      R"({"httpMethod":"GET","path":"/"} trailing)",
      "{\"httpMethod\":\"GET\",\"path\":\"/\xff\"}",  // not UTF-8
  };
  for (const std::string& input : invalid_inputs) {
    try {
      (void)parse_proxy_event(input);
      ADD_FAILURE() << "accepted: " << input;
    } catch (const EventParseError& error) {
      EXPECT_EQ(std::string(error.what()).rfind("event is not valid JSON: ", 0), 0u)
          << error.what();
      EXPECT_GT(std::string(error.what()).size(), std::string("event is not valid JSON: ").size());
    }
  }
}

// Boost.JSON 1.81 reads 1e400 as infinity, and its serializer writes that as `Infinity`, which
// is not JSON (RFC 8259 section 6 has no such number). The reader refuses such an authorizer
// context; an event built in code with one is written with null in its place, as JavaScript's
// JSON.stringify does.
TEST(ProxyEventNumbers, AuthorizerNumberOutOfRangeIsRefused) {
  for (const char* number : {"1e400", "-1e400"}) {
    const std::string text = R"({"httpMethod":"GET","path":"/","requestContext":{"authorizer":)"
                             R"({"claims":{"exp":)" +
                             std::string(number) + R"(}}}})";
    try {
      (void)parse_proxy_event(text);
      ADD_FAILURE() << "accepted: " << text;
    } catch (const EventParseError& error) {
      EXPECT_EQ(std::string(error.what()), "requestContext.authorizer holds a number out of range");
    }
  }
  // Finite doubles stay as they are.
  const ProxyEvent event = parse_proxy_event(
      R"({"httpMethod":"GET","path":"/","requestContext":{"authorizer":{"ratio":0.25}}})");
  EXPECT_EQ(event.request_context.authorizer->at("ratio").as_double(), 0.25);
}

TEST(ProxyEventNumbers, NonFiniteNumbersAreWrittenAsNullNeverInfinity) {
  ProxyEvent event;
  event.http_method = "GET";
  event.path = "/";
  event.request_context.authorizer = json::object{
      {"up", std::numeric_limits<double>::infinity()},
      {"down", -std::numeric_limits<double>::infinity()},
      {"nested", json::array{std::numeric_limits<double>::quiet_NaN(), 1.5}},
  };
  const std::string text = serialize(event);
  EXPECT_EQ(text.find("Infinity"), std::string::npos) << text;
  EXPECT_EQ(text.find("NaN"), std::string::npos) << text;
  const json::value written = json::parse(text);  // throws if not JSON
  const json::object& authorizer = written.at("requestContext").at("authorizer").as_object();
  EXPECT_TRUE(authorizer.at("up").is_null());
  EXPECT_TRUE(authorizer.at("down").is_null());
  EXPECT_EQ(authorizer.at("nested"), (json::array{nullptr, 1.5}));
  EXPECT_EQ(json::serialize(to_json(event)), text);
}

}  // namespace

namespace {

// Regression from the proxy event fuzzer (fuzz/fuzz_proxy_event.cpp): an event whose strings are
// all empty made the JSON writer do pointer arithmetic on a null pointer (reported by clang's
// UndefinedBehaviorSanitizer). It is written as empty JSON strings and reads back unchanged.
TEST(ProxyEventSerialize, EmptyStringsAreWrittenAsEmptyJsonStrings) {
  ProxyEvent event;
  event.body = std::string();
  const auto text = cppstack::events::serialize(event);
  const auto json_value = json::parse(text);
  EXPECT_EQ(json_value.at("httpMethod").as_string(), "");
  EXPECT_EQ(json_value.at("path").as_string(), "");
  EXPECT_EQ(json_value.at("body").as_string(), "");
  EXPECT_EQ(json_value.at("requestContext").at("stage").as_string(), "");
  EXPECT_EQ(parse_proxy_event(text), event);
}

}  // namespace

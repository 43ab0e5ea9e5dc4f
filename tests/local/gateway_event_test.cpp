#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <boost/json/string_view.hpp>
#include <cppstack/events/base64.hpp>
#include <cppstack/events/proxy_event.hpp>
#include <cppstack/local/gateway_event.hpp>
#include <regex>

namespace cppstack::local {
namespace {

using namespace std::chrono_literals;

RequestIdentifiers fixed_identifiers() {
  // 20/Feb/2018:22:48:57.123 +0000
  return RequestIdentifiers{"c6af9ac6-7b61-11e6-9a41-93e8deadbeef", "BQGojGtXoAMFmJw=",
                            std::chrono::system_clock::time_point{1519166937123ms},
                            "Root=1-5a8ca4d9-0123456789abcdef01234567"};
}

TEST(GatewayEvent, StageRelativePath) {
  EXPECT_EQ(stage_relative_path("/prod/v1/health", "prod"), "/v1/health");
  EXPECT_EQ(stage_relative_path("/prod/v1/health?x=1", "prod"), "/v1/health");
  EXPECT_EQ(stage_relative_path("/prod", "prod"), "/");
  EXPECT_EQ(stage_relative_path("/prod/", "prod"), "/");
  EXPECT_EQ(stage_relative_path("/prod?x", "prod"), "/");
  EXPECT_EQ(stage_relative_path("/production/v1", "prod"), std::nullopt);
  EXPECT_EQ(stage_relative_path("/dev/v1", "prod"), std::nullopt);
  EXPECT_EQ(stage_relative_path("/", "prod"), std::nullopt);
  EXPECT_EQ(stage_relative_path("*", "prod"), std::nullopt);
  // Slashes before the stage are ignored (recorded from AWS, tests/fidelity/cases.json).
  EXPECT_EQ(stage_relative_path("//prod/v1/health", "prod"), "/v1/health");
  EXPECT_EQ(stage_relative_path("///prod", "prod"), "/");
}

// Recorded from AWS (LocalStack's test_lambda_aws_proxy_integration; tests/fidelity/cases.json):
// `path` starts with one slash, requestContext.path keeps what follows the slashes before the
// stage, a greedy value keeps an empty segment inside it, and Authorization is spelt so.
TEST(GatewayEvent, SlashesAndAuthorizationAsRecorded) {
  const auto table = RouteTable::catch_all();
  struct Case {
    std::string target, path, context_path, proxy;
  };
  for (const Case& c : {Case{"/prod//items", "/items", "/prod//items", "items"},
                        Case{"//prod/items", "/items", "/prod/items", "items"},
                        Case{"/prod/a//b/", "/a//b/", "/prod/a//b/", "a//b"}}) {
    SCOPED_TRACE(c.target);
    HttpRequestParts request{
        .method = "GET", .target = c.target, .headers = {{"aUThorization", "Bearer x"}}};
    const auto match = table.match("GET", *stage_relative_path(c.target, "prod"));
    ASSERT_TRUE(match);
    const auto event = build_proxy_event(request, *match, GatewaySettings{});
    EXPECT_EQ(event.path, c.path);
    EXPECT_EQ(event.request_context.path, c.context_path);
    ASSERT_TRUE(event.path_parameters);
    EXPECT_EQ(event.path_parameters->at("proxy"), c.proxy);
    ASSERT_TRUE(event.headers);
    EXPECT_EQ(event.headers->at("Authorization"), "Bearer x");
  }
}

TEST(GatewayEvent, RequestTimeFormat) {
  EXPECT_EQ(format_request_time(std::chrono::system_clock::time_point{1519166937123ms}),
            "20/Feb/2018:22:48:57 +0000");
  EXPECT_EQ(format_request_time(std::chrono::system_clock::time_point{0ms}),
            "01/Jan/1970:00:00:00 +0000");
}

TEST(GatewayEvent, RandomUuidsAreVersion4AndDistinct) {
  const std::regex uuid("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  const auto first = random_uuid();
  const auto second = random_uuid();
  EXPECT_TRUE(std::regex_match(first, uuid)) << first;
  EXPECT_TRUE(std::regex_match(second, uuid)) << second;
  EXPECT_NE(first, second);
  const auto ids = RequestIdentifiers::fresh();
  EXPECT_EQ(ids.extended_request_id.size(), 16U);
  EXPECT_NE(ids.request_id, RequestIdentifiers::fresh().request_id);
}

TEST(GatewayEvent, BinaryMediaTypes) {
  const std::vector<std::string> types{"image/png", "application/octet-stream", "audio/*"};
  EXPECT_TRUE(is_binary_media_type("image/png", types));
  EXPECT_TRUE(is_binary_media_type("IMAGE/PNG; charset=binary", types));
  EXPECT_TRUE(is_binary_media_type("audio/mpeg", types));
  EXPECT_FALSE(is_binary_media_type("image/jpeg", types));
  EXPECT_FALSE(is_binary_media_type("application/json", types));
  EXPECT_FALSE(is_binary_media_type("", types));
  EXPECT_FALSE(is_binary_media_type("image/png", {}));
  EXPECT_TRUE(is_binary_media_type("text/html", {"*/*"}));
}

TEST(GatewayEvent, BuildsEveryFieldLikeApiGateway) {
  const auto table = RouteTable::parse(
      R"({"routes":[{"method":"GET","path":"/v1/items/{id}","handler":"item","auth":"none"}]})");
  HttpRequestParts request;
  request.method = "GET";
  request.target = "/prod/v1/items/a%2Fb?tag=x&tag=y%20z&plus=1+2&flag&=skip";
  request.headers = {{"Host", "abc123.execute-api.us-east-1.amazonaws.com:3000"},
                     {"User-Agent", "tests/1.0"},
                     {"X-Custom_Header", "one"},
                     {"x-multi", "1"},
                     {"x-multi", "2"}};
  request.source_ip = "10.1.2.3";
  request.local_port = 3000;
  const auto match = table.match("GET", *stage_relative_path(request.target, "prod"));
  ASSERT_TRUE(match);
  GatewaySettings settings;
  const auto event = build_proxy_event(request, *match, settings, fixed_identifiers());

  EXPECT_EQ(event.resource, "/v1/items/{id}");
  EXPECT_EQ(event.path, "/v1/items/a%2Fb");
  EXPECT_EQ(event.http_method, "GET");
  ASSERT_TRUE(event.headers);
  EXPECT_EQ(event.headers->at("X-Custom_Header"), "one");  // case and '_' kept
  EXPECT_EQ(event.headers->at("x-multi"), "2");            // last value
  EXPECT_EQ(event.multi_value_headers->at("x-multi"), (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(event.headers->at("X-Forwarded-For"), "10.1.2.3");
  EXPECT_EQ(event.headers->at("X-Forwarded-Port"), "3000");
  EXPECT_EQ(event.headers->at("X-Forwarded-Proto"), "http");
  ASSERT_TRUE(event.query_string_parameters);
  EXPECT_EQ(event.query_string_parameters->at("tag"), "y z");
  EXPECT_EQ(event.multi_value_query_string_parameters->at("tag"),
            (std::vector<std::string>{"x", "y z"}));
  EXPECT_EQ(event.query_string_parameters->at("plus"), "1 2");  // form-decoded
  EXPECT_EQ(event.query_string_parameters->at("flag"), "");
  ASSERT_TRUE(event.path_parameters);
  EXPECT_EQ(event.path_parameters->at("id"), "a%2Fb");  // as sent
  EXPECT_FALSE(event.stage_variables);
  EXPECT_FALSE(event.body);
  EXPECT_FALSE(event.is_base64_encoded);

  const auto& context = event.request_context;
  EXPECT_EQ(context.resource_path, "/v1/items/{id}");
  EXPECT_EQ(context.http_method, "GET");
  EXPECT_EQ(context.stage, "prod");
  EXPECT_EQ(context.path, "/prod/v1/items/a%2Fb");
  EXPECT_EQ(context.protocol, "HTTP/1.1");
  EXPECT_EQ(context.request_id, "c6af9ac6-7b61-11e6-9a41-93e8deadbeef");
  EXPECT_EQ(context.extended_request_id, "BQGojGtXoAMFmJw=");
  EXPECT_EQ(context.request_time, "20/Feb/2018:22:48:57 +0000");
  EXPECT_EQ(context.request_time_epoch, 1519166937123);
  EXPECT_EQ(context.domain_name, "abc123.execute-api.us-east-1.amazonaws.com");
  EXPECT_EQ(context.domain_prefix, "abc123");
  EXPECT_EQ(context.account_id, "123456789012");
  EXPECT_EQ(context.resource_id.size(), 6U);
  EXPECT_EQ(context.deployment_id.size(), 6U);
  EXPECT_EQ(event.headers->at("X-Amzn-Trace-Id"), "Root=1-5a8ca4d9-0123456789abcdef01234567");
  EXPECT_EQ(context.identity.source_ip, "10.1.2.3");
  EXPECT_EQ(context.identity.user_agent, "tests/1.0");
  EXPECT_FALSE(context.identity.api_key);
  EXPECT_FALSE(context.identity.api_key_id);
}

TEST(GatewayEvent, NullsWhenThereIsNothingToSend) {
  const auto table = RouteTable::catch_all();
  HttpRequestParts request{.method = "GET", .target = "/prod"};
  const auto match = table.match("GET", "/");
  ASSERT_TRUE(match);
  const auto event = build_proxy_event(request, *match, GatewaySettings{});
  EXPECT_EQ(event.path, "/");
  EXPECT_EQ(event.resource, "/");
  EXPECT_EQ(event.request_context.path, "/prod");
  EXPECT_FALSE(event.query_string_parameters);
  EXPECT_FALSE(event.multi_value_query_string_parameters);
  EXPECT_FALSE(event.path_parameters);
  EXPECT_FALSE(event.body);
  EXPECT_FALSE(event.request_context.identity.user_agent);
}

TEST(GatewayEvent, AppendsToForwardedForAndKeepsItsSpelling) {
  const auto table = RouteTable::catch_all();
  HttpRequestParts request{.method = "GET", .target = "/prod/x"};
  request.headers = {{"x-forwarded-for", "203.0.113.9"}};
  const auto event = build_proxy_event(request, *table.match("GET", "/x"), GatewaySettings{});
  EXPECT_EQ(event.headers->at("x-forwarded-for"), "203.0.113.9, 127.0.0.1");
  EXPECT_EQ(event.headers->count("X-Forwarded-For"), 0U);
}

TEST(GatewayEvent, BinaryBodiesAreBase64AndTextBodiesAreNot) {
  const auto table = RouteTable::catch_all();
  GatewaySettings settings;
  settings.binary_media_types = {"image/png"};
  HttpRequestParts binary{.method = "POST", .target = "/prod/upload"};
  binary.headers = {{"Content-Type", "image/png"}};
  binary.body = std::string("\x89PNG\0\x01", 6);
  const auto binary_event = build_proxy_event(binary, *table.match("POST", "/upload"), settings);
  EXPECT_TRUE(binary_event.is_base64_encoded);
  EXPECT_EQ(events::base64_decode(*binary_event.body), binary.body);

  HttpRequestParts text{.method = "POST", .target = "/prod/upload"};
  text.headers = {{"Content-Type", "application/json"}};
  text.body = R"({"a":1})";
  const auto text_event = build_proxy_event(text, *table.match("POST", "/upload"), settings);
  EXPECT_FALSE(text_event.is_base64_encoded);
  EXPECT_EQ(text_event.body, R"({"a":1})");
}

TEST(GatewayEvent, ApiKeyIdentity) {
  const auto table = RouteTable::catch_all();
  HttpRequestParts request{.method = "GET", .target = "/prod/x"};
  const auto event = build_proxy_event(request, *table.match("GET", "/x"), GatewaySettings{},
                                       RequestIdentifiers::fresh(), std::string("secret-key"));
  EXPECT_EQ(event.request_context.identity.api_key, "secret-key");
  ASSERT_TRUE(event.request_context.identity.api_key_id);
  EXPECT_EQ(event.request_context.identity.api_key_id->size(), 10U);
}

// Query strings are form-decoded ('+' is a space, recorded from AWS, contracts.md section 1)
// and ';' splits pairs like '&' ("Amazon API Gateway important notes", REST APIs).
TEST(GatewayEvent, QueryStringsAreFormDecodedAndSplitAtSemicolons) {
  const auto table = RouteTable::catch_all();
  HttpRequestParts request{.method = "GET",
                           .target = "/prod/x?q=a+b%2Bc&a%20key=v&list=1;list=2&x=%zz&=empty"};
  const auto event = build_proxy_event(request, *table.match("GET", "/x"), GatewaySettings{});
  ASSERT_TRUE(event.query_string_parameters);
  const auto& single = *event.query_string_parameters;
  EXPECT_EQ(single.at("q"), "a b+c");
  EXPECT_EQ(single.at("a key"), "v");
  EXPECT_EQ(single.at("list"), "2");
  EXPECT_EQ(event.multi_value_query_string_parameters->at("list"),
            (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(single.at("x"), "%zz");  // not valid percent-encoding: kept as sent
}

// The request side of the header table in "Amazon API Gateway important notes" (REST APIs,
// lambda integration): these never reach the function; Content-Length is absent from every
// recorded event; an Authorization carrying a SigV4 signature is dropped (the table's note).
TEST(GatewayEvent, HeadersApiGatewayDoesNotPassAreAbsent) {
  const auto table = RouteTable::catch_all();
  HttpRequestParts request{.method = "POST", .target = "/prod/x", .body = "{}"};
  request.headers = {{"Host", "h"},
                     {"Connection", "keep-alive"},
                     {"Content-Length", "2"},
                     {"Content-MD5", "x"},
                     {"Expect", "100-continue"},
                     {"Max-Forwards", "3"},
                     {"Proxy-Authenticate", "Basic"},
                     {"Server", "s"},
                     {"TE", "trailers"},
                     {"Trailer", "X"},
                     {"Transfer-Encoding", "chunked"},
                     {"Upgrade", "h2c"},
                     {"WWW-Authenticate", "Basic"},
                     {"Via", "1.1 proxy"},
                     {"Accept", "*/*"},
                     {"Authorization", "Bearer token"}};
  const auto event = build_proxy_event(request, *table.match("POST", "/x"), GatewaySettings{});
  for (const char* dropped : {"Connection", "Content-Length", "Content-MD5", "Expect",
                              "Max-Forwards", "Proxy-Authenticate", "Server", "TE", "Trailer",
                              "Transfer-Encoding", "Upgrade", "WWW-Authenticate"}) {
    EXPECT_EQ(event.headers->count(dropped), 0U) << dropped;
    EXPECT_EQ(event.multi_value_headers->count(dropped), 0U) << dropped;
  }
  for (const char* passed : {"Host", "Via", "Accept", "Authorization"}) {
    EXPECT_EQ(event.headers->count(passed), 1U) << passed;
  }

  HttpRequestParts signed_request{.method = "GET", .target = "/prod/x"};
  signed_request.headers = {{"Authorization",
                             "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/execute-api/"
                             "aws4_request, SignedHeaders=host, Signature=abc"}};
  const auto signed_event =
      build_proxy_event(signed_request, *table.match("GET", "/x"), GatewaySettings{});
  EXPECT_EQ(signed_event.headers->count("Authorization"), 0U);
}

// The gateway's own trace header replaces whatever the client sent under that name.
TEST(GatewayEvent, TraceHeaderIsTheGatewaysAndDeploymentIdIsStable) {
  const auto table = RouteTable::catch_all();
  HttpRequestParts request{.method = "GET", .target = "/prod/x"};
  request.headers = {{"x-amzn-trace-id", "forged"}};
  const auto first = build_proxy_event(request, *table.match("GET", "/x"), GatewaySettings{});
  EXPECT_EQ(first.headers->count("x-amzn-trace-id"), 0U);
  EXPECT_TRUE(std::regex_match(first.headers->at("X-Amzn-Trace-Id"),
                               std::regex("Root=1-[0-9a-f]{8}-[0-9a-f]{24}")));
  const auto second = build_proxy_event(request, *table.match("GET", "/x"), GatewaySettings{});
  EXPECT_NE(first.headers->at("X-Amzn-Trace-Id"), second.headers->at("X-Amzn-Trace-Id"));
  EXPECT_EQ(first.request_context.deployment_id, second.request_context.deployment_id);
  GatewaySettings settings;
  settings.deployment_id = "7kwnb9";
  EXPECT_EQ(
      build_proxy_event(request, *table.match("GET", "/x"), settings).request_context.deployment_id,
      "7kwnb9");
}

// Bytes that are not UTF-8 never make the event invalid JSON: they become U+FFFD.
TEST(GatewayEvent, NonUtf8BytesBecomeReplacementCharacters) {
  const auto table = RouteTable::catch_all();
  HttpRequestParts request{.method = "POST", .target = "/prod/x?k%FE=v%FD&raw=\xfc"};
  request.headers = {{"X-Bin",
                      "a\xff"
                      "b"},
                     {"User-Agent", "ua\xc3"}};
  request.body = "caf\xc3\xa9 \xff";
  const auto event = build_proxy_event(request, *table.match("POST", "/x"), GatewaySettings{});
  const std::string replacement = "\xef\xbf\xbd";
  EXPECT_EQ(event.headers->at("X-Bin"), "a" + replacement + "b");
  EXPECT_EQ(event.request_context.identity.user_agent, "ua" + replacement);
  EXPECT_EQ(event.query_string_parameters->at("k" + replacement), "v" + replacement);
  EXPECT_EQ(event.query_string_parameters->at("raw"), replacement);
  EXPECT_EQ(event.body, "caf\xc3\xa9 " + replacement);
  // The whole event is valid JSON, so any runtime can read it.
  EXPECT_NO_THROW((void)events::parse_proxy_event(events::serialize(event)));
}

TEST(GatewayEvent, TraceRootIsReadOnlyInItsExactForm) {
  EXPECT_EQ(trace_root("Root=1-5e66d96f-7491f09b0123456789abcdef"),
            "Root=1-5e66d96f-7491f09b0123456789abcdef");
  EXPECT_EQ(trace_root("Self=1-abc;Root=1-5e66d96f-7491f09b0123456789abcdef;Sampled=1"),
            "Root=1-5e66d96f-7491f09b0123456789abcdef");
  EXPECT_FALSE(trace_root("Root=1-5e66d96f-7491f09b0123456789abcdeX"));
  EXPECT_FALSE(trace_root("Root=1-5e66d96f-7491f09b0123456789abcdef0"));
  EXPECT_FALSE(trace_root("Root=abc"));
  EXPECT_FALSE(trace_root(""));
}

}  // namespace
// The bound the gateway refuses a body by before building its event (a refusal costs less
// than the request): never above what the event really takes.
TEST(GatewayEvent, LeastEventBodyBytesIsALowerBoundOfTheEventsBody) {
  GatewaySettings settings;
  settings.binary_media_types = {"image/png"};
  for (const std::string& body : {std::string("plain"), std::string(1000, '"'),
                                  std::string("a\\b\nc\x01\xff\xfe\"", 10), std::string(7, '\0')}) {
    for (const std::string& type : {std::string("text/plain"), std::string("image/png")}) {
      HttpRequestParts request{
          .method = "POST", .target = "/prod/x", .headers = {{"Content-Type", type}}, .body = body};
      const bool binary = body_is_binary(request.headers, settings);
      EXPECT_EQ(binary, type == "image/png");
      const auto table = RouteTable::catch_all();
      const auto match = table.match("POST", "/x");
      const auto event = build_proxy_event(request, *match, settings);
      const auto written = boost::json::serialize(boost::json::string_view(*event.body)).size() - 2;
      EXPECT_LE(least_event_body_bytes(body, binary), written) << type;
    }
  }
  EXPECT_EQ(least_event_body_bytes(std::string(6, '"'), false), 12U);
  EXPECT_EQ(least_event_body_bytes("abcd", true), 8U);
}

}  // namespace cppstack::local

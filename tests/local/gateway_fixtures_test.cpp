// The fixture corpus of tests/fixtures/gateway (see its README): every request -> event and
// function response -> HTTP answer pair, run against `cppstack-local start-api` over real HTTP
// on loopback with the fixture function. Each file names the AWS source of its behaviour.

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/beast/core/string.hpp>
#include <cppstack/events/base64.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "emulator_process.hpp"

namespace cppstack::local::testing {
namespace {

namespace json = boost::json;
const std::filesystem::path corpus = GATEWAY_FIXTURES_DIR;

std::string read_text(const std::filesystem::path& path) {
  std::ifstream stream(path, std::ios::binary);
  std::ostringstream text;
  text << stream.rdbuf();
  return text.str();
}

std::vector<std::string> fixture_names(const std::string& folder) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(corpus / folder)) {
    if (entry.path().extension() == ".json") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

json::object load(const std::string& folder, const std::string& name) {
  return parse_json(read_text(corpus / folder / (name + ".json"))).as_object();
}

// One emulator for the whole suite: the corpus is about answers, not start-up.
class GatewayCorpus : public ::testing::TestWithParam<std::string> {
 protected:
  static void SetUpTestSuite() {
    emulator_ = std::make_unique<Emulator>(
        std::vector<std::string>{"start-api", "--bootstrap", FIXTURE_FUNCTION, "--routes",
                                 (corpus / "routes.json").string()});
  }
  static void TearDownTestSuite() { emulator_.reset(); }
  static std::uint16_t port() { return emulator_->port(); }

 private:
  static inline std::unique_ptr<Emulator> emulator_;
};

// Every key of `expected` is in `actual` with the same value; objects recursively.
void expect_subset(const json::value& expected, const json::value& actual, const std::string& at) {
  if (expected.is_object() && actual.is_object()) {
    for (const auto& [key, value] : expected.as_object()) {
      const std::string where = at + "." + std::string(key);
      const auto* found = actual.as_object().if_contains(key);
      if (found == nullptr) {
        ADD_FAILURE() << where << " is missing";
        continue;
      }
      expect_subset(value, *found, where);
    }
    return;
  }
  EXPECT_EQ(actual, expected) << at;
}

bool has_name(const json::value& map, std::string_view name) {
  if (!map.is_object()) return false;
  for (const auto& member : map.as_object()) {
    if (boost::beast::iequals(member.key(), name)) return true;
  }
  return false;
}

std::vector<std::string> strings(const json::value& array) {
  std::vector<std::string> out;
  for (const auto& element : array.as_array()) out.emplace_back(element.as_string());
  return out;
}

void expect_body(const json::value& expected, const std::string& body) {
  if (expected.is_string()) {
    EXPECT_EQ(body, expected.as_string());
  } else {
    EXPECT_EQ(parse_json(body), expected) << body;
  }
}

using RequestToEvent = GatewayCorpus;

TEST_P(RequestToEvent, EventIsWhatApiGatewaySends) {
  const json::object fixture = load("requests", GetParam());
  SCOPED_TRACE(std::string(fixture.at("source").as_string()));
  const json::object& sent = fixture.at("request").as_object();
  Headers headers;
  if (const auto* list = sent.if_contains("headers")) {
    for (const auto& pair : list->as_array()) {
      headers.emplace_back(pair.as_array().at(0).as_string(), pair.as_array().at(1).as_string());
    }
  }
  std::string body;
  if (const auto* text = sent.if_contains("body")) body = text->as_string();
  if (const auto* encoded = sent.if_contains("body_base64")) {
    body = events::base64_decode(encoded->as_string()).value();
  }
  const auto method = http::string_to_verb(std::string(sent.at("method").as_string()));
  const Response response =
      request(port(), method, std::string(sent.at("target").as_string()), body, headers);

  if (const auto* status = fixture.if_contains("status")) {
    EXPECT_EQ(response.result_int(), status->as_int64()) << response.body();
    if (const auto* answer = fixture.if_contains("answer_body"))
      expect_body(*answer, response.body());
    return;
  }
  ASSERT_EQ(response.result_int(), 200) << response.body();
  const json::value event = parse_json(response.body());
  expect_subset(fixture.at("event"), event, "event");
  if (const auto* absent = fixture.if_contains("absent_headers")) {
    for (const auto& name : strings(*absent)) {
      EXPECT_FALSE(has_name(event.at("headers"), name)) << "headers." << name;
      EXPECT_FALSE(has_name(event.at("multiValueHeaders"), name)) << "multiValueHeaders." << name;
    }
  }
  if (const auto* present = fixture.if_contains("present_headers")) {
    for (const auto& name : strings(*present)) {
      EXPECT_TRUE(has_name(event.at("headers"), name)) << "headers." << name;
    }
  }
  if (const auto* present = fixture.if_contains("present_context")) {
    for (const auto& name : strings(*present)) {
      const auto* value = event.at("requestContext").as_object().if_contains(name);
      ASSERT_NE(value, nullptr) << "requestContext." << name;
      EXPECT_FALSE(value->is_null()) << "requestContext." << name;
      EXPECT_NE(*value, "") << "requestContext." << name;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Corpus, RequestToEvent, ::testing::ValuesIn(fixture_names("requests")),
                         [](const auto& param_info) { return param_info.param; });

using ResponseToAnswer = GatewayCorpus;

TEST_P(ResponseToAnswer, AnswerIsWhatApiGatewaySends) {
  const json::object fixture = load("responses", GetParam());
  SCOPED_TRACE(std::string(fixture.at("source").as_string()));
  const json::value& function_response = fixture.at("function_response");
  const std::string body = function_response.is_string()
                               ? std::string(function_response.as_string())
                               : json::serialize(function_response);
  const Response response =
      request(port(), http::verb::post, "/prod/respond", body,
              {{"X-Fixture-Mode", "respond"}, {"Content-Type", "text/plain"}});

  EXPECT_EQ(response.result_int(), fixture.at("status").as_int64()) << response.body();
  if (const auto* expected = fixture.if_contains("headers")) {
    for (const auto& [name, values] : expected->as_object()) {
      EXPECT_EQ(header_values(response, std::string(name)), strings(values)) << name;
    }
  }
  if (const auto* absent = fixture.if_contains("absent_headers")) {
    for (const auto& name : strings(*absent)) {
      EXPECT_TRUE(header_values(response, name).empty()) << name;
    }
  }
  if (const auto* different = fixture.if_contains("headers_not")) {
    for (const auto& [name, value] : different->as_object()) {
      const auto values = header_values(response, std::string(name));
      EXPECT_EQ(values.size(), 1U) << name;
      for (const auto& sent : values) EXPECT_NE(sent, value.as_string()) << name;
    }
  }
  for (const auto& name : strings(fixture.at("present_headers"))) {
    EXPECT_FALSE(header_values(response, name).empty()) << name;
  }
  if (const auto* expected = fixture.if_contains("body")) expect_body(*expected, response.body());

  // Whatever the function answered, the emulator is still serving.
  const Response next =
      request(port(), http::verb::post, "/prod/respond", R"({"statusCode":200,"body":"alive"})",
              {{"X-Fixture-Mode", "respond"}});
  EXPECT_EQ(next.body(), "alive");
}

INSTANTIATE_TEST_SUITE_P(Corpus, ResponseToAnswer, ::testing::ValuesIn(fixture_names("responses")),
                         [](const auto& param_info) { return param_info.param; });

TEST(GatewayCorpusFiles, AreFound) {
  EXPECT_GE(fixture_names("requests").size(), 15U);
  EXPECT_GE(fixture_names("responses").size(), 25U);
}

}  // namespace
}  // namespace cppstack::local::testing

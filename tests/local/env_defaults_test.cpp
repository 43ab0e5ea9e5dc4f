// The emulator resolves a minimal .env as the CDK app does: .env.example's defaults under it,
// the same usage plans, API keys and CORS settings, the same refusals with the same messages
// (tests/fixtures/env/defaults.json, read by infra/test/env-defaults.test.ts too). Also the API
// key registry's answers, the local issuer's tokens and the IAM credentials file.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <boost/json.hpp>
#include <cppstack/local/access_control.hpp>
#include <cppstack/local/api_keys.hpp>
#include <cppstack/local/deployment_settings.hpp>
#include <cppstack/local/env_file.hpp>
#include <cppstack/local/local_auth.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "auth/cognito.hpp"
#include "call_examples.hpp"

namespace cppstack::local {
namespace {

boost::json::object fixture() {
  std::ifstream file(ENV_DEFAULTS);
  std::stringstream text;
  text << file.rdbuf();
  return boost::json::parse(text.str()).as_object();
}

http::VariableLookup lookup_in(const EnvironmentList& variables) {
  return [variables](std::string_view name) -> std::optional<std::string> {
    std::optional<std::string> found;
    for (const auto& [key, value] : variables) {
      if (key == name) found = value;
    }
    return found;
  };
}

// The resolved settings in the fixture's shape; numbers as the JSON numbers they are.
boost::json::value plans_json(const ApiKeySettings& settings) {
  boost::json::array plans;
  for (const auto& plan : settings.plans) {
    boost::json::object entry{{"name", plan.name}};
    if (plan.quota) {
      entry["quota"] = {{"limit", plan.quota->limit}, {"period", plan.quota->period}};
    }
    if (plan.throttle) {
      entry["throttle"] = {{"rateLimit", plan.throttle->rate_limit},
                           {"burstLimit", plan.throttle->burst_limit}};
    }
    plans.push_back(std::move(entry));
  }
  return plans;
}

boost::json::value keys_json(const ApiKeySettings& settings) {
  boost::json::array keys;
  for (const auto& key : settings.keys) {
    boost::json::object entry{{"name", key.name}, {"plan", key.plan}};
    if (!key.value.empty()) entry["value"] = key.value;
    keys.push_back(std::move(entry));
  }
  return keys;
}

boost::json::value cors_json(const std::optional<http::CorsOptions>& cors) {
  if (!cors) return nullptr;
  return {
      {"allowOrigins", boost::json::array(cors->allow_origins.begin(), cors->allow_origins.end())},
      {"allowMethods", cors->allow_methods},
      {"allowHeaders", cors->allow_headers},
      {"allowCredentials", cors->allow_credentials},
      {"maxAgeSeconds", cors->max_age_seconds}};
}

// JSON numbers compared by value: 100 and 100.0 are the same setting.
bool same(const boost::json::value& left, const boost::json::value& right) {
  if (left.is_number() && right.is_number()) {
    return left.to_number<double>() == right.to_number<double>();
  }
  if (left.is_array() && right.is_array()) {
    const auto& a = left.get_array();
    const auto& b = right.get_array();
    if (a.size() != b.size()) return false;
    for (std::size_t index = 0; index < a.size(); ++index) {
      if (!same(a[index], b[index])) return false;
    }
    return true;
  }
  if (left.is_object() && right.is_object()) {
    const auto& a = left.get_object();
    const auto& b = right.get_object();
    if (a.size() != b.size()) return false;
    for (const auto& [key, value] : a) {
      const auto* other = b.if_contains(key);
      if (other == nullptr || !same(value, *other)) return false;
    }
    return true;
  }
  return left == right;
}

TEST(EnvDefaults, TheCompiledInDefaultsAreTheRepositorysEnvExample) {
  std::ifstream file(ENV_EXAMPLE);
  std::stringstream text;
  text << file.rdbuf();
  EXPECT_EQ(env_example_text(), text.str());
}

TEST(EnvDefaults, AMinimalEnvResolvesAsTheCdkAppResolvesIt) {
  const auto cases = fixture();
  for (const auto& item : cases.at("resolved").as_array()) {
    const auto& expected = item.as_object();
    SCOPED_TRACE(std::string(expected.at("name").as_string()));
    const auto lookup =
        lookup_in(with_documented_defaults(parse_env(std::string(expected.at("env").as_string()))));
    const auto keys = api_key_settings_from(lookup);
    EXPECT_TRUE(same(plans_json(keys), expected.at("usagePlans")))
        << boost::json::serialize(plans_json(keys));
    EXPECT_TRUE(same(keys_json(keys), expected.at("apiKeys")))
        << boost::json::serialize(keys_json(keys));
    const auto cors = access_settings_from(lookup).cors;
    EXPECT_TRUE(same(cors_json(cors), expected.at("cors")))
        << boost::json::serialize(cors_json(cors));
  }
}

TEST(EnvDefaults, RefusesWhatTheCdkAppRefusesWithItsMessage) {
  const auto cases = fixture();
  for (const auto& item : cases.at("refused").as_array()) {
    const auto& refused = item.as_object();
    const std::string env(refused.at("env").as_string());
    SCOPED_TRACE(env);
    try {
      (void)api_key_settings_from(lookup_in(with_documented_defaults(parse_env(env))));
      ADD_FAILURE() << "accepted";
    } catch (const ApiKeySettingError& error) {
      EXPECT_EQ(error.what(), std::string(refused.at("message").as_string()));
    }
  }
}

TEST(EnvDefaults, TheFunctionGetsTheCorsSettingsTheCdkAppGivesIt) {
  // infra/lib/cors.ts corsEnvironment: with CORS on, every CORS_* variable, at its default.
  EnvironmentList environment{{"CORS_ALLOW_ORIGINS", "https://app.example.com"},
                              {"CORS_MAX_AGE_SECONDS", "60"}};
  add_function_defaults(environment);
  const EnvironmentList expected{
      {"CORS_ALLOW_ORIGINS", "https://app.example.com"},
      {"CORS_MAX_AGE_SECONDS", "60"},
      {"CORS_ALLOW_METHODS", "GET,HEAD,OPTIONS,POST,PUT,PATCH,DELETE"},
      {"CORS_ALLOW_HEADERS",
       "Content-Type,Authorization,X-Api-Key,X-Amz-Date,X-Amz-Security-Token"},
      {"CORS_ALLOW_CREDENTIALS", "false"}};
  EXPECT_EQ(environment, expected);
  EnvironmentList without_cors{{"LOG_LEVEL", "DEBUG"}};
  add_function_defaults(without_cors);
  EXPECT_EQ(without_cors, (EnvironmentList{{"LOG_LEVEL", "DEBUG"}}));
}

ApiKeySettings settings_of(std::string_view env) {
  return api_key_settings_from(lookup_in(with_documented_defaults(parse_env(env))));
}

int status_of(const std::optional<GatewayAnswer>& answer) { return answer ? answer->status : 0; }

// API Gateway's answers: a key that is not a key of a usage plan is the API_KEY gateway
// response, 403 {"message":"Forbidden"} ("compares it against the keys in the usage plan ...
// Otherwise ... the caller receives a 403 Forbidden response", api-gateway-api-key-source.html);
// a key over its plan's quota is QUOTA_EXCEEDED, 429 "Limit Exceeded"; over its plan's throttle
// THROTTLED, 429 "Too Many Requests"
// (docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html).
TEST(ApiKeyRegistry, RefusesUnknownKeysAndCountsEachKeyAgainstItsPlan) {
  auto settings = settings_of(
      "API_USAGE_PLANS=small:quota=2/DAY,burst:throttle=0.001/1\n"
      "API_KEYS=one:small:aaaaaaaaaaaaaaaaaaaa,two:small:bbbbbbbbbbbbbbbbbbbb,"
      "three:burst:cccccccccccccccccccc\n");
  ApiKeyRegistry keys(settings);
  const auto now = std::chrono::system_clock::now();
  const auto refused = keys.admit("not-a-key-of-any-plan", now);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403);
  EXPECT_EQ(refused->body, R"({"message":"Forbidden"})");
  EXPECT_EQ(refused->error_type, "ForbiddenException");
  EXPECT_EQ(status_of(keys.admit("", now)), 403);

  EXPECT_EQ(status_of(keys.admit("aaaaaaaaaaaaaaaaaaaa", now)), 0);
  EXPECT_EQ(status_of(keys.admit("aaaaaaaaaaaaaaaaaaaa", now)), 0);
  const auto over_quota = keys.admit("aaaaaaaaaaaaaaaaaaaa", now);
  ASSERT_TRUE(over_quota);
  EXPECT_EQ(over_quota->status, 429);
  EXPECT_EQ(over_quota->body, R"({"message":"Limit Exceeded"})");
  EXPECT_EQ(status_of(keys.admit("bbbbbbbbbbbbbbbbbbbb", now)), 0) << "the quota is per key";

  EXPECT_EQ(status_of(keys.admit("cccccccccccccccccccc", now)), 0);
  const auto throttled = keys.admit("cccccccccccccccccccc", now);
  ASSERT_TRUE(throttled);
  EXPECT_EQ(throttled->status, 429);
  EXPECT_EQ(throttled->body, R"({"message":"Too Many Requests"})");
}

class LocalAuth : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = std::filesystem::temp_directory_path() /
                 ("cppstack-local-auth-" + std::to_string(::getpid()) + "-" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(directory_);
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }
  std::filesystem::path directory_;
};

TEST_F(LocalAuth, MintsTokensTheGatewaysCognitoAuthorizerAccepts) {
  const LocalAuthFolder folder(directory_);
  const auto issuer = auth::cognito_issuer("eu-west-1", local_user_pool_id("eu-west-1"));
  const auth::CognitoAuthorizer authorizer(
      {.issuer = issuer, .keys = auth::JwksKeys::load(folder.issuer_jwks().string())});
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();

  const auto id_token = folder.mint_token({.issuer = issuer,
                                           .client_id = "client-1",
                                           .username = "alice",
                                           .groups = {"admins"},
                                           .extra = {{"custom:tier", "gold"}, {"level", "3"}}});
  const auto id_verdict = authorizer.verify(id_token, now, {});
  ASSERT_TRUE(id_verdict.claims) << id_verdict.reason;
  EXPECT_EQ(id_verdict.claims->at("cognito:username"), "alice");
  EXPECT_EQ(id_verdict.claims->at("cognito:groups"), "admins");
  EXPECT_EQ(id_verdict.claims->at("custom:tier"), "gold");
  EXPECT_EQ(id_verdict.claims->at("level"), "3");
  EXPECT_EQ(id_verdict.claims->at("aud"), "client-1");

  const auto access = folder.mint_token(
      {.issuer = issuer, .client_id = "client-1", .access = true, .scopes = {"notes/read"}});
  EXPECT_TRUE(authorizer.verify(access, now, {"notes/read"}).claims);
  EXPECT_FALSE(authorizer.verify(access, now, {"notes/write"}).claims);
  EXPECT_FALSE(authorizer.verify(access, now, {}).claims)
      << "an access token where an ID token is wanted";
  const auto expired = folder.mint_token(
      {.issuer = issuer, .client_id = "c", .issued_at = now - 7200, .lifetime_seconds = 3600});
  EXPECT_FALSE(authorizer.verify(expired, now, {}).claims);
  const auto other_issuer = folder.mint_token({.issuer = issuer + "x", .client_id = "c"});
  EXPECT_FALSE(authorizer.verify(other_issuer, now, {}).claims);
}

TEST_F(LocalAuth, GeneratesEachSecretOnceInFilesOnlyTheOwnerReads) {
  const std::string first_jwks = [&] {
    const LocalAuthFolder folder(directory_);
    std::ifstream file(folder.issuer_jwks());
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
  }();
  const LocalAuthFolder again(directory_);
  std::ifstream file(again.issuer_jwks());
  std::stringstream text;
  text << file.rdbuf();
  EXPECT_EQ(text.str(), first_jwks) << "the key pair is made once";

  auto settings = settings_of("API_KEYS=web:default,fixed:default:dddddddddddddddddddd\n");
  again.fill_key_values(settings);
  EXPECT_EQ(settings.keys[0].value.size(), 40U);
  EXPECT_EQ(settings.keys[1].value, "dddddddddddddddddddd");
  auto later = settings_of("API_KEYS=web:default\n");
  again.fill_key_values(later);
  EXPECT_EQ(later.keys[0].value, settings.keys[0].value);

  const auto credentials = read_iam_credentials_file(again.iam_credentials_file());
  ASSERT_EQ(credentials.size(), 1U);
  EXPECT_EQ(credentials[0].substr(0, 4), "AKIA");
  EXPECT_EQ(credentials[0].substr(credentials[0].rfind(':') + 1), local_iam_profile);
  for (const auto& secret :
       {directory_ / "issuer" / "private-key.pem", directory_ / "api-keys" / "web",
        again.iam_credentials_file(), again.iam_environment_file()}) {
    struct stat status {};
    ASSERT_EQ(::stat(secret.c_str(), &status), 0) << secret;
    EXPECT_EQ(status.st_mode & 0777, 0600U) << secret;
  }
}

TEST_F(LocalAuth, ReadsEveryProfileOfACredentialsFile) {
  std::filesystem::create_directories(directory_);
  const auto file = directory_ / "credentials";
  std::ofstream(file) << "# comment\n[default]\naws_access_key_id = AKIDONE\n"
                         "aws_secret_access_key=secret/one+x\n\n[ci]\n"
                         "aws_access_key_id=AKIDTWO\naws_secret_access_key = two\n"
                         "aws_session_token = session/token+of=ci\n[incomplete]\n"
                         "aws_access_key_id=X\n";
  // A profile's session token comes along: temporary credentials sign with it.
  EXPECT_EQ(read_iam_credentials_file(file),
            (std::vector<std::string>{"AKIDONE:secret/one+x:default",
                                      "AKIDTWO:two:ci:session/token+of=ci"}));
  std::ofstream(directory_ / "empty") << "[default]\n";
  EXPECT_THROW((void)read_iam_credentials_file(directory_ / "empty"), std::runtime_error);
}

TEST(CallExamples, OneReadyCurlLinePerProtectedRoute) {
  const auto table = RouteTable::parse(R"({"routes":[
    {"method":"GET","path":"/open","auth":"none"},
    {"method":"GET","path":"/items/{id}","auth":"apiKey"},
    {"method":"POST","path":"/notes","auth":"cognito","authorizationScopes":["notes/write"],
     "apiKeyRequired":true},
    {"method":"PUT","path":"/signed/{proxy+}","auth":"iam"}]})");
  std::ostringstream output;
  print_calls(output, table,
              {.base_url = "http://127.0.0.1:9/prod",
               .token_command = "cppstack-local token",
               .api_key = "k123",
               .iam_environment = "/tmp/iam.env",
               .region = "eu-west-1"});
  EXPECT_EQ(output.str(),
            "protected routes (docs/auth.md):\n"
            "  GET /items/{id} (apiKey):\n"
            "    curl -i -H 'x-api-key: k123' 'http://127.0.0.1:9/prod/items/1'\n"
            "  POST /notes (cognito + apiKey):\n"
            "    curl -i -X POST -H 'x-api-key: k123' -H \"Authorization: $(cppstack-local token "
            "--access --scope notes/write)\" 'http://127.0.0.1:9/prod/notes'\n"
            "  PUT /signed/{proxy+} (iam):\n"
            "    (set -a; . '/tmp/iam.env'; curl -i -X PUT --aws-sigv4 "
            "'aws:amz:eu-west-1:execute-api' --user \"$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY\" "
            "'http://127.0.0.1:9/prod/signed/example')\n");
}

}  // namespace
}  // namespace cppstack::local

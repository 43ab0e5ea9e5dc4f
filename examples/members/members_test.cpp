// The members example's authorizer, called as its function is: an event in, the policy out,
// the bearer token checked against MEMBERS_TOKEN (or the local example token).
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <cppstack/app/application.hpp>
#include <cppstack/http/authorizer.hpp>
#include <cstdlib>

namespace {

using namespace cppstack;

const http::AuthorizerDeclaration& bearer(const app::Application& application) {
  const auto& authorizers = application.resources().authorizers;
  EXPECT_EQ(authorizers.size(), 1U);
  return authorizers.at(0);
}

std::string token_event(std::string_view token) {
  return std::string(R"({"type":"TOKEN","authorizationToken":")") + std::string(token) +
         R"(","methodArn":"arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/GET/v1/members/me"})";
}

TEST(MembersAuthorizer, AllowsTheLocalTokenForTheWholeApi) {
  ::unsetenv("MEMBERS_TOKEN");
  const app::Application application(app::Config{});
  const auto& declaration = bearer(application);
  EXPECT_EQ(declaration.name, "bearer");
  EXPECT_EQ(declaration.options.type, http::AuthorizerType::token);
  const auto output = boost::json::parse(
      http::run_authorizer(declaration.handler, token_event("Bearer local-members-token")));
  EXPECT_EQ(output.at("principalId"), "member-1");
  const auto& statement = output.at("policyDocument").at("Statement").at(0);
  EXPECT_EQ(statement.at("Effect"), "Allow");
  EXPECT_EQ(statement.at("Resource").at(0),
            "arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/*");
  EXPECT_EQ(output.at("context").at("level"), 3);
}

TEST(MembersAuthorizer, RefusesOtherTokensAsUnauthorized) {
  ::setenv("MEMBERS_TOKEN", "deployed-secret", 1);
  const app::Application application(app::Config{});
  const auto& handler = bearer(application).handler;
  for (const auto* token : {"Bearer local-members-token", "Bearer wrong", "deployed-secret"}) {
    try {
      (void)http::run_authorizer(handler, token_event(token));
      ADD_FAILURE() << token << " was allowed";
    } catch (const std::exception& error) {
      EXPECT_STREQ(error.what(), "Unauthorized") << token;
    }
  }
  EXPECT_NO_THROW((void)http::run_authorizer(handler, token_event("Bearer deployed-secret")));
  ::unsetenv("MEMBERS_TOKEN");
}

}  // namespace

// A members area behind a Lambda authorizer of the application: the TOKEN authorizer `bearer`
// checks the bearer token against MEMBERS_TOKEN (a secret you set on the deployed function) and
// allows every method of the API for the caller, with who it is in the context; the route's
// handler reads that context. `make run FUNCTION=members` serves it and prints a ready curl
// line (docs/auth.md, "Lambda authorizers").
#include <cppstack/app/application.hpp>
#include <cppstack/http/routes.hpp>
#include <cstdlib>

using namespace cppstack::http;

namespace {

// Locally (make run, the tests) the token is this one when MEMBERS_TOKEN is not set; it is
// the authorizer's exampleIdentity, so the printed curl line works as printed. A deployment
// sets MEMBERS_TOKEN to a secret of its own.
constexpr std::string_view local_token = "local-members-token";

std::string expected_token() {
  const char* configured = std::getenv("MEMBERS_TOKEN");
  return std::string("Bearer ") +
         (configured != nullptr && *configured != '\0' ? configured : std::string(local_token));
}

AuthorizerResult check_bearer(const AuthorizerEvent& event) {
  if (event.authorization_token != expected_token()) throw Unauthorized("unknown bearer token");
  // The whole API, not only this method: the result is cached for the caller's next calls.
  return AuthorizerResult::allow_api("member-1", event.method_arn)
      .with("plan", "gold")
      .with("level", 3)
      .with("admin", false);
}

}  // namespace

std::vector<Route> cppstack::app::application_routes(const std::shared_ptr<ApplicationState>&) {
  Routes routes("/v1/members");
  routes.authorizer("bearer",
                    {.type = AuthorizerType::token,
                     .identity_sources = {"method.request.header.Authorization"},
                     .result_ttl_seconds = 300,
                     .identity_validation_expression = "^Bearer [-0-9A-Za-z._~+/]+=*$",
                     .example_identity = {"Bearer " + std::string(local_token)}},
                    check_bearer);
  routes
      .get("/me", {.summary = "Who the authorizer says the caller is", .authorizer = "bearer"},
           [](const Request& request) {
             // principalId and the context, every value a string, as API Gateway passes them.
             const auto& authorizer = request.event.request_context.authorizer;
             return json_response(
                 200, authorizer ? boost::json::value(*authorizer) : boost::json::value(nullptr));
           })
      .name("me");
  return std::move(routes).release();
}

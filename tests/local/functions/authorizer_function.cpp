// A function with Lambda authorizers whose answers the emulator's authorizer tests choose
// through the token (or the X-Caller header): allow, allow the whole API, deny, Unauthorized,
// crash. Each authorizer invocation writes one line `authorizer-call NAME IDENTITY` to stderr,
// so a test counts the calls in the emulator's log (never by timing).
#include <cppstack/app/application.hpp>
#include <cppstack/http/routes.hpp>
#include <cstdio>
#include <cstdlib>

using namespace cppstack::http;

namespace {

void record_call(std::string_view name, std::string_view identity) {
  std::fprintf(stderr, "authorizer-call %.*s %.*s\n", static_cast<int>(name.size()), name.data(),
               static_cast<int>(identity.size()), identity.data());
  std::fflush(stderr);
}

// "allow-ID", "api-ID", "deny-ID", "unauthorized", "crash".
AuthorizerResult answer_for(std::string_view word, const std::string& method_arn) {
  const auto principal = [word](std::string_view prefix) {
    return std::string(word.substr(prefix.size()));
  };
  if (word.starts_with("allow-")) {
    return AuthorizerResult::allow(principal("allow-"), method_arn)
        .with("user", principal("allow-"))
        .with("level", 3)
        .with("ratio", 0.25)
        .with("admin", true);
  }
  if (word.starts_with("api-")) return AuthorizerResult::allow_api(principal("api-"), method_arn);
  if (word.starts_with("deny-")) return AuthorizerResult::deny(principal("deny-"), method_arn);
  if (word == "crash") std::abort();
  throw Unauthorized("not a known word");
}

AuthorizerResult from_token(std::string_view name, const AuthorizerEvent& event) {
  record_call(name, event.authorization_token);
  std::string_view token = event.authorization_token;
  token.remove_prefix(std::min(token.size(), std::string_view("Bearer ").size()));
  return answer_for(token, event.method_arn);
}

}  // namespace

std::vector<Route> cppstack::app::application_routes(const std::shared_ptr<ApplicationState>&) {
  Routes routes("/v1");
  routes.authorizer("tokens",
                    {.identity_sources = {"method.request.header.Authorization"},
                     .result_ttl_seconds = 300,
                     .identity_validation_expression = "^Bearer [a-z0-9-]+$",
                     .example_identity = {"Bearer allow-local"}},
                    [](const AuthorizerEvent& event) { return from_token("tokens", event); });
  routes.authorizer(
      "uncached",
      {.identity_sources = {"method.request.header.Authorization"}, .result_ttl_seconds = 0},
      [](const AuthorizerEvent& event) { return from_token("uncached", event); });
  routes.authorizer(
      "caller",
      {.type = AuthorizerType::request,
       .identity_sources = {"method.request.header.X-Caller", "method.request.querystring.tenant"}},
      [](const AuthorizerEvent& event) {
        const std::string caller = event.header("x-caller").value_or("");
        record_call("caller", caller + " " + event.query("tenant").value_or("") + " " +
                                  event.resource + " " + event.path_parameters.at("id"));
        return answer_for(caller, event.method_arn);
      });
  const auto echo = [](const Request& request) {
    const auto& authorizer = request.event.request_context.authorizer;
    return json_response(
        200, authorizer ? boost::json::value(*authorizer) : boost::json::value(nullptr));
  };
  routes.get("/token", {.authorizer = "tokens"}, echo);
  routes.get("/token/other", {.authorizer = "tokens"}, echo);
  routes.get("/uncached", {.authorizer = "uncached"}, echo);
  routes.get("/caller/{id}", {.authorizer = "caller"}, echo);
  routes.get("/open", echo);
  return std::move(routes).release();
}

#pragma once
// The Lambda authorizers of the local API Gateway: each authorizer of routes.json runs as its
// own function (the same bootstrap, _HANDLER `authorizer.<name>`) on its own instances, its
// results cached per identity for its TTL as API Gateway caches them, and every outcome answered
// as API Gateway answers it (401, 403, 500; docs/local.md "Lambda authorizers").
//
//   LambdaAuthorizers authorizers(io, function_config, log);
//   authorizers.authorize(authorizer, {.proxy_event = event_json, .method_arn = arn},
//                         [](AuthorizerOutcome outcome) { /* on one of the pools' strands */ });

#include <boost/asio/io_context.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <cppstack/local/access_control.hpp>
#include <cppstack/local/function_pool.hpp>
#include <cppstack/local/lambda_log.hpp>
#include <cppstack/local/route_table.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace cppstack::local {

/// One request to authorize: its proxy event (as JSON, without its body) and method ARN.
struct AuthorizationRequest {
  boost::json::object proxy_event{};
  std::string method_arn{};
  std::optional<std::string> trace_id{};
};

struct AuthorizerOutcome {
  std::optional<GatewayAnswer> answer{};  ///< set: refused (401, 403) or failed (500)
  std::string log_reason{};               ///< why, for the gateway's log
  /// requestContext.authorizer when allowed: principalId, the context (strings) and
  /// integrationLatency.
  boost::json::object authorizer{};
  std::optional<std::string> usage_identifier_key{};
  bool cached = false;  ///< answered from the cache, the function not invoked
};

class LambdaAuthorizers {
 public:
  /// `function` is the API's function: each authorizer's runs the same bootstrap with the same
  /// environment, named `<function name>-<authorizer name>`.
  LambdaAuthorizers(boost::asio::io_context& io, FunctionConfig function,
                    std::shared_ptr<LambdaLog> log);
  ~LambdaAuthorizers();
  LambdaAuthorizers(const LambdaAuthorizers&) = delete;
  LambdaAuthorizers& operator=(const LambdaAuthorizers&) = delete;

  /// Thread-safe; never blocks. `done` runs once, possibly before this returns (a refusal
  /// without a call, a cached result) or later on a pool's strand.
  void authorize(const LambdaAuthorizer& authorizer, AuthorizationRequest request,
                 std::function<void(AuthorizerOutcome)> done);

  /// Stops every authorizer's instances; `done` runs when all are gone.
  void shutdown(std::function<void()> done);

  /// Entries kept in the result cache at most (API Gateway's cache size is not documented).
  static constexpr std::size_t max_cached_results = 10000;

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace cppstack::local

#include <boost/json/serialize.hpp>
#include <cppstack/http/authorizer.hpp>
#include <cppstack/local/lambda_authorizers.hpp>
#include <map>
#include <mutex>

#include "auth/lambda_authorizer.hpp"

namespace cppstack::local {
namespace {

using Clock = std::chrono::steady_clock;
namespace json = boost::json;

// The cache key: the authorizer and each identity value, length-prefixed so that no two
// different lists of values give the same key.
std::string cache_key(std::string_view name, const auth::IdentityValues& values) {
  std::string key(name);
  for (const auto& value : values) {
    key += '\n';
    key += std::to_string(value.size());
    key += ':';
    key += value;
  }
  return key;
}

// The event API Gateway sends the function ("Input to an API Gateway Lambda authorizer"): a
// TOKEN event holds the token and the method ARN; a REQUEST event the request as the proxy
// event shows it, without its body.
std::string authorizer_event(const LambdaAuthorizer& authorizer,
                             const AuthorizationRequest& request,
                             const auth::IdentityValues& identity) {
  if (authorizer.type == http::AuthorizerType::token) {
    return json::serialize(json::object{{"type", "TOKEN"},
                                        {"authorizationToken", identity.front()},
                                        {"methodArn", request.method_arn}});
  }
  json::object event{{"type", "REQUEST"}, {"methodArn", request.method_arn}};
  for (const auto& [key, value] : request.proxy_event) {
    if (key == "body" || key == "isBase64Encoded") continue;
    event[key] = value;
  }
  return json::serialize(event);
}

// The policy of a grant applied to one method: a cached grant is evaluated again for each
// method ARN, as API Gateway evaluates a cached policy.
AuthorizerOutcome decide(const auth::AuthorizerGrant& grant, std::string_view method_arn,
                         std::int64_t latency_ms, bool cached) {
  AuthorizerOutcome outcome;
  outcome.cached = cached;
  switch (auth::evaluate_statements(grant.statements, method_arn)) {
    case auth::PolicyDecision::allow:
      outcome.authorizer = grant.context;
      outcome.authorizer["integrationLatency"] = latency_ms;
      outcome.usage_identifier_key = grant.usage_identifier_key;
      break;
    case auth::PolicyDecision::explicit_deny:
      outcome.answer = auth::access_denied_answer(true);
      outcome.log_reason = "the authorizer's policy denies " + std::string(method_arn);
      break;
    case auth::PolicyDecision::implicit_deny:
      outcome.answer = auth::access_denied_answer(false);
      outcome.log_reason = "the authorizer's policy does not allow " + std::string(method_arn);
      break;
  }
  return outcome;
}

// One pool after the other: each one's end starts the next.
void shutdown_from(std::shared_ptr<std::vector<FunctionPool*>> pools, std::size_t index,
                   std::function<void()> done) {
  if (index == pools->size()) return done();
  FunctionPool& pool = *(*pools)[index];
  pool.shutdown([pools = std::move(pools), index, done = std::move(done)]() mutable {
    shutdown_from(std::move(pools), index + 1, std::move(done));
  });
}

AuthorizerOutcome failed(std::string reason) {
  return {.answer = auth::authorizer_configuration_answer(),
          .log_reason = "Execution failed due to configuration error: " + std::move(reason)};
}

}  // namespace

class LambdaAuthorizers::Impl {
 public:
  Impl(boost::asio::io_context& context, FunctionConfig config, std::shared_ptr<LambdaLog> logger)
      : io(context), function(std::move(config)), log(std::move(logger)) {}

  FunctionPool& pool_of(const std::string& name) {
    const std::lock_guard lock(pools_mutex);
    auto& pool = pools[name];
    if (!pool) {
      FunctionConfig config = function;
      config.function_name = function.function_name + "-" + name;
      config.handler = http::authorizer_handler(name);
      pool = std::make_unique<FunctionPool>(io, std::move(config), log);
    }
    return *pool;
  }

  std::optional<auth::AuthorizerGrant> cached(const std::string& key) {
    const std::lock_guard lock(cache_mutex);
    const auto found = cache.find(key);
    if (found == cache.end()) return std::nullopt;
    if (Clock::now() >= found->second.expires) {
      cache.erase(found);
      return std::nullopt;
    }
    return found->second.grant;
  }

  void remember(const std::string& key, const auth::AuthorizerGrant& grant, int ttl_seconds) {
    const std::lock_guard lock(cache_mutex);
    const auto now = Clock::now();
    if (cache.size() >= max_cached_results) {
      std::erase_if(cache, [now](const auto& entry) { return now >= entry.second.expires; });
      if (cache.size() >= max_cached_results) cache.erase(cache.begin());
    }
    cache.insert_or_assign(key, Entry{grant, now + std::chrono::seconds(ttl_seconds)});
  }

  struct Entry {
    auth::AuthorizerGrant grant;
    Clock::time_point expires;
  };

  boost::asio::io_context& io;
  FunctionConfig function;
  std::shared_ptr<LambdaLog> log;
  std::mutex pools_mutex;
  std::map<std::string, std::unique_ptr<FunctionPool>> pools;
  std::mutex cache_mutex;
  std::map<std::string, Entry> cache;
};

LambdaAuthorizers::LambdaAuthorizers(boost::asio::io_context& io, FunctionConfig function,
                                     std::shared_ptr<LambdaLog> log)
    : impl_(std::make_shared<Impl>(io, std::move(function), std::move(log))) {}

LambdaAuthorizers::~LambdaAuthorizers() = default;

void LambdaAuthorizers::authorize(const LambdaAuthorizer& authorizer, AuthorizationRequest request,
                                  std::function<void(AuthorizerOutcome)> done) {
  const auto identity = auth::identity_of(authorizer, request.proxy_event);
  if (!identity) {
    return done({.answer = auth::unauthorized_answer(),
                 .log_reason = "authorizer " + authorizer.name +
                               ": an identity source is missing, empty or not valid"});
  }
  const int ttl = authorizer.result_ttl_seconds;
  std::string key = cache_key(authorizer.name, *identity);
  if (ttl > 0) {
    if (auto grant = impl_->cached(key)) return done(decide(*grant, request.method_arn, 0, true));
  }
  std::string payload = authorizer_event(authorizer, request, *identity);
  const auto started = Clock::now();
  impl_->pool_of(authorizer.name)
      .invoke({.payload = std::move(payload), .trace_id = request.trace_id},
              [impl = impl_, name = authorizer.name, ttl, key = std::move(key),
               method_arn = std::move(request.method_arn), started,
               done = std::move(done)](const InvokeResult& result) {
                const auto latency =
                    std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started)
                        .count();
                if (result.outcome == InvokeOutcome::function_error &&
                    auth::is_unauthorized_error(result.payload)) {
                  return done({.answer = auth::unauthorized_answer(),
                               .log_reason = "authorizer " + name + " answered Unauthorized"});
                }
                if (result.outcome != InvokeOutcome::success) {
                  return done(failed("authorizer " + name + " failed: " + result.payload));
                }
                auto output = auth::parse_authorizer_output(result.payload);
                if (const auto* problem = std::get_if<std::string>(&output)) {
                  return done(failed("authorizer " + name + ": " + *problem));
                }
                const auto& grant = std::get<auth::AuthorizerGrant>(output);
                if (ttl > 0) impl->remember(key, grant, ttl);
                done(decide(grant, method_arn, latency, false));
              });
}

void LambdaAuthorizers::shutdown(std::function<void()> done) {
  auto pools = std::make_shared<std::vector<FunctionPool*>>();
  {
    const std::lock_guard lock(impl_->pools_mutex);
    for (auto& [name, pool] : impl_->pools) pools->push_back(pool.get());
  }
  shutdown_from(std::move(pools), 0, std::move(done));
}

}  // namespace cppstack::local

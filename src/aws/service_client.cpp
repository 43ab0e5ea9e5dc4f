// Signing, connection reuse, timeouts within the invocation's remaining time, and the
// "standard" retry mode of the AWS SDKs (Retry behavior, AWS SDKs and Tools reference guide):
// at most 3 attempts, exponential backoff with full jitter, for throttling errors, 5XX and
// transient network failures.
#include <cppstack/aws/service_client.hpp>
#include <cppstack/observability/logger.hpp>

#include <algorithm>
#include <array>
#include <mutex>
#include <random>
#include <thread>

#include "connection.hpp"
#include "http_exchange.hpp"

namespace cppstack::aws {

namespace {

using detail::Clock;
using detail::Connection;

/// Idle connections by endpoint, kept for the next call and the next invocation. Slots in a
/// plain vector, emptied rather than erased: a function speaks to a handful of endpoints, and
/// taking and giving back a connection then allocates nothing.
class ConnectionPool {
 public:
  std::unique_ptr<Connection> take(const std::string& key) {
    const std::lock_guard lock(mutex_);
    // The most recently returned first: the one least likely to have been closed meanwhile.
    for (auto slot = slots_.rbegin(); slot != slots_.rend(); ++slot) {
      if (!slot->connection || slot->key != key) continue;
      std::unique_ptr<Connection> connection = std::move(slot->connection);
      if (connection->still_usable()) return connection;
    }
    return nullptr;
  }
  void give_back(const std::string& key, std::unique_ptr<Connection> connection) {
    const std::lock_guard lock(mutex_);
    std::size_t idle_here = 0;
    Slot* empty_here = nullptr;
    Slot* empty = nullptr;
    for (Slot& slot : slots_) {
      if (slot.connection) {
        if (slot.key == key) ++idle_here;
      } else if (slot.key == key) {
        empty_here = &slot;
      } else {
        empty = &slot;
      }
    }
    if (idle_here >= kMaxIdlePerEndpoint) return;  // closed as it goes out of scope
    Slot* target = empty_here != nullptr ? empty_here : empty;
    if (target == nullptr) target = &slots_.emplace_back();
    if (target != empty_here) target->key = key;
    target->connection = std::move(connection);
  }

 private:
  struct Slot {
    std::string key;
    std::unique_ptr<Connection> connection;  ///< null: the slot is free
  };
  static constexpr std::size_t kMaxIdlePerEndpoint = 4;
  std::mutex mutex_;
  std::vector<Slot> slots_;
};

ConnectionPool& pool() {
  static ConnectionPool instance;
  return instance;
}

constexpr std::array<std::string_view, 14> kThrottlingCodes = {
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException"};

constexpr std::array<std::string_view, 4> kTransientCodes = {
    "RequestTimeout", "RequestTimeoutException", "InternalError", "InternalServerError"};

bool is_transient_answer(int status, std::string_view code) {
  return status == 500 || status == 502 || status == 503 || status == 504 ||
         std::find(kTransientCodes.begin(), kTransientCodes.end(), code) != kTransientCodes.end();
}

/// What one attempt ended with.
struct Attempt {
  std::optional<HttpResponse> response;
  std::exception_ptr network_error;
  bool may_have_been_applied = false;
  bool timed_out = false;
};

std::string pool_key(const Endpoint& endpoint) {
  return (endpoint.tls ? "https://" : "http://") + endpoint.authority();
}

Clock::time_point invocation_deadline(const ClientOptions& options) {
  const observability::CurrentInvocation* invocation = observability::current_invocation();
  if (invocation == nullptr || invocation->deadline_ms <= 0) return Clock::time_point::max();
  const auto left = std::chrono::milliseconds(invocation->deadline_ms) -
                    std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch()) -
                    options.deadline_margin;
  return Clock::now() + left;
}

void log_failure(std::string_view service, std::string_view operation, const std::exception& error,
                 const ServiceError* service_error) {
  static const observability::Logger logger("aws");
  const observability::CurrentInvocation* invocation = observability::current_invocation();
  boost::json::object fields{
      {"service", service}, {"operation", operation}, {"error", error.what()}};
  if (service_error != nullptr) {
    fields["error_code"] = service_error->code();
    fields["aws_request_id"] = service_error->request_id();
    fields["status"] = service_error->status();
  }
  logger.log(observability::LogLevel::warn, "AWS call failed", fields,
             invocation != nullptr ? &invocation->log : nullptr);
}

}  // namespace

std::optional<std::string_view> HttpResponse::header(std::string_view name) const {
  for (const auto& [key, value] : headers)
    if (detail::iequals_ascii(key, name)) return std::string_view(value);
  return std::nullopt;
}

bool is_throttling_error(std::string_view code) noexcept {
  return std::find(kThrottlingCodes.begin(), kThrottlingCodes.end(), code) !=
         kThrottlingCodes.end();
}

struct ServiceClient::Resolved {
  Environment environment;
  Endpoint endpoint;
  std::string host;
  std::string key;
};

ServiceClient::ServiceClient(const ServiceProtocol& protocol, ClientOptions options)
    : protocol_(protocol), options_(options) {}
ServiceClient::~ServiceClient() = default;

const ServiceClient::Resolved& ServiceClient::resolved() const {
  static std::mutex mutex;
  const std::lock_guard lock(mutex);
  if (!resolved_) {
    auto environment = Environment::from_process();
    auto endpoint = environment.endpoint(protocol_.service);
    std::string host = endpoint.authority();
    std::string key = pool_key(endpoint);
    resolved_ = std::make_unique<Resolved>(
        Resolved{std::move(environment), std::move(endpoint), std::move(host), std::move(key)});
  }
  return *resolved_;
}

const Endpoint& ServiceClient::endpoint() const { return resolved().endpoint; }
const Environment& ServiceClient::environment() const { return resolved().environment; }

HttpResponse ServiceClient::call(std::string_view operation, const HttpRequest& request) const {
  const Resolved& base_target = resolved();
  Resolved prefixed;
  if (!request.host_prefix.empty() && !base_target.endpoint.custom) {
    prefixed = base_target;
    prefixed.endpoint.host = request.host_prefix + "." + base_target.endpoint.host;
    prefixed.host = prefixed.endpoint.authority();
    prefixed.key = pool_key(prefixed.endpoint);
  }
  const Resolved& target = prefixed.host.empty() ? base_target : prefixed;
  const Clock::time_point overall_deadline = invocation_deadline(options_);
  thread_local std::mt19937_64 random{std::random_device{}()};
  ServiceError::Details last_details;
  std::exception_ptr last_network_error;
  const std::string payload_hash = sha256_hex(request.body);
  for (int attempt = 1;; ++attempt) {
    // Signed per attempt: X-Amz-Date must be current. The headers are signed and sent as
    // they are; the request itself is not copied.
    RequestToSign to_sign{.method = request.method,
                          .path = request.path,
                          .query = request.query,
                          .headers = {},
                          .payload_hash = payload_hash};
    to_sign.headers.reserve(request.headers.size() + 5);
    to_sign.headers.insert(to_sign.headers.end(), request.headers.begin(), request.headers.end());
    const std::string date = amz_date(std::chrono::system_clock::now());
    to_sign.headers.emplace_back("host", target.host);
    to_sign.headers.emplace_back("x-amz-date", date);
    if (protocol_.s3_rules) to_sign.headers.emplace_back("x-amz-content-sha256", payload_hash);
    if (!target.environment.credentials.session_token.empty())
      to_sign.headers.emplace_back("x-amz-security-token",
                                   target.environment.credentials.session_token);
    const Signature signature = sign(to_sign, target.environment.credentials,
                                     {.region = target.environment.region,
                                      .service = protocol_.service,
                                      .amz_date = date,
                                      .s3_path_rules = protocol_.s3_rules});
    to_sign.headers.emplace_back("authorization", signature.authorization);
    const std::string bytes = detail::serialize(request, to_sign.headers, target.host);

    const Clock::time_point attempt_deadline =
        std::min(overall_deadline, Clock::now() + options_.attempt_timeout);
    Attempt outcome;
    // A pooled connection the server closed meanwhile fails before any answer byte: that
    // is retried once on a new connection, without counting as an attempt.
    for (int fresh = 0; fresh < 2 && !outcome.response; ++fresh) {
      std::unique_ptr<Connection> connection = fresh == 0 ? pool().take(target.key) : nullptr;
      const bool reused = connection != nullptr;
      std::size_t received = 0;
      bool sent = false;
      bool written = false;
      try {
        if (!connection)
          connection = Connection::open(
              target.endpoint, std::min(attempt_deadline, Clock::now() + options_.connect_timeout));
        sent = true;
        connection->write_all(bytes, attempt_deadline);
        written = true;
        detail::Exchange exchange =
            detail::read_response(*connection, request.method == "HEAD",
                                  options_.max_response_bytes, attempt_deadline, received);
        if (exchange.keep_alive) pool().give_back(target.key, std::move(connection));
        outcome.response = std::move(exchange.response);
      } catch (const TimeoutError&) {
        outcome.network_error = std::current_exception();
        outcome.may_have_been_applied = sent;
        outcome.timed_out = true;
        break;
      } catch (const NetworkError&) {
        outcome.network_error = std::current_exception();
        outcome.may_have_been_applied = sent;
        // A reused connection that failed before any answer byte was most likely closed by
        // the server while idle; a write that did not complete cannot have been applied.
        if (!(reused && received == 0 && (request.idempotent || !written))) break;
      }
    }

    std::chrono::milliseconds base = options_.backoff_base;
    if (outcome.response) {
      HttpResponse& response = *outcome.response;
      if (response.status / 100 == 2 || (response.status == 404 && request.not_found_is_answer))
        return std::move(response);
      ServiceError::Details details{.service = std::string(protocol_.service),
                                    .operation = std::string(operation),
                                    .status = response.status};
      if (protocol_.read_error != nullptr) protocol_.read_error(response, details);
      if (details.request_id.empty()) {
        details.request_id =
            std::string(response.header("x-amzn-requestid")
                            .value_or(response.header("x-amz-request-id").value_or("")));
      }
      const bool throttled = is_throttling_error(details.code) || response.status == 429;
      const bool retryable = throttled || is_transient_answer(response.status, details.code);
      if (throttled) base = options_.throttling_backoff_base;
      if (!retryable || attempt >= options_.max_attempts) {
        try {
          if (protocol_.raise != nullptr) protocol_.raise(details, response);
          throw ServiceError(details);
        } catch (const ServiceError& error) {
          log_failure(protocol_.service, operation, error, &error);
          throw;
        }
      }
      last_details = std::move(details);
    } else {
      const bool retryable = !outcome.may_have_been_applied || request.idempotent;
      if (!retryable || attempt >= options_.max_attempts || Clock::now() >= overall_deadline) {
        try {
          std::rethrow_exception(outcome.network_error);
        } catch (const std::exception& error) {
          log_failure(protocol_.service, operation, error, nullptr);
          throw;
        }
      }
      last_network_error = outcome.network_error;
    }
    // Full jitter: a random wait up to base * 2^(attempt-1), capped; never past the deadline.
    const auto ceiling =
        std::min<std::int64_t>(options_.max_backoff.count(), base.count() << (attempt - 1));
    const auto wait = std::chrono::milliseconds(
        std::uniform_int_distribution<std::int64_t>(0, std::max<std::int64_t>(ceiling, 0))(random));
    if (Clock::now() + wait >= overall_deadline) {
      if (outcome.network_error) std::rethrow_exception(outcome.network_error);
      ServiceError error(last_details);
      log_failure(protocol_.service, operation, error, &error);
      if (protocol_.raise != nullptr) protocol_.raise(last_details, *outcome.response);
      throw error;
    }
    std::this_thread::sleep_for(wait);
  }
}

}  // namespace cppstack::aws

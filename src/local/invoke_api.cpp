#include <boost/json.hpp>
#include <cppstack/events/base64.hpp>
#include <cppstack/local/gateway_event.hpp>
#include <cppstack/local/invoke_api.hpp>
#include <cppstack/observability/utf8.hpp>
#include <mutex>
#include <optional>

#include "client_context.hpp"
#include "function_reference.hpp"
#include "gateway_response.hpp"
#include "http_server.hpp"
#include "percent_decode.hpp"

namespace cppstack::local {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

HttpResponse lambda_error(beast_http::status status, std::string_view error_type,
                          const boost::json::object& body) {
  HttpResponse response = json_response(status, boost::json::serialize(body));
  response.set("x-amzn-ErrorType", error_type);
  response.set("x-amzn-RequestId", random_uuid());
  // Also answers sent without reply(), such as the body-limit answer of the HTTP server.
  response.set(beast_http::field::date, http_date(std::chrono::system_clock::now()));
  return response;
}

// Every answer of an AWS endpoint carries Date (RFC 9110 IMF-fixdate).
void reply(const std::shared_ptr<HttpExchange>& exchange, HttpResponse response) {
  response.set(beast_http::field::date, http_date(std::chrono::system_clock::now()));
  exchange->reply(std::move(response));
}

// The message may quote what the caller sent (a function name, an invocation type); the
// answer stays JSON, so bytes that are not UTF-8 are repaired.
HttpResponse user_error(beast_http::status status, std::string_view error_type,
                        std::string_view message) {
  return lambda_error(status, error_type,
                      {{"Type", "User"}, {"message", observability::to_valid_utf8(message)}});
}

}  // namespace

class InvokeApiServer::Impl : public std::enable_shared_from_this<InvokeApiServer::Impl> {
  // Counts the Event invocations accepted and not yet finished, and their payload bytes.
  class EventQueueBudget {
   public:
    bool try_reserve(std::size_t bytes) {
      const std::lock_guard lock(mutex_);
      if (count_ >= max_queued_events || bytes_ + bytes > max_queued_event_bytes) return false;
      ++count_;
      bytes_ += bytes;
      return true;
    }
    void release(std::size_t bytes) {
      const std::lock_guard lock(mutex_);
      --count_;
      bytes_ -= bytes;
    }

   private:
    std::mutex mutex_;
    std::size_t count_ = 0;
    std::size_t bytes_ = 0;
  };

 public:
  Impl(asio::io_context& io, const InvokeApiConfig& config, FunctionPool& function_pool,
       std::shared_ptr<LambdaLog> lambda_log)
      : pool(function_pool), log(std::move(lambda_log)) {
    HttpServerOptions options;
    options.body_limit = max_sync_payload_bytes;
    options.too_large = [](const beast_http::request_header<>&) {
      return user_error(beast_http::status::payload_too_large, "RequestEntityTooLargeException",
                        "Request must be smaller than " + std::to_string(max_sync_payload_bytes) +
                            " bytes for the InvokeFunction operation");
    };
    server = std::make_unique<HttpServer>(
        io, tcp::endpoint(asio::ip::make_address(config.host), config.port), std::move(options),
        [this](const std::shared_ptr<HttpExchange>& exchange) { handle(exchange); });
  }

  // "Could not parse request body into json" (InvalidRequestContentException, 400): Lambda
  // parses every payload as JSON, for RequestResponse and Event alike (Invoke API reference,
  // Errors; the message as recorded from the AWS CLI). An empty payload is allowed: the CLI
  // sends one when --payload is left out.
  static std::optional<std::string> payload_json_problem(std::string_view payload) {
    if (payload.empty()) return std::nullopt;
    boost::system::error_code error;
    boost::json::parser parser;  // rejects trailing text and bytes that are not UTF-8
    parser.write(payload.data(), payload.size(), error);
    if (!error) return std::nullopt;
    return error.message();
  }

  void handle(const std::shared_ptr<HttpExchange>& exchange) {
    auto& request = exchange->request;
    std::string_view target(request.target().data(), request.target().size());
    const auto question = target.find('?');
    std::string_view query =
        question == std::string_view::npos ? std::string_view() : target.substr(question + 1);
    target = target.substr(0, question);
    constexpr std::string_view prefix = "/2015-03-31/functions/";
    constexpr std::string_view suffix = "/invocations";
    if (request.method() != beast_http::verb::post || target.rfind(prefix, 0) != 0 ||
        target.size() <= prefix.size() + suffix.size() ||
        target.substr(target.size() - suffix.size()) != suffix) {
      return reply(exchange, user_error(beast_http::status::not_found, "UnknownOperationException",
                                        "Unknown operation"));
    }
    const std::string name =
        percent_decode(target.substr(prefix.size(), target.size() - prefix.size() - suffix.size()));
    std::optional<std::string> qualifier;
    if (const auto at = query.find("Qualifier="); at != std::string_view::npos) {
      qualifier = percent_decode(query.substr(at + 10, query.find('&', at) - at - 10));
    }
    const auto& config = pool.config();
    auto named = parse_function_reference(name, qualifier, config.region, config.account_id);
    if (const auto* error = std::get_if<FunctionReferenceError>(&named)) {
      return reply(exchange, user_error(static_cast<beast_http::status>(error->status),
                                        error->error_type, error->message));
    }
    // Only this function's $LATEST exists.
    const auto& reference = std::get<FunctionReference>(named);
    if (reference.name != config.function_name || reference.account != config.account_id ||
        reference.qualifier != "$LATEST") {
      return reply(exchange, user_error(beast_http::status::not_found, "ResourceNotFoundException",
                                        "Function not found: " + reference.arn()));
    }

    std::string invocation_type(request["X-Amz-Invocation-Type"]);
    if (invocation_type.empty()) invocation_type = "RequestResponse";
    if (invocation_type == "DryRun") {
      HttpResponse response{beast_http::status::no_content, 11};
      response.set("x-amzn-RequestId", random_uuid());
      return reply(exchange, std::move(response));
    }
    if (invocation_type != "RequestResponse" && invocation_type != "Event") {
      return reply(
          exchange,
          user_error(
              beast_http::status::bad_request, "InvalidParameterValueException",
              "1 validation error detected: Value '" + invocation_type +
                  "' at 'invocationType' failed to satisfy constraint: Member must satisfy enum "
                  "value set: [Event, RequestResponse, DryRun]"));
    }
    if (auto problem = payload_json_problem(request.body())) {
      return reply(
          exchange,
          user_error(beast_http::status::bad_request, "InvalidRequestContentException",
                     "Could not parse request body into json: Could not parse payload into json: " +
                         *problem));
    }
    InvokeRequest invoke{.payload = std::move(request.body())};
    if (reference.qualified) invoke.qualifier = reference.qualifier;
    if (const auto context = request["X-Amz-Client-Context"]; !context.empty()) {
      invoke.client_context = decode_client_context(context);
      if (!invoke.client_context) {
        return reply(exchange,
                     user_error(beast_http::status::bad_request, "InvalidRequestContentException",
                                invalid_client_context_message));
      }
    }
    const std::string_view log_type = request["X-Amz-Log-Type"];
    if (!log_type.empty() && log_type != "None" && log_type != "Tail") {
      return reply(exchange,
                   user_error(beast_http::status::bad_request, "InvalidParameterValueException",
                              "1 validation error detected: Value '" + std::string(log_type) +
                                  "' at 'logType' failed to satisfy constraint: Member "
                                  "must satisfy enum value set: [Tail, None]"));
    }
    const bool tail = log_type == "Tail";

    if (invocation_type == "Event") return queue_event(exchange, std::move(invoke));

    pool.invoke(std::move(invoke), [exchange, tail](InvokeResult result) {
      reply(exchange, to_response(std::move(result), tail));
    });
  }

  // Event: 202 at once, the invocation waits in a bounded queue for a free instance.
  void queue_event(const std::shared_ptr<HttpExchange>& exchange, InvokeRequest invoke) {
    const std::size_t bytes = invoke.payload.size();
    if (bytes > max_async_payload_bytes) {
      return reply(
          exchange,
          user_error(beast_http::status::payload_too_large, "RequestEntityTooLargeException",
                     "Request must be smaller than " + std::to_string(max_async_payload_bytes) +
                         " bytes for the InvokeFunction operation"));
    }
    if (!event_queue->try_reserve(bytes)) {
      // Lambda's own queue is elastic; this one is bounded so memory is. Beyond it, the
      // throttling answer the Invoke API documents (429 TooManyRequestsException).
      return reply(exchange,
                   lambda_error(beast_http::status::too_many_requests, "TooManyRequestsException",
                                {{"Reason", "CallerRateLimitExceeded"},
                                 {"Type", "User"},
                                 {"message", "Rate Exceeded. The local Event queue holds " +
                                                 std::to_string(max_queued_events) +
                                                 " invocations at most."}}));
    }
    invoke.wait_for_capacity = true;
    const std::string request_id = random_uuid();
    HttpResponse response{beast_http::status::accepted, 11};
    response.set("x-amzn-RequestId", request_id);
    reply(exchange, std::move(response));
    pool.invoke(std::move(invoke), [log = log, queue = event_queue, request_id,
                                    bytes](const InvokeResult& result) {
      queue->release(bytes);
      if (result.outcome == InvokeOutcome::function_error) {
        log->notice("asynchronous invocation " + result.request_id + " failed: " + result.payload);
      } else if (result.outcome == InvokeOutcome::shutting_down) {
        // Reported, never dropped silently: the caller got 202 for it.
        log->notice("asynchronous invocation " + request_id +
                    " was accepted and did not complete: the emulator is shutting down");
      }
    });
  }

  static HttpResponse to_response(InvokeResult result, bool tail) {
    switch (result.outcome) {
      case InvokeOutcome::throttled:
        return lambda_error(beast_http::status::too_many_requests, "TooManyRequestsException",
                            {{"Reason", "ReservedFunctionConcurrentInvocationLimitExceeded"},
                             {"Type", "User"},
                             {"message", "Rate Exceeded."}});
      case InvokeOutcome::payload_too_large:
        return user_error(beast_http::status::payload_too_large, "RequestEntityTooLargeException",
                          "Request must be smaller than " + std::to_string(max_sync_payload_bytes) +
                              " bytes for the InvokeFunction operation");
      case InvokeOutcome::shutting_down:
        return lambda_error(beast_http::status::service_unavailable, "ServiceException",
                            {{"Type", "Service"}, {"message", "The emulator is shutting down"}});
      case InvokeOutcome::success:
      case InvokeOutcome::function_error:
        break;
    }
    HttpResponse response = json_response(beast_http::status::ok, std::move(result.payload));
    response.set("x-amzn-RequestId", result.request_id);
    response.set("X-Amz-Executed-Version", "$LATEST");
    if (result.outcome == InvokeOutcome::function_error) {
      response.set("X-Amz-Function-Error", "Unhandled");
    }
    if (tail) response.set("X-Amz-Log-Result", events::base64_encode(result.log_tail));
    return response;
  }

  FunctionPool& pool;
  std::shared_ptr<LambdaLog> log;
  std::shared_ptr<EventQueueBudget> event_queue = std::make_shared<EventQueueBudget>();
  std::unique_ptr<HttpServer> server;
};

InvokeApiServer::InvokeApiServer(asio::io_context& io, const InvokeApiConfig& config,
                                 FunctionPool& pool, std::shared_ptr<LambdaLog> log)
    : impl_(std::make_shared<Impl>(io, config, pool, std::move(log))) {}

InvokeApiServer::~InvokeApiServer() { impl_->server->stop(); }

tcp::endpoint InvokeApiServer::local_endpoint() const { return impl_->server->local_endpoint(); }

void InvokeApiServer::start() { impl_->server->start(); }

void InvokeApiServer::stop() { impl_->server->stop(); }

}  // namespace cppstack::local

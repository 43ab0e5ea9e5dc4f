#include <boost/json.hpp>
#include <cppstack/events/base64.hpp>
#include <cppstack/local/gateway_event.hpp>
#include <cppstack/local/invoke_api.hpp>

#include "client_context.hpp"
#include "http_server.hpp"
#include "percent_decode.hpp"

namespace cppstack::local {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

HttpResponse lambda_error(http::status status, std::string_view error_type,
                          const boost::json::object& body) {
  HttpResponse response = json_response(status, boost::json::serialize(body));
  response.set("x-amzn-ErrorType", error_type);
  response.set("x-amzn-RequestId", random_uuid());
  return response;
}

HttpResponse user_error(http::status status, std::string_view error_type,
                        std::string_view message) {
  return lambda_error(status, error_type, {{"Type", "User"}, {"message", message}});
}

}  // namespace

class InvokeApiServer::Impl : public std::enable_shared_from_this<InvokeApiServer::Impl> {
 public:
  Impl(asio::io_context& io, const InvokeApiConfig& config, FunctionPool& function_pool,
       std::shared_ptr<LambdaLog> lambda_log)
      : pool(function_pool), log(std::move(lambda_log)) {
    HttpServerOptions options;
    options.body_limit = max_sync_payload_bytes;
    options.too_large = [](const http::request_header<>&) {
      return user_error(http::status::payload_too_large, "RequestEntityTooLargeException",
                        "Request must be smaller than " + std::to_string(max_sync_payload_bytes) +
                            " bytes for the InvokeFunction operation");
    };
    server = std::make_unique<HttpServer>(
        io, tcp::endpoint(asio::ip::make_address(config.host), config.port), std::move(options),
        [this](const std::shared_ptr<HttpExchange>& exchange) { handle(exchange); });
  }

  // Accepts the forms Lambda accepts: NAME, ACCOUNT:function:NAME and the full ARN, each
  // optionally with the $LATEST qualifier.
  bool names_this_function(std::string_view name, std::string_view qualifier) const {
    const auto& function_name = pool.config().function_name;
    if (!qualifier.empty() && qualifier != "$LATEST") return false;
    if (name == function_name) return true;
    const std::string suffix = ":function:" + function_name;
    for (const std::string_view candidate : {name, name.substr(0, name.rfind(':'))}) {
      if (candidate.size() >= suffix.size() &&
          candidate.substr(candidate.size() - suffix.size()) == suffix) {
        if (candidate != name && name.substr(name.rfind(':') + 1) != "$LATEST") return false;
        return true;
      }
    }
    return false;
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
    if (request.method() != http::verb::post || target.rfind(prefix, 0) != 0 ||
        target.size() <= prefix.size() + suffix.size() ||
        target.substr(target.size() - suffix.size()) != suffix) {
      return exchange->reply(
          user_error(http::status::not_found, "UnknownOperationException", "Unknown operation"));
    }
    const std::string name =
        percent_decode(target.substr(prefix.size(), target.size() - prefix.size() - suffix.size()));
    std::string qualifier;
    if (const auto at = query.find("Qualifier="); at != std::string_view::npos) {
      qualifier = percent_decode(query.substr(at + 10, query.find('&', at) - at - 10));
    }
    if (!names_this_function(name, qualifier)) {
      std::string arn = name.rfind("arn:", 0) == 0
                            ? name
                            : "arn:aws:lambda:" + pool.config().region + ":" +
                                  pool.config().account_id + ":function:" + name;
      if (!qualifier.empty()) arn += ":" + qualifier;
      return exchange->reply(user_error(http::status::not_found, "ResourceNotFoundException",
                                        "Function not found: " + arn));
    }

    std::string invocation_type(request["X-Amz-Invocation-Type"]);
    if (invocation_type.empty()) invocation_type = "RequestResponse";
    if (invocation_type == "DryRun") {
      HttpResponse response{http::status::no_content, 11};
      response.set("x-amzn-RequestId", random_uuid());
      return exchange->reply(std::move(response));
    }
    if (invocation_type != "RequestResponse" && invocation_type != "Event") {
      return exchange->reply(user_error(
          http::status::bad_request, "InvalidParameterValueException",
          "1 validation error detected: Value '" + invocation_type +
              "' at 'invocationType' failed to satisfy constraint: Member must satisfy enum "
              "value set: [Event, RequestResponse, DryRun]"));
    }
    InvokeRequest invoke{.payload = std::move(request.body())};
    if (const auto context = request["X-Amz-Client-Context"]; !context.empty()) {
      invoke.client_context = decode_client_context(context);
      if (!invoke.client_context) {
        return exchange->reply(user_error(http::status::bad_request,
                                          "InvalidRequestContentException",
                                          invalid_client_context_message));
      }
    }
    const bool tail = request["X-Amz-Log-Type"] == "Tail";

    if (invocation_type == "Event") {
      if (invoke.payload.size() > max_async_payload_bytes) {
        return exchange->reply(
            user_error(http::status::payload_too_large, "RequestEntityTooLargeException",
                       "Request must be smaller than " + std::to_string(max_async_payload_bytes) +
                           " bytes for the InvokeFunction operation"));
      }
      invoke.wait_for_capacity = true;
      HttpResponse response{http::status::accepted, 11};
      response.set("x-amzn-RequestId", random_uuid());
      exchange->reply(std::move(response));
      pool.invoke(std::move(invoke), [log = log](const InvokeResult& result) {
        if (result.outcome == InvokeOutcome::function_error) {
          log->notice("asynchronous invocation " + result.request_id +
                      " failed: " + result.payload);
        }
      });
      return;
    }

    pool.invoke(std::move(invoke), [exchange, tail](InvokeResult result) {
      exchange->reply(to_response(std::move(result), tail));
    });
  }

  static HttpResponse to_response(InvokeResult result, bool tail) {
    switch (result.outcome) {
      case InvokeOutcome::throttled:
        return lambda_error(http::status::too_many_requests, "TooManyRequestsException",
                            {{"Reason", "ReservedFunctionConcurrentInvocationLimitExceeded"},
                             {"Type", "User"},
                             {"message", "Rate Exceeded."}});
      case InvokeOutcome::payload_too_large:
        return user_error(http::status::payload_too_large, "RequestEntityTooLargeException",
                          "Request must be smaller than " + std::to_string(max_sync_payload_bytes) +
                              " bytes for the InvokeFunction operation");
      case InvokeOutcome::shutting_down:
        return lambda_error(http::status::service_unavailable, "ServiceException",
                            {{"Type", "Service"}, {"message", "The emulator is shutting down"}});
      case InvokeOutcome::success:
      case InvokeOutcome::function_error:
        break;
    }
    HttpResponse response = json_response(http::status::ok, std::move(result.payload));
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

#include <atomic>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cppstack/events/base64.hpp>
#include <cppstack/events/proxy_response.hpp>
#include <cppstack/local/api_gateway.hpp>
#include <cppstack/local/token_bucket.hpp>
#include <cstdio>
#include <map>

#include "http_server.hpp"

namespace cppstack::local {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

bool iequals(std::string_view a, std::string_view b) { return boost::beast::iequals(a, b); }

// Headers that frame the HTTP message itself: the gateway sets its own.
bool is_framing_header(std::string_view name) {
  return iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding") ||
         iequals(name, "Connection") || iequals(name, "Keep-Alive");
}

}  // namespace

class ApiGatewayServer::Impl : public std::enable_shared_from_this<ApiGatewayServer::Impl> {
 public:
  Impl(asio::io_context& io, ApiGatewayConfig gateway_config, FunctionPool& function_pool,
       std::shared_ptr<LambdaLog> lambda_log)
      : config(std::move(gateway_config)), pool(function_pool), log(std::move(lambda_log)) {
    if (config.stage_throttle) {
      stage_bucket.emplace(config.stage_throttle->rate_limit, config.stage_throttle->burst_limit);
    }
    routes.store(make_route_state(std::move(config.routes)));
    HttpServerOptions options;
    options.body_limit = max_gateway_request_bytes;
    options.too_large = [](const http::request_header<>&) {
      return gateway_error(RequestIdentifiers::fresh(), http::status::payload_too_large,
                           "Request Too Long", {});
    };
    const auto address = asio::ip::make_address(config.host);
    server = std::make_unique<HttpServer>(
        io, tcp::endpoint(address, config.port), std::move(options),
        [this](std::shared_ptr<HttpExchange> exchange) { handle(std::move(exchange)); });
  }

  struct PendingRequest {
    std::shared_ptr<HttpExchange> exchange;
    RequestIdentifiers identifiers;
    std::string accept;  // the first Accept media type decides binary responses
    std::unique_ptr<asio::steady_timer> timeout;
    Clock::time_point started = Clock::now();
    bool answered = false;
  };

  static HttpResponse gateway_error(const RequestIdentifiers& identifiers, http::status status,
                                    std::string_view message, std::string_view error_type) {
    std::string body = R"({"message":")";
    body.append(message).append(R"("})");
    HttpResponse response = json_response(status, std::move(body));
    response.set("x-amzn-RequestId", identifiers.request_id);
    if (!error_type.empty()) response.set("x-amzn-ErrorType", error_type);
    response.set("x-amz-apigw-id", identifiers.extended_request_id);
    return response;
  }

  void answer(PendingRequest& pending, HttpResponse response) {
    if (pending.answered) return;
    pending.answered = true;
    if (pending.timeout) pending.timeout->cancel();
    if (config.access_log) {
      const auto& request = pending.exchange->request;
      char elapsed[32];
      std::snprintf(
          elapsed, sizeof elapsed, "%.2f",
          std::chrono::duration<double, std::milli>(Clock::now() - pending.started).count());
      log->notice(std::string(request.method_string()) + " " + std::string(request.target()) + " " +
                  std::to_string(response.result_int()) + " (" + elapsed + " ms)");
    }
    pending.exchange->reply(std::move(response));
  }

  void handle(std::shared_ptr<HttpExchange> exchange) {
    auto pending = std::make_shared<PendingRequest>();
    pending->exchange = std::move(exchange);
    pending->identifiers = RequestIdentifiers::fresh();
    const auto& ids = pending->identifiers;
    auto& request = pending->exchange->request;
    const std::string_view target(request.target().data(), request.target().size());

    const auto stage_path = stage_relative_path(target, config.settings.stage);
    const std::string method(request.method_string());
    // The table of this request: a reload swaps in a new one without touching this one.
    const std::shared_ptr<RouteState> current_routes = routes.load();
    const auto match = stage_path ? current_routes->table.match(method, *stage_path) : std::nullopt;
    if (!match) {
      return answer(*pending,
                    gateway_error(ids, http::status::forbidden, "Missing Authentication Token",
                                  "MissingAuthenticationTokenException"));
    }
    std::optional<std::string> api_key;
    if (match->route->requires_api_key) {
      const std::string presented(request["x-api-key"]);
      const bool accepted = config.api_key ? presented == *config.api_key : !presented.empty();
      if (!accepted) {
        return answer(*pending, gateway_error(ids, http::status::forbidden, "Forbidden",
                                              "ForbiddenException"));
      }
      api_key = presented;
    }
    auto& route_buckets = current_routes->buckets;
    const auto route_bucket = route_buckets.find(match->route);
    if ((stage_bucket && !stage_bucket->try_take()) ||
        (route_bucket != route_buckets.end() && !route_bucket->second.try_take())) {
      return answer(*pending, gateway_error(ids, http::status::too_many_requests,
                                            "Too Many Requests", "TooManyRequestsException"));
    }

    HttpRequestParts parts;
    parts.method = method;
    parts.target = std::string(target);
    for (const auto& field : request) {
      parts.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    parts.body = std::move(request.body());
    parts.source_ip = pending->exchange->remote.address().to_string();
    parts.protocol = request.version() == 10 ? "HTTP/1.0" : "HTTP/1.1";
    parts.local_port = pending->exchange->local_port;
    const std::string_view accept = request[http::field::accept];
    pending->accept = std::string(accept.substr(0, accept.find(',')));

    std::string payload = events::serialize(
        build_proxy_event(std::move(parts), *match, config.settings, ids, api_key));
    if (payload.size() > max_sync_payload_bytes) {
      // Lambda refuses the invoke (RequestEntityTooLargeException); API Gateway answers 500.
      return answer(*pending,
                    gateway_error(ids, http::status::internal_server_error, "Internal server error",
                                  "InternalServerErrorException"));
    }

    pending->timeout = std::make_unique<asio::steady_timer>(pending->exchange->executor());
    pending->timeout->expires_after(config.integration_timeout);
    pending->timeout->async_wait(
        [self = shared_from_this(), pending](boost::system::error_code error) {
          if (error || pending->answered) return;
          self->log->notice("Execution failed due to a timeout error (request " +
                            pending->identifiers.request_id + ")");
          self->answer(*pending, gateway_error(pending->identifiers, http::status::gateway_timeout,
                                               "Endpoint request timed out", {}));
        });
    pool.invoke(InvokeRequest{.payload = std::move(payload)},
                [self = shared_from_this(), pending](InvokeResult result) {
                  pending->exchange->post([self, pending, result = std::move(result)] {
                    self->on_result(*pending, result);
                  });
                });
  }

  void on_result(PendingRequest& pending, const InvokeResult& result) {
    if (pending.answered) return;
    const auto& ids = pending.identifiers;
    switch (result.outcome) {
      case InvokeOutcome::success:
        return answer(pending, map_response(pending, result.payload));
      case InvokeOutcome::throttled:
        return answer(pending, gateway_error(ids, http::status::too_many_requests,
                                             "Too Many Requests", "TooManyRequestsException"));
      case InvokeOutcome::function_error:
        if (result.error_kind == FunctionErrorKind::response_too_large) {
          return answer(pending,
                        gateway_error(ids, http::status::internal_server_error,
                                      "Internal server error", "InternalServerErrorException"));
        }
        log->notice("Lambda execution failed with status 200 due to customer function error: " +
                    result.payload);
        return answer(pending, bad_gateway(ids));
      case InvokeOutcome::payload_too_large:
        return answer(pending,
                      gateway_error(ids, http::status::internal_server_error,
                                    "Internal server error", "InternalServerErrorException"));
      case InvokeOutcome::shutting_down:
        return answer(pending, bad_gateway(ids));
    }
  }

  static HttpResponse bad_gateway(const RequestIdentifiers& ids) {
    return gateway_error(ids, http::status::bad_gateway, "Internal server error",
                         "InternalServerErrorException");
  }

  HttpResponse map_response(const PendingRequest& pending, const std::string& payload) {
    const auto& ids = pending.identifiers;
    events::ProxyResponse function_response;
    try {
      function_response = events::parse_proxy_response(payload);
    } catch (const events::ResponseShapeError& error) {
      log->notice(std::string("Execution failed due to configuration error: Malformed Lambda "
                              "proxy response (") +
                  error.what() + ")");
      return bad_gateway(ids);
    }
    if (function_response.status_code < 100 || function_response.status_code > 599) {
      log->notice(
          "Execution failed due to configuration error: Malformed Lambda proxy response "
          "(statusCode " +
          std::to_string(function_response.status_code) + ")");
      return bad_gateway(ids);
    }
    HttpResponse response{static_cast<http::status>(function_response.status_code), 11};
    bool has_content_type = false;
    for (const auto& [name, values] : function_response.merged_headers()) {
      if (is_framing_header(name)) continue;
      if (iequals(name, "Content-Type")) has_content_type = true;
      for (const auto& value : values) response.insert(name, value);
    }
    if (!has_content_type) response.set(http::field::content_type, "application/json");
    if (function_response.is_base64_encoded &&
        is_binary_media_type(pending.accept, config.settings.binary_media_types)) {
      auto decoded = events::base64_decode(function_response.body);
      if (!decoded) {
        log->notice(
            "Execution failed due to configuration error: Unable to base64 decode the "
            "body");
        return gateway_error(ids, http::status::internal_server_error, "Internal server error",
                             "InternalServerErrorException");
      }
      response.body() = std::move(*decoded);
    } else {
      response.body() = std::move(function_response.body);
    }
    response.set("x-amzn-RequestId", ids.request_id);
    response.set("x-amz-apigw-id", ids.extended_request_id);
    return response;
  }

  ApiGatewayConfig config;
  FunctionPool& pool;
  std::shared_ptr<LambdaLog> log;
  std::optional<TokenBucket> stage_bucket;
  /// The route table and its per-route throttles, replaced whole by replace_routes().
  struct RouteState {
    RouteTable table;
    std::map<const Route*, TokenBucket> buckets;
  };
  std::atomic<std::shared_ptr<RouteState>> routes;

  static std::shared_ptr<RouteState> make_route_state(RouteTable table) {
    auto state = std::make_shared<RouteState>(RouteState{std::move(table), {}});
    for (const auto& route : state->table.routes()) {
      if (route.throttle) {
        state->buckets.try_emplace(&route, route.throttle->rate_limit, route.throttle->burst_limit);
      }
    }
    return state;
  }
  std::unique_ptr<HttpServer> server;
};

ApiGatewayServer::ApiGatewayServer(asio::io_context& io, ApiGatewayConfig config,
                                   FunctionPool& pool, std::shared_ptr<LambdaLog> log)
    : impl_(std::make_shared<Impl>(io, std::move(config), pool, std::move(log))) {}

ApiGatewayServer::~ApiGatewayServer() { impl_->server->stop(); }

tcp::endpoint ApiGatewayServer::local_endpoint() const { return impl_->server->local_endpoint(); }

void ApiGatewayServer::start() { impl_->server->start(); }

void ApiGatewayServer::stop() { impl_->server->stop(); }

void ApiGatewayServer::replace_routes(RouteTable table) {
  impl_->routes.store(Impl::make_route_state(std::move(table)));
}

}  // namespace cppstack::local

#include <algorithm>
#include <atomic>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/serialize.hpp>
#include <cppstack/events/base64.hpp>
#include <cppstack/events/proxy_response.hpp>
#include <cppstack/local/api_gateway.hpp>
#include <cppstack/local/token_bucket.hpp>
#include <cstdio>
#include <map>
#include <optional>

#include "auth/lambda_authorizer.hpp"
#include "gateway_response.hpp"
#include "http_server.hpp"

namespace cppstack::local {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

// Marks an answer of the gateway itself until it is sent (never reaches the wire).
constexpr std::string_view gateway_error_marker = "x-cppstack-gateway-error";

HttpResponse content_length_exceeded() {
  HttpResponse response{beast_http::status::payload_too_large, 11};
  response.set(beast_http::field::content_type, "text/plain");
  response.set(beast_http::field::date, http_date(std::chrono::system_clock::now()));
  response.body() =
      "HTTP content length exceeded " + std::to_string(max_gateway_request_bytes) + " bytes.";
  return response;
}

// The caller's trace header as the gateway passes it on: kept whole, and a bare
// "Root=1-..." given a Parent of the gateway's own (recorded from AWS: LocalStack's
// test_invocation_trace_id, a Root alone comes back with a second part, "Root=...;Parent=...;
// Sampled=1" unchanged). Other forms are passed on as sent: no recording says otherwise.
std::string continued_trace(std::string_view trace) {
  if (trace.find(';') != std::string_view::npos) return std::string(trace);
  std::string parent;
  for (const char c : random_uuid()) {
    if (c != '-' && parent.size() < 16) parent.push_back(c);
  }
  return std::string(trace) + ";Parent=" + parent;
}

// Statuses that never carry content (RFC 9110 sections 15.3.5 and 15.4.5).
bool status_has_no_content(int status) { return status == 204 || status == 304; }

}  // namespace

class ApiGatewayServer::Impl : public std::enable_shared_from_this<ApiGatewayServer::Impl> {
 public:
  Impl(asio::io_context& io, ApiGatewayConfig gateway_config, FunctionPool& function_pool,
       std::shared_ptr<LambdaLog> lambda_log)
      : config(std::move(gateway_config)), pool(function_pool), log(std::move(lambda_log)) {
    if (config.stage_throttle) {
      stage_bucket.emplace(config.stage_throttle->rate_limit, config.stage_throttle->burst_limit);
    }
    routes.store(make_route_state(std::move(config.routes), config.access_control));
    HttpServerOptions options;
    options.body_limit = max_gateway_request_bytes;
    // "Total combined size of request line and header values: 10240 bytes" (API Gateway
    // quotas, REST APIs; not raisable). The HTTP server gives the answer to a larger one.
    options.header_limit = max_gateway_header_bytes;
    // Which status API Gateway sends here is not documented; RFC 9112's 431, in the shape of
    // the gateway's own answers. The request's Origin is not known at this point.
    options.header_too_large = [this] {
      HttpResponse response = gateway_error(RequestIdentifiers::fresh(),
                                            beast_http::status::request_header_fields_too_large,
                                            "Request Header Fields Too Large", {});
      add_gateway_response_headers(response, {});
      return response;
    };
    // A body over 10 MB is refused by API Gateway's front end in plain text, not with one of
    // its JSON gateway responses (recorded from AWS, contracts.md section 1).
    options.too_large = [](const beast_http::request_header<>&) {
      return content_length_exceeded();
    };
    // An answer that cannot be sent (a function's malformed response that got this far) is
    // API Gateway's 502 for a bad integration response.
    options.unanswered = [this] {
      HttpResponse response =
          gateway_error(RequestIdentifiers::fresh(), beast_http::status::bad_gateway,
                        "Internal server error", "InternalServerErrorException");
      add_gateway_response_headers(response, {});
      return response;
    };
    options.notice = [log = log](std::string_view text) { log->notice(text); };
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

  // A request matched to its route and past the resource policy, kept while its authorizer
  // runs.
  struct RouteState;
  struct RoutedRequest {
    std::shared_ptr<RouteState> routes;  ///< keeps match.route alive across a reload
    RouteMatch match;
    std::vector<std::pair<std::string, std::string>> headers;
    AccessDecision access;
    std::string method;
    std::string stage_path;
  };

  HttpResponse gateway_error(const RequestIdentifiers& identifiers, beast_http::status status,
                             std::string_view message, std::string_view error_type) const {
    return gateway_answer(
        identifiers, {.status = static_cast<int>(status),
                      .body = boost::json::serialize(boost::json::object{{"message", message}}),
                      .error_type = std::string(error_type),
                      .headers = {}});
  }

  // Every answer of the gateway itself: the request ids, the error type, and on errors the
  // CORS headers of the API's gateway responses, so browsers can read them.
  HttpResponse gateway_answer(const RequestIdentifiers& identifiers,
                              const GatewayAnswer& gateway) const {
    HttpResponse response =
        json_response(static_cast<beast_http::status>(gateway.status), gateway.body);
    response.set(beast_http::field::date, http_date(std::chrono::system_clock::now()));
    response.set("x-amzn-RequestId", identifiers.request_id);
    if (!gateway.error_type.empty()) response.set("x-amzn-ErrorType", gateway.error_type);
    response.set("x-amz-apigw-id", identifiers.extended_request_id);
    for (const auto& [name, value] : gateway.headers) response.set(name, value);
    if (gateway.status >= 400) response.set(gateway_error_marker, "1");
    return response;
  }

  // The gateway's own errors get the CORS headers of the API's gateway responses, which depend
  // on the request's Origin: added when the answer is sent, the marker removed.
  void add_gateway_response_headers(HttpResponse& response, std::string_view origin) const {
    if (response.find(gateway_error_marker) == response.end()) return;
    response.erase(gateway_error_marker);
    const auto access_control = routes.load()->access_control;
    if (!access_control) return;
    for (const auto& [name, value] : access_control->error_cors_headers(origin)) {
      response.set(name, value);
    }
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
    add_gateway_response_headers(response, pending.exchange->request[beast_http::field::origin]);
    pending.exchange->reply(std::move(response));
  }

  // `keys_read`: the second look at a request whose check waited for the user pool's keys.
  void handle(std::shared_ptr<HttpExchange> exchange, bool keys_read = false) {
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
    std::vector<std::pair<std::string, std::string>> headers;
    for (const auto& field : request) {
      headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    AccessDecision access;
    const auto& access_control = current_routes->access_control;
    if (access_control && stage_path) {
      access = access_control->check({.method = method,
                                      .target = target,
                                      .stage_path = *stage_path,
                                      .headers = &headers,
                                      .body = request.body(),
                                      .source = pending->exchange->remote.address(),
                                      .may_read_keys = !keys_read},
                                     match ? match->route : nullptr);
      if (access.retry_when_ready) {
        // The keys are read on their own thread; this one goes on serving others meanwhile.
        // Weak: a read that ends after the gateway is gone has nobody to hand the request to.
        access.retry_when_ready([weak = weak_from_this(), exchange = pending->exchange] {
          if (auto self = weak.lock()) {
            exchange->post([self, exchange] { self->handle(exchange, true); });
          }
        });
        return;
      }
      if (!access.log_reason.empty()) log->notice(access.log_reason);
      if (access.answer) return answer(*pending, gateway_answer(ids, *access.answer));
    }
    if (!match) {
      return answer(*pending, gateway_error(ids, beast_http::status::forbidden,
                                            "Missing Authentication Token",
                                            "MissingAuthenticationTokenException"));
    }
    auto routed =
        std::make_shared<RoutedRequest>(RoutedRequest{.routes = current_routes,
                                                      .match = *match,
                                                      .headers = std::move(headers),
                                                      .access = std::move(access),
                                                      .method = method,
                                                      .stage_path = std::string(*stage_path)});
    if (routed->match.route->auth == cppstack::http::AuthMode::custom) {
      return authorize(pending, routed);
    }
    proceed(pending, *routed);
  }

  // A custom route's Lambda authorizer runs before the API key, the throttles and the
  // integration ("Control access to REST APIs with API keys": the key is checked after the
  // authorizer, which may return it), after the resource policy (AccessControl above).
  void authorize(const std::shared_ptr<PendingRequest>& pending,
                 const std::shared_ptr<RoutedRequest>& routed) {
    const auto& ids = pending->identifiers;
    const LambdaAuthorizer* authorizer =
        routed->routes->table.authorizer(routed->match.route->authorizer);
    if (authorizer == nullptr || !config.authorizers) {
      log->notice("Execution failed due to configuration error: no authorizer " +
                  routed->match.route->authorizer);
      return answer(*pending, gateway_answer(ids, auth::authorizer_configuration_answer()));
    }
    AuthorizationRequest request;
    request.method_arn =
        auth::execute_api_arn(config.region, config.settings.account_id, config.settings.api_id,
                              config.settings.stage, routed->method, routed->stage_path);
    request.proxy_event = authorization_event(*pending, *routed);
    if (const auto trace = last_header_value(routed->headers, "X-Amzn-Trace-Id");
        trace && trace_root(*trace)) {
      request.trace_id = continued_trace(*trace);
    }
    config.authorizers->authorize(
        *authorizer, std::move(request),
        [self = shared_from_this(), pending, routed](AuthorizerOutcome outcome) {
          pending->exchange->post([self, pending, routed, outcome = std::move(outcome)]() mutable {
            self->on_authorized(pending, *routed, std::move(outcome));
          });
        });
  }

  void on_authorized(const std::shared_ptr<PendingRequest>& pending, RoutedRequest& routed,
                     AuthorizerOutcome outcome) {
    if (pending->answered) return;
    if (!outcome.log_reason.empty()) log->notice(outcome.log_reason);
    if (outcome.answer) {
      return answer(*pending, gateway_answer(pending->identifiers, *outcome.answer));
    }
    routed.access.authorizer = std::move(outcome.authorizer);
    proceed(pending, routed);
  }

  // The proxy event of the request without its body: what a REQUEST authorizer receives and
  // where identity sources are read.
  boost::json::object authorization_event(const PendingRequest& pending,
                                          const RoutedRequest& routed) const {
    const auto& request = pending.exchange->request;
    HttpRequestParts parts;
    parts.method = routed.method;
    parts.target = std::string(request.target());
    parts.headers = routed.headers;
    parts.source_ip = pending.exchange->remote.address().to_string();
    parts.protocol = request.version() == 10 ? "HTTP/1.0" : "HTTP/1.1";
    parts.local_port = pending.exchange->local_port;
    const auto event =
        build_proxy_event(std::move(parts), routed.match, config.settings, pending.identifiers);
    auto json = events::to_json(event);
    return json.is_object() ? std::move(json.as_object()) : boost::json::object{};
  }

  // Everything after authorization: API key, throttles, the event, the integration.
  void proceed(const std::shared_ptr<PendingRequest>& pending, RoutedRequest& routed) {
    const auto& ids = pending->identifiers;
    auto& request = pending->exchange->request;
    auto& headers = routed.headers;
    auto& access = routed.access;
    const std::string_view target(request.target().data(), request.target().size());
    const std::string& method = routed.method;
    const auto& current_routes = routed.routes;
    const RouteMatch* match = &routed.match;
    const auto& access_control = current_routes->access_control;
    std::optional<std::string> api_key;
    if (match->route->requires_api_key) {
      // The key checked is the one the event carries. Lines that disagree are refused: a
      // function reading another of them would see a key nobody checked.
      const auto keys = header_values(headers, "x-api-key");
      const bool consistent = std::all_of(
          keys.begin(), keys.end(), [&keys](std::string_view key) { return key == keys.back(); });
      const std::string presented = keys.empty() ? std::string() : std::string(keys.back());
      if (consistent && config.api_keys) {
        if (auto refusal = config.api_keys->admit(presented, std::chrono::system_clock::now())) {
          return answer(*pending, gateway_answer(ids, *refusal));
        }
      }
      const bool accepted =
          consistent && (config.api_keys != nullptr ||
                         (config.api_key ? presented == *config.api_key : !presented.empty()));
      if (!accepted) {
        return answer(*pending, gateway_error(ids, beast_http::status::forbidden, "Forbidden",
                                              "ForbiddenException"));
      }
      api_key = presented;
      if (access_control && !config.api_keys) {
        if (auto exceeded = access_control->consume_quota(presented)) {
          return answer(*pending, gateway_answer(ids, *exceeded));
        }
      }
    }
    auto& route_buckets = current_routes->buckets;
    const auto route_bucket = route_buckets.find(match->route);
    if ((stage_bucket && !stage_bucket->try_take()) ||
        (route_bucket != route_buckets.end() && !route_bucket->second.try_take())) {
      return answer(*pending, gateway_error(ids, beast_http::status::too_many_requests,
                                            "Too Many Requests", "TooManyRequestsException"));
    }

    // A caller's own trace continues (X-Ray keeps the Root it was given); else a new one.
    if (const auto trace = last_header_value(headers, "X-Amzn-Trace-Id");
        trace && trace_root(*trace)) {
      pending->identifiers.trace_id = continued_trace(*trace);
    }

    // A body whose share of the event alone is over Lambda's payload limit is refused before
    // the event is built, not after, so the refusal costs less than the request (measured:
    // 119 ms of an I/O thread for a 10 MB body, 276 ms for 6 MB of quotes, built first).
    if (request.body().size() > max_sync_payload_bytes ||
        least_event_body_bytes(request.body(), body_is_binary(headers, config.settings)) >
            max_sync_payload_bytes) {
      return answer(*pending, traced(ids, gateway_error(ids, beast_http::status::payload_too_large,
                                                        "Request Too Long", {})));
    }

    HttpRequestParts parts;
    parts.method = method;
    parts.target = std::string(target);
    parts.headers = std::move(headers);
    parts.body = std::move(request.body());
    parts.source_ip = pending->exchange->remote.address().to_string();
    parts.protocol = request.version() == 10 ? "HTTP/1.0" : "HTTP/1.1";
    parts.local_port = pending->exchange->local_port;
    const std::string_view accept = last_header_value(parts.headers, "Accept").value_or("");
    pending->accept = std::string(accept.substr(0, accept.find(',')));

    events::ProxyEvent event =
        build_proxy_event(std::move(parts), *match, config.settings, ids, api_key);
    access.apply(event);
    std::string payload = events::serialize(event);
    if (payload.size() > max_sync_payload_bytes) {
      // The event would be over Lambda's 6 MB: API Gateway answers 413 "Request Too Long"
      // (recorded from AWS, contracts.md section 1).
      return answer(*pending, traced(ids, gateway_error(ids, beast_http::status::payload_too_large,
                                                        "Request Too Long", {})));
    }

    pending->timeout = std::make_unique<asio::steady_timer>(pending->exchange->executor());
    pending->timeout->expires_after(config.integration_timeout);
    pending->timeout->async_wait(
        [self = shared_from_this(), pending](boost::system::error_code error) {
          if (error || pending->answered) return;
          self->log->notice("Execution failed due to a timeout error (request " +
                            pending->identifiers.request_id + ")");
          self->answer(*pending, traced(pending->identifiers,
                                        self->gateway_error(pending->identifiers,
                                                            beast_http::status::gateway_timeout,
                                                            "Endpoint request timed out", {})));
        });
    pool.invoke(InvokeRequest{.payload = std::move(payload), .trace_id = ids.trace_id},
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
        return answer(pending,
                      traced(ids, gateway_error(ids, beast_http::status::too_many_requests,
                                                "Too Many Requests", "TooManyRequestsException")));
      case InvokeOutcome::function_error:
        if (result.error_kind == FunctionErrorKind::response_too_large) {
          // A function response over Lambda's limit is a failed integration: 502.
          log->notice(
              "Execution failed due to configuration error: the function's response is over "
              "Lambda's 6 MB limit");
          return answer(pending, bad_gateway(ids));
        }
        log->notice("Lambda execution failed with status 200 due to customer function error: " +
                    result.payload);
        return answer(pending, bad_gateway(ids));
      case InvokeOutcome::payload_too_large:
        return answer(pending, traced(ids, gateway_error(ids, beast_http::status::payload_too_large,
                                                         "Request Too Long", {})));
      case InvokeOutcome::shutting_down:
        return answer(pending, bad_gateway(ids));
    }
  }

  HttpResponse bad_gateway(const RequestIdentifiers& ids) const {
    return traced(ids, gateway_error(ids, beast_http::status::bad_gateway, "Internal server error",
                                     "InternalServerErrorException"));
  }

  // Answers of a request that reached its integration carry its trace header.
  static HttpResponse traced(const RequestIdentifiers& ids, HttpResponse response) {
    response.set("X-Amzn-Trace-Id", ids.trace_id);
    return response;
  }

  HttpResponse malformed_response(const RequestIdentifiers& ids, const std::string& reason) {
    log->notice("Execution failed due to configuration error: Malformed Lambda proxy response (" +
                reason + ")");
    return bad_gateway(ids);
  }

  // The function's headers as the gateway sends them: remapped or dropped per its table, and
  // every name and value checked, so nothing that is not valid HTTP reaches the wire.
  std::optional<std::string> copy_function_headers(const events::MultiValueMap& headers,
                                                   HttpResponse& response) {
    for (const auto& [name, values] : headers) {
      if (!is_valid_header_name(name) || name.size() > max_response_header_field_bytes) {
        return "header name " + describe_header_name(name) + " is not a valid HTTP field name";
      }
      const ResponseHeaderAction action = response_header_action(name);
      if (action == ResponseHeaderAction::drop || action == ResponseHeaderAction::framing) {
        continue;
      }
      const std::string sent_name =
          action == ResponseHeaderAction::remap ? std::string(remapped_header_prefix) + name : name;
      for (const auto& value : values) {
        if (!is_valid_header_value(value)) {
          return "header " + name + " has a control character (CR, LF, NUL, ...) in its value";
        }
        if (value.size() > max_response_header_field_bytes) {
          return "header " + name + " has a value over " +
                 std::to_string(max_response_header_field_bytes) + " bytes";
        }
        response.insert(sent_name, value);
      }
    }
    return std::nullopt;
  }

  static std::string describe_header_name(std::string_view name) {
    if (name.empty()) return "\"\"";
    std::string shown;
    for (const char c : name.substr(0, 64)) {
      const auto byte = static_cast<unsigned char>(c);
      if (byte < 0x20 || byte >= 0x7f) {
        char escaped[8];
        std::snprintf(escaped, sizeof escaped, "\\x%02x", byte);
        shown += escaped;
      } else {
        shown.push_back(c);
      }
    }
    return "\"" + shown + (name.size() > 64 ? "...\"" : "\"");
  }

  HttpResponse map_response(const PendingRequest& pending, const std::string& payload) {
    const auto& ids = pending.identifiers;
    events::ProxyResponse function_response;
    try {
      function_response = events::parse_proxy_response(payload);
    } catch (const events::ResponseShapeError& error) {
      return malformed_response(ids, error.what());
    }
    const int status = function_response.status_code;
    if (status < 200) {
      // An informational status is not a final answer: no response API Gateway could send.
      return malformed_response(ids, "statusCode " + std::to_string(status));
    }
    if (status_has_no_content(status) && !function_response.body.empty()) {
      // HTTP forbids content here; what API Gateway does is not documented, so the
      // documented default for a bad integration response applies (docs/local.md).
      return malformed_response(ids, "statusCode " + std::to_string(status) + " with a body");
    }
    HttpResponse response{static_cast<beast_http::status>(status), 11};
    const auto merged = function_response.merged_headers();
    if (auto problem = copy_function_headers(merged, response)) {
      return malformed_response(ids, *problem);
    }
    if (response.find(beast_http::field::content_type) == response.end()) {
      // "API Gateway includes a Content-Type header for all integration responses. By default,
      // the content type is application/json." (Amazon API Gateway important notes)
      response.set(beast_http::field::content_type, "application/json");
    }
    if (function_response.is_base64_encoded &&
        is_binary_media_type(pending.accept, config.settings.binary_media_types)) {
      auto decoded = events::base64_decode(function_response.body);
      if (!decoded) {
        log->notice(
            "Execution failed due to configuration error: Unable to base64 decode the "
            "body");
        return traced(ids, gateway_error(ids, beast_http::status::internal_server_error,
                                         "Internal server error", "InternalServerErrorException"));
      }
      response.body() = std::move(*decoded);
    } else {
      response.body() = std::move(function_response.body);
    }
    // 204 and 304 carry no content: the body the function gave is not sent.
    response.set(beast_http::field::date, http_date(std::chrono::system_clock::now()));
    response.set("x-amzn-RequestId", ids.request_id);
    response.set("x-amz-apigw-id", ids.extended_request_id);
    if (response.find("X-Amzn-Trace-Id") == response.end()) {
      response.set("X-Amzn-Trace-Id", ids.trace_id);
    }
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
    std::shared_ptr<const AccessControl> access_control;  ///< built for this table
  };
  std::atomic<std::shared_ptr<RouteState>> routes;

  static std::shared_ptr<RouteState> make_route_state(
      RouteTable table, std::shared_ptr<const AccessControl> access_control) {
    auto state =
        std::make_shared<RouteState>(RouteState{std::move(table), {}, std::move(access_control)});
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

void ApiGatewayServer::replace_routes(RouteTable table,
                                      std::shared_ptr<const AccessControl> access_control) {
  impl_->routes.store(Impl::make_route_state(std::move(table), std::move(access_control)));
}

}  // namespace cppstack::local

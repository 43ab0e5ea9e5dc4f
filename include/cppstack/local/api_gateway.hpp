#pragma once
// The local API Gateway REST API (`cppstack-local start-api`): matches `/{stage}/...` against
// the route table, checks API keys and throttles, builds the proxy event, runs it on a
// function instance and maps the function's response back, answering with API Gateway's own
// responses (403, 429, 413, 500, 502, 504) exactly where API Gateway would.
//
//   cppstack::local::ApiGatewayServer server(io, config, pool, log);
//   server.start();
//   std::cout << "listening on " << server.local_endpoint() << "\n";

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cppstack/local/access_control.hpp>
#include <cppstack/local/api_keys.hpp>
#include <cppstack/local/function_pool.hpp>
#include <cppstack/local/gateway_event.hpp>
#include <cppstack/local/lambda_authorizers.hpp>
#include <cppstack/local/lambda_log.hpp>
#include <cppstack/local/route_table.hpp>
#include <memory>
#include <optional>
#include <string>

namespace cppstack::local {

/// API Gateway's request payload limit (10 MB).
inline constexpr std::size_t max_gateway_request_bytes = std::size_t{10} * 1024 * 1024;
/// API Gateway's limit on the request line and headers together (REST API quotas: 10240
/// bytes, not raisable).
inline constexpr std::size_t max_gateway_header_bytes = 10240;

struct ApiGatewayConfig {
  std::string host = "127.0.0.1";
  std::uint16_t port = 3000;  ///< 0 picks a free port
  GatewaySettings settings;
  RouteTable routes = RouteTable::catch_all();
  /// The key routes with `auth: apiKey` require in `x-api-key`; unset: any non-empty key.
  /// Only without api_keys.
  std::optional<std::string> api_key{};
  /// The API keys and usage plans (api_keys.hpp): an unknown key is refused with 403, as on
  /// AWS; each plan's quota and per-key throttle applies. Shared by every reloaded table.
  std::shared_ptr<ApiKeyRegistry> api_keys{};
  std::optional<Throttle> stage_throttle{};
  std::chrono::milliseconds integration_timeout{29000};
  bool access_log = true;
  /// Source-IP allowlist, CORS, authorizers and quota; none of them when unset.
  std::shared_ptr<const AccessControl> access_control{};
  /// Runs the Lambda authorizers of custom routes (lambda_authorizers.hpp); a custom route
  /// without them is answered 500 AuthorizerConfigurationException.
  std::shared_ptr<LambdaAuthorizers> authorizers{};
  std::string region = "us-east-1";  ///< of the method ARNs authorizers see
};

class ApiGatewayServer {
 public:
  ApiGatewayServer(boost::asio::io_context& io, ApiGatewayConfig config, FunctionPool& pool,
                   std::shared_ptr<LambdaLog> log);
  ~ApiGatewayServer();
  ApiGatewayServer(const ApiGatewayServer&) = delete;
  ApiGatewayServer& operator=(const ApiGatewayServer&) = delete;

  [[nodiscard]] boost::asio::ip::tcp::endpoint local_endpoint() const;
  void start();
  void stop();
  /// Serves `table`, checked by `access_control` (built for that table), from the next
  /// request on (requests already routed finish as they are); safe from any thread. A
  /// running `make run` calls it when routes.json changes.
  void replace_routes(RouteTable table, std::shared_ptr<const AccessControl> access_control);

 private:
  class Impl;
  std::shared_ptr<Impl> impl_{};
};

}  // namespace cppstack::local

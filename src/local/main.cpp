// cppstack-local: run a Lambda custom-runtime bootstrap locally behind an emulated API Gateway
// REST API (start-api) or Lambda Invoke API (start-lambda), invoke it once (invoke), or print
// a sample proxy event (generate-event). See docs/local.md.

#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <cppstack/events/proxy_event.hpp>
#include <cppstack/local/access_control.hpp>
#include <cppstack/local/api_gateway.hpp>
#include <cppstack/local/api_keys.hpp>
#include <cppstack/local/deployment_settings.hpp>
#include <cppstack/local/env_file.hpp>
#include <cppstack/local/function_pool.hpp>
#include <cppstack/local/gateway_event.hpp>
#include <cppstack/local/invoke_api.hpp>
#include <cppstack/local/listen_error.hpp>
#include <cppstack/local/local_auth.hpp>
#include <cppstack/local/log_text.hpp>
#include <cppstack/local/route_table.hpp>
#include <cppstack/local/route_table_watcher.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <thread>

#include "auth/cognito.hpp"
#include "auth/iam_policy.hpp"
#include "call_examples.hpp"
#include "http_server.hpp"
#include "io_loop.hpp"

namespace local = cppstack::local;
namespace asio = boost::asio;

namespace {

struct FunctionOptions {
  std::string bootstrap;
  std::string function_name;
  std::string handler = "bootstrap";
  std::string region;
  double timeout_seconds = 30;
  int memory_mb = 128;
  int concurrency = 10;
  CLI::Option* timeout_option = nullptr;
  CLI::Option* memory_option = nullptr;
  CLI::Option* concurrency_option = nullptr;
  std::vector<std::string> env;
  std::string env_file;
  bool log_request_ids = false;
  local::MetricsView metrics_view = local::MetricsView::pretty;
  // One I/O thread measured best on 2 cores: the function processes need the other one, and
  // every hand-off between emulator threads costs a wake-up (p99 4 ms with 2, 0.25 ms with 1).
  int threads = 1;

  void add_to(CLI::App& command) {
    command
        .add_option("--bootstrap", bootstrap, "The function: any Lambda custom-runtime bootstrap")
        ->required()
        ->check(CLI::ExistingFile);
    command.add_option("--function-name", function_name,
                       "Function name (default: APPLICATION from the env file, else "
                       "aws-cpp-stack)");
    command.add_option("--handler", handler, "_HANDLER value")->capture_default_str();
    command.add_option("--region", region,
                       "AWS_REGION (default: AWS_REGION of the env file, $AWS_REGION, us-east-1)");
    timeout_option =
        command
            .add_option(
                "--timeout", timeout_seconds,
                "Function timeout in seconds (default: FUNCTION_TIMEOUT_SECONDS of the env file)")
            ->capture_default_str()
            ->check(CLI::Range(0.001, 900.0));
    memory_option = command
                        .add_option("--memory", memory_mb,
                                    "Memory size in MB, reported, not enforced (default: "
                                    "FUNCTION_MEMORY_MB of the env file)")
                        ->capture_default_str()
                        ->check(CLI::Range(128, 10240));
    concurrency_option = command
                             .add_option("--concurrency", concurrency,
                                         "Maximum concurrent instances (default: "
                                         "FUNCTION_RESERVED_CONCURRENCY of the env file)")
                             ->capture_default_str()
                             ->check(CLI::Range(1, 1000));
    command.add_option("--env", env, "KEY=VALUE for the function's environment (repeatable)");
    command.add_option("--env-file", env_file, "Environment file (default: ./.env when present)");
    command.add_flag("--log-request-ids", log_request_ids,
                     "Prefix each function log line with its request id");
    const std::map<std::string, local::MetricsView> metrics_views{
        {"pretty", local::MetricsView::pretty},
        {"raw", local::MetricsView::raw},
        {"off", local::MetricsView::off}};
    command
        .add_option("--metrics", metrics_view,
                    "The function's CloudWatch EMF metric lines: pretty (one short line each, a "
                    "summary at exit), raw (the JSON as printed) or off")
        ->transform(CLI::CheckedTransformer(metrics_views))
        ->default_str("pretty");
    command.add_option("--threads", threads, "I/O threads")
        ->capture_default_str()
        ->check(CLI::Range(1, 64));
  }

  std::shared_ptr<local::LambdaLog> make_log() const {
    return std::make_shared<local::LambdaLog>(STDERR_FILENO, log_request_ids,
                                              local::LambdaLog::default_buffer_limit, metrics_view);
  }

  local::FunctionConfig build() const {
    local::FunctionConfig config;
    config.bootstrap = std::filesystem::absolute(bootstrap);
    std::string file = env_file;
    if (file.empty() && std::filesystem::exists(".env")) file = ".env";
    if (!file.empty()) config.environment = local::read_env_file(file);
    for (const auto& assignment : env)
      config.environment.push_back(local::parse_assignment(assignment));
    local::check_deployment_settings(config.environment);  // synth's rules, at start-up
    local::add_function_defaults(config.environment);      // what the CDK app gives it
    config.function_name = function_name;
    if (config.function_name.empty()) {
      for (const auto& [key, value] : config.environment) {
        if (key == "APPLICATION" && !value.empty()) config.function_name = value;
      }
    }
    if (config.function_name.empty()) config.function_name = "aws-cpp-stack";
    config.handler = handler;
    // The deployment's settings in the env file (see .env.example) are the defaults, so the
    // function runs locally as configured on AWS; options given on the command line win.
    const auto setting = [&config](std::string_view key) -> std::optional<std::string> {
      std::optional<std::string> found;
      for (const auto& [name, value] : config.environment) {
        if (name == key && !value.empty()) found = value;
      }
      return found;
    };
    const auto number_setting = [&setting](std::string_view key) -> std::optional<long> {
      const auto text = setting(key);
      if (!text) return std::nullopt;
      try {
        return std::stol(*text);
      } catch (const std::exception&) {
        throw std::runtime_error(std::string(key) + " in the env file is not a number: " + *text);
      }
    };
    config.region = region;
    if (config.region.empty()) config.region = setting("AWS_REGION").value_or("");
    if (config.region.empty()) {
      const char* from_environment = std::getenv("AWS_REGION");
      if (from_environment == nullptr) from_environment = std::getenv("AWS_DEFAULT_REGION");
      config.region = from_environment ? from_environment : "us-east-1";
    }
    double timeout = timeout_seconds;
    int memory = memory_mb;
    int instances = concurrency;
    if (timeout_option->count() == 0) {
      if (auto value = number_setting("FUNCTION_TIMEOUT_SECONDS")) timeout = double(*value);
    }
    if (memory_option->count() == 0) {
      if (auto value = number_setting("FUNCTION_MEMORY_MB")) memory = int(*value);
    }
    if (concurrency_option->count() == 0) {
      if (auto value = number_setting("FUNCTION_RESERVED_CONCURRENCY"); value && *value > 0) {
        instances = int(*value);
      }
    }
    config.timeout = std::chrono::milliseconds(static_cast<long>(timeout * 1000));
    config.memory_mb = memory;
    config.max_instances = instances;
    return config;
  }
};

/// Runs the io_context on `threads` threads until SIGINT/SIGTERM, then stops the servers and
/// the instances and returns. `ready` runs once SIGINT and SIGTERM are handled, just before the
/// loop: what it prints (`listening on`) tells a supervisor that a signal now stops the
/// emulator cleanly.
void serve(asio::io_context& io, int threads, local::FunctionPool& pool,
           const std::function<void()>& stop_servers, const std::shared_ptr<local::LambdaLog>& log,
           const std::function<void()>& ready, local::LambdaAuthorizers* authorizers = nullptr) {
  // The handlers are installed here, by the constructor: a signal from now on waits in the
  // set until the loop runs.
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code error, int) {
    if (error) return;
    log->notice("shutting down");
    stop_servers();
    pool.shutdown([&io, authorizers] {
      if (authorizers == nullptr) return io.stop();
      authorizers->shutdown([&io] { io.stop(); });
    });
  });
  ready();
  const auto report = [&log](std::string_view what) { log->notice(what); };
  std::vector<std::thread> workers;
  for (int i = 1; i < threads; ++i)
    workers.emplace_back([&io, &report] { local::run_io_loop(io, report); });
  local::run_io_loop(io, report);
  for (auto& worker : workers) worker.join();
}

/// The limits every server of this process shares (docs/local.md, "Limits").
struct ServerLimits {
  std::size_t max_connections = local::default_max_connections;
  std::size_t request_memory_mb = local::default_request_memory_limit / (std::size_t{1024} * 1024);
  std::size_t answer_memory_mb = local::default_answer_memory_limit / (std::size_t{1024} * 1024);
  double client_timeout_seconds =
      std::chrono::duration<double>(local::default_client_timeout).count();

  void add_to(CLI::App& command) {
    command
        .add_option("--max-connections", max_connections,
                    "Open client connections at most; beyond it the oldest idle one is closed, "
                    "else 503")
        ->capture_default_str()
        ->check(CLI::Range(std::size_t{1}, std::size_t{1000000}));
    command
        .add_option("--max-request-memory", request_memory_mb,
                    "MB of request bodies held in memory by all connections at most; beyond "
                    "it 503")
        ->capture_default_str()
        ->check(CLI::Range(std::size_t{1}, std::size_t{1048576}));
    command
        .add_option("--max-answer-memory", answer_memory_mb,
                    "MB of answers held in memory for clients that have not taken them yet, "
                    "over all connections, at most; beyond it 503")
        ->capture_default_str()
        ->check(CLI::Range(std::size_t{1}, std::size_t{1048576}));
    command
        .add_option("--client-timeout", client_timeout_seconds,
                    "Seconds a client may take to send a request, stay idle between requests "
                    "or take in an answer; beyond it the connection is closed")
        ->capture_default_str()
        ->check(CLI::Range(0.1, 3600.0));
  }

  void apply() const {
    local::set_process_http_limits(max_connections, request_memory_mb * 1024 * 1024);
    local::set_process_answer_memory(answer_memory_mb * 1024 * 1024);
    local::set_process_client_timeout(
        std::chrono::milliseconds(static_cast<long>(client_timeout_seconds * 1000)));
  }
};

// Every connection and every instance takes descriptors: use all the hard limit allows, so
// the connection cap, not the default soft limit of 1024, decides.
void raise_descriptor_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
}

void announce(const asio::ip::tcp::endpoint& endpoint) {
  std::cout << "listening on " << endpoint.address().to_string() << ":" << endpoint.port()
            << std::endl;
}

struct AuthorizerOptions {
  std::string jwks;
  std::string user_pool_id;
  double jwks_refetch_seconds = 10;
  std::vector<std::string> iam_credentials_files;
  bool iam_credentials_env = false;
  std::string local_auth_dir;  ///< the local issuer, generated keys and credentials
  std::shared_ptr<const local::auth::IamPolicies> iam_policies;
};

/// An env list as a lookup of the last value of each name.
cppstack::http::VariableLookup lookup_in(const local::EnvironmentList& variables) {
  return [&variables](std::string_view name) -> std::optional<std::string> {
    std::optional<std::string> found;
    for (const auto& [key, value] : variables) {
      if (key == name) found = value;
    }
    return found;
  };
}

bool any_route_uses(const local::RouteTable& routes, cppstack::http::AuthMode mode) {
  for (const auto& route : routes.routes()) {
    if (route.auth == mode) return true;
  }
  return false;
}

// The IAM credentials callers sign with: from files in the AWS CLI's format, the emulator's
// own environment, and the local folder's generated ones when a route needs them; never from
// the command line, where `ps` shows them to every user.
std::vector<std::string> iam_credentials(const AuthorizerOptions& options, bool needed) {
  std::vector<std::string> credentials;
  for (const auto& file : options.iam_credentials_files) {
    const auto read = local::read_iam_credentials_file(file);
    credentials.insert(credentials.end(), read.begin(), read.end());
  }
  if (options.iam_credentials_env) {
    const char* access_key = std::getenv("AWS_ACCESS_KEY_ID");
    const char* secret = std::getenv("AWS_SECRET_ACCESS_KEY");
    const char* session_token = std::getenv("AWS_SESSION_TOKEN");
    if (access_key != nullptr && secret != nullptr && *access_key != 0 && *secret != 0) {
      // An SSO or role session's credentials sign with their session token.
      credentials.push_back(std::string(access_key) + ":" + secret +
                            (session_token != nullptr && *session_token != 0
                                 ? std::string("::") + session_token
                                 : std::string()));
    }
  }
  if (needed && !options.local_auth_dir.empty()) {
    const local::LocalAuthFolder folder(options.local_auth_dir);
    const auto generated = local::read_iam_credentials_file(folder.iam_credentials_file());
    credentials.insert(credentials.end(), generated.begin(), generated.end());
  }
  return credentials;
}

// CORS, the source-IP allowlist and the quota come from the deployment's env file, as the CDK
// app reads them; the authorizers' keys and credentials from the command line.
// `previous`: the access control a reloaded table replaces (its user pool keys are kept).
std::shared_ptr<const local::AccessControl> make_access_control(
    const local::FunctionConfig& function, const local::ApiGatewayConfig& gateway,
    const AuthorizerOptions& options, const local::AccessControl* previous = nullptr) {
  // The env file over .env.example's defaults, as the CDK app resolves them.
  const auto resolved = local::with_documented_defaults(function.environment);
  local::AccessControlSettings settings = local::access_settings_from(lookup_in(resolved));
  settings.cognito_jwks = options.jwks;
  if (!options.user_pool_id.empty()) settings.cognito_user_pool_id = options.user_pool_id;
  if (!options.local_auth_dir.empty()) {
    // The local issuer stands in for the user pool unless a JWKS is given.
    if (settings.cognito_user_pool_id.empty()) {
      settings.cognito_user_pool_id = local::local_user_pool_id(function.region);
    }
    if (settings.cognito_jwks.empty() &&
        any_route_uses(gateway.routes, cppstack::http::AuthMode::cognito)) {
      settings.cognito_jwks = local::LocalAuthFolder(options.local_auth_dir).issuer_jwks().string();
    }
  }
  settings.cognito_jwks_refetch_interval =
      std::chrono::milliseconds(static_cast<long>(options.jwks_refetch_seconds * 1000));
  settings.iam_credentials =
      iam_credentials(options, any_route_uses(gateway.routes, cppstack::http::AuthMode::iam));
  settings.iam_policies = options.iam_policies;
  settings.region = function.region;
  settings.account_id = gateway.settings.account_id;
  settings.api_id = gateway.settings.api_id;
  settings.stage = gateway.settings.stage;
  return std::make_shared<const local::AccessControl>(settings, gateway.routes, previous);
}

std::string read_all(std::istream& input) {
  std::ostringstream text;
  text << input.rdbuf();
  return text.str();
}

// Read once at start: a reload of the routes keeps the policies it was started with.
std::shared_ptr<const local::auth::IamPolicies> load_iam_policies(const std::string& file) {
  if (file.empty()) return nullptr;
  std::ifstream input(file, std::ios::binary);
  if (!input) throw std::invalid_argument("cannot read the IAM policy file " + file);
  return std::make_shared<const local::auth::IamPolicies>(
      local::auth::IamPolicies::parse(read_all(input)));
}

}  // namespace

int main(int argc, char** argv) {
  signal(SIGPIPE, SIG_IGN);
  raise_descriptor_limit();
  CLI::App app{"Local API Gateway + Lambda emulator for custom-runtime bootstraps"};
  app.require_subcommand(1);

  // start-api
  auto* start_api = app.add_subcommand("start-api", "Serve the API as API Gateway would");
  FunctionOptions api_function;
  api_function.add_to(*start_api);
  std::string api_host = "127.0.0.1";
  std::uint16_t api_port = 3000;
  std::string stage = "prod";
  std::string routes_file;
  std::string api_key;
  double throttle_rate = 0;
  double throttle_burst = 0;
  std::vector<std::string> binary_media_types;
  std::vector<std::string> stage_variables;
  long integration_timeout_ms = 29000;
  bool no_access_log = false;
  std::string cognito_jwks;
  std::string cognito_user_pool_id;
  double cognito_jwks_refetch_seconds = 10;
  std::vector<std::string> iam_credentials;
  std::string iam_policy_file;
  start_api->add_option("--host", api_host, "Address to listen on")->capture_default_str();
  start_api->add_option("--port", api_port, "Port (0: any free port)")->capture_default_str();
  start_api->add_option("--stage", stage, "Stage name, the first path segment")
      ->capture_default_str();
  start_api->add_option("--routes", routes_file, "routes.json (default: ANY / and ANY /{proxy+})");
  start_api->add_option("--api-key", api_key,
                        "Key required in x-api-key by routes with auth apiKey");
  start_api->add_option("--throttle-rate", throttle_rate, "Stage throttle: requests per second");
  start_api->add_option("--throttle-burst", throttle_burst, "Stage throttle: burst size");
  start_api->add_option("--binary-media-type", binary_media_types,
                        "Binary media type, e.g. image/png or */* (repeatable)");
  start_api->add_option("--stage-variable", stage_variables, "KEY=VALUE (repeatable)");
  start_api
      ->add_option("--integration-timeout", integration_timeout_ms,
                   "Integration timeout in ms (50 to 29000)")
      ->capture_default_str()
      ->check(CLI::Range(50L, 29000L));
  start_api->add_flag("--no-access-log", no_access_log, "Do not log one line per request");
  start_api->add_option("--cognito-jwks", cognito_jwks,
                        "Routes with auth cognito: the user pool's JWKS, a file or an http:// URL "
                        "on a loopback address");
  start_api->add_option("--cognito-user-pool-id", cognito_user_pool_id,
                        "Routes with auth cognito: the user pool id (default: COGNITO_USER_POOL_ID "
                        "of the env file)");
  start_api
      ->add_option("--cognito-jwks-refetch-seconds", cognito_jwks_refetch_seconds,
                   "Routes with auth cognito and a JWKS URL: a token with an unknown kid "
                   "reads the URL again, at most once per this many seconds")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 86400.0));
  start_api->add_option("--iam-credentials", iam_credentials,
                        "Refused: a secret on the command line is visible to every user (ps); "
                        "use --iam-credentials-file or --iam-credentials-env");
  start_api->add_option("--iam-policy", iam_policy_file,
                        "Routes with auth iam: a JSON file of the identity policies of the callers "
                        "(user/NAME, role/NAME); without it every credential may call every route");
  std::vector<std::string> iam_credentials_files;
  bool iam_credentials_env = false;
  std::string local_auth_dir;
  bool print_calls = false;
  start_api
      ->add_option("--iam-credentials-file", iam_credentials_files,
                   "Routes with auth iam: a credentials file in the AWS CLI's format; every "
                   "profile's key may sign, named by its profile (repeatable)")
      ->check(CLI::ExistingFile);
  start_api->add_flag("--iam-credentials-env", iam_credentials_env,
                      "Routes with auth iam: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY of this "
                      "process's environment may sign");
  start_api->add_option("--local-auth-dir", local_auth_dir,
                        "Folder of the local Cognito issuer, generated API key values and IAM "
                        "credentials, created once (make run: .cppstack-local)");
  start_api->add_flag("--print-calls", print_calls,
                      "Print a ready curl line for each protected route");
  ServerLimits api_limits;
  api_limits.add_to(*start_api);

  // start-lambda
  auto* start_lambda = app.add_subcommand("start-lambda", "Serve the Lambda Invoke API");
  FunctionOptions lambda_function;
  lambda_function.add_to(*start_lambda);
  std::string lambda_host = "127.0.0.1";
  std::uint16_t lambda_port = 3001;
  start_lambda->add_option("--host", lambda_host, "Address to listen on")->capture_default_str();
  start_lambda->add_option("--port", lambda_port, "Port (0: any free port)")->capture_default_str();
  ServerLimits lambda_limits;
  lambda_limits.add_to(*start_lambda);

  // invoke
  auto* invoke = app.add_subcommand("invoke", "Invoke the function once with an event");
  FunctionOptions invoke_function;
  invoke_function.add_to(*invoke);
  std::string event_file;
  invoke->add_option("-e,--event", event_file, "Event file ('-' or none: standard input)");

  // token
  auto* token = app.add_subcommand(
      "token", "Print an ID or access token of the local issuer (start-api --local-auth-dir)");
  std::string token_dir = ".cppstack-local";
  std::string token_env_file;
  std::string token_region;
  local::TokenClaims token_claims;
  std::vector<std::string> token_extra;
  bool token_expired = false;
  token->add_option("--local-auth-dir", token_dir, "The emulator's local auth folder")
      ->capture_default_str();
  token->add_option("--env-file", token_env_file,
                    "Environment file of COGNITO_USER_POOL_ID, COGNITO_APP_CLIENT_IDS and "
                    "AWS_REGION (default: ./.env when present)");
  token->add_option("--region", token_region, "AWS_REGION, as given to start-api");
  token->add_option("--username", token_claims.username, "cognito:username / username")
      ->capture_default_str();
  token->add_flag("--access", token_claims.access,
                  "An access token (routes with scopes) instead of an ID token");
  token->add_option("--group", token_claims.groups, "A cognito:groups entry (repeatable)");
  token->add_option("--scope", token_claims.scopes, "A scope of the access token (repeatable)");
  token->add_option("--claim", token_extra,
                    "NAME=VALUE, another claim; VALUE is JSON when it parses (repeatable)");
  token->add_option("--ttl", token_claims.lifetime_seconds, "Seconds until it expires")
      ->capture_default_str()
      ->check(CLI::Range(1L, 86400L * 365));
  token->add_flag("--expired", token_expired, "A token that expired a minute ago");

  // generate-event
  auto* generate = app.add_subcommand("generate-event", "Print an API Gateway proxy event");
  std::string event_method = "GET";
  std::string event_path = "/";
  std::string event_stage = "prod";
  std::vector<std::string> event_headers;
  std::vector<std::string> event_queries;
  std::string event_body;
  std::string event_routes;
  std::vector<std::string> event_binary_types;
  generate->add_option("--method", event_method, "HTTP method")->capture_default_str();
  generate->add_option("--path", event_path, "Path below the stage, e.g. /v1/health")
      ->capture_default_str();
  generate->add_option("--stage", event_stage, "Stage")->capture_default_str();
  generate->add_option("--header", event_headers, "Name:Value (repeatable)");
  generate->add_option("--query", event_queries, "key=value, URL-encoded (repeatable)");
  generate->add_option("--body", event_body, "Request body");
  generate->add_option("--routes", event_routes, "routes.json, for resource and pathParameters");
  generate->add_option("--binary-media-type", event_binary_types, "Binary media type (repeatable)");

  CLI11_PARSE(app, argc, argv);

  try {
    if (generate->parsed()) {
      const auto table = event_routes.empty() ? local::RouteTable::catch_all()
                                              : local::RouteTable::load(event_routes);
      local::HttpRequestParts request;
      request.method = event_method;
      std::string path =
          event_path.empty() || event_path.front() != '/' ? "/" + event_path : event_path;
      request.target = "/" + event_stage + (path == "/" ? "" : path);
      for (std::size_t i = 0; i < event_queries.size(); ++i) {
        request.target += (i == 0 ? "?" : "&") + event_queries[i];
      }
      request.headers.emplace_back("Host", "127.0.0.1:3000");
      request.headers.emplace_back("User-Agent", "cppstack-local");
      for (const auto& header : event_headers) {
        const auto colon = header.find(':');
        if (colon == std::string::npos) throw std::runtime_error("--header needs Name:Value");
        std::string value = header.substr(colon + 1);
        value.erase(0, value.find_first_not_of(' '));
        request.headers.emplace_back(header.substr(0, colon), value);
      }
      request.body = event_body;
      const auto match = table.match(request.method, path);
      if (!match) {
        std::cerr << "no route matches " << local::escape_log_text(request.method) << " "
                  << local::escape_log_text(path)
                  << " (API Gateway would answer 403 Missing Authentication Token)\n";
        return 2;
      }
      local::GatewaySettings settings;
      settings.stage = event_stage;
      settings.binary_media_types = event_binary_types;
      const auto event = local::build_proxy_event(std::move(request), *match, settings);
      auto json = cppstack::events::serialize(event);
      std::cout << json << "\n";
      return 0;
    }

    if (token->parsed()) {
      std::string file = token_env_file;
      if (file.empty() && std::filesystem::exists(".env")) file = ".env";
      const local::EnvironmentList variables = local::with_documented_defaults(
          file.empty() ? local::EnvironmentList{} : local::read_env_file(file));
      const auto lookup = lookup_in(variables);
      std::string region = token_region;
      if (region.empty()) region = lookup("AWS_REGION").value_or("");
      for (const char* name : {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
        const char* value = std::getenv(name);
        if (region.empty() && value != nullptr) region = value;
      }
      if (region.empty()) region = "us-east-1";
      std::string pool = lookup("COGNITO_USER_POOL_ID").value_or("");
      const auto reference =
          local::auth::parse_user_pool(pool.empty() ? local::local_user_pool_id(region) : pool);
      token_claims.issuer = local::auth::cognito_issuer(reference.region, reference.id);
      const std::string clients = lookup("COGNITO_APP_CLIENT_IDS").value_or("");
      token_claims.client_id = clients.empty() ? std::string(local::local_app_client_id)
                                               : clients.substr(0, clients.find(','));
      for (const auto& claim : token_extra)
        token_claims.extra.push_back(local::parse_assignment(claim));
      if (token_expired) {
        token_claims.issued_at = std::chrono::duration_cast<std::chrono::seconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count() -
                                 token_claims.lifetime_seconds - 60;
      }
      std::cout << local::LocalAuthFolder(token_dir).mint_token(token_claims) << "\n";
      return 0;
    }

    auto log = std::make_shared<local::LambdaLog>(STDERR_FILENO);

    if (invoke->parsed()) {
      std::string payload;
      if (event_file.empty() || event_file == "-") {
        payload = isatty(STDIN_FILENO) ? std::string("{}") : read_all(std::cin);
      } else {
        std::ifstream input(event_file, std::ios::binary);
        if (!input) throw std::runtime_error("cannot read event file " + event_file);
        payload = read_all(input);
      }
      auto config = invoke_function.build();
      log = invoke_function.make_log();
      asio::io_context io;
      local::FunctionPool pool(io, config, log);
      local::InvokeResult result;
      pool.invoke({.payload = std::move(payload)}, [&](local::InvokeResult outcome) {
        result = std::move(outcome);
        pool.shutdown([&io] { io.stop(); });
      });
      local::run_io_loop(io, [&log](std::string_view what) { log->notice(what); });
      switch (result.outcome) {
        case local::InvokeOutcome::success:
          std::cout << result.payload << std::endl;
          return 0;
        case local::InvokeOutcome::function_error:
          std::cout << result.payload << std::endl;
          return 1;
        case local::InvokeOutcome::payload_too_large:
          std::cerr << "event is over Lambda's " << local::max_sync_payload_bytes
                    << "-byte payload limit\n";
          return 1;
        default:
          std::cerr << "invocation did not run\n";
          return 1;
      }
    }

    if (start_api->parsed()) {
      auto config = api_function.build();
      api_limits.apply();
      log = api_function.make_log();
      local::ApiGatewayConfig gateway;
      gateway.host = api_host;
      gateway.port = api_port;
      gateway.settings.stage = stage;
      gateway.settings.binary_media_types = binary_media_types;
      if (!stage_variables.empty()) {
        cppstack::events::StringMap variables;
        for (const auto& assignment : stage_variables) {
          variables.insert(local::parse_assignment(assignment));
        }
        gateway.settings.stage_variables = std::move(variables);
      }
      if (!routes_file.empty()) gateway.routes = local::RouteTable::load(routes_file);
      if (!iam_credentials.empty()) {
        throw std::runtime_error(
            "--iam-credentials is refused: a secret on the command line is visible to every "
            "user of the machine (ps). Put the credentials in a file in the AWS CLI's format "
            "(--iam-credentials-file) or in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
            "(--iam-credentials-env)");
      }
      // API keys and usage plans of the env file (over .env.example's defaults), the key of
      // --api-key in the first plan, values that the env file leaves out from the local folder.
      const auto resolved = local::with_documented_defaults(config.environment);
      auto key_settings = local::api_key_settings_from(lookup_in(resolved));
      if (!api_key.empty()) {
        key_settings.keys.push_back(
            {.name = "command-line", .plan = key_settings.plans.front().name, .value = api_key});
      }
      if (!local_auth_dir.empty())
        local::LocalAuthFolder(local_auth_dir).fill_key_values(key_settings);
      gateway.api_keys = std::make_shared<local::ApiKeyRegistry>(key_settings);
      if (throttle_rate > 0 || throttle_burst > 0) {
        gateway.stage_throttle = local::Throttle{
            throttle_rate, throttle_burst > 0 ? throttle_burst : std::max(1.0, throttle_rate)};
      }
      gateway.integration_timeout = std::chrono::milliseconds(integration_timeout_ms);
      gateway.access_log = !no_access_log;
      gateway.settings.account_id = config.account_id;
      const AuthorizerOptions authorizers{.jwks = cognito_jwks,
                                          .user_pool_id = cognito_user_pool_id,
                                          .jwks_refetch_seconds = cognito_jwks_refetch_seconds,
                                          .iam_credentials_files = iam_credentials_files,
                                          .iam_credentials_env = iam_credentials_env,
                                          .local_auth_dir = local_auth_dir,
                                          .iam_policies = load_iam_policies(iam_policy_file)};
      gateway.access_control = make_access_control(config, gateway, authorizers);
      std::shared_ptr<const local::AccessControl> current_access = gateway.access_control;
      // As the stack gives the function its own pool's app client, the local issuer's client
      // is the function's COGNITO_APP_CLIENT_IDS when the env file names no pool.
      const auto pool_setting = lookup_in(resolved);
      if (!local_auth_dir.empty() &&
          any_route_uses(gateway.routes, cppstack::http::AuthMode::cognito) &&
          pool_setting("COGNITO_USER_POOL_ID").value_or("").empty() &&
          pool_setting("COGNITO_APP_CLIENT_IDS").value_or("").empty()) {
        config.environment.emplace_back("COGNITO_APP_CLIENT_IDS", local::local_app_client_id);
      }

      asio::io_context io;
      local::FunctionPool pool(io, config, log);
      // Each Lambda authorizer of the routes runs as its own function on the same bootstrap.
      const auto lambda_authorizers = std::make_shared<local::LambdaAuthorizers>(io, config, log);
      gateway.authorizers = lambda_authorizers;
      gateway.region = config.region;
      const auto served = gateway;
      local::ApiGatewayServer server(io, std::move(gateway), pool, log);
      server.start();
      // A rebuilt routes.json is served from the next request on (make run); a table the
      // access settings cannot serve (a cognito route without the pool's keys) is refused.
      std::optional<local::RouteTableWatcher> route_watcher;
      if (!routes_file.empty()) {
        route_watcher.emplace(
            io, routes_file, served.routes, log, [&, served](local::RouteTable table) {
              auto next = served;
              next.routes = table;
              auto access = make_access_control(config, next, authorizers, current_access.get());
              server.replace_routes(std::move(table), access);
              current_access = std::move(access);
            });
      }
      log->notice("function " + config.function_name + " from " + config.bootstrap.string() +
                  "; stage /" + stage +
                  (routes_file.empty() ? ", catch-all routes" : ", routes from " + routes_file));
      // `listening on` comes once start-up is over (only the --print-calls lines follow it):
      // when it is printed, the routes file is watched and SIGTERM stops the emulator cleanly.
      const auto ready = [&] {
        announce(server.local_endpoint());
        if (print_calls) {
          local::CallHints hints;
          const auto endpoint = server.local_endpoint();
          hints.base_url = "http://" + endpoint.address().to_string() + ":" +
                           std::to_string(endpoint.port()) + "/" + stage;
          hints.token_command = std::filesystem::read_symlink("/proc/self/exe").string() + " token";
          if (!local_auth_dir.empty()) hints.token_command += " --local-auth-dir " + local_auth_dir;
          if (!api_function.env_file.empty()) {
            hints.token_command += " --env-file " + api_function.env_file;
          }
          hints.token_command += " --region " + config.region;
          for (const auto& key : key_settings.keys) {
            if (!key.value.empty() && !hints.api_key) hints.api_key = key.value;
          }
          if (!local_auth_dir.empty() &&
              any_route_uses(served.routes, cppstack::http::AuthMode::iam)) {
            hints.iam_environment =
                local::LocalAuthFolder(local_auth_dir).iam_environment_file().string();
          }
          hints.region = config.region;
          local::print_calls(std::cout, served.routes, hints);
        }
      };
      serve(
          io, api_function.threads, pool, [&server] { server.stop(); }, log, ready,
          lambda_authorizers.get());
      log->metrics_summary();
      return 0;
    }

    if (start_lambda->parsed()) {
      auto config = lambda_function.build();
      lambda_limits.apply();
      log = lambda_function.make_log();
      asio::io_context io;
      local::FunctionPool pool(io, config, log);
      local::InvokeApiServer server(io, {.host = lambda_host, .port = lambda_port}, pool, log);
      server.start();
      log->notice("function " + config.function_name + " (" + config.function_arn() + ") from " +
                  config.bootstrap.string());
      serve(
          io, lambda_function.threads, pool, [&server] { server.stop(); }, log,
          [&server] { announce(server.local_endpoint()); });
      log->metrics_summary();
      return 0;
    }
  } catch (const boost::system::system_error& error) {
    // Listening is the only system call here whose error users must act on: name the port.
    const bool api = start_api->parsed();
    std::cerr << "cppstack-local: "
              << local::listen_error_text(error.code(), api ? api_host : lambda_host,
                                          api ? api_port : lambda_port)
              << "\n";
    return 1;
  } catch (const std::exception& error) {
    std::cerr << "cppstack-local: " << local::escape_log_text(error.what()) << "\n";
    return 1;
  }
  return 0;
}

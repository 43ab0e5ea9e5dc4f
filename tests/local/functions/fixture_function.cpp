// A custom-runtime function for the emulator's tests, speaking the Runtime API directly with
// Beast (no runtime library), so the tests also prove that any bootstrap works. What it does
// depends on the event: for proxy events, on the path (see `handle_proxy`); for other payloads
// on fields of the payload (see `handle_payload`). FIXTURE_INIT=fail|exit makes the
// initialisation fail.

#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;

extern char** environ;

namespace {

class RuntimeApi {
 public:
  RuntimeApi(std::string host, std::string port) : host_(std::move(host)), port_(std::move(port)) {
    connect();
  }

  http::response<http::string_body> send(http::verb verb, const std::string& path,
                                         std::string body = {},
                                         const std::string& error_type = {}) {
    http::request<http::string_body> request{verb, "/2018-06-01/runtime/" + path, 11};
    request.set(http::field::host, host_ + ":" + port_);
    if (!error_type.empty()) request.set("Lambda-Runtime-Function-Error-Type", error_type);
    request.body() = std::move(body);
    request.prepare_payload();
    http::write(stream_, request);
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    http::read(stream_, buffer_, parser);
    auto response = parser.release();
    if (!response.keep_alive()) connect();
    return response;
  }

 private:
  void connect() {
    beast::error_code ignored;
    stream_.socket().close(ignored);
    buffer_.clear();
    tcp::resolver resolver(io_);
    stream_.connect(resolver.resolve(host_, port_));
  }

  std::string host_;
  std::string port_;
  asio::io_context io_;
  beast::tcp_stream stream_{io_};
  beast::flat_buffer buffer_;
};

std::string proxy_response(int status, const std::string& body,
                           json::object headers = {{"Content-Type", "application/json"}}) {
  json::object response{{"statusCode", status}, {"headers", std::move(headers)}, {"body", body}};
  return json::serialize(response);
}

std::string error_body(const std::string& message, const std::string& type) {
  return json::serialize(json::object{
      {"errorMessage", message}, {"errorType", type}, {"stackTrace", json::array{"frame one"}}});
}

std::string environment_json() {
  json::object variables;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    std::string text(*entry);
    const auto equals = text.find('=');
    variables[text.substr(0, equals)] = text.substr(equals + 1);
  }
  return json::serialize(variables);
}

std::int64_t epoch_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct Outcome {
  enum Kind { response, error, nothing } kind = response;
  std::string body{};
  std::string error_type{};
};

Outcome handle_proxy(RuntimeApi& api, const std::string& id, const std::string& raw,
                     const json::object& event, const http::response<http::string_body>& next) {
  const std::string path(event.at("path").as_string());
  // The fixture corpus (tests/fixtures/gateway) picks the behaviour with a header, whatever
  // the path: "echo" answers the event itself, "respond" answers the request body verbatim as
  // the function's whole response.
  if (const auto* headers = event.if_contains("headers"); headers && headers->is_object()) {
    if (const auto* mode = headers->as_object().if_contains("X-Fixture-Mode")) {
      if (*mode == "echo") return {Outcome::response, proxy_response(200, raw)};
      if (*mode == "respond" && event.at("body").is_string()) {
        return {Outcome::response, std::string(event.at("body").as_string())};
      }
    }
  }
  if (path == "/echo" || path.rfind("/echo/", 0) == 0)
    return {Outcome::response, proxy_response(200, raw)};
  if (path.rfind("/sleep/", 0) == 0) {
    // Start and end times let a test prove that invocations overlapped.
    const int milliseconds = std::atoi(path.c_str() + 7);
    const auto started = epoch_ms();
    std::this_thread::sleep_for(std::chrono::milliseconds(milliseconds));
    return {Outcome::response,
            proxy_response(
                200, json::serialize(json::object{
                         {"started_ms", started}, {"ended_ms", epoch_ms()}, {"pid", ::getpid()}}))};
  }
  if (path == "/crash") {
    std::cout << "crashing on purpose" << std::endl;
    std::_Exit(3);
  }
  if (path == "/segv") std::raise(SIGSEGV);
  if (path == "/hang") {
    std::cout << "hanging on purpose" << std::endl;
    while (true) std::this_thread::sleep_for(std::chrono::hours(1));
  }
  if (path == "/error")
    return {Outcome::error, error_body("boom \xc3\xa9", "BoomError"), "Function.BoomError"};
  if (path == "/garbage") return {Outcome::response, "this is not json"};
  if (path == "/bad-shape") return {Outcome::response, R"({"statusCode":"OK","body":"x"})"};
  if (path == "/unknown-key") return {Outcome::response, R"({"statusCode":200,"bogus":1})"};
  if (path == "/big-response") {
    return {Outcome::response, proxy_response(200, std::string(7 * 1024 * 1024, 'x'))};
  }
  if (path == "/binary") {
    return {
        Outcome::response,
        R"({"statusCode":200,"headers":{"Content-Type":"image/png"},"body":"iVBORw0KGgoAAQ==","isBase64Encoded":true})"};
  }
  if (path == "/headers") {
    return {Outcome::response,
            R"({"statusCode":201,"headers":{"X-Single":"one","X-Both":"from-headers"},)"
            R"("multiValueHeaders":{"X-Multi":["a","b"],"X-Both":["from-multi"]},"body":"made"})"};
  }
  if (path == "/log") {
    std::cout << "hello from the function" << std::endl;
    std::cerr << "a line on stderr" << std::endl;
    return {Outcome::response, proxy_response(200, R"({"logged":true})")};
  }
  if (path == "/env") return {Outcome::response, proxy_response(200, environment_json())};
  if (path == "/context") {
    json::object context;
    for (const auto& field : next) context[std::string(field.name_string())] = field.value();
    return {Outcome::response, proxy_response(200, json::serialize(context))};
  }
  if (path == "/runtime-api-checks") {
    json::object statuses;
    statuses["unknown_id"] =
        api.send(http::verb::post, "invocation/not-a-request-id/response", "{}").result_int();
    statuses["init_error_after_init"] =
        api.send(http::verb::post, "init/error", error_body("late", "Late"), "Runtime.Late")
            .result_int();
    statuses["next_while_busy"] = api.send(http::verb::get, "invocation/next").result_int();
    statuses["oversize_error_status"] = 0;
    auto first = api.send(http::verb::post, "invocation/" + id + "/response",
                          proxy_response(200, json::serialize(statuses)));
    statuses["first_response"] = first.result_int();
    statuses["first_response_body"] = first.body();
    statuses["second_response"] =
        api.send(http::verb::post, "invocation/" + id + "/response", "{}").result_int();
    std::cout << "runtime-api-checks " << json::serialize(statuses) << std::endl;
    return {Outcome::nothing, {}};
  }
  if (path == "/oversize-response") {
    auto answer = api.send(http::verb::post, "invocation/" + id + "/response",
                           std::string(7 * 1024 * 1024, 'x'));
    std::cout << "oversize response got " << answer.result_int() << " " << answer.body()
              << std::endl;
    return {Outcome::nothing, {}};
  }
  if (path.rfind("/status/", 0) == 0) {
    return {Outcome::response, proxy_response(std::atoi(path.c_str() + 8), R"({"status":true})")};
  }
  return {Outcome::response, proxy_response(200, json::serialize(json::object{{"path", path}}))};
}

Outcome handle_payload(const std::string& raw, const json::value& payload) {
  if (payload.is_object()) {
    const auto& object = payload.as_object();
    if (const auto* log = object.if_contains("log"); log && log->is_string()) {
      std::cout << log->as_string().c_str() << std::endl;
    }
    if (const auto* sleep = object.if_contains("sleep_ms"); sleep && sleep->is_int64()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(sleep->as_int64()));
    }
    if (const auto* fail = object.if_contains("fail"); fail && fail->is_bool() && fail->as_bool()) {
      return {Outcome::error, error_body("requested failure", "RequestedFailure"),
              "Function.RequestedFailure"};
    }
    if (const auto* crash = object.if_contains("crash");
        crash && crash->is_bool() && crash->as_bool()) {
      std::_Exit(4);
    }
  }
  return {Outcome::response, raw};
}

}  // namespace

int main() {
  const char* api_address = std::getenv("AWS_LAMBDA_RUNTIME_API");
  if (api_address == nullptr) {
    std::cerr << "AWS_LAMBDA_RUNTIME_API is not set" << std::endl;
    return 1;
  }
  const std::string address(api_address);
  const auto colon = address.rfind(':');
  RuntimeApi api(address.substr(0, colon), address.substr(colon + 1));

  const char* init = std::getenv("FIXTURE_INIT");
  const std::string init_mode = init ? init : "";
  std::cout << "fixture function starting" << std::endl;
  if (init_mode == "fail") {
    api.send(http::verb::post, "init/error", error_body("cannot initialise", "InitFailure"),
             "Runtime.InitFailure");
    return 1;
  }
  if (init_mode == "exit") return 2;

  while (true) {
    auto next = api.send(http::verb::get, "invocation/next");
    if (next.result() != http::status::ok) {
      std::cerr << "unexpected /next status " << next.result_int() << std::endl;
      return 1;
    }
    const std::string id(next["Lambda-Runtime-Aws-Request-Id"]);
    const std::string raw = next.body();
    boost::system::error_code parse_error;
    const auto payload = json::parse(raw, parse_error);
    Outcome outcome;
    if (!parse_error && payload.is_object() && payload.as_object().contains("httpMethod")) {
      outcome = handle_proxy(api, id, raw, payload.as_object(), next);
    } else {
      outcome = handle_payload(raw, parse_error ? json::value() : payload);
    }
    if (outcome.kind == Outcome::response) {
      api.send(http::verb::post, "invocation/" + id + "/response", outcome.body);
    } else if (outcome.kind == Outcome::error) {
      api.send(http::verb::post, "invocation/" + id + "/error", outcome.body, outcome.error_type);
    }
  }
}

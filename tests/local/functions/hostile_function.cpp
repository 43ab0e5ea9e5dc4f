// A custom runtime that misbehaves the way a function under development can, for the
// emulator's robustness tests. Proxy events choose by path:
//   /status-with-body/N   statusCode N with a body (1xx, 204 and 304 must not carry one)
//   /huge-header          a 70,000-byte header value
//   /crlf-header          CR LF inside a header value (response splitting)
//   /empty-header-name    a header with an empty name
//   /flood                from now on a thread writes "y" lines to stdout as fast as it can
//   /children             forks a child in its process group and a setsid'd one, prints
//                         "children <pid> <pid>", then crashes
//   /sleep/N              answers after N ms
//   /response/N           a response of exactly N bytes (not a proxy response)
//   /hog-runtime-api      opens 30 more Runtime API connections, each sending 5 MB of a
//                         6,000,000-byte /response that never ends; answers with how many
//                         were refused (503) or held, and the emulator's memory and
//                         descriptors (its parent's /proc) while they are open
//   /escape               starts a process that leaves the instance every way it can
//                         (double fork, setsid, an empty environment, another program)
//                         holding a Runtime API connection; answers with its pid
//   /exit                 exits at once, without answering
//   anything else         200 {"path": ...}
// Any event with "error_not_utf8": an /error whose body and error type are not UTF-8.
// Environment: HOSTILE_EARLY_RESPONSE=1 posts a /response before the first /next and prints
// the answer; HOSTILE_DROP_NEXT=1 gives up each waiting /next after 200 ms and asks again on a
// new connection.

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;

namespace {

std::string host;
std::string port;

struct Connection {
  asio::io_context io;
  beast::tcp_stream stream{io};
  beast::flat_buffer buffer;
  Connection() { stream.connect(tcp::resolver(io).resolve(host, port)); }
};

http::request<http::string_body> runtime_request(http::verb verb, const std::string& path,
                                                 std::string body = {}) {
  http::request<http::string_body> request{verb, "/2018-06-01/runtime/" + path, 11};
  request.set(http::field::host, host + ":" + port);
  request.body() = std::move(body);
  request.prepare_payload();
  return request;
}

http::response<http::string_body> send(Connection& connection, http::verb verb,
                                       const std::string& path, std::string body = {}) {
  http::write(connection.stream, runtime_request(verb, path, std::move(body)));
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  http::read(connection.stream, connection.buffer, parser);
  return parser.release();
}

// Sends /next, waits 200 ms without an answer, closes the connection and asks again on a new
// one; the answer must arrive on one of them.
http::response<http::string_body> next_after_giving_up_once() {
  {
    Connection abandoned;
    http::write(abandoned.stream, runtime_request(http::verb::get, "invocation/next"));
    abandoned.stream.socket().non_blocking(true);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    char byte = 0;
    boost::system::error_code error;
    const auto got = abandoned.stream.socket().read_some(asio::buffer(&byte, 1), error);
    if (got > 0) {
      // The invocation came before we gave up: read it whole on a blocking socket.
      abandoned.stream.socket().non_blocking(false);
      beast::flat_buffer buffer;
      auto prepared = buffer.prepare(1);
      *static_cast<char*>(prepared.data()) = byte;
      buffer.commit(1);
      http::response_parser<http::string_body> parser;
      parser.body_limit(64 * 1024 * 1024);
      http::read(abandoned.stream, buffer, parser);
      return parser.release();
    }
  }
  Connection fresh;
  return send(fresh, http::verb::get, "invocation/next");
}

std::string proxy_response(int status, const std::string& body, json::object headers = {}) {
  return json::serialize(
      json::object{{"statusCode", status}, {"headers", std::move(headers)}, {"body", body}});
}

void flood_forever() {
  static const std::string lines = [] {
    std::string text;
    for (int i = 0; i < 2048; ++i) text += "y\n";
    return text;
  }();
  while (true) (void)!::write(STDOUT_FILENO, lines.data(), lines.size());
}

[[noreturn]] void start_children_and_crash() {
  const pid_t same_group = ::fork();
  if (same_group == 0) {
    while (true) ::pause();
  }
  const pid_t own_session = ::fork();
  if (own_session == 0) {
    ::setsid();
    while (true) ::pause();
  }
  std::cout << "children " << same_group << " " << own_session << std::endl;
  std::_Exit(5);
}

long emulator_status_field(const std::string& field) {
  std::ifstream status("/proc/" + std::to_string(::getppid()) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind(field + ":", 0) == 0) return std::atol(line.c_str() + field.size() + 1);
  }
  return -1;
}

long emulator_descriptors() {
  const std::string directory = "/proc/" + std::to_string(::getppid()) + "/fd";
  long count = 0;
  std::error_code error;
  for (auto entry = std::filesystem::directory_iterator(directory, error);
       !error && entry != std::filesystem::directory_iterator(); entry.increment(error)) {
    ++count;
  }
  return count;
}

// Whether the server answered on this connection within `wait`: its status, or 0.
int status_within(Connection& connection, std::chrono::milliseconds wait) {
  pollfd ready{connection.stream.socket().native_handle(), POLLIN, 0};
  if (::poll(&ready, 1, static_cast<int>(wait.count())) <= 0) return 0;
  http::response_parser<http::string_body> parser;
  boost::system::error_code error;
  connection.stream.expires_after(std::chrono::seconds(5));
  http::read(connection.stream, connection.buffer, parser, error);
  return error ? 0 : parser.get().result_int();
}

std::string hog_runtime_api(const std::string& id) {
  const std::string body(5'000'000, 'h');
  std::vector<std::unique_ptr<Connection>> hogs;
  for (int i = 0; i < 30; ++i) {
    auto hog = std::make_unique<Connection>();
    const std::string head = "POST /2018-06-01/runtime/invocation/" + id +
                             "/response HTTP/1.1\r\nHost: x\r\nContent-Length: 6000000\r\n\r\n";
    boost::system::error_code error;
    asio::write(hog->stream.socket(), asio::buffer(head), error);
    asio::write(hog->stream.socket(), asio::buffer(body), error);
    hogs.push_back(std::move(hog));
  }
  int refused = 0;
  int held = 0;
  for (auto& hog : hogs) {
    const int status =
        status_within(*hog, std::chrono::milliseconds(hog == hogs.front() ? 500 : 20));
    if (status == 503) ++refused;
    if (status == 0) ++held;
  }
  json::object report{{"refused", refused},
                      {"held", held},
                      {"emulator_rss_kb", emulator_status_field("VmRSS")},
                      {"emulator_fds", emulator_descriptors()}};
  return proxy_response(200, json::serialize(report));
}

// Keeps a Runtime API connection open from a process that left the instance: its own session,
// an orphan (its parent exits), an empty environment and another program.
std::string escape() {
  Connection held;
  int ready[2];
  if (::pipe(ready) != 0) return proxy_response(500, "pipe");
  const pid_t middle = ::fork();
  if (middle == 0) {
    ::setsid();
    if (::fork() == 0) {
      const pid_t self = ::getpid();
      (void)!::write(ready[1], &self, sizeof self);
      ::dup2(held.stream.socket().native_handle(), 3);
      char sleep[] = "sleep";
      char forever[] = "1000";
      char* argv[] = {sleep, forever, nullptr};
      char* envp[] = {nullptr};
      ::execve("/bin/sleep", argv, envp);
      std::_Exit(127);
    }
    std::_Exit(0);
  }
  ::waitpid(middle, nullptr, 0);
  pid_t escaped = 0;
  (void)!::read(ready[0], &escaped, sizeof escaped);
  return proxy_response(200, json::serialize(json::object{{"escaped", escaped}}));
}

std::string answer(const std::string& path, const std::string& id) {
  if (path.rfind("/status-with-body/", 0) == 0) {
    return proxy_response(std::atoi(path.c_str() + 18), "a body that must not be sent");
  }
  if (path == "/huge-header") {
    return proxy_response(200, "x", {{"X-Big", std::string(70000, 'a')}});
  }
  if (path == "/crlf-header") {
    return proxy_response(200, "x", {{"X-Evil", "a\r\nX-Injected: yes"}});
  }
  if (path == "/empty-header-name") return proxy_response(200, "x", {{"", "v"}});
  if (path == "/flood") {
    std::thread(flood_forever).detach();
    return proxy_response(200, "flooding");
  }
  if (path == "/children") start_children_and_crash();
  if (path == "/hog-runtime-api") return hog_runtime_api(id);
  if (path == "/escape") return escape();
  if (path == "/exit") std::_Exit(0);
  if (path.rfind("/sleep/", 0) == 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(std::atoi(path.c_str() + 7)));
    return proxy_response(200, "slept");
  }
  return proxy_response(200, json::serialize(json::object{{"path", path}}));
}

}  // namespace

int main() {
  const std::string address = std::getenv("AWS_LAMBDA_RUNTIME_API");
  host = address.substr(0, address.rfind(':'));
  port = address.substr(address.rfind(':') + 1);
  const bool drop_next = std::getenv("HOSTILE_DROP_NEXT") != nullptr;
  Connection connection;
  if (std::getenv("HOSTILE_EARLY_RESPONSE") != nullptr) {
    auto early = send(connection, http::verb::post, "invocation/no-such-id/response", "{}");
    std::cout << "early response " << early.result_int() << " " << early.body() << std::endl;
  }
  bool first = true;
  while (true) {
    auto next = drop_next && !first ? next_after_giving_up_once()
                                    : send(connection, http::verb::get, "invocation/next");
    first = false;
    const std::string id(next["Lambda-Runtime-Aws-Request-Id"]);
    boost::system::error_code error;
    const auto event = json::parse(next.body(), error);
    std::string body;
    if (!error && event.is_object() && event.as_object().contains("path")) {
      body = answer(std::string(event.at("path").as_string()), id);
    } else if (!error && event.is_object() && event.as_object().contains("response_bytes")) {
      body.assign(static_cast<std::size_t>(event.at("response_bytes").to_number<double>()), 'x');
    } else {
      body = next.body();
    }
    if (!error && event.is_object() && event.as_object().contains("error_not_utf8")) {
      // An error report whose body and type are not UTF-8.
      auto report = runtime_request(http::verb::post, "invocation/" + id + "/error", "\xff\xfe");
      report.set("Lambda-Runtime-Function-Error-Type", "Bad\xfftype");
      report.prepare_payload();
      http::write(connection.stream, report);
      http::response_parser<http::string_body> parser;
      http::read(connection.stream, connection.buffer, parser);
      continue;
    }
    send(connection, http::verb::post, "invocation/" + id + "/response", std::move(body));
  }
}

#pragma once
// The one HTTP/1.1 server all three emulated endpoints use (API Gateway, Invoke API and each
// instance's Runtime API): async Beast, keep-alive, `Expect: 100-continue`, a body limit
// enforced while reading (the caller picks the answer, then the connection is closed after
// draining what the client still sends, so it sees the answer instead of a reset).

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>

namespace cppstack::local {

namespace http = boost::beast::http;
using HttpRequest = http::request<http::string_body>;
using HttpResponse = http::response<http::string_body>;

class HttpSession;

/// One request awaiting its answer. `reply` may be called from any thread; only the first
/// call counts.
class HttpExchange {
 public:
  HttpExchange(std::shared_ptr<HttpSession> session, HttpRequest request,
               boost::asio::ip::tcp::endpoint remote, std::uint16_t local_port);

  HttpRequest request;
  boost::asio::ip::tcp::endpoint remote;
  std::uint16_t local_port;

  /// The connection's strand: timers for this exchange belong on it.
  [[nodiscard]] boost::asio::any_io_executor executor() const;
  void reply(HttpResponse response);
  /// Runs `work` on the connection's strand (not inline), e.g. to continue after a callback
  /// from another strand.
  void post(std::function<void()> work);

 private:
  std::shared_ptr<HttpSession> session_;
};

struct HttpServerOptions {
  std::size_t body_limit = std::size_t{10} * 1024 * 1024;
  std::size_t header_limit = std::size_t{64} * 1024;
  /// Keep-alive connections idle longer than this are closed (zero: never).
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(60)};
  /// The answer to a request whose body is over body_limit (called on the session's strand).
  std::function<HttpResponse(const http::request_header<>&)> too_large;
  /// Sessions run on this executor when set (e.g. a shared strand), else on a strand each.
  std::optional<boost::asio::any_io_executor> session_executor;
};

using HttpHandler = std::function<void(std::shared_ptr<HttpExchange>)>;

class HttpServer {
 public:
  /// Binds immediately (throws boost::system::system_error when the address is taken).
  HttpServer(boost::asio::io_context& io, const boost::asio::ip::tcp::endpoint& endpoint,
             HttpServerOptions options, HttpHandler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  [[nodiscard]] boost::asio::ip::tcp::endpoint local_endpoint() const;
  void start();
  /// Stops accepting; open connections end when their peer closes them.
  void stop();

 private:
  struct State;
  friend class HttpSession;
  std::shared_ptr<State> state_;
};

/// A response with a JSON body, Content-Type application/json and the request's keep-alive.
[[nodiscard]] HttpResponse json_response(http::status status, std::string body,
                                         unsigned version = 11);

}  // namespace cppstack::local

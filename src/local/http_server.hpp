#pragma once
// The one HTTP/1.1 server all three emulated endpoints use (API Gateway, Invoke API and each
// instance's Runtime API): async Beast, keep-alive, `Expect: 100-continue`, and the limits a
// production server keeps so that no client can take the process down or make it grow:
//
// - a body limit enforced while reading, a header limit that also covers chunk headers and
//   trailers (which are never merged into the header fields, RFC 9110 section 6.5.1), a
//   total bound on request bytes and one on answer bytes held in memory by all connections
//   (one answer per connection at a time), a connection cap (the oldest idle keep-alive
//   connection makes room; else 503 and close);
// - an absolute-form target (`GET http://host/path`) is accepted and served as `/path` with
//   that Host (RFC 9112 section 3.2.2);
// - malformed requests get RFC 9112's answers (400, 431, 501, 505) and the connection closes
//   after draining what the client still sends, so it sees the answer instead of a reset;
// - an exception in a handler or while sending an answer ends that exchange only: the
//   exchange is answered with `unanswered` (500 by default) and the server keeps serving. An
//   exchange dropped without a reply is answered the same way.
//
//   HttpServer server(io, {ip::make_address("127.0.0.1"), 0}, {}, [](auto exchange) {
//     exchange->reply(json_response(beast_http::status::ok, R"({"ok":true})"));
//   });
//   server.start();

#include <atomic>
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
#include <string_view>

namespace cppstack::local {

namespace beast_http = boost::beast::http;
using HttpRequest = beast_http::request<beast_http::string_body>;
using HttpResponse = beast_http::response<beast_http::string_body>;

class HttpSession;

/// One request awaiting its answer. `reply` may be called from any thread; only the first
/// call counts. Destroyed without a reply (e.g. a handler threw), it answers with the server's
/// `unanswered` response.
class HttpExchange {
 public:
  HttpExchange(std::shared_ptr<HttpSession> session, HttpRequest request,
               boost::asio::ip::tcp::endpoint remote, std::uint16_t local_port,
               std::uint64_t number);
  ~HttpExchange();
  HttpExchange(const HttpExchange&) = delete;
  HttpExchange& operator=(const HttpExchange&) = delete;

  HttpRequest request;
  boost::asio::ip::tcp::endpoint remote;
  std::uint16_t local_port;

  /// The connection's strand: timers for this exchange belong on it.
  [[nodiscard]] boost::asio::any_io_executor executor() const;
  void reply(HttpResponse response);
  /// Runs `work` on the connection's strand (not inline), e.g. to continue after a callback
  /// from another strand.
  void post(std::function<void()> work);
  /// True when the client closed the connection, e.g. a runtime that gave up a long-polling
  /// `/next`. Call it on the connection's strand.
  [[nodiscard]] bool peer_gone() const;
  [[nodiscard]] bool replied() const noexcept { return replied_.load(); }

 private:
  std::shared_ptr<HttpSession> session_;
  std::uint64_t number_;
  std::atomic<bool> replied_{false};
};

/// Bytes of request bodies held in memory, summed over every connection of the servers that
/// share it. Thread-safe.
class RequestMemoryBudget {
 public:
  explicit RequestMemoryBudget(std::size_t limit) : limit_(limit) {}
  /// False (nothing reserved) when `bytes` more would exceed the limit.
  bool try_reserve(std::size_t bytes) noexcept;
  void release(std::size_t bytes) noexcept;
  [[nodiscard]] std::size_t used() const noexcept { return used_.load(); }
  [[nodiscard]] std::size_t limit() const noexcept { return limit_; }

 private:
  std::size_t limit_;
  std::atomic<std::size_t> used_{0};
};

/// Default limits; `cppstack-local` can change them from its command line (docs/local.md,
/// "Limits").
inline constexpr std::size_t default_header_limit = std::size_t{64} * 1024;
inline constexpr std::size_t default_max_connections = 1024;
inline constexpr std::size_t default_request_memory_limit = std::size_t{256} * 1024 * 1024;
inline constexpr std::size_t default_answer_memory_limit = std::size_t{256} * 1024 * 1024;

/// The process-wide request memory budget, shared by every server whose options keep it.
[[nodiscard]] const std::shared_ptr<RequestMemoryBudget>& process_request_memory();
/// The process-wide budget of answer bytes waiting to be written (the same kind of counter).
[[nodiscard]] const std::shared_ptr<RequestMemoryBudget>& process_answer_memory();
/// Changes the answer budget; call before creating servers.
void set_process_answer_memory(std::size_t answer_memory_bytes);
/// The connection cap new server options start with.
[[nodiscard]] std::size_t process_max_connections();
/// Changes both process-wide defaults; call before creating servers.
void set_process_http_limits(std::size_t max_connections, std::size_t request_memory_bytes);
/// How long a client may take to send one request, stay idle between requests, or take in
/// one answer (default 60 s): new server options start with it.
inline constexpr std::chrono::milliseconds default_client_timeout{std::chrono::seconds(60)};
[[nodiscard]] std::chrono::milliseconds process_client_timeout();
/// Changes the process-wide client timeout; call before creating servers.
void set_process_client_timeout(std::chrono::milliseconds timeout);

struct HttpServerOptions {
  std::size_t body_limit = std::size_t{10} * 1024 * 1024;
  /// Request line plus header section; chunk headers and trailers are held to it too.
  std::size_t header_limit = default_header_limit;
  /// Open connections at most; beyond it the oldest idle one is closed, else the new one
  /// gets 503 and is closed.
  std::size_t max_connections = process_max_connections();
  /// Shared bound on request bytes in memory (null: not counted, e.g. a Runtime API).
  std::shared_ptr<RequestMemoryBudget> memory = process_request_memory();
  /// Shared bound on answer bytes held until the client has taken them (null: not counted).
  /// A connection holds one answer at a time; an answer that would go over the bound is
  /// replaced by a short 503 with Retry-After, as a request would be, and its bytes freed:
  /// clients that do not read cannot make the process grow without bound.
  std::shared_ptr<RequestMemoryBudget> answer_memory = process_answer_memory();
  /// Keep-alive connections idle longer than this are closed (zero: never). Reading one
  /// request (header and body) must also finish within it.
  std::chrono::milliseconds idle_timeout = process_client_timeout();
  /// Writing one answer must finish within this (zero: never): a client that stops reading,
  /// e.g. one that pipelines requests and never reads the answers, cannot hold its
  /// connection slot forever.
  std::chrono::milliseconds write_timeout = process_client_timeout();
  /// The answer to a request whose body is over body_limit (called on the session's strand).
  std::function<HttpResponse(const beast_http::request_header<>&)> too_large{};
  /// The answer to a request whose request line and headers are over header_limit (default:
  /// 431 Request Header Fields Too Large).
  std::function<HttpResponse()> header_too_large{};
  /// The answer to an exchange whose handler failed or dropped it (default: 500).
  std::function<HttpResponse()> unanswered{};
  /// Where the server reports handler failures (default: standard error).
  std::function<void(std::string_view)> notice{};
  /// Sessions run on this executor when set (e.g. a shared strand), else on a strand each.
  std::optional<boost::asio::any_io_executor> session_executor{};
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
  /// Closes every open connection now; exchanges still waiting for their answer lose it.
  /// For a server whose clients are gone for good (an instance's Runtime API once its
  /// process exited): a connection handed to a process that outlived it ends too.
  void close_connections();

 private:
  struct State;
  friend class HttpSession;
  std::shared_ptr<State> state_;
};

/// A response with a JSON body, Content-Type application/json and the request's keep-alive.
[[nodiscard]] HttpResponse json_response(beast_http::status status, std::string body,
                                         unsigned version = 11);

/// The bytes of a response with a known length (not chunked) on the wire, in one piece: what
/// Beast's serializer writes for it in several. Sent with one write.
[[nodiscard]] std::string wire_form(const HttpResponse& response);

/// Throws std::invalid_argument when a header name is empty or not an RFC 9110 token, or a
/// value holds CR, LF or NUL: such a header would split the response on the wire.
void check_header_safety(const beast_http::fields& fields);

}  // namespace cppstack::local

#include "http_server.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>

namespace cppstack::local {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

struct HttpServer::State : std::enable_shared_from_this<HttpServer::State> {
  State(asio::io_context& io_context, HttpServerOptions server_options, HttpHandler callback)
      : io(io_context),
        acceptor(asio::make_strand(io_context)),
        options(std::move(server_options)),
        handler(std::move(callback)) {}

  asio::io_context& io;
  tcp::acceptor acceptor;
  HttpServerOptions options;
  HttpHandler handler;

  void accept();
};

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket&& socket, std::shared_ptr<HttpServer::State> server)
      : stream_(std::move(socket)), server_(std::move(server)) {}

  void start() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read_request(); });
  }

  [[nodiscard]] asio::any_io_executor executor() { return stream_.get_executor(); }

  void deliver(HttpResponse response) {
    if (!awaiting_reply_) return;
    awaiting_reply_ = false;
    const bool keep_alive = request_keep_alive_ && response.keep_alive();
    response.keep_alive(keep_alive);
    response.prepare_payload();
    if (head_request_) {
      // A response to HEAD announces the length of the body it does not carry.
      const auto length = response.body().size();
      response.body().clear();
      response.content_length(length);
    }
    auto message = std::make_shared<HttpResponse>(std::move(response));
    http::async_write(
        stream_, *message,
        [self = shared_from_this(), message, keep_alive](beast::error_code error, std::size_t) {
          if (error) return self->close();
          if (!keep_alive) return self->close();
          self->read_request();
        });
  }

 private:
  void read_request() {
    parser_.emplace();
    parser_->body_limit(server_->options.body_limit);
    parser_->header_limit(static_cast<std::uint32_t>(server_->options.header_limit));
    arm_idle_timer();
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = shared_from_this()](beast::error_code error, std::size_t) {
                              self->on_header(error);
                            });
  }

  void arm_idle_timer() {
    if (server_->options.idle_timeout.count() > 0) {
      stream_.expires_after(server_->options.idle_timeout);
    } else {
      stream_.expires_never();
    }
  }

  void on_header(beast::error_code error) {
    if (error == http::error::body_limit) return reject_too_large();
    if (error) return close();
    const auto& header = parser_->get();
    const auto expect = header[http::field::expect];
    if (!parser_->is_done() && beast::iequals(expect, "100-continue")) {
      static constexpr std::string_view continue_line = "HTTP/1.1 100 Continue\r\n\r\n";
      asio::async_write(stream_, asio::buffer(continue_line.data(), continue_line.size()),
                        [self = shared_from_this()](beast::error_code write_error, std::size_t) {
                          if (write_error) return self->close();
                          self->read_body();
                        });
      return;
    }
    read_body();
  }

  void read_body() {
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code error, std::size_t) {
                       self->on_body(error);
                     });
  }

  void on_body(beast::error_code error) {
    if (error == http::error::body_limit) return reject_too_large();
    if (error) return close();
    stream_.expires_never();
    HttpRequest request = parser_->release();
    parser_.reset();
    request_keep_alive_ = request.keep_alive();
    head_request_ = request.method() == http::verb::head;
    awaiting_reply_ = true;
    beast::error_code ignored;
    auto remote = stream_.socket().remote_endpoint(ignored);
    auto local = stream_.socket().local_endpoint(ignored);
    server_->handler(std::make_shared<HttpExchange>(shared_from_this(), std::move(request), remote,
                                                    local.port()));
  }

  void reject_too_large() {
    HttpResponse response =
        server_->options.too_large
            ? server_->options.too_large(parser_->get().base())
            : json_response(http::status::payload_too_large, R"({"message":"Request Too Long"})");
    response.keep_alive(false);
    response.prepare_payload();
    auto message = std::make_shared<HttpResponse>(std::move(response));
    stream_.expires_after(std::chrono::seconds(5));
    http::async_write(stream_, *message,
                      [self = shared_from_this(), message](beast::error_code error, std::size_t) {
                        if (error) return self->close();
                        self->linger();
                      });
  }

  // Half-close, then read and discard what the client is still sending: closing with unread
  // data would reset the connection and the client might never see the answer.
  void linger() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    drain_buffer_.resize(std::size_t{64} * 1024);
    drain();
  }

  void drain() {
    stream_.async_read_some(asio::buffer(drain_buffer_),
                            [self = shared_from_this()](beast::error_code error, std::size_t) {
                              if (error) return self->close();
                              self->drain();
                            });
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<HttpServer::State> server_;
  std::vector<char> drain_buffer_;
  bool request_keep_alive_ = true;
  bool head_request_ = false;
  bool awaiting_reply_ = false;
};

void HttpServer::State::accept() {
  auto executor = options.session_executor ? *options.session_executor
                                           : asio::any_io_executor(asio::make_strand(io));
  acceptor.async_accept(executor,
                        [self = shared_from_this()](beast::error_code error, tcp::socket socket) {
                          if (error == asio::error::operation_aborted || !self->acceptor.is_open())
                            return;
                          if (!error) {
                            socket.set_option(tcp::no_delay(true), error);
                            std::make_shared<HttpSession>(std::move(socket), self)->start();
                          }
                          self->accept();
                        });
}

HttpExchange::HttpExchange(std::shared_ptr<HttpSession> session, HttpRequest http_request,
                           tcp::endpoint remote_endpoint, std::uint16_t port)
    : request(std::move(http_request)),
      remote(std::move(remote_endpoint)),
      local_port(port),
      session_(std::move(session)) {}

asio::any_io_executor HttpExchange::executor() const { return session_->executor(); }

void HttpExchange::reply(HttpResponse response) {
  asio::dispatch(session_->executor(),
                 [session = session_, response = std::move(response)]() mutable {
                   session->deliver(std::move(response));
                 });
}

void HttpExchange::post(std::function<void()> work) {
  asio::post(session_->executor(), std::move(work));
}

HttpServer::HttpServer(asio::io_context& io, const tcp::endpoint& endpoint,
                       HttpServerOptions options, HttpHandler handler)
    : state_(std::make_shared<State>(io, std::move(options), std::move(handler))) {
  state_->acceptor.open(endpoint.protocol());
  state_->acceptor.set_option(asio::socket_base::reuse_address(true));
  state_->acceptor.bind(endpoint);
  state_->acceptor.listen(asio::socket_base::max_listen_connections);
}

HttpServer::~HttpServer() { stop(); }

tcp::endpoint HttpServer::local_endpoint() const { return state_->acceptor.local_endpoint(); }

void HttpServer::start() {
  asio::dispatch(state_->acceptor.get_executor(), [state = state_] { state->accept(); });
}

void HttpServer::stop() {
  asio::dispatch(state_->acceptor.get_executor(), [state = state_] {
    beast::error_code ignored;
    state->acceptor.close(ignored);
  });
}

HttpResponse json_response(http::status status, std::string body, unsigned version) {
  HttpResponse response{status, version};
  response.set(http::field::content_type, "application/json");
  response.body() = std::move(body);
  return response;
}

}  // namespace cppstack::local

#include "http_server.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/string.hpp>
#include <cppstack/local/log_text.hpp>
#include <list>
#include <mutex>
#include <stdexcept>
#include <variant>

#include "guarded.hpp"

namespace cppstack::local {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

namespace {

std::atomic<std::size_t> max_connections_setting{default_max_connections};
std::atomic<std::chrono::milliseconds> client_timeout_setting{default_client_timeout};

std::shared_ptr<RequestMemoryBudget>& request_memory_setting() {
  static auto budget = std::make_shared<RequestMemoryBudget>(default_request_memory_limit);
  return budget;
}

std::shared_ptr<RequestMemoryBudget>& answer_memory_setting() {
  static auto budget = std::make_shared<RequestMemoryBudget>(default_answer_memory_limit);
  return budget;
}

void default_notice(std::string_view text) {
  std::string line = "[cppstack-local] ";
  append_escaped_log_text(line, text);
  line.push_back('\n');
  (void)!::write(STDERR_FILENO, line.data(), line.size());
}

HttpResponse plain_error(beast_http::status status, std::string_view message) {
  std::string body = R"({"message":")";
  body.append(message).append(R"("})");
  return json_response(status, std::move(body));
}

bool is_token_char(char c) {
  static constexpr std::string_view specials = "!#$%&'*+-.^_`|~";
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         specials.find(c) != std::string_view::npos;
}

std::string_view trim_whitespace(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

/// What RFC 9112 asks of a request's framing headers; nullopt when acceptable.
std::optional<std::pair<beast_http::status, std::string_view>> framing_problem(
    const beast_http::request_header<>& header) {
  const auto version = header.version();
  if (version != 10 && version != 11) {
    return std::pair{beast_http::status::http_version_not_supported, "HTTP Version Not Supported"};
  }
  // RFC 9112 section 3.2: an HTTP/1.1 request without exactly one Host gets 400.
  const auto hosts = header.count(beast_http::field::host);
  if ((version == 11 && hosts != 1) || hosts > 1) {
    return std::pair{beast_http::status::bad_request, "Bad Request"};
  }
  const auto codings = header.equal_range(beast_http::field::transfer_encoding);
  if (codings.first == codings.second) return std::nullopt;
  // RFC 9112 section 6.1: Transfer-Encoding in HTTP/1.0 means faulty framing; with
  // Content-Length as well, the request is refused rather than guessed at.
  if (version == 10 || header.count(beast_http::field::content_length) > 0) {
    return std::pair{beast_http::status::bad_request, "Bad Request"};
  }
  int chunked = 0;
  bool chunked_last = false;
  bool unknown = false;
  for (auto field = codings.first; field != codings.second; ++field) {
    std::string_view list(field->value().data(), field->value().size());
    while (true) {
      const auto comma = list.find(',');
      const auto element = trim_whitespace(list.substr(0, comma));
      if (element.empty()) return std::pair{beast_http::status::bad_request, "Bad Request"};
      for (const char c : element) {
        if (!is_token_char(c)) return std::pair{beast_http::status::bad_request, "Bad Request"};
      }
      chunked_last = beast::iequals(element, "chunked");
      if (chunked_last) {
        ++chunked;
      } else {
        unknown = true;
      }
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
  }
  // RFC 9112 section 6.3: chunked must be the final coding, applied once.
  if (chunked != 1 || !chunked_last)
    return std::pair{beast_http::status::bad_request, "Bad Request"};
  // RFC 9112 section 6.1: a coding the server does not understand gets 501.
  if (unknown) return std::pair{beast_http::status::not_implemented, "Not Implemented"};
  return std::nullopt;
}

/// The answer to a request line Beast refused as having a bad version: 505 only for a
/// well-formed line naming a version this server does not speak (as nginx: `HTTP/1.1` in lower
/// case, a bare LF, a trailing space or a space in the target are malformed, 400).
beast_http::status bad_version_status(std::string_view received) {
  const auto end = received.find("\r\n");
  if (end == std::string_view::npos) return beast_http::status::bad_request;
  const std::string_view line = received.substr(0, end);
  const auto first_space = line.find(' ');
  const auto last_space = line.rfind(' ');
  if (first_space == std::string_view::npos || first_space == last_space) {
    return beast_http::status::bad_request;
  }
  const std::string_view version = line.substr(last_space + 1);
  const std::string_view target = line.substr(first_space + 1, last_space - first_space - 1);
  if (target.empty() || target.find(' ') != std::string_view::npos)
    return beast_http::status::bad_request;
  if (!version.starts_with("HTTP/")) return beast_http::status::bad_request;
  const std::string_view number = version.substr(5);
  const auto dot = number.find('.');
  const auto all_digits = [](std::string_view text) {
    return !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
  };
  if (dot == std::string_view::npos || !all_digits(number.substr(0, dot)) ||
      !all_digits(number.substr(dot + 1))) {
    return beast_http::status::bad_request;
  }
  return beast_http::status::http_version_not_supported;
}

/// An absolute-form target (RFC 9112 section 3.2.2), which a server MUST accept, in origin
/// form: `http://h:1/a?b` becomes `/a?b` and the Host it names (the Host header is ignored,
/// as the section says). Nullopt when the target is not absolute-form; the status when it is
/// but cannot be used (not http or https, no host, userinfo).
struct OriginForm {
  std::string target;
  std::string host;
};
std::optional<std::variant<OriginForm, beast_http::status>> origin_form(std::string_view target) {
  if (target.empty() || target.front() == '/' || target == "*") return std::nullopt;
  const auto scheme_end = target.find("://");
  if (scheme_end == std::string_view::npos) return std::nullopt;
  const std::string_view scheme = target.substr(0, scheme_end);
  if (!beast::iequals(scheme, "http") && !beast::iequals(scheme, "https")) {
    return beast_http::status::bad_request;
  }
  std::string_view rest = target.substr(scheme_end + 3);
  const auto path_start = rest.find_first_of("/?#");
  const std::string_view authority = rest.substr(0, path_start);
  if (authority.empty() || authority.find('@') != std::string_view::npos) {
    return beast_http::status::bad_request;
  }
  rest.remove_prefix(path_start == std::string_view::npos ? rest.size() : path_start);
  if (!rest.empty() && rest.front() == '#') return beast_http::status::bad_request;
  OriginForm form{.target = rest.empty() || rest.front() != '/' ? "/" : "",
                  .host = std::string(authority)};
  form.target.append(rest);
  return form;
}

}  // namespace

bool RequestMemoryBudget::try_reserve(std::size_t bytes) noexcept {
  auto used = used_.load();
  do {
    if (bytes > limit_ || used > limit_ - bytes) return false;
  } while (!used_.compare_exchange_weak(used, used + bytes));
  return true;
}

void RequestMemoryBudget::release(std::size_t bytes) noexcept { used_.fetch_sub(bytes); }

const std::shared_ptr<RequestMemoryBudget>& process_request_memory() {
  return request_memory_setting();
}

const std::shared_ptr<RequestMemoryBudget>& process_answer_memory() {
  return answer_memory_setting();
}

void set_process_answer_memory(std::size_t answer_memory_bytes) {
  answer_memory_setting() = std::make_shared<RequestMemoryBudget>(answer_memory_bytes);
}

std::size_t process_max_connections() { return max_connections_setting.load(); }

void set_process_http_limits(std::size_t max_connections, std::size_t request_memory_bytes) {
  max_connections_setting = max_connections;
  request_memory_setting() = std::make_shared<RequestMemoryBudget>(request_memory_bytes);
}

std::chrono::milliseconds process_client_timeout() { return client_timeout_setting.load(); }

void set_process_client_timeout(std::chrono::milliseconds timeout) {
  client_timeout_setting = timeout;
}

// As Beast's serializer (basic_fields::writer): "HTTP/X.Y ### reason" (the status's standard
// reason when none is set), each field as stored ("Name: value"), an empty line, the body.
std::string wire_form(const HttpResponse& response) {
  std::string_view reason(response.reason().data(), response.reason().size());
  if (reason.empty()) {
    const auto obsolete =
        beast_http::obsolete_reason(static_cast<beast_http::status>(response.result_int()));
    reason = std::string_view(obsolete.data(), obsolete.size());
  }
  std::size_t size = 13 + reason.size() + 4 + response.body().size();
  for (const auto& field : response) {
    size += field.name_string().size() + 2 + field.value().size() + 2;
  }
  std::string wire;
  wire.reserve(size);
  const unsigned version = response.version();
  const unsigned code = response.result_int();
  const char start[] = {'H',
                        'T',
                        'T',
                        'P',
                        '/',
                        static_cast<char>('0' + version / 10),
                        '.',
                        static_cast<char>('0' + version % 10),
                        ' ',
                        static_cast<char>('0' + code / 100),
                        static_cast<char>('0' + (code / 10) % 10),
                        static_cast<char>('0' + code % 10),
                        ' '};
  wire.append(start, sizeof start).append(reason).append("\r\n");
  for (const auto& field : response) {
    wire.append(field.name_string().data(), field.name_string().size()).append(": ");
    wire.append(field.value().data(), field.value().size()).append("\r\n");
  }
  wire.append("\r\n").append(response.body());
  return wire;
}

void check_header_safety(const beast_http::fields& fields) {
  for (const auto& field : fields) {
    const auto name = field.name_string();
    if (name.empty()) throw std::invalid_argument("empty header name");
    for (const char c : name) {
      if (!is_token_char(c)) throw std::invalid_argument("header name is not a token");
    }
    for (const char c : field.value()) {
      if (c == '\r' || c == '\n' || c == '\0') {
        throw std::invalid_argument("header value holds CR, LF or NUL");
      }
    }
  }
}

struct HttpServer::State : std::enable_shared_from_this<HttpServer::State> {
  State(asio::io_context& io_context, HttpServerOptions server_options, HttpHandler callback)
      : io(io_context),
        acceptor(asio::make_strand(io_context)),
        retry_timer(acceptor.get_executor()),
        options(std::move(server_options)),
        handler(std::move(callback)) {
    if (!options.notice) options.notice = default_notice;
    if (!options.unanswered) {
      options.unanswered = [] {
        return plain_error(beast_http::status::internal_server_error, "Internal server error");
      };
    }
    if (!options.header_too_large) {
      options.header_too_large = [] {
        return plain_error(beast_http::status::request_header_fields_too_large,
                           "Request Header Fields Too Large");
      };
    }
  }

  asio::io_context& io;
  tcp::acceptor acceptor;
  asio::steady_timer retry_timer;
  std::chrono::milliseconds retry_delay{0};
  HttpServerOptions options;
  HttpHandler handler;

  std::mutex sessions_mutex;
  std::list<std::weak_ptr<HttpSession>> sessions;  // oldest first

  void accept();
  void on_accept(beast::error_code error, tcp::socket socket);
  /// False when the connection cap is reached and no idle connection can be closed for room.
  bool make_room();
  void admit(const std::shared_ptr<HttpSession>& session);
  void forget(const HttpSession* session);
};

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket&& socket, std::shared_ptr<HttpServer::State> server)
      : stream_(std::move(socket)),
        buffer_(server->options.header_limit + read_chunk),
        server_(std::move(server)) {
    // Both ends are fixed for the connection's life: asked once, not per request.
    beast::error_code ignored;
    remote_ = stream_.socket().remote_endpoint(ignored);
    local_port_ = stream_.socket().local_endpoint(ignored).port();
  }

  /// Wraps a completion handler so an exception in it ends this exchange only.
  template <class Handler>
  auto guard(Handler handler) {
    return guarded(std::move(handler), [self = shared_from_this()](std::string_view what) {
      self->server_->options.notice(std::string("connection ended by an exception: ") +
                                    std::string(what));
      self->fail_exchange();
    });
  }

  ~HttpSession() {
    release_memory();
    release_answer();
    server_->forget(this);
  }
  HttpSession(const HttpSession&) = delete;
  HttpSession& operator=(const HttpSession&) = delete;

  void start() {
    asio::dispatch(stream_.get_executor(), guard([this] { read_request(); }));
  }

  [[nodiscard]] asio::any_io_executor executor() { return stream_.get_executor(); }
  [[nodiscard]] bool idle() const noexcept { return idle_.load(); }
  [[nodiscard]] HttpResponse unanswered() const { return server_->options.unanswered(); }

  /// Work for exchange `number` failed: it gets the fallback answer.
  void fail(std::uint64_t number, std::string_view what) {
    server_->options.notice("exchange ended by an exception: " + std::string(what));
    deliver(unanswered(), number);
  }
  /// Closes the connection whatever it is doing.
  void end() {
    asio::dispatch(stream_.get_executor(), guard([this] { close(); }));
  }
  /// Closes an idle keep-alive connection to make room for a new one.
  void evict() {
    asio::dispatch(stream_.get_executor(), guard([this] {
                     if (idle_) close();
                   }));
  }

  void deliver(HttpResponse response, std::uint64_t number) {
    if (!awaiting_reply_ || number != exchange_number_) return;
    awaiting_reply_ = false;
    release_memory();
    bool keep_alive = request_keep_alive_ && response.keep_alive();
    try {
      finalize(response, keep_alive);
    } catch (const std::exception& error) {
      // The handler's answer cannot go on the wire as it is; the exchange still gets one.
      server_->options.notice(std::string("cannot send the answer: ") + error.what());
      response = server_->options.unanswered();
      keep_alive = false;
      finalize(response, keep_alive);
    }
    if (!hold_answer(response.body().size())) {
      server_->options.notice("answer memory limit reached (" +
                              std::to_string(server_->options.answer_memory->limit()) +
                              " bytes held for clients that have not taken them); answering 503");
      response = plain_error(beast_http::status::service_unavailable, "Service Unavailable");
      response.set(beast_http::field::retry_after, "1");
      finalize(response, keep_alive);
    }
    // A client that stops reading must not hold its connection forever. Small answers are
    // no exception: pipelined requests whose answers are never read fill the socket's buffer
    // one small answer at a time.
    arm_timer(server_->options.write_timeout);
    const auto sent = [this, keep_alive](beast::error_code error) {
      release_answer();
      if (error || !keep_alive) return close();
      read_request();
    };
    if (response.chunked()) {
      auto message = std::make_shared<HttpResponse>(std::move(response));
      beast_http::async_write(
          stream_, *message,
          guard([message, sent](beast::error_code error, std::size_t) { sent(error); }));
      return;
    }
    // One contiguous buffer, one send: the bytes Beast's serializer would write in pieces.
    auto wire = std::make_shared<std::string>(wire_form(response));
    asio::async_write(stream_, asio::buffer(*wire),
                      guard([wire, sent](beast::error_code error, std::size_t) { sent(error); }));
  }

  /// True when the client has closed its side (a read would return end of stream) or the
  /// connection failed. Reads nothing: pipelined bytes stay for the parser.
  [[nodiscard]] bool peer_gone() {
    if (!stream_.socket().is_open()) return true;
    char byte = 0;
    const auto got = ::recv(stream_.socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
  }

 private:
  static constexpr std::size_t read_chunk = std::size_t{16} * 1024;

  void fail_exchange() {
    if (awaiting_reply_) {
      try {
        return deliver(server_->options.unanswered(), exchange_number_);
      } catch (const std::exception&) {
      }
    }
    close();
  }

  void finalize(HttpResponse& response, bool keep_alive) const {
    check_header_safety(response.base());
    // A 1xx is never a final answer; sent as one it would hand the connection over (101).
    if (response.result_int() < 200) throw std::invalid_argument("1xx status as a final answer");
    response.keep_alive(keep_alive);
    response.prepare_payload();
    if (head_request_) {
      // A response to HEAD announces the length of the body it does not carry.
      const auto length = response.body().size();
      response.body().clear();
      response.content_length(length);
    }
  }

  void read_request() {
    parser_.emplace();
    parser_->body_limit(server_->options.body_limit);
    parser_->header_limit(static_cast<std::uint32_t>(server_->options.header_limit));
    idle_ = buffer_.size() == 0;
    arm_idle_timer();
    beast_http::async_read_header(stream_, buffer_, *parser_,
                                  guard([this](beast::error_code error, std::size_t) {
                                    idle_ = false;
                                    on_header(error);
                                  }));
  }

  void arm_idle_timer() { arm_timer(server_->options.idle_timeout); }

  /// Operations on the connection from now on must finish within `limit` (zero: no limit).
  void arm_timer(std::chrono::milliseconds limit) {
    if (limit.count() > 0) {
      stream_.expires_after(limit);
    } else {
      stream_.expires_never();
    }
  }

  void on_header(beast::error_code error) {
    if (error == beast_http::error::body_limit) return reject_too_large();
    if (error == beast_http::error::header_limit || error == beast_http::error::buffer_overflow) {
      return reject(server_->options.header_too_large());
    }
    if (error == beast_http::error::end_of_stream || error == asio::error::eof ||
        error == beast::error::timeout || error == asio::error::operation_aborted ||
        error == asio::error::connection_reset) {
      return close();
    }
    if (error == beast_http::error::bad_version) {
      const auto* received = static_cast<const char*>(buffer_.data().data());
      if (bad_version_status({received, buffer_.size()}) ==
          beast_http::status::http_version_not_supported) {
        return reject(plain_error(beast_http::status::http_version_not_supported,
                                  "HTTP Version Not Supported"));
      }
      return reject(plain_error(beast_http::status::bad_request, "Bad Request"));
    }
    if (error) return reject(plain_error(beast_http::status::bad_request, "Bad Request"));
    auto& header = parser_->get();
    if (auto problem = framing_problem(header.base())) {
      return reject(plain_error(problem->first, problem->second));
    }
    if (!to_origin_form(header.base()))
      return reject(plain_error(beast_http::status::bad_request, "Bad Request"));
    // Trailer fields are never merged into the header section (RFC 9110 section 6.5.1): the
    // parser adds them to the fields (next to a field of the same name), so the header section
    // of a chunked request is kept here and put back once the body is read.
    if (parser_->chunked()) {
      header_section_ = header.base();
    } else {
      header_section_.reset();
    }
    if (!parser_->is_done() && beast::iequals(header[beast_http::field::expect], "100-continue")) {
      static constexpr std::string_view continue_line = "HTTP/1.1 100 Continue\r\n\r\n";
      asio::async_write(stream_, asio::buffer(continue_line.data(), continue_line.size()),
                        guard([this](beast::error_code write_error, std::size_t) {
                          if (write_error) return close();
                          read_body();
                        }));
      return;
    }
    read_body();
  }

  // The body is fed to the parser here rather than with beast_http::async_read, for two reasons:
  // bytes the parser has not consumed (chunk headers, trailers) are held to the header limit
  // (Beast bounds neither), and a chunked body's last bytes are never handed over fewer than
  // five at a time, which trips an assertion in Boost 1.81's parser (basic_parser.ipp:702,
  // fixed upstream by Beast pull request 2861) when a final chunk arrives byte by byte.
  void read_body() {
    arm_idle_timer();
    parse_buffered();
  }

  void parse_buffered() {
    while (!parser_->is_done()) {
      const bool chunked = parser_->chunked();
      if (buffer_.size() == 0 || (chunked && buffer_.size() < 5)) return read_more();
      beast::error_code error;
      const auto used = parser_->put(buffer_.data(), error);
      buffer_.consume(used);
      if (error == beast_http::error::need_more) {
        if (buffer_.size() > server_->options.header_limit) {
          return reject(server_->options.header_too_large());
        }
        return read_more();
      }
      if (error == beast_http::error::body_limit) return reject_too_large();
      if (error) return reject(plain_error(beast_http::status::bad_request, "Bad Request"));
      if (!account_body()) return reject_overloaded();
    }
    on_body();
  }

  void read_more() {
    if (buffer_.size() >= buffer_.max_size()) {
      return reject(server_->options.header_too_large());
    }
    const auto room = std::min(read_chunk, buffer_.max_size() - buffer_.size());
    stream_.async_read_some(buffer_.prepare(room),
                            guard([this](beast::error_code error, std::size_t got) {
                              if (error) return close();
                              buffer_.commit(got);
                              parse_buffered();
                            }));
  }

  /// Counts the body bytes now held against the shared budget; false when it is spent.
  bool account_body() {
    const auto& memory = server_->options.memory;
    if (!memory) return true;
    const auto size = parser_->get().body().size();
    if (size <= held_bytes_) return true;
    if (!memory->try_reserve(size - held_bytes_)) return false;
    held_bytes_ = size;
    return true;
  }

  /// Counts an answer of `bytes` against the shared answer budget; false when it is spent.
  bool hold_answer(std::size_t bytes) {
    const auto& memory = server_->options.answer_memory;
    if (!memory || bytes == 0) return true;
    if (!memory->try_reserve(bytes)) return false;
    held_answer_bytes_ = bytes;
    return true;
  }

  void release_answer() {
    if (held_answer_bytes_ > 0 && server_->options.answer_memory) {
      server_->options.answer_memory->release(held_answer_bytes_);
    }
    held_answer_bytes_ = 0;
  }

  void release_memory() {
    if (held_bytes_ > 0 && server_->options.memory) {
      server_->options.memory->release(held_bytes_);
    }
    held_bytes_ = 0;
  }

  /// Rewrites an absolute-form target to origin form (RFC 9112 section 3.2.2); false when the
  /// target is absolute-form but unusable.
  static bool to_origin_form(beast_http::request_header<>& header) {
    const std::string_view target(header.target().data(), header.target().size());
    auto form = origin_form(target);
    if (!form) return true;
    auto* origin = std::get_if<OriginForm>(&*form);
    if (origin == nullptr) return false;
    header.target(origin->target);
    header.set(beast_http::field::host, origin->host);
    return true;
  }

  void on_body() {
    stream_.expires_never();
    HttpRequest request = parser_->release();
    parser_.reset();
    if (header_section_) {
      request.base() = std::move(*header_section_);
      header_section_.reset();
    }
    request_keep_alive_ = request.keep_alive();
    head_request_ = request.method() == beast_http::verb::head;
    awaiting_reply_ = true;
    ++exchange_number_;
    server_->handler(std::make_shared<HttpExchange>(shared_from_this(), std::move(request), remote_,
                                                    local_port_, exchange_number_));
  }

  void reject_too_large() {
    reject(server_->options.too_large
               ? server_->options.too_large(parser_->get().base())
               : plain_error(beast_http::status::payload_too_large, "Request Too Long"));
  }

  void reject_overloaded() {
    server_->options.notice("request memory limit reached (" +
                            std::to_string(server_->options.memory->limit()) +
                            " bytes held by all connections); answering 503");
    HttpResponse response =
        plain_error(beast_http::status::service_unavailable, "Service Unavailable");
    response.set(beast_http::field::retry_after, "1");
    reject(std::move(response));
  }

  /// Answers and closes without reading another request from this connection.
  void reject(HttpResponse response) {
    release_memory();
    parser_.reset();
    response.keep_alive(false);
    response.prepare_payload();
    auto message = std::make_shared<HttpResponse>(std::move(response));
    stream_.expires_after(std::chrono::seconds(5));
    beast_http::async_write(stream_, *message,
                            guard([this, message](beast::error_code error, std::size_t) {
                              if (error) return close();
                              linger();
                            }));
  }

  // Half-close, then read and discard what the client is still sending: closing with unread
  // data would reset the connection and the client might never see the answer.
  void linger() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    drain_buffer_.resize(read_chunk);
    drain();
  }

  void drain() {
    stream_.async_read_some(asio::buffer(drain_buffer_),
                            guard([this](beast::error_code error, std::size_t) {
                              if (error) return close();
                              drain();
                            }));
  }

  void close() {
    idle_ = false;
    awaiting_reply_ = false;
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<beast_http::request_parser<beast_http::string_body>> parser_;
  std::shared_ptr<HttpServer::State> server_;
  tcp::endpoint remote_;
  std::uint16_t local_port_ = 0;
  std::vector<char> drain_buffer_;
  std::size_t held_bytes_ = 0;
  std::optional<beast_http::request_header<>> header_section_;  ///< of a chunked request
  std::size_t held_answer_bytes_ = 0;
  std::uint64_t exchange_number_ = 0;
  std::atomic<bool> idle_{false};
  bool request_keep_alive_ = true;
  bool head_request_ = false;
  bool awaiting_reply_ = false;
};

bool HttpServer::State::make_room() {
  std::shared_ptr<HttpSession> evicted;
  {
    std::lock_guard lock(sessions_mutex);
    if (sessions.size() < options.max_connections) return true;
    for (auto& entry : sessions) {
      auto candidate = entry.lock();
      if (candidate && candidate->idle()) {
        evicted = std::move(candidate);
        break;
      }
    }
  }
  if (!evicted) return false;
  evicted->evict();
  return true;
}

void HttpServer::State::admit(const std::shared_ptr<HttpSession>& session) {
  std::lock_guard lock(sessions_mutex);
  sessions.push_back(session);
}

void HttpServer::State::forget(const HttpSession* session) {
  std::lock_guard lock(sessions_mutex);
  for (auto entry = sessions.begin(); entry != sessions.end();) {
    const auto live = entry->lock();
    // The session being destroyed cannot be locked any more; drop every expired entry.
    if (!live || live.get() == session) {
      entry = sessions.erase(entry);
    } else {
      ++entry;
    }
  }
}

void HttpServer::State::accept() {
  auto executor = options.session_executor ? *options.session_executor
                                           : asio::any_io_executor(asio::make_strand(io));
  acceptor.async_accept(
      executor, guarded(
                    [self = shared_from_this()](beast::error_code error, tcp::socket socket) {
                      self->on_accept(error, std::move(socket));
                    },
                    [self = shared_from_this()](std::string_view what) {
                      self->options.notice("accept failed: " + std::string(what));
                      self->accept();
                    }));
}

void HttpServer::State::on_accept(beast::error_code error, tcp::socket socket) {
  if (error == asio::error::operation_aborted || !acceptor.is_open()) return;
  if (error) {
    // Out of descriptors (EMFILE, ENFILE) or memory: wait before trying again instead of
    // spinning, and say so once per episode.
    if (retry_delay.count() == 0) {
      options.notice("cannot accept a connection (" + error.message() + "); retrying");
    }
    retry_delay = std::min(std::chrono::milliseconds(1000),
                           std::max(std::chrono::milliseconds(10), retry_delay * 2));
    retry_timer.expires_after(retry_delay);
    retry_timer.async_wait([self = shared_from_this()](beast::error_code wait_error) {
      if (!wait_error) self->accept();
    });
    return;
  }
  retry_delay = std::chrono::milliseconds(0);
  beast::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  if (!make_room()) {
    // Every slot holds a busy connection: a short answer that the new socket's empty send
    // buffer takes at once, then close.
    static const std::string busy = [] {
      const std::string body = R"({"message":"Service Unavailable"})";
      return "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
             "Retry-After: 1\r\nConnection: close\r\nContent-Length: " +
             std::to_string(body.size()) + "\r\n\r\n" + body;
    }();
    (void)!::send(socket.native_handle(), busy.data(), busy.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    socket.shutdown(tcp::socket::shutdown_send, ignored);
    socket.close(ignored);
    return accept();
  }
  auto session = std::make_shared<HttpSession>(std::move(socket), shared_from_this());
  admit(session);
  session->start();
  accept();
}

HttpExchange::HttpExchange(std::shared_ptr<HttpSession> session, HttpRequest http_request,
                           tcp::endpoint remote_endpoint, std::uint16_t port, std::uint64_t number)
    : request(std::move(http_request)),
      remote(std::move(remote_endpoint)),
      local_port(port),
      session_(std::move(session)),
      number_(number) {}

HttpExchange::~HttpExchange() {
  if (replied_.exchange(true)) return;
  try {
    auto session = session_;
    const auto number = number_;
    asio::dispatch(session->executor(), [session, number] {
      try {
        session->deliver(session->unanswered(), number);
      } catch (const std::exception&) {
      }
    });
  } catch (const std::exception&) {
  }
}

asio::any_io_executor HttpExchange::executor() const { return session_->executor(); }

void HttpExchange::reply(HttpResponse response) {
  if (replied_.exchange(true)) return;
  asio::dispatch(session_->executor(),
                 [session = session_, number = number_, response = std::move(response)]() mutable {
                   session->deliver(std::move(response), number);
                 });
}

void HttpExchange::post(std::function<void()> work) {
  // Work for this exchange is guarded like every completion: an exception ends the exchange
  // (its fallback answer), never the process.
  asio::post(session_->executor(),
             guarded(std::move(work), [session = session_, number = number_](
                                          std::string_view what) { session->fail(number, what); }));
}

bool HttpExchange::peer_gone() const { return session_->peer_gone(); }

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
    state->retry_timer.cancel();
  });
}

void HttpServer::close_connections() {
  std::vector<std::shared_ptr<HttpSession>> open;
  {
    std::lock_guard lock(state_->sessions_mutex);
    for (auto& entry : state_->sessions) {
      if (auto session = entry.lock()) open.push_back(std::move(session));
    }
  }
  for (const auto& session : open) session->end();
}

HttpResponse json_response(beast_http::status status, std::string body, unsigned version) {
  HttpResponse response{status, version};
  response.set(beast_http::field::content_type, "application/json");
  response.body() = std::move(body);
  return response;
}

}  // namespace cppstack::local

#include "runtime_client.hpp"

#include <time.h>

#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <cerrno>
#include <charconv>
#include <tuple>
#include <utility>

#include "log.hpp"
#include "termination_signal.hpp"

namespace cppstack::runtime::detail {
namespace http = boost::beast::http;

namespace {

constexpr std::string_view kNextTarget = "/2018-06-01/runtime/invocation/next";
constexpr std::string_view kInvocationTargetPrefix = "/2018-06-01/runtime/invocation/";
constexpr std::string_view kInitErrorTarget = "/2018-06-01/runtime/init/error";
constexpr std::string_view kErrorTypeHeader = "Lambda-Runtime-Function-Error-Type";
constexpr std::uint64_t kMaxReplyBytes = std::uint64_t{64} * 1024;
constexpr std::size_t kReadBufferBytes = std::size_t{64} * 1024;

boost::beast::string_view beast_view(std::string_view text) { return {text.data(), text.size()}; }
std::string_view std_view(boost::beast::string_view text) { return {text.data(), text.size()}; }

std::string_view header_value(const http::fields& fields, std::string_view name) {
  const auto field = fields.find(beast_view(name));
  return field == fields.end() ? std::string_view() : std_view(field->value());
}

void assign_optional(std::optional<std::string>& target, const http::fields& fields,
                     std::string_view name) {
  const auto field = fields.find(beast_view(name));
  if (field == fields.end()) {
    target.reset();
  } else if (target) {
    target->assign(field->value().data(), field->value().size());
  } else {
    target.emplace(field->value().data(), field->value().size());
  }
}

// Lambda always sends epoch milliseconds; anything unreadable becomes 0 rather than an error.
std::int64_t parse_deadline(std::string_view text) {
  std::int64_t deadline = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), deadline);
  return error == std::errc() && end == text.data() + text.size() ? deadline : 0;
}

// Reads one answer as http::read does, except that a chunked body's last bytes are never
// handed to the parser fewer than five at a time: Boost 1.81's parser asserts on that
// (basic_parser.ipp:702, fixed upstream by Beast pull request 2861), so a build without NDEBUG
// aborted when the final chunk arrived split. Bytes the parser leaves unconsumed (a chunk
// header, trailers) are held to the header limit.
template <class Parser>
void read_answer(SocketStream& stream, boost::beast::flat_buffer& buffer, Parser& parser,
                 boost::system::error_code& error) {
  http::read_header(stream, buffer, parser, error);
  while (!error && !parser.is_done()) {
    const bool chunked = parser.chunked();
    if (buffer.size() == 0 || (chunked && buffer.size() < 5)) {
      const std::size_t got = stream.read_some(buffer.prepare(kReadBufferBytes), error);
      buffer.commit(got);
      if (error == boost::asio::error::eof) {
        error = {};
        if (buffer.size() == 0) {
          parser.put_eof(error);
          return;
        }
        if (chunked && buffer.size() < 5) {
          error = http::error::partial_message;
          return;
        }
      }
      continue;
    }
    const std::size_t used = parser.put(buffer.data(), error);
    buffer.consume(used);
    if (error == http::error::need_more) {
      error = {};
      if (buffer.size() > kMaxHeaderBytes) {
        error = http::error::header_limit;
        return;
      }
      const std::size_t got = stream.read_some(buffer.prepare(kReadBufferBytes), error);
      buffer.commit(got);
      if (error == boost::asio::error::eof) {
        error = {};
        parser.put_eof(error);
        return;
      }
    }
  }
}

}  // namespace

RuntimeClient::RuntimeClient(Endpoint endpoint, int max_transport_retries,
                             std::chrono::milliseconds initial_backoff)
    : endpoint_(std::move(endpoint)),
      max_transport_retries_(max_transport_retries < 0 ? 0 : max_transport_retries),
      initial_backoff_(initial_backoff) {
  // Beast reads at most the buffer's free capacity per recv; a flat_buffer starts at 512 bytes,
  // which would split every API Gateway event over several system calls.
  buffer_.reserve(kReadBufferBytes);
  next_request_.method(http::verb::get);
  next_request_.target(beast_view(kNextTarget));
  next_request_.set(http::field::host, beast_view(endpoint_.host_port));
  post_request_.method(http::verb::post);
  post_request_.set(http::field::host, beast_view(endpoint_.host_port));
  post_request_.set(http::field::content_type, "application/json");
}

Reply RuntimeClient::next_invocation(Invocation& invocation) {
  Reply reply;
  reply.outcome = exchange(next_request_, true, invocation.payload);
  if (reply.outcome != Outcome::answered && reply.outcome != Outcome::event_too_large) {
    return reply;
  }
  auto& message = parser_->get();
  reply.status = message.result_int();
  const http::fields& fields = message.base();
  invocation.request_id.assign(header_value(fields, "Lambda-Runtime-Aws-Request-Id"));
  if (reply.outcome == Outcome::event_too_large) return reply;
  invocation.deadline_ms = parse_deadline(header_value(fields, "Lambda-Runtime-Deadline-Ms"));
  invocation.invoked_function_arn.assign(
      header_value(fields, "Lambda-Runtime-Invoked-Function-Arn"));
  assign_optional(invocation.trace_id, fields, "Lambda-Runtime-Trace-Id");
  assign_optional(invocation.client_context, fields, "Lambda-Runtime-Client-Context");
  assign_optional(invocation.cognito_identity, fields, "Lambda-Runtime-Cognito-Identity");
  assign_optional(invocation.tenant_id, fields, "Lambda-Runtime-Aws-Tenant-Id");
  invocation.payload = std::move(message.body());
  return reply;
}

Reply RuntimeClient::post_response(std::string_view request_id, std::string_view payload) {
  set_invocation_target(request_id, "/response");
  return post(payload, {});
}

Reply RuntimeClient::post_invocation_error(std::string_view request_id, const ErrorReport& report) {
  set_invocation_target(request_id, "/error");
  return post(error_report_json(report), report.category);
}

Reply RuntimeClient::post_init_error(const ErrorReport& report) {
  post_request_.target(beast_view(kInitErrorTarget));
  return post(error_report_json(report), report.category);
}

void RuntimeClient::set_invocation_target(std::string_view request_id, std::string_view action) {
  target_.assign(kInvocationTargetPrefix);
  // Request ids are UUIDs; encoding keeps any odd byte from breaking the request line.
  // (Written out rather than taken from Boost.URL, whose sources would pull iostreams into
  // the static function binary.)
  static constexpr char hex_digits[] = "0123456789ABCDEF";
  for (const char character : request_id) {
    const auto byte = static_cast<unsigned char>(character);
    const bool unreserved = (byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z') ||
                            (byte >= '0' && byte <= '9') || byte == '-' || byte == '.' ||
                            byte == '_' || byte == '~';
    if (unreserved) {
      target_.push_back(character);
    } else {
      target_.push_back('%');
      target_.push_back(hex_digits[byte >> 4]);
      target_.push_back(hex_digits[byte & 0x0F]);
    }
  }
  target_.append(action);
  post_request_.target(beast_view(target_));
}

Reply RuntimeClient::post(std::string_view payload, std::string_view error_category) {
  if (error_category.empty()) {
    post_request_.erase(beast_view(kErrorTypeHeader));
  } else {
    // Only the Category.Reason form reaches the header, so no caller text can inject fields.
    post_request_.set(beast_view(kErrorTypeHeader),
                      beast_view(is_lambda_error_category(error_category) ? error_category
                                                                          : kUnknownRuntimeError));
  }
  post_request_.body() = {payload.data(), payload.size()};
  post_request_.content_length(payload.size());
  Reply reply;
  reply.outcome = exchange(post_request_, false, reply_body_);
  if (reply.outcome == Outcome::answered) {
    reply.status = parser_->get().result_int();
    reply_body_ = std::move(parser_->get().body());
  }
  return reply;
}

template <class Request>
Outcome RuntimeClient::exchange(Request& request, bool waits_for_event, std::string& body_storage) {
  bool reconnected_stale_connection = false;
  int failures = 0;
  for (;;) {
    const bool reused_connection = stream_.is_open();
    bool body_over_limit = false;
    boost::system::error_code error;
    if (!reused_connection) error = stream_.connect(endpoint_);
    if (!error) {
      body_storage.clear();
      parser_.emplace(std::piecewise_construct, std::make_tuple(std::move(body_storage)));
      parser_->header_limit(kMaxHeaderBytes);
      parser_->body_limit(waits_for_event ? kMaxEventBytes : kMaxReplyBytes);
      if (waits_for_event) {
        TerminationSignal::watch_socket(stream_.native_handle());
        if (TerminationSignal::requested()) {
          TerminationSignal::watch_socket(-1);
          return Outcome::stopped;
        }
      }
      http::write(stream_, request, error);
      if (!error) {
        read_answer(stream_, buffer_, *parser_, error);
        body_over_limit = error == http::error::body_limit && parser_->is_header_done();
      }
      if (waits_for_event) TerminationSignal::watch_socket(-1);
    }
    if (!error) {
      if (!parser_->keep_alive()) stream_.close();
      return Outcome::answered;
    }
    stream_.close();
    buffer_.clear();
    // A POST still gets its reconnect after SIGTERM: the handler's work should not be lost.
    if (waits_for_event && TerminationSignal::requested()) return Outcome::stopped;
    if (body_over_limit && waits_for_event) return Outcome::event_too_large;
    // A keep-alive connection the server closed since the last exchange is expected: one
    // immediate reconnect, not counted as a failure.
    if (reused_connection && !reconnected_stale_connection) {
      reconnected_stale_connection = true;
      continue;
    }
    if (failures >= max_transport_retries_) {
      log_error("cannot reach the Lambda Runtime API at " + endpoint_.host_port + " for " +
                std::string(std_view(request.method_string())) + " " +
                std::string(std_view(request.target())) + ": " + error.message() +
                " (gave up after " + std::to_string(failures) + " retries)");
      return Outcome::unreachable;
    }
    if (!sleep_before_retry(failures)) return Outcome::stopped;
    ++failures;
  }
}

bool RuntimeClient::sleep_before_retry(int failures) const {
  const int doublings = failures < 20 ? failures : 20;
  const auto wait = initial_backoff_ * (std::int64_t{1} << doublings);
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(wait);
  timespec remaining{};
  remaining.tv_sec = static_cast<time_t>(seconds.count());
  remaining.tv_nsec = static_cast<long>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(wait - seconds).count());
  // nanosleep is never restarted after a signal handler, so SIGTERM on this thread ends it.
  while (::nanosleep(&remaining, &remaining) != 0) {
    if (errno != EINTR || TerminationSignal::requested()) break;
  }
  return !TerminationSignal::requested();
}

}  // namespace cppstack::runtime::detail

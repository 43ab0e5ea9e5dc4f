#include "fake_runtime_api.hpp"

#include <sys/socket.h>

#include <strings.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

namespace cppstack::runtime::testing {
namespace http = boost::beast::http;
using boost::asio::ip::tcp;

namespace {

constexpr std::string_view kNextTarget = "/2018-06-01/runtime/invocation/next";
// A held GET /next is answered with 500 after this, so a broken client fails instead of hanging.
constexpr std::chrono::seconds kLongestHold{20};

std::int64_t epoch_ms_from_now(std::chrono::milliseconds offset) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             (std::chrono::system_clock::now() + offset).time_since_epoch())
      .count();
}

}  // namespace

std::optional<std::string> RecordedRequest::header(std::string_view name) const {
  for (const auto& [field, value] : headers) {
    if (field.size() == name.size() && ::strncasecmp(field.data(), name.data(), name.size()) == 0) {
      return value;
    }
  }
  return std::nullopt;
}

ScriptedEvent standard_event(const std::string& request_id, std::string payload) {
  ScriptedEvent event;
  event.headers = {
      {"Content-Type", "application/json"},
      {"Lambda-Runtime-Aws-Request-Id", request_id},
      {"Lambda-Runtime-Deadline-Ms",
       std::to_string(epoch_ms_from_now(std::chrono::milliseconds(60000)))},
      {"Lambda-Runtime-Invoked-Function-Arn",
       "arn:aws:lambda:us-east-1:123456789012:function:cppstack-test"},
  };
  event.payload = std::move(payload);
  return event;
}

FakeRuntimeApi::FakeRuntimeApi() {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  if (listen_fd_ < 0 ||
      ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(listen_fd_, 16) != 0) {
    throw std::runtime_error("the fake Runtime API cannot listen on 127.0.0.1");
  }
  socklen_t length = sizeof address;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length);
  port_ = ntohs(address.sin_port);
  thread_ = std::thread([this] { serve(); });
}

FakeRuntimeApi::~FakeRuntimeApi() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    // shutdown() wakes a thread blocked in accept() or read() on these sockets.
    ::shutdown(listen_fd_, SHUT_RDWR);
    if (connection_fd_ >= 0) ::shutdown(connection_fd_, SHUT_RDWR);
  }
  changed_.notify_all();
  thread_.join();
  ::close(listen_fd_);
}

std::string FakeRuntimeApi::address() const { return "127.0.0.1:" + std::to_string(port_); }

void FakeRuntimeApi::push_event(ScriptedEvent event) {
  {
    std::lock_guard lock(mutex_);
    events_.push_back(std::move(event));
  }
  changed_.notify_all();
}

void FakeRuntimeApi::set_post_status(const std::string& target, unsigned status) {
  std::lock_guard lock(mutex_);
  post_status_[target] = status;
}

void FakeRuntimeApi::set_after_post(AfterReply after_reply) {
  std::lock_guard lock(mutex_);
  after_post_ = after_reply;
}

std::vector<RecordedRequest> FakeRuntimeApi::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

std::vector<RecordedRequest> FakeRuntimeApi::requests_to(std::string_view target) const {
  std::vector<RecordedRequest> matching;
  for (auto& request : requests()) {
    if (request.target == target) matching.push_back(std::move(request));
  }
  return matching;
}

std::size_t FakeRuntimeApi::connections_accepted() const {
  std::lock_guard lock(mutex_);
  return connections_;
}

bool FakeRuntimeApi::wait_until_holding_next(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [this] { return holding_next_; });
}

void FakeRuntimeApi::serve() {
  for (;;) {
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    std::size_t connection = 0;
    {
      std::lock_guard lock(mutex_);
      if (stopping_) {
        if (fd >= 0) ::close(fd);
        return;
      }
      if (fd < 0) continue;
      connection = ++connections_;
      connection_fd_ = fd;
    }
    serve_connection(fd, connection);
    {
      std::lock_guard lock(mutex_);
      connection_fd_ = -1;
    }
    ::close(fd);
  }
}

void FakeRuntimeApi::serve_connection(int fd, std::size_t connection) {
  boost::asio::io_context context;
  tcp::socket socket(context, tcp::v4(), fd);
  boost::beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(64u * 1024 * 1024);
    parser.header_limit(1024u * 1024);
    boost::system::error_code error;
    http::read(socket, buffer, parser, error);
    if (error) break;
    const auto& request = parser.get();

    RecordedRequest recorded;
    recorded.method = std::string(request.method_string());
    recorded.target = std::string(request.target());
    for (const auto& field : request) {
      recorded.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    recorded.body = request.body();
    recorded.connection = connection;

    http::response<http::string_body> response;
    response.version(11);
    AfterReply after_reply = AfterReply::keep_open;
    {
      std::unique_lock lock(mutex_);
      requests_.push_back(recorded);
      changed_.notify_all();
      if (recorded.method == "GET" && recorded.target == kNextTarget) {
        holding_next_ = true;
        changed_.notify_all();
        const bool have_event =
            changed_.wait_for(lock, kLongestHold, [this] { return stopping_ || !events_.empty(); });
        holding_next_ = false;
        if (stopping_) break;
        if (!have_event) {
          response.result(http::status::internal_server_error);
          response.body() = R"({"errorMessage":"no scripted event","errorType":"Test"})";
        } else {
          ScriptedEvent event = std::move(events_.front());
          events_.pop_front();
          response.result(event.status);
          for (const auto& [name, value] : event.headers) response.insert(name, value);
          response.body() = std::move(event.payload);
          after_reply = event.after_reply;
        }
      } else {
        const auto status = post_status_.find(recorded.target);
        response.result(status == post_status_.end() ? 202u : status->second);
        response.set(http::field::content_type, "application/json");
        response.body() = R"({"status":"OK"})";
        after_reply = after_post_;
      }
    }
    if (after_reply == AfterReply::announce_close) response.keep_alive(false);
    response.prepare_payload();
    http::write(socket, response, error);
    if (error || after_reply != AfterReply::keep_open) break;
  }
  socket.release();
}

}  // namespace cppstack::runtime::testing

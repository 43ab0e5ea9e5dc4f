#pragma once
// The Runtime API's four calls over one persistent keep-alive connection, with reconnects and
// exponential backoff on transport failures. Requests, the read buffer and the event body's
// storage are reused from one invocation to the next, so a warm invocation allocates little.

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/span_body.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <cppstack/runtime/error_report.hpp>
#include <cppstack/runtime/invocation.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "endpoint.hpp"
#include "socket_stream.hpp"

namespace cppstack::runtime::detail {

/// An event may carry up to 6 MB (Lambda's synchronous payload limit); leave headroom.
inline constexpr std::uint64_t kMaxEventBytes = 7ull * 1024 * 1024;
/// Client-Context and Cognito-Identity can each be several KB; Beast's 8 KB default is tight.
inline constexpr std::uint32_t kMaxHeaderBytes = 256u * 1024;
/// errorType sent when an event is larger than kMaxEventBytes.
inline constexpr std::string_view kEventTooLargeError = "Runtime.EventTooLarge";

enum class Outcome {
  answered,         ///< the Runtime API answered; see Reply::status
  stopped,          ///< SIGTERM arrived
  unreachable,      ///< a transport failure outlasted the retries (already logged)
  event_too_large,  ///< /next sent a body over kMaxEventBytes; the request id is known
};

struct Reply {
  Outcome outcome = Outcome::answered;
  unsigned status = 0;
};

class RuntimeClient {
 public:
  RuntimeClient(Endpoint endpoint, int max_transport_retries,
                std::chrono::milliseconds initial_backoff);

  /// GET /runtime/invocation/next. With status 200 `invocation` holds the event; its payload
  /// storage is reused for the body.
  Reply next_invocation(Invocation& invocation);
  Reply post_response(std::string_view request_id, std::string_view payload);
  Reply post_invocation_error(std::string_view request_id, const ErrorReport& report);
  Reply post_init_error(const ErrorReport& report);

  /// Body of the last answer to a POST, for messages about refused requests.
  [[nodiscard]] const std::string& last_reply_body() const noexcept { return reply_body_; }
  [[nodiscard]] const std::string& address() const noexcept { return endpoint_.host_port; }

 private:
  using ResponseParser = boost::beast::http::response_parser<boost::beast::http::string_body>;

  Reply post(std::string_view payload, std::string_view error_category);
  void set_invocation_target(std::string_view request_id, std::string_view action);
  template <class Request>
  Outcome exchange(Request& request, bool waits_for_event, std::string& body_storage);
  bool sleep_before_retry(int failures) const;

  Endpoint endpoint_;
  int max_transport_retries_;
  std::chrono::milliseconds initial_backoff_;
  SocketStream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<ResponseParser> parser_;
  boost::beast::http::request<boost::beast::http::empty_body> next_request_;
  boost::beast::http::request<boost::beast::http::span_body<const char>> post_request_;
  std::string target_;
  std::string reply_body_;
};

}  // namespace cppstack::runtime::detail

#pragma once
// A scripted stand-in for the Lambda Runtime API, for tests: it listens on 127.0.0.1 (ephemeral
// port), hands out queued events on GET /next, answers every POST (202 unless told otherwise)
// and records every request the client sends.
//
//   FakeRuntimeApi api;
//   api.push_event(standard_event("id-1", R"({"hello":"world"})"));
//   RuntimeOptions options;
//   options.runtime_api = api.address();
//   options.max_invocations = 1;
//   run(initializer, options);
//   auto posted = api.requests_to("/2018-06-01/runtime/invocation/id-1/response");

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace cppstack::runtime::testing {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct RecordedRequest {
  std::string method;
  std::string target;
  HeaderList headers;
  std::string body;
  std::size_t connection = 0;  ///< 1 for the first accepted connection, 2 for the next, ...

  /// First header of that name, compared case-insensitively.
  [[nodiscard]] std::optional<std::string> header(std::string_view name) const;
};

/// How the server treats the connection after answering.
enum class AfterReply { keep_open, announce_close, drop_silently };

struct ScriptedEvent {
  HeaderList headers;  ///< sent exactly as listed (nothing is added but Content-Length)
  std::string payload;
  unsigned status = 200;
  AfterReply after_reply = AfterReply::keep_open;
};

/// An event with every header Lambda always sends, a deadline 60 s ahead and Content-Type.
ScriptedEvent standard_event(const std::string& request_id, std::string payload);

class FakeRuntimeApi {
 public:
  FakeRuntimeApi();
  ~FakeRuntimeApi();
  FakeRuntimeApi(const FakeRuntimeApi&) = delete;
  FakeRuntimeApi& operator=(const FakeRuntimeApi&) = delete;

  /// "127.0.0.1:<port>", the value for AWS_LAMBDA_RUNTIME_API.
  [[nodiscard]] std::string address() const;

  void push_event(ScriptedEvent event);
  /// Status for POSTs to this exact target (default 202).
  void set_post_status(const std::string& target, unsigned status);
  /// What happens to the connection after each POST is answered.
  void set_after_post(AfterReply after_reply);

  [[nodiscard]] std::vector<RecordedRequest> requests() const;
  [[nodiscard]] std::vector<RecordedRequest> requests_to(std::string_view target) const;
  [[nodiscard]] std::size_t connections_accepted() const;
  /// Waits (bounded) until a GET /next is held open because no event is queued.
  bool wait_until_holding_next(std::chrono::milliseconds timeout);

 private:
  void serve();
  void serve_connection(int fd, std::size_t connection);

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<ScriptedEvent> events_;
  std::map<std::string, unsigned> post_status_;
  AfterReply after_post_ = AfterReply::keep_open;
  std::vector<RecordedRequest> requests_;
  std::size_t connections_ = 0;
  bool holding_next_ = false;
  bool stopping_ = false;
  int listen_fd_ = -1;
  int connection_fd_ = -1;
  unsigned short port_ = 0;
  std::thread thread_;
};

}  // namespace cppstack::runtime::testing

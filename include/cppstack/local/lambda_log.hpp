#pragma once
// The emulator's log output on stderr, shaped like a function's CloudWatch log stream:
// the function's own lines as it printed them, framed by START, END and REPORT lines.
// Whole lines are written with one write() each, so lines of concurrent instances never
// interleave mid-line.
//
//   auto log = std::make_shared<cppstack::local::LambdaLog>(STDERR_FILENO);
//   log->line("START RequestId: 8f5... Version: $LATEST");

#include <mutex>
#include <string>
#include <string_view>

namespace cppstack::local {

class LambdaLog {
 public:
  /// `prefix_request_ids`: put the request id in front of each function line.
  explicit LambdaLog(int fd, bool prefix_request_ids = false)
      : fd_(fd), prefix_request_ids_(prefix_request_ids) {}

  /// Writes `text` plus a newline.
  void line(std::string_view text);
  /// A line the function printed while serving `request_id` (empty when between invocations).
  void function_line(std::string_view request_id, std::string_view text);
  /// A line from the emulator itself, marked as such.
  void notice(std::string_view text);

 private:
  int fd_;
  bool prefix_request_ids_;
  std::mutex mutex_;
};

}  // namespace cppstack::local

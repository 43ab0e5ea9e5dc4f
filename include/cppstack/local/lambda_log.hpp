#pragma once
// The emulator's log output on stderr, shaped like a function's CloudWatch log stream:
// the function's own lines as it printed them, framed by START, END and REPORT lines.
//
// Writing never blocks the caller (the emulator's I/O threads): a line is written at once
// when nothing waits and the descriptor has room, else it goes into a bounded buffer that one
// writer thread empties. When the terminal cannot keep up and the buffer is
// full, lines are dropped and counted, and a notice says how many once there is room again.
// Lines keep their order; a multi-line text (END + REPORT) stays together.
//
// The function's CloudWatch Embedded Metric Format lines are shown per `MetricsView`
// (emf_view.hpp): as printed (raw, the default here), one short line each (pretty), or not.
//
//   auto log = std::make_shared<cppstack::local::LambdaLog>(STDERR_FILENO);
//   log->line("START RequestId: 8f5... Version: $LATEST");

#include <condition_variable>
#include <cppstack/local/emf_view.hpp>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace cppstack::local {

class LambdaLog {
 public:
  /// Bytes waiting for the terminal at most, by default.
  static constexpr std::size_t default_buffer_limit = std::size_t{4} * 1024 * 1024;

  /// `prefix_request_ids`: put the request id in front of each function line.
  explicit LambdaLog(int fd, bool prefix_request_ids = false,
                     std::size_t buffer_limit = default_buffer_limit,
                     MetricsView metrics_view = MetricsView::raw);
  /// Writes what is buffered (for at most a few seconds when the terminal is stuck).
  ~LambdaLog();
  LambdaLog(const LambdaLog&) = delete;
  LambdaLog& operator=(const LambdaLog&) = delete;

  /// Writes `text` plus a newline, as it is: text the emulator composed of its own parts
  /// (START, END, REPORT); a newline in it starts another line.
  void line(std::string_view text);
  /// A line the function printed while serving `request_id` (empty when between invocations),
  /// escaped (log_text.hpp; tabs kept).
  void function_line(std::string_view request_id, std::string_view text);
  /// A line from the emulator itself, marked as such; every byte of `text` is escaped
  /// (log_text.hpp), so what a client or a function put in it stays on this one line.
  void notice(std::string_view text);
  /// The metrics summary per dimension set (pretty view only), as notices: at shutdown.
  void metrics_summary();

  /// While a Gather lives, the lines its thread writes to this log are kept and written in
  /// one piece when the outermost Gather ends: what one event produces (the function's
  /// lines, END and REPORT) costs one write instead of one per line. Lines keep their order.
  ///
  ///   { LambdaLog::Gather gather(*log); log->line("END ..."); log->line("REPORT ..."); }
  class Gather {
   public:
    explicit Gather(LambdaLog& log);
    ~Gather();
    Gather(const Gather&) = delete;
    Gather& operator=(const Gather&) = delete;

   private:
    LambdaLog* log_;  ///< null when another log's Gather is already open on this thread
  };

 private:
  void write_lines(std::string_view lines);
  bool write_lines_now(std::string_view lines);
  void write_loop();
  bool write_now(std::string_view text);
  bool write_some(std::string_view& rest);
  void prefixed_line(std::string_view request_id, std::string_view text);

  int fd_;
  bool prefix_request_ids_;
  std::size_t buffer_limit_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::string pending_;
  std::size_t dropped_lines_ = 0;
  bool stopping_ = false;
  bool writing_ = false;
  bool regular_file_ = false;  // the writer thread is writing a batch outside the lock
  EmfView metrics_;
  std::thread writer_;
};

}  // namespace cppstack::local

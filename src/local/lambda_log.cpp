#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cppstack/local/lambda_log.hpp>
#include <cppstack/local/log_text.hpp>
#include <cstring>

namespace cppstack::local {

namespace {

// Pieces no larger than this never block once poll() reports the descriptor writable (a pipe
// then has at least one page free), so the writer can give up on a stuck terminal at exit.
constexpr std::size_t write_piece = 4096;
constexpr auto exit_flush_limit = std::chrono::seconds(3);

// The open Gather of this thread: which log it is for, how deeply nested, what it holds.
struct GatheredLines {
  const LambdaLog* log = nullptr;
  int depth = 0;
  std::string text;
};
thread_local GatheredLines gathered;

// Says, before the next queued line, how many lines were dropped, and starts counting again.
void queue_dropped_notice(std::string& pending, std::size_t& dropped_lines) {
  if (dropped_lines == 0) return;
  pending.append("[cppstack-local] ")
      .append(std::to_string(dropped_lines))
      .append(" log lines dropped: the terminal could not keep up\n");
  dropped_lines = 0;
}

}  // namespace

LambdaLog::Gather::Gather(LambdaLog& log) : log_(&log) {
  if (gathered.log != nullptr && gathered.log != &log) {
    log_ = nullptr;  // one log at a time: this one's lines are written as they come
    return;
  }
  gathered.log = &log;
  ++gathered.depth;
}

LambdaLog::Gather::~Gather() {
  if (log_ == nullptr || --gathered.depth > 0) return;
  gathered.log = nullptr;
  std::string lines;
  lines.swap(gathered.text);
  if (lines.empty()) return;
  try {
    log_->write_lines(lines);
  } catch (const std::exception&) {
    // Out of memory while queueing: the lines are lost, the emulator goes on.
  }
}

LambdaLog::LambdaLog(int fd, bool prefix_request_ids, std::size_t buffer_limit,
                     MetricsView metrics_view)
    : fd_(fd),
      prefix_request_ids_(prefix_request_ids),
      buffer_limit_(buffer_limit),
      metrics_(metrics_view) {
  // A write to a file never waits for a reader.
  struct stat info {};
  regular_file_ = ::fstat(fd, &info) == 0 && S_ISREG(info.st_mode);
  writer_ = std::thread([this] { write_loop(); });
}

LambdaLog::~LambdaLog() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  writer_.join();
}

void LambdaLog::line(std::string_view text) {
  if (gathered.log == this) {
    gathered.text.append(text).push_back('\n');
    return;
  }
  bool wake_writer = false;
  {
    std::lock_guard lock(mutex_);
    if (pending_.empty() && !writing_ && dropped_lines_ == 0 && text.size() < write_piece &&
        write_now(text)) {
      return;
    }
    if (pending_.size() + text.size() + 1 > buffer_limit_) {
      ++dropped_lines_;
      return;
    }
    wake_writer = pending_.empty();
    queue_dropped_notice(pending_, dropped_lines_);
    pending_.append(text).push_back('\n');
  }
  if (wake_writer) wake_.notify_one();
}

// The common case, with nothing queued: one write now, as long as it cannot block (the
// descriptor reports room for a page), so no hand-off to the writer thread per line.
bool LambdaLog::write_now(std::string_view text) {
  if (!regular_file_) {
    pollfd ready{fd_, POLLOUT, 0};
    if (::poll(&ready, 1, 0) != 1 || (ready.revents & POLLOUT) == 0) return false;
  }
  char line[write_piece];
  std::memcpy(line, text.data(), text.size());
  line[text.size()] = '\n';
  const std::size_t size = text.size() + 1;
  const ssize_t wrote = ::write(fd_, line, size);
  if (wrote == static_cast<ssize_t>(size)) return true;
  if (wrote < 0) return errno != EAGAIN && errno != EINTR;  // a gone terminal: nothing to show
  // A partial write: the writer thread sends the rest.
  pending_.append(line + wrote, size - static_cast<std::size_t>(wrote));
  wake_.notify_one();
  return true;
}

// Whole lines, each ending in a newline: written now when nothing waits, else queued as
// line() queues them (counted as dropped lines when the buffer is full).
void LambdaLog::write_lines(std::string_view lines) {
  bool wake_writer = false;
  {
    std::lock_guard lock(mutex_);
    if (pending_.empty() && !writing_ && dropped_lines_ == 0 && write_lines_now(lines)) return;
    if (pending_.size() + lines.size() > buffer_limit_) {
      dropped_lines_ += static_cast<std::size_t>(std::count(lines.begin(), lines.end(), '\n'));
      return;
    }
    wake_writer = pending_.empty();
    queue_dropped_notice(pending_, dropped_lines_);
    pending_.append(lines);
  }
  if (wake_writer) wake_.notify_one();
}

// As write_now, for whole lines: a regular file takes them in one write; anything else takes
// at most a page now (which cannot block once poll reports room) and the writer the rest.
bool LambdaLog::write_lines_now(std::string_view lines) {
  std::size_t now = lines.size();
  if (!regular_file_) {
    pollfd ready{fd_, POLLOUT, 0};
    if (::poll(&ready, 1, 0) != 1 || (ready.revents & POLLOUT) == 0) return false;
    now = std::min(now, write_piece);
  }
  const ssize_t wrote = ::write(fd_, lines.data(), now);
  if (wrote < 0) return errno != EAGAIN && errno != EINTR;  // a gone terminal: nothing to show
  if (static_cast<std::size_t>(wrote) < lines.size()) {
    pending_.append(lines.substr(static_cast<std::size_t>(wrote)));
    wake_.notify_one();
  }
  return true;
}

void LambdaLog::function_line(std::string_view request_id, std::string_view text) {
  if (metrics_.view() == MetricsView::raw) return prefixed_line(request_id, text);
  for (const ShownLine& shown : metrics_.show(text)) {
    if (shown.from_emulator) {
      notice(shown.text);
    } else {
      prefixed_line(request_id, shown.text);
    }
  }
}

void LambdaLog::metrics_summary() {
  for (const std::string& summary : metrics_.summary()) notice(summary);
}

// The function's bytes are escaped (its tabs kept: they separate a log line's fields), so
// what it prints cannot pass for the emulator's lines nor drive the terminal.
void LambdaLog::prefixed_line(std::string_view request_id, std::string_view text) {
  std::string shown;
  if (prefix_request_ids_ && !request_id.empty()) shown.append(request_id).append("\t");
  append_escaped_log_text(shown, text, TabPolicy::keep);
  line(shown);
}

// Notices carry what clients, tokens and functions sent (targets, refusal reasons, error
// bodies): every byte of them is escaped.
void LambdaLog::notice(std::string_view text) {
  std::string marked = "[cppstack-local] ";
  append_escaped_log_text(marked, text);
  line(marked);
}

bool LambdaLog::write_some(std::string_view& rest) {
  pollfd ready{fd_, POLLOUT, 0};
  const int polled = ::poll(&ready, 1, 200);
  if (polled == 0 || (polled < 0 && errno == EINTR)) return true;  // try again
  if (polled < 0 || (ready.revents & (POLLERR | POLLNVAL)) != 0) return false;
  const ssize_t wrote = ::write(fd_, rest.data(), std::min(rest.size(), write_piece));
  if (wrote < 0) return errno == EINTR || errno == EAGAIN;
  rest.remove_prefix(static_cast<std::size_t>(wrote));
  return true;
}

void LambdaLog::write_loop() {
  std::string writing;
  std::chrono::steady_clock::time_point give_up{};
  while (true) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !pending_.empty() || dropped_lines_ > 0; });
      if (pending_.empty()) {
        if (dropped_lines_ > 0) {
          pending_.append("[cppstack-local] ")
              .append(std::to_string(dropped_lines_))
              .append(" log lines dropped: the terminal could not keep up\n");
          dropped_lines_ = 0;
        } else {
          return;  // stopping, and everything is written
        }
      }
      writing.clear();
      writing.swap(pending_);
      writing_ = true;
      if (stopping_ && give_up == std::chrono::steady_clock::time_point{}) {
        give_up = std::chrono::steady_clock::now() + exit_flush_limit;
      }
    }
    std::string_view rest = writing;
    while (!rest.empty()) {
      if (!write_some(rest)) break;  // the terminal is gone: nothing more can be shown
      if (give_up != std::chrono::steady_clock::time_point{} &&
          std::chrono::steady_clock::now() > give_up) {
        return;
      }
      if (rest.empty()) break;
      std::lock_guard lock(mutex_);
      if (stopping_ && give_up == std::chrono::steady_clock::time_point{}) {
        give_up = std::chrono::steady_clock::now() + exit_flush_limit;
      }
    }
    std::lock_guard lock(mutex_);
    writing_ = false;
  }
}

}  // namespace cppstack::local

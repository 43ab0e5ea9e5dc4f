#include "log.hpp"

#include <unistd.h>

#include <cppstack/observability/logger.hpp>

namespace cppstack::runtime::detail {
namespace {

void write_fully(int fd, std::string_view text) noexcept {
  while (!text.empty()) {
    const ssize_t written = ::write(fd, text.data(), text.size());
    if (written <= 0) return;
    text.remove_prefix(static_cast<std::size_t>(written));
  }
}

// Built on first use: the runtime logs only on errors and shutdown, never on a cold start.
const observability::Logger& runtime_logger() {
  static const observability::Logger logger(
      "runtime", observability::LogLevel::debug, {},
      [](std::string_view line) { write_fully(STDERR_FILENO, line); });
  return logger;
}

}  // namespace

void log_line(observability::LogLevel level, std::string_view message) noexcept {
  try {
    runtime_logger().log(level, message);
  } catch (...) {
    // Out of memory while logging: the line is lost, the runtime keeps going.
  }
}

}  // namespace cppstack::runtime::detail

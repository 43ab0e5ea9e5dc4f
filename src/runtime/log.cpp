#include "log.hpp"

#include <time.h>
#include <unistd.h>

#include <boost/json/serialize.hpp>
#include <boost/json/string_view.hpp>
#include <cppstack/runtime/error_report.hpp>
#include <cstdio>
#include <string>

namespace cppstack::runtime::detail {
namespace {

// "2024-01-31T12:34:56.789Z"; empty when the clock cannot be read.
std::string utc_timestamp() {
  timespec now{};
  if (clock_gettime(CLOCK_REALTIME, &now) != 0) return {};
  tm parts{};
  if (gmtime_r(&now.tv_sec, &parts) == nullptr) return {};
  char text[32];
  const int length =
      std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", parts.tm_year + 1900,
                    parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec,
                    static_cast<long>(now.tv_nsec / 1000000));
  return length > 0 ? std::string(text, static_cast<std::size_t>(length)) : std::string();
}

void write_fully(int fd, std::string_view text) noexcept {
  while (!text.empty()) {
    const ssize_t written = ::write(fd, text.data(), text.size());
    if (written <= 0) return;
    text.remove_prefix(static_cast<std::size_t>(written));
  }
}

}  // namespace

void log_line(std::string_view level, std::string_view message) noexcept {
  try {
    std::string line;
    line.reserve(message.size() + 96);
    line += R"({"level":)";
    line += boost::json::serialize(boost::json::string_view(level.data(), level.size()));
    line += R"(,"message":)";
    const std::string valid_message = to_valid_utf8(message);
    line += boost::json::serialize(boost::json::string_view(valid_message));
    line += R"(,"timestamp":")";
    line += utc_timestamp();
    line += R"(","service":"runtime"})";
    line += '\n';
    write_fully(STDERR_FILENO, line);
  } catch (...) {
    // Out of memory while logging: the line is lost, the runtime keeps going.
  }
}

}  // namespace cppstack::runtime::detail

#pragma once
// Runtime-level log lines on stderr: the project's structured logger (Powertools keys) with
// service "runtime", each line in a single write(2) so lines from several processes never
// interleave.

#include <cppstack/observability/logger.hpp>
#include <string_view>

namespace cppstack::runtime::detail {

void log_line(observability::LogLevel level, std::string_view message) noexcept;

inline void log_error(std::string_view message) noexcept {
  log_line(observability::LogLevel::error, message);
}
inline void log_info(std::string_view message) noexcept {
  log_line(observability::LogLevel::info, message);
}

}  // namespace cppstack::runtime::detail

#pragma once
// Runtime-level log lines on stderr, one JSON object per line with Powertools' key names, so
// CloudWatch Logs Insights queries written for Powertools work on them unchanged.

#include <string_view>

namespace cppstack::runtime::detail {

/// Writes {"level":...,"message":...,"timestamp":"<ISO 8601 UTC, ms>","service":"runtime"}
/// with a single write(2) so lines from several processes never interleave.
void log_line(std::string_view level, std::string_view message) noexcept;

inline void log_error(std::string_view message) noexcept { log_line("ERROR", message); }
inline void log_info(std::string_view message) noexcept { log_line("INFO", message); }

}  // namespace cppstack::runtime::detail

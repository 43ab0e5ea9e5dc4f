#pragma once
// A point in time as JSON carries it: an RFC 3339 string ("2024-05-01T12:30:00.250Z") read
// with any offset, written in UTC with milliseconds, and documented as OpenAPI's
// `format: date-time`. Use it as a member of a described struct, a query or path parameter.
//
//   struct Event { std::string name; cppstack::http::DateTime at; };
//   BOOST_DESCRIBE_STRUCT(Event, (), (name, at))
//   Event event{"deployed", cppstack::http::DateTime::now()};   // {"at":"2024-...Z"}

#include <chrono>
#include <compare>
#include <optional>
#include <string>
#include <string_view>

namespace cppstack::http {

struct DateTime {
  std::chrono::sys_time<std::chrono::milliseconds> time{};

  [[nodiscard]] static DateTime now();
  /// RFC 3339 date-time (JSON Schema's `date-time`): a date, `T` (or `t`), a time with optional
  /// fraction, and `Z` or an offset. std::nullopt for anything else, impossible dates included.
  [[nodiscard]] static std::optional<DateTime> parse(std::string_view text);
  /// UTC with milliseconds: 2024-05-01T12:30:00.250Z.
  [[nodiscard]] std::string text() const;

  friend auto operator<=>(const DateTime&, const DateTime&) = default;
};

}  // namespace cppstack::http

#include <cppstack/http/date_time.hpp>

#include <cstdio>

namespace cppstack::http {
namespace {

// Reads exactly `count` decimal digits at `position`, advancing it.
std::optional<int> digits(std::string_view text, std::size_t& position, std::size_t count) {
  if (position + count > text.size()) return std::nullopt;
  int value = 0;
  for (std::size_t index = 0; index < count; ++index) {
    const char character = text[position + index];
    if (character < '0' || character > '9') return std::nullopt;
    value = value * 10 + (character - '0');
  }
  position += count;
  return value;
}

bool expect(std::string_view text, std::size_t& position, std::string_view choices) {
  if (position >= text.size() || choices.find(text[position]) == std::string_view::npos) {
    return false;
  }
  ++position;
  return true;
}

}  // namespace

DateTime DateTime::now() {
  return {
      std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now())};
}

std::optional<DateTime> DateTime::parse(std::string_view text) {
  using namespace std::chrono;
  std::size_t position = 0;
  const auto year = digits(text, position, 4);
  if (!year || !expect(text, position, "-")) return std::nullopt;
  const auto month = digits(text, position, 2);
  if (!month || !expect(text, position, "-")) return std::nullopt;
  const auto day = digits(text, position, 2);
  if (!day || !expect(text, position, "Tt")) return std::nullopt;
  const auto hour = digits(text, position, 2);
  if (!hour || !expect(text, position, ":")) return std::nullopt;
  const auto minute = digits(text, position, 2);
  if (!minute || !expect(text, position, ":")) return std::nullopt;
  const auto second = digits(text, position, 2);
  if (!second) return std::nullopt;
  int milliseconds_part = 0;
  if (position < text.size() && text[position] == '.') {
    ++position;
    std::size_t fraction_digits = 0;
    while (position < text.size() && text[position] >= '0' && text[position] <= '9') {
      if (fraction_digits < 3) milliseconds_part = milliseconds_part * 10 + (text[position] - '0');
      ++fraction_digits;
      ++position;
    }
    if (fraction_digits == 0) return std::nullopt;
    for (std::size_t padding = fraction_digits; padding < 3; ++padding) milliseconds_part *= 10;
  }
  int offset_minutes = 0;
  if (expect(text, position, "Zz")) {
    // UTC
  } else if (position < text.size() && (text[position] == '+' || text[position] == '-')) {
    const int sign = text[position] == '-' ? -1 : 1;
    ++position;
    const auto offset_hour = digits(text, position, 2);
    if (!offset_hour || !expect(text, position, ":")) return std::nullopt;
    const auto offset_minute = digits(text, position, 2);
    if (!offset_minute || *offset_hour > 23 || *offset_minute > 59) return std::nullopt;
    offset_minutes = sign * (*offset_hour * 60 + *offset_minute);
  } else {
    return std::nullopt;
  }
  if (position != text.size()) return std::nullopt;
  const year_month_day date{std::chrono::year(*year),
                            std::chrono::month(static_cast<unsigned>(*month)),
                            std::chrono::day(static_cast<unsigned>(*day))};
  // RFC 3339 allows a leap second (:60); it is read as the last millisecond's next second.
  if (!date.ok() || *hour > 23 || *minute > 59 || *second > 60) return std::nullopt;
  const auto time = sys_days(date) + hours(*hour) + minutes(*minute) + seconds(*second) +
                    milliseconds(milliseconds_part) - minutes(offset_minutes);
  return DateTime{time_point_cast<milliseconds>(time)};
}

std::string DateTime::text() const {
  using namespace std::chrono;
  const auto day_start = floor<days>(time);
  const year_month_day date(day_start);
  const hh_mm_ss<milliseconds> clock(time - day_start);
  char buffer[40];
  const int length = std::snprintf(
      buffer, sizeof buffer, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<int>(date.year()),
      static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
      static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
      static_cast<int>(clock.seconds().count()), static_cast<int>(clock.subseconds().count()));
  return std::string(buffer, length > 0 ? static_cast<std::size_t>(length) : 0);
}

}  // namespace cppstack::http

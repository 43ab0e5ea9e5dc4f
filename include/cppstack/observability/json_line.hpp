#pragma once
// A small, allocation-light writer for one-line JSON objects (log lines, EMF records) on the
// per-request path, where building a boost::json::object would cost more than the request.
// Text is escaped as boost::json::serialize escapes it and repaired to valid UTF-8, so every
// line parses.
//
//   std::string line;
//   cppstack::observability::JsonLineWriter writer(line);
//   writer.string("level", "INFO");
//   writer.number("latency_ms", 0.42);
//   writer.close();   // "}\n"

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace cppstack::observability {

/// Appends `text` as a quoted JSON string, repaired to valid UTF-8.
void append_json_string(std::string& out, std::string_view text);
/// Appends the concatenation of `parts` as one quoted JSON string, byte for byte what
/// append_json_string() writes for the joined text, without joining them when no part needs
/// escaping: `append_json_string_concat(out, {method, " ", path})`.
void append_json_string_concat(std::string& out, std::initializer_list<std::string_view> parts);
/// Appends `value` with 15 significant digits; non-finite values become 0.
void append_json_number(std::string& out, double value);

class JsonLineWriter {
 public:
  explicit JsonLineWriter(std::string& out) : out_(out) { out_.push_back('{'); }

  /// Starts member `name` and returns the buffer, for a value written by hand.
  std::string& key(std::string_view name);
  void string(std::string_view name, std::string_view value);
  /// null when `value` is empty, as the Powertools keys are written.
  void string_or_null(std::string_view name, std::string_view value);
  void number(std::string_view name, double value);
  void integer(std::string_view name, std::int64_t value);
  void boolean(std::string_view name, bool value);
  /// Closes the object and ends the line.
  void close() { out_.append("}\n"); }

 private:
  std::string& out_;
  bool empty_ = true;
};

}  // namespace cppstack::observability

#include "http_exchange.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cppstack/aws/errors.hpp>

namespace cppstack::aws::detail {

namespace {

constexpr std::size_t kMaxHead = 64U << 10U;

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           const auto lower = [](char c) {
             return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
           };
           return lower(x) == lower(y);
         });
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r'))
    text.remove_suffix(1);
  return text;
}

[[noreturn]] void malformed(std::string_view what) {
  throw NetworkError("malformed HTTP answer: " + std::string(what));
}

/// Buffered reading from the connection, counting what arrived.
class Reader {
 public:
  Reader(Connection& connection, Clock::time_point deadline, std::size_t& received)
      : connection_(connection), deadline_(deadline), received_(received) {}

  /// Reads more into the buffer; false at the end of the stream.
  bool fill() {
    // Not zeroed first: the read fills what is used, and zeroing 16 KB cost more than the
    // rest of parsing a small answer.
    std::array<char, 16384> chunk;
    const std::size_t count = connection_.read_some(chunk.data(), chunk.size(), deadline_);
    if (count == 0) return false;
    received_ += count;
    buffer_.append(chunk.data(), count);
    return true;
  }

  /// The text up to (not including) `delimiter`, consumed with it; valid until the next
  /// call on this reader.
  std::string_view line_until(std::string_view delimiter, std::size_t limit) {
    for (;;) {
      const std::size_t found = buffer_.find(delimiter, offset_);
      if (found != std::string::npos) {
        const std::string_view out(buffer_.data() + offset_, found - offset_);
        offset_ = found + delimiter.size();
        return out;
      }
      if (buffer_.size() - offset_ > limit) malformed("head too long");
      if (!fill()) {
        if (received_ == 0) throw NetworkError("the connection was closed before an answer");
        malformed("truncated head");
      }
    }
  }

  void take(std::size_t count, std::string& out) {
    while (buffer_.size() - offset_ < count) {
      if (!fill()) malformed("truncated body");
    }
    out.append(buffer_, offset_, count);
    offset_ += count;
  }

  void take_all(std::string& out, std::size_t max) {
    do {
      out.append(buffer_, offset_);
      offset_ = 0;
      buffer_.clear();
      if (out.size() > max) malformed("body too large");
    } while (fill());
  }

 private:
  Connection& connection_;
  Clock::time_point deadline_;
  std::size_t& received_;
  std::string buffer_;
  std::size_t offset_ = 0;
};

std::size_t parse_size(std::string_view text, int base) {
  std::size_t value = 0;
  text = trim(text);
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (error != std::errc() || end == text.data()) malformed("bad length");
  return value;
}

void read_chunked(Reader& reader, std::string& body, std::size_t max_body) {
  for (;;) {
    const std::string_view line = reader.line_until("\r\n", 1024);
    const std::size_t size = parse_size(line.substr(0, line.find(';')), 16);
    if (size == 0) {
      while (!reader.line_until("\r\n", kMaxHead).empty()) {
      }
      return;
    }
    if (body.size() + size > max_body) malformed("body too large");
    reader.take(size, body);
    std::string end;
    reader.take(2, end);
    if (end != "\r\n") malformed("bad chunk");
  }
}

}  // namespace

bool iequals_ascii(std::string_view a, std::string_view b) { return iequals(a, b); }

std::string serialize(const HttpRequest& request, const std::vector<Header>& headers,
                      const std::string& host) {
  std::size_t size = 128 + request.method.size() + request.path.size() + request.query.size() +
                     host.size() + request.body.size();
  for (const auto& [name, value] : headers) size += name.size() + value.size() + 4;
  std::string out;
  out.reserve(size);
  out += request.method;
  out += ' ';
  out += request.path;
  if (!request.query.empty()) {
    out += '?';
    out += request.query;
  }
  out += " HTTP/1.1\r\nHost: ";
  out += host;
  out += "\r\n";
  for (const auto& [name, value] : headers) {
    if (iequals(name, "host")) continue;
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT") {
    out += "Content-Length: ";
    out += std::to_string(request.body.size());
    out += "\r\n";
  }
  out += "\r\n";
  out += request.body;
  return out;
}

Exchange read_response(Connection& connection, bool head_request, std::size_t max_body,
                       Clock::time_point deadline, std::size_t& received) {
  Reader reader(connection, deadline, received);
  Exchange exchange;
  exchange.response.headers.reserve(16);
  do {
    const std::string_view status_line = reader.line_until("\r\n", kMaxHead);
    if (!status_line.starts_with("HTTP/1.")) malformed("no status line");
    if (status_line.size() < 12) malformed("short status line");
    exchange.response.status = static_cast<int>(parse_size(status_line.substr(9, 3), 10));
    exchange.keep_alive = status_line[7] == '1';
    exchange.response.headers.clear();
    for (std::string_view line = reader.line_until("\r\n", kMaxHead); !line.empty();
         line = reader.line_until("\r\n", kMaxHead)) {
      const std::size_t colon = line.find(':');
      if (colon == std::string_view::npos || colon == 0) malformed("bad header line");
      exchange.response.headers.emplace_back(line.substr(0, colon), trim(line.substr(colon + 1)));
      if (exchange.response.headers.size() > 200) malformed("too many headers");
    }
  } while (exchange.response.status == 100);  // 100 Continue precedes the real answer

  const HttpResponse& response = exchange.response;
  if (const auto connection_header = response.header("connection");
      connection_header && iequals(*connection_header, "close"))
    exchange.keep_alive = false;
  const int status = response.status;
  if (head_request || status == 204 || status == 304 || (status >= 100 && status < 200))
    return exchange;
  const auto encoding = response.header("transfer-encoding");
  if (encoding && !iequals(*encoding, "identity")) {
    read_chunked(reader, exchange.response.body, max_body);
  } else if (const auto length = response.header("content-length")) {
    const std::size_t size = parse_size(*length, 10);
    if (size > max_body) malformed("body too large");
    reader.take(size, exchange.response.body);
  } else {
    exchange.keep_alive = false;
    reader.take_all(exchange.response.body, max_body);
  }
  return exchange;
}

}  // namespace cppstack::aws::detail

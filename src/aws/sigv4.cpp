// Signature Version 4, as AWS's "Create a signed AWS API request" describes it; checked
// against the aws4_testsuite vectors, botocore's signer and the emulator's verifier.
#include <cppstack/aws/sigv4.hpp>

#include <algorithm>
#include <ctime>
#include <optional>
#include <stdexcept>

#include "crypto.hpp"

namespace cppstack::aws {

namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

bool is_unreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// Percent-decoding of a query string component; a malformed escape is kept as it is.
std::string percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      const int high = hex_value(text[i + 1]);
      const int low = hex_value(text[i + 2]);
      if (high >= 0 && low >= 0) {
        out += static_cast<char>(high * 16 + low);
        i += 2;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

char to_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), to_lower);
  return out;
}

/// Appends `value` trimmed, each run of white space (line folds included) made one space.
void append_canonical_header_value(std::string& out, std::string_view value) {
  bool pending_space = false;
  bool started = false;
  for (const char c : value) {
    if (is_space(c)) {
      pending_space = started;
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    started = true;
    out += c;
  }
}

/// RFC 3986 dot-segment removal plus empty-segment collapsing, keeping a trailing slash.
std::string normalized_path(std::string_view path) {
  std::vector<std::string_view> segments;
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t end = std::min(path.find('/', start), path.size());
    const std::string_view segment = path.substr(start, end - start);
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!segment.empty() && segment != ".") {
      segments.push_back(segment);
    }
    start = end + 1;
  }
  std::string out;
  for (const auto segment : segments) {
    out += '/';
    out += segment;
  }
  if (out.empty() || (path.size() > 1 && path.back() == '/')) out += '/';
  return out;
}

std::string canonical_uri(std::string_view path, bool s3_path_rules) {
  if (path.empty() || path == "/") return "/";  // every JSON protocol call
  if (s3_path_rules) return std::string(path);
  return uri_encode(normalized_path(path), true);
}

std::string canonical_query(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> pairs;
  std::size_t start = 0;
  while (start < query.size()) {
    const std::size_t end = std::min(query.find('&', start), query.size());
    const std::string_view part = query.substr(start, end - start);
    if (!part.empty()) {
      const std::size_t equals = part.find('=');
      const std::string_view key = part.substr(0, equals);
      const std::string_view value =
          equals == std::string_view::npos ? std::string_view() : part.substr(equals + 1);
      pairs.emplace_back(uri_encode(percent_decode(key)), uri_encode(percent_decode(value)));
    }
    start = end + 1;
  }
  std::sort(pairs.begin(), pairs.end());
  std::string out;
  for (const auto& [key, value] : pairs) {
    if (!out.empty()) out += '&';
    out += key;
    out += '=';
    out += value;
  }
  return out;
}

struct CanonicalHeaders {
  std::string text;   ///< name:value lines
  std::string names;  ///< name;name
};

CanonicalHeaders canonical_headers(const std::vector<Header>& headers) {
  // Sorted by lower-case name with an insertion sort: a request has a handful of headers,
  // and the sort is stable, keeping repeated headers in the order given, for their values
  // are joined with commas in that order.
  std::vector<std::pair<std::string, std::string_view>> entries;
  entries.reserve(headers.size());
  for (const auto& [name, value] : headers) {
    entries.emplace_back(lower(name), value);
    for (std::size_t at = entries.size() - 1; at > 0 && entries[at].first < entries[at - 1].first;
         --at)
      std::swap(entries[at], entries[at - 1]);
  }
  CanonicalHeaders out;
  std::size_t text_size = 0;
  for (const auto& [name, value] : entries) text_size += name.size() + value.size() + 2;
  out.text.reserve(text_size);
  out.names.reserve(text_size);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const std::string& name = entries[i].first;
    const bool first_of_name = i == 0 || entries[i - 1].first != name;
    if (first_of_name) {
      if (i > 0) out.text += '\n';
      out.text += name;
      out.text += ':';
      if (!out.names.empty()) out.names += ';';
      out.names += name;
    } else {
      out.text += ',';
    }
    append_canonical_header_value(out.text, entries[i].second);
  }
  if (!entries.empty()) out.text += '\n';
  return out;
}

std::string credential_scope(const SigningScope& scope) {
  if (scope.amz_date.size() != 16) throw std::invalid_argument("X-Amz-Date must be 16 characters");
  std::string out(scope.amz_date.substr(0, 8));
  out += '/';
  out += scope.region;
  out += '/';
  out += scope.service;
  out += "/aws4_request";
  return out;
}

/// The derived signing key, ready to sign with; the last one is kept per thread, since it
/// changes once a day.
const detail::HmacSha256& signing_key(std::string_view secret, const SigningScope& scope) {
  struct Cached {
    std::string secret, date, region, service;
    std::optional<detail::HmacSha256> key;
  };
  thread_local Cached cached;
  const std::string_view date = scope.amz_date.substr(0, 8);
  if (!cached.key || cached.secret != secret || cached.date != date ||
      cached.region != scope.region || cached.service != scope.service) {
    const std::string date_key = detail::hmac_sha256("AWS4" + std::string(secret), date);
    const std::string region_key = detail::hmac_sha256(date_key, scope.region);
    const std::string service_key = detail::hmac_sha256(region_key, scope.service);
    cached.key.emplace(detail::hmac_sha256(service_key, "aws4_request"));
    cached.secret = secret;
    cached.date = date;
    cached.region = scope.region;
    cached.service = scope.service;
  }
  return *cached.key;
}

std::string string_to_sign(const SigningScope& scope, std::string_view canonical_request) {
  std::string out;
  out.reserve(160);
  out += kAlgorithm;
  out += '\n';
  out += scope.amz_date;
  out += '\n';
  out += credential_scope(scope);
  out += '\n';
  out += sha256_hex(canonical_request);
  return out;
}

std::string build_canonical_request(std::string_view method, std::string_view uri,
                                    std::string_view query, const CanonicalHeaders& headers,
                                    std::string_view payload_hash) {
  std::string out;
  out.reserve(method.size() + uri.size() + query.size() + headers.text.size() +
              headers.names.size() + payload_hash.size() + 5);
  out += method;
  out += '\n';
  out += uri;
  out += '\n';
  out += query;
  out += '\n';
  out += headers.text;
  out += '\n';
  out += headers.names;
  out += '\n';
  out += payload_hash;
  return out;
}

}  // namespace

std::string uri_encode(std::string_view bytes, bool keep_slash) {
  static constexpr std::string_view digits = "0123456789ABCDEF";
  std::string out;
  out.reserve(bytes.size());
  for (const char c : bytes) {
    if (is_unreserved(c) || (keep_slash && c == '/')) {
      out += c;
    } else {
      const auto value = static_cast<unsigned char>(c);
      out += '%';
      out += digits[value >> 4U];
      out += digits[value & 0x0FU];
    }
  }
  return out;
}

std::string sha256_hex(std::string_view bytes) {
  detail::Sha256 hash;
  hash.update(bytes);
  return detail::hex(hash.finish());
}

std::string amz_date(std::chrono::system_clock::time_point time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  // Calls come many to a second: the last second's text is kept per thread.
  thread_local std::time_t last_seconds = -1;
  thread_local std::string last_text;
  if (seconds == last_seconds) return last_text;
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  char text[17];
  if (std::strftime(text, sizeof text, "%Y%m%dT%H%M%SZ", &parts) != 16)
    throw std::runtime_error("cannot format X-Amz-Date");
  last_seconds = seconds;
  last_text = text;
  return last_text;
}

Signature sign(const RequestToSign& request, const Credentials& credentials,
               const SigningScope& scope) {
  CanonicalHeaders headers = canonical_headers(request.headers);
  Signature out;
  out.canonical_request =
      build_canonical_request(request.method, canonical_uri(request.path, scope.s3_path_rules),
                              canonical_query(request.query), headers, request.payload_hash);
  out.string_to_sign = string_to_sign(scope, out.canonical_request);
  out.signed_headers = std::move(headers.names);
  out.signature =
      detail::hex(signing_key(credentials.secret_access_key, scope).mac(out.string_to_sign));
  const std::string scope_text = credential_scope(scope);
  out.authorization.reserve(kAlgorithm.size() + credentials.access_key_id.size() +
                            scope_text.size() + out.signed_headers.size() + out.signature.size() +
                            40);
  out.authorization += kAlgorithm;
  out.authorization += " Credential=";
  out.authorization += credentials.access_key_id;
  out.authorization += '/';
  out.authorization += scope_text;
  out.authorization += ", SignedHeaders=";
  out.authorization += out.signed_headers;
  out.authorization += ", Signature=";
  out.authorization += out.signature;
  return out;
}

std::string presign_query(std::string_view method, std::string_view path, std::string_view host,
                          const Credentials& credentials, const SigningScope& scope,
                          std::chrono::seconds expires) {
  if (expires.count() < 1 || expires.count() > 604800)
    throw std::invalid_argument("a presigned URL lasts 1 second to 7 days");
  std::string query = "X-Amz-Algorithm=";
  query += kAlgorithm;
  query +=
      "&X-Amz-Credential=" + uri_encode(credentials.access_key_id + "/" + credential_scope(scope));
  query += "&X-Amz-Date=";
  query += scope.amz_date;
  query += "&X-Amz-Expires=" + std::to_string(expires.count());
  if (!credentials.session_token.empty())
    query += "&X-Amz-Security-Token=" + uri_encode(credentials.session_token);
  query += "&X-Amz-SignedHeaders=host";
  const RequestToSign request{.method = method,
                              .path = path,
                              .query = query,
                              .headers = {{"host", std::string(host)}},
                              .payload_hash = "UNSIGNED-PAYLOAD"};
  query += "&X-Amz-Signature=" + sign(request, credentials, scope).signature;
  return query;
}

}  // namespace cppstack::aws

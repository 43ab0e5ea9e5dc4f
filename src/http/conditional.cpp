#include <cppstack/http/conditional.hpp>

#include <cstring>
#include <memory>

namespace cppstack::http {
namespace {

// A fast non-cryptographic 64-bit hash (8 bytes per step, multiply and fold): an ETag has to
// change with the content, not resist an attacker, and it runs on every cacheable answer.
std::uint64_t body_hash(std::string_view bytes) {
  constexpr std::uint64_t multiplier = 0x9E3779B97F4A7C15ULL;
  std::uint64_t hash = 0xCBF29CE484222325ULL ^ (bytes.size() * multiplier);
  std::size_t index = 0;
  for (; index + 8 <= bytes.size(); index += 8) {
    std::uint64_t word = 0;
    std::memcpy(&word, bytes.data() + index, 8);
    hash = (hash ^ word) * multiplier;
    hash ^= hash >> 29;
  }
  std::uint64_t tail = 0;
  std::memcpy(&tail, bytes.data() + index, bytes.size() - index);
  hash = (hash ^ tail) * multiplier;
  hash ^= hash >> 32;
  hash *= 0xD6E8FEB86659FD93ULL;
  hash ^= hash >> 32;
  return hash;
}

void append_hex(std::string& out, std::uint64_t value) {
  static constexpr char digits[] = "0123456789abcdef";
  char text[16];
  int length = 0;
  do {
    text[length++] = digits[value & 0xf];
    value >>= 4;
  } while (value != 0);
  while (length > 0) out.push_back(text[--length]);
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::string_view opaque_tag(std::string_view tag) {
  if (tag.starts_with("W/")) tag.remove_prefix(2);
  return tag;
}

struct RouteCaching {
  std::string path;
  std::string cache_control;
};

bool is_cacheable_method(std::string_view method) { return method == "GET" || method == "HEAD"; }

// The ETag of `body`, remembered for the last body of this thread: an answer that only
// changes with a deployment (GET /v1/metadata) is hashed once, then compared. Bodies above
// the limit are hashed every time, so what is kept stays small.
std::string memoized_etag(std::string_view body) {
  constexpr std::size_t largest_remembered = std::size_t{16} * 1024;
  if (body.size() > largest_remembered) return strong_etag(body);
  thread_local std::string last_body;
  thread_local std::string last_etag;  // empty until the first body: a tag is never empty
  if (last_etag.empty() || body != last_body) {
    last_etag = strong_etag(body);
    last_body.assign(body);
  }
  return last_etag;
}

}  // namespace

std::string strong_etag(std::string_view body) {
  std::string tag;
  tag.reserve(36);
  tag.push_back('"');
  append_hex(tag, body.size());
  tag.push_back('-');
  append_hex(tag, body_hash(body));
  tag.push_back('"');
  return tag;
}

bool if_none_match_matches(std::string_view if_none_match, std::string_view etag) {
  if (trim(if_none_match) == "*") return true;
  const std::string_view wanted = opaque_tag(etag);
  while (!if_none_match.empty()) {
    const std::size_t comma = if_none_match.find(',');
    const std::string_view candidate = trim(if_none_match.substr(0, comma));
    if (!candidate.empty() && opaque_tag(candidate) == wanted) return true;
    if (comma == std::string_view::npos) break;
    if_none_match.remove_prefix(comma + 1);
  }
  return false;
}

std::string cache_control_for(const RouteSettings& settings) {
  if (settings.cache_ttl_seconds <= 0) return "no-cache";
  // A shared cache must not hand one caller's answer to another when the route authenticates.
  return std::string(settings.auth == AuthMode::none ? "public" : "private") +
         ", max-age=" + std::to_string(settings.cache_ttl_seconds);
}

Middleware conditional_get_middleware(const std::vector<Route>& routes) {
  auto caching = std::make_shared<std::vector<RouteCaching>>();
  for (const Route& route : routes) {
    if (route.method == "GET" || route.method == "HEAD" || route.method == "ANY") {
      caching->push_back({route.path, cache_control_for(route.settings)});
    }
  }
  return [caching](Request& request, const Next& next) {
    events::ProxyResponse response = next(request);
    if (response.status_code != 200 || request.route_template == nullptr ||
        !is_cacheable_method(request.event.http_method)) {
      return response;
    }
    const RouteCaching* route = nullptr;
    for (const RouteCaching& candidate : *caching) {
      if (candidate.path == *request.route_template) {
        route = &candidate;
        break;
      }
    }
    if (route == nullptr) return response;
    // A handler that sets its own validator or caching keeps them.
    auto etag = response.headers.try_emplace("ETag").first;
    if (etag->second.empty()) etag->second = memoized_etag(response.body);
    response.headers.try_emplace("Cache-Control", route->cache_control);
    // Several If-None-Match lines are one list (RFC 9110 sections 5.3 and 13.1.2).
    const auto if_none_match = request.event.header_list("If-None-Match");
    if (!if_none_match || !if_none_match_matches(*if_none_match, etag->second)) return response;
    events::ProxyResponse not_modified;
    not_modified.status_code = 304;
    for (const char* kept : {"ETag", "Cache-Control", "Vary"}) {
      if (auto found = response.headers.find(kept); found != response.headers.end()) {
        not_modified.headers.emplace(found->first, std::move(found->second));
      }
    }
    return not_modified;
  };
}

}  // namespace cppstack::http

#include <algorithm>
#include <boost/beast/core/string.hpp>
#include <cppstack/events/base64.hpp>
#include <cppstack/local/gateway_event.hpp>
#include <cppstack/observability/utf8.hpp>
#include <ctime>
#include <random>

#include "query_string.hpp"

namespace cppstack::local {
namespace {

// Header names and media types compare case-insensitively (ASCII), as HTTP defines.
bool iequals(std::string_view a, std::string_view b) { return boost::beast::iequals(a, b); }

std::mt19937_64& random_engine() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return engine;
}

// Short stable identifiers shaped like API Gateway's (resource ids, API key ids).
std::string stable_id(std::string_view seed, std::size_t length) {
  static constexpr std::string_view alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::uint64_t hash = 1469598103934665603ULL;  // FNV-1a
  for (const char c : seed) hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  std::string id;
  for (std::size_t i = 0; i < length; ++i) {
    id.push_back(alphabet[hash % alphabet.size()]);
    hash /= alphabet.size();
    if (hash == 0) hash = 0x9e3779b97f4a7c15ULL + i;
  }
  return id;
}

void set_header(events::StringMap& headers, events::MultiValueMap& multi, std::string_view name,
                std::string value) {
  for (auto& [existing, values] : multi) {
    if (iequals(existing, name)) {
      values.assign(1, value);
      headers[existing] = std::move(value);
      return;
    }
  }
  multi[std::string(name)] = {value};
  headers[std::string(name)] = std::move(value);
}

std::optional<std::string> find_header(const HttpRequestParts& request, std::string_view name) {
  const auto found = last_header_value(request.headers, name);
  return found ? std::optional<std::string>(*found) : std::nullopt;
}

void add_query(events::StringMap& single, events::MultiValueMap& multi, std::string key,
               std::string value) {
  single[key] = value;
  multi[std::move(key)].push_back(std::move(value));
}

// The event's query parameters: the one parser the SigV4 check uses too (query_string.hpp),
// each key and value then made valid UTF-8.
void parse_query_string(std::string_view query, events::StringMap& single,
                        events::MultiValueMap& multi) {
  for (auto& [key, value] : query_parameters(query)) {
    add_query(single, multi, to_event_text(key), to_event_text(value));
  }
}

// Request headers a Lambda proxy integration never receives: the request column of the
// header table in "Amazon API Gateway important notes" (REST APIs), `lambda` integration
// (Connection, Content-MD5, Expect, Max-Forwards, Proxy-Authenticate, Server, TE, Trailer,
// Upgrade, WWW-Authenticate dropped; Transfer-Encoding is an "Exception" there), plus
// Content-Length, which recorded events never carry. X-Amzn-Trace-Id is replaced by the
// gateway's own below.
bool is_dropped_request_header(std::string_view name) {
  static constexpr std::string_view dropped[] = {
      "Connection",     "Content-Length",     "Content-MD5", "Expect",
      "Max-Forwards",   "Proxy-Authenticate", "Server",      "TE",
      "Trailer",        "Transfer-Encoding",  "Upgrade",     "WWW-Authenticate",
      "X-Amzn-Trace-Id"};
  for (const std::string_view candidate : dropped) {
    if (iequals(name, candidate)) return true;
  }
  return false;
}

// "The Authorization header is dropped if it contains a Signature Version 4 signature"
// (footnote of the same table).
bool is_sigv4_authorization(std::string_view name, std::string_view value) {
  return iequals(name, "Authorization") && value.rfind("AWS4-HMAC-SHA256", 0) == 0;
}

// A header's name in the event: as the client spelt it ("tEsT-HEADeR"), but for Authorization,
// which API Gateway spells its own way whatever the client sent ("authorization" and
// "aUThorization" both arrive as "Authorization": recorded from AWS, LocalStack's
// test_lambda_aws_proxy_integration).
std::string event_header_name(std::string_view raw_name) {
  if (iequals(raw_name, "Authorization")) return "Authorization";
  return to_event_text(raw_name);
}

// The deployment every request of this emulator run belongs to.
const std::string& process_deployment_id() {
  static const std::string id = [] {
    static constexpr std::string_view alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    std::string text;
    for (int i = 0; i < 6; ++i) text.push_back(alphabet[random_engine()() % alphabet.size()]);
    return text;
  }();
  return id;
}

}  // namespace

std::optional<std::string_view> last_header_value(
    const std::vector<std::pair<std::string, std::string>>& headers, std::string_view name) {
  std::optional<std::string_view> found;
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) found = value;
  }
  return found;
}

bool body_is_binary(const std::vector<std::pair<std::string, std::string>>& headers,
                    const GatewaySettings& settings) {
  const auto content_type = last_header_value(headers, "Content-Type");
  return content_type && is_binary_media_type(*content_type, settings.binary_media_types);
}

std::size_t least_event_body_bytes(std::string_view body, bool binary) {
  if (binary) return (body.size() + 2) / 3 * 4;
  // Every byte is written at least once; a quote, a backslash and a control character take
  // an escape (two bytes or more), a byte that is not UTF-8 three (U+FFFD).
  std::size_t least = body.size();
  for (const char c : body) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte == '"' || byte == '\\' || byte < 0x20) ++least;
  }
  return least;
}

std::vector<std::string_view> header_values(
    const std::vector<std::pair<std::string, std::string>>& headers, std::string_view name) {
  std::vector<std::string_view> values;
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) values.emplace_back(value);
  }
  return values;
}

std::string to_event_text(std::string_view bytes) { return observability::to_valid_utf8(bytes); }

std::string new_trace_id(std::chrono::system_clock::time_point time) {
  // X-Ray's format: Root=1-<epoch seconds, 8 hex>-<96 random bits, 24 hex>.
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch());
  char text[48];
  std::snprintf(text, sizeof text, "Root=1-%08llx-%08llx%016llx",
                static_cast<unsigned long long>(seconds.count()) & 0xffffffffULL,
                static_cast<unsigned long long>(random_engine()() & 0xffffffffULL),
                static_cast<unsigned long long>(random_engine()()));
  return text;
}

std::optional<std::string> trace_root(std::string_view trace_header) {
  const std::size_t start = trace_header.find("Root=1-");
  if (start == std::string_view::npos) return std::nullopt;
  const std::string_view root = trace_header.substr(start, 7 + 8 + 1 + 24);
  const auto is_hex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); };
  if (root.size() != 40 || root[15] != '-') return std::nullopt;
  for (std::size_t i = 7; i < root.size(); ++i) {
    if (i != 15 && !is_hex(root[i])) return std::nullopt;
  }
  const std::size_t end = start + root.size();
  if (end != trace_header.size() && trace_header[end] != ';') return std::nullopt;
  return std::string(root);
}

RequestIdentifiers RequestIdentifiers::fresh() {
  std::string extended(11, '\0');
  for (auto& c : extended) c = static_cast<char>(random_engine()() & 0xff);
  const auto now = std::chrono::system_clock::now();
  return RequestIdentifiers{random_uuid(), events::base64_encode(extended), now, new_trace_id(now)};
}

std::string_view without_extra_leading_slashes(std::string_view path) {
  while (path.size() > 1 && path[0] == '/' && path[1] == '/') path.remove_prefix(1);
  return path;
}

std::optional<std::string> stage_relative_path(std::string_view target, std::string_view stage) {
  const std::size_t query = target.find('?');
  // "//prod/items" is stage prod, path "/items" (recorded from AWS: LocalStack's
  // test_lambda_aws_proxy_integration, "invocation-payload-with-prepended-slash-to-stage").
  std::string_view path = without_extra_leading_slashes(target.substr(0, query));
  if (path.size() < stage.size() + 1 || path.front() != '/') return std::nullopt;
  if (path.substr(1, stage.size()) != stage) return std::nullopt;
  path.remove_prefix(stage.size() + 1);
  if (path.empty()) return std::string("/");
  if (path.front() != '/') return std::nullopt;  // /prodution is not stage prod
  return std::string(path);
}

bool is_binary_media_type(std::string_view media_type,
                          const std::vector<std::string>& binary_media_types) {
  media_type = media_type.substr(0, media_type.find(';'));
  media_type = media_type.substr(0, media_type.find(','));
  while (!media_type.empty() && media_type.back() == ' ') media_type.remove_suffix(1);
  while (!media_type.empty() && media_type.front() == ' ') media_type.remove_prefix(1);
  if (media_type.empty()) return false;
  const std::size_t slash = media_type.find('/');
  const std::string_view type = media_type.substr(0, slash);
  const std::string_view subtype =
      slash == std::string_view::npos ? std::string_view() : media_type.substr(slash + 1);
  for (const auto& pattern_text : binary_media_types) {
    const std::string_view pattern = pattern_text;
    const std::size_t pattern_slash = pattern.find('/');
    const std::string_view pattern_type = pattern.substr(0, pattern_slash);
    const std::string_view pattern_subtype = pattern_slash == std::string_view::npos
                                                 ? std::string_view()
                                                 : pattern.substr(pattern_slash + 1);
    const bool type_ok = pattern_type == "*" || iequals(pattern_type, type);
    const bool subtype_ok = pattern_subtype == "*" || iequals(pattern_subtype, subtype);
    if (type_ok && subtype_ok) return true;
  }
  return false;
}

std::string format_request_time(std::chrono::system_clock::time_point time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char text[40];
  std::snprintf(text, sizeof text, "%02d/%s/%04d:%02d:%02d:%02d +0000", utc.tm_mday,
                months[utc.tm_mon], utc.tm_year + 1900, utc.tm_hour, utc.tm_min, utc.tm_sec);
  return text;
}

std::string random_uuid() {
  auto& engine = random_engine();
  const std::uint64_t high = (engine() & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;
  const std::uint64_t low = (engine() & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
  char text[37];
  std::snprintf(text, sizeof text, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(high >> 32),
                static_cast<unsigned>((high >> 16) & 0xffff), static_cast<unsigned>(high & 0xffff),
                static_cast<unsigned>(low >> 48),
                static_cast<unsigned long long>(low & 0xffffffffffffULL));
  return text;
}

events::ProxyEvent build_proxy_event(HttpRequestParts request, const RouteMatch& match,
                                     const GatewaySettings& settings,
                                     const RequestIdentifiers& identifiers,
                                     const std::optional<std::string>& api_key) {
  events::ProxyEvent event;
  const std::string_view target = request.target;
  const std::size_t question = target.find('?');
  const std::string_view full_path = target.substr(0, question);

  event.resource = match.route->path;
  // `path` starts with one slash ("/prod//items" gives "/items"), while requestContext.path is
  // the path as sent ("/prod//items"), but for the slashes before the stage ("//prod/items"
  // gives "/prod/items"). Both recorded from AWS (LocalStack's test_lambda_aws_proxy_integration,
  // "invocation-payload-with-prepended-slash", "...-to-stage", "invocation-hardcoded").
  event.path = to_event_text(without_extra_leading_slashes(
      stage_relative_path(full_path, settings.stage).value_or(std::string(full_path))));
  event.http_method = request.method;

  events::StringMap headers;
  events::MultiValueMap multi_headers;
  for (auto& [raw_name, raw_value] : request.headers) {
    if (is_dropped_request_header(raw_name) || is_sigv4_authorization(raw_name, raw_value)) {
      continue;
    }
    std::string name = event_header_name(raw_name);
    std::string value = to_event_text(raw_value);
    headers[name] = value;
    multi_headers[std::move(name)].push_back(std::move(value));
  }
  // API Gateway adds the forwarding headers to what the client sent.
  const auto forwarded_for = find_header(request, "X-Forwarded-For");
  set_header(headers, multi_headers, "X-Forwarded-For",
             forwarded_for ? *forwarded_for + ", " + request.source_ip : request.source_ip);
  set_header(headers, multi_headers, "X-Forwarded-Port", std::to_string(request.local_port));
  set_header(headers, multi_headers, "X-Forwarded-Proto", "http");
  // Tracing is on in the deployed stage: the gateway passes its trace header on.
  set_header(headers, multi_headers, "X-Amzn-Trace-Id", identifiers.trace_id);
  event.headers = std::move(headers);
  event.multi_value_headers = std::move(multi_headers);

  if (question != std::string_view::npos && question + 1 < target.size()) {
    events::StringMap single;
    events::MultiValueMap multi;
    parse_query_string(target.substr(question + 1), single, multi);
    if (!single.empty()) {
      event.query_string_parameters = std::move(single);
      event.multi_value_query_string_parameters = std::move(multi);
    }
  }
  if (!match.path_parameters.empty()) {
    events::StringMap parameters;
    for (const auto& [name, value] : match.path_parameters) parameters[name] = to_event_text(value);
    event.path_parameters = std::move(parameters);
  }
  event.stage_variables = settings.stage_variables;

  auto& context = event.request_context;
  context.account_id = settings.account_id;
  context.api_id = settings.api_id;
  context.resource_id = stable_id(match.route->path, 6);
  context.resource_path = match.route->path;
  context.http_method = request.method;
  context.stage = settings.stage;
  context.request_id = identifiers.request_id;
  context.extended_request_id = identifiers.extended_request_id;
  context.path = to_event_text(without_extra_leading_slashes(full_path));
  context.deployment_id =
      settings.deployment_id.empty() ? process_deployment_id() : settings.deployment_id;
  context.protocol = request.protocol;
  context.request_time = format_request_time(identifiers.received_at);
  context.request_time_epoch = std::chrono::duration_cast<std::chrono::milliseconds>(
                                   identifiers.received_at.time_since_epoch())
                                   .count();
  std::string host = find_header(request, "Host").value_or("localhost");
  if (const auto colon = host.rfind(':');
      colon != std::string::npos && host.find(']') == std::string::npos) {
    host.resize(colon);
  }
  host = to_event_text(host);
  context.domain_prefix = host.substr(0, host.find('.'));
  context.domain_name = std::move(host);
  context.identity.source_ip = request.source_ip;
  if (auto agent = find_header(request, "User-Agent")) {
    context.identity.user_agent = to_event_text(*agent);
  }
  if (api_key) {
    context.identity.api_key = to_event_text(*api_key);
    context.identity.api_key_id = stable_id(*api_key, 10);
  }

  if (!request.body.empty()) {
    if (body_is_binary(request.headers, settings)) {
      event.body = events::base64_encode(request.body);
      event.is_base64_encoded = true;
    } else {
      // A text body is read as UTF-8: bytes that are not UTF-8 become U+FFFD (see
      // docs/local.md, "Known differences", for what is known of AWS here).
      const bool ascii = std::all_of(request.body.begin(), request.body.end(),
                                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
      event.body = ascii ? std::move(request.body) : to_event_text(request.body);
    }
  }
  return event;
}

}  // namespace cppstack::local

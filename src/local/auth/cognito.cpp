#include "cognito.hpp"

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>
#include <cmath>
#include <ctime>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <utility>

#include "crypto.hpp"

namespace cppstack::local::auth {
namespace {

namespace beast = boost::beast;
namespace asio = boost::asio;

// JWKS documents are small; a bigger answer is not one.
constexpr std::size_t max_jwks_bytes = std::size_t{1024} * 1024;

std::string fetch_loopback(const std::string& url) {
  const auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed || parsed->scheme() != "http") {
    throw JwksError("JWKS URL must be http:// on a loopback address, got " + url);
  }
  const std::string host(parsed->host_address());
  const std::string port = parsed->has_port() ? std::string(parsed->port()) : "80";
  asio::io_context io;
  asio::ip::tcp::resolver resolver(io);
  boost::system::error_code error;
  const auto endpoints = resolver.resolve(host, port, error);
  if (error) throw JwksError("cannot resolve " + host + ": " + error.message());
  for (const auto& entry : endpoints) {
    if (!entry.endpoint().address().is_loopback()) {
      throw JwksError("JWKS URL must name a loopback address (127.0.0.1, [::1], localhost), got " +
                      url);
    }
  }
  // Asynchronous operations, because a tcp_stream's deadline applies to those only: connect,
  // request and answer together take at most 5 s, however the server behaves.
  beast::tcp_stream stream(io);
  stream.expires_after(std::chrono::seconds(5));
  std::string target(parsed->encoded_target());
  if (target.empty()) target = "/";
  beast::http::request<beast::http::empty_body> request{beast::http::verb::get, target, 11};
  request.set(beast::http::field::host, host);
  beast::flat_buffer buffer;
  beast::http::response_parser<beast::http::string_body> parser;
  parser.body_limit(max_jwks_bytes);
  const auto on_read = [&error](boost::system::error_code failure, std::size_t) {
    error = failure;
  };
  const auto on_written = [&](boost::system::error_code failure, std::size_t) {
    error = failure;
    if (!failure) beast::http::async_read(stream, buffer, parser, on_read);
  };
  stream.async_connect(endpoints, [&](boost::system::error_code failure, const auto&) {
    error = failure;
    if (!failure) beast::http::async_write(stream, request, on_written);
  });
  io.run();
  if (error) throw JwksError("cannot read " + url + ": " + error.message());
  if (parser.get().result_int() != 200) {
    throw JwksError(url + " answered " + std::to_string(parser.get().result_int()));
  }
  return parser.get().body();
}

std::string read_file(const std::string& path) {
  std::ifstream input(path, std::ios::binary);
  if (!input) throw JwksError("cannot read JWKS file " + path);
  std::ostringstream text;
  text << input.rdbuf();
  return text.str();
}

std::optional<boost::json::object> decode_json_part(std::string_view part) {
  const auto decoded = base64url_decode(part);
  if (!decoded) return std::nullopt;
  boost::system::error_code error;
  auto value = boost::json::parse(*decoded, error);
  if (error || !value.is_object()) return std::nullopt;
  return std::move(value.as_object());
}

std::string string_member(const boost::json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  return value != nullptr && value->is_string() ? std::string(value->as_string()) : std::string();
}

std::string claim_text(const boost::json::value& value) {
  switch (value.kind()) {
    case boost::json::kind::string:
      return std::string(value.get_string());
    case boost::json::kind::bool_:
      return value.get_bool() ? "true" : "false";
    case boost::json::kind::array: {
      std::string joined;
      for (const auto& item : value.get_array()) {
        if (!joined.empty()) joined.push_back(',');
        joined += claim_text(item);
      }
      return joined;
    }
    case boost::json::kind::null:
      return "null";
    default:
      return boost::json::serialize(value);
  }
}

// A NumericDate claim as a number of seconds; any JSON number (3600.5, 1e300, 2^64-1).
std::optional<double> numeric_date(const boost::json::object& payload, std::string_view name) {
  const auto* value = payload.if_contains(name);
  if (value == nullptr || !value->is_number()) return std::nullopt;
  return value->to_number<double>();
}

// The dates claim_date writes: 1970 to the end of year 9999; others are shown as written.
constexpr std::int64_t min_claim_date_seconds = 0;
constexpr std::int64_t max_claim_date_seconds = 253402300799;

CognitoVerdict refuse(std::string reason) {
  return {std::nullopt, std::move(reason), CognitoRefusal::unauthorized};
}

bool is_url(std::string_view source) {
  return source.starts_with("http://") || source.starts_with("https://");
}

// The method's scopes against the token's space-separated scope claim: one in common is
// enough ("The method invocation is authorized if any method scopes matches a claimed scope in
// the access token", AuthorizationScopes of AWS::ApiGateway::Method in the CloudFormation
// reference).
bool holds_any_scope(std::string_view claimed, const std::vector<std::string>& wanted) {
  while (!claimed.empty()) {
    const std::size_t space = claimed.find(' ');
    const std::string_view scope = claimed.substr(0, space);
    if (!scope.empty() && std::find(wanted.begin(), wanted.end(), scope) != wanted.end()) {
      return true;
    }
    if (space == std::string_view::npos) break;
    claimed.remove_prefix(space + 1);
  }
  return false;
}

}  // namespace

std::shared_ptr<JwksKeys> JwksKeys::load(const std::string& file_or_url, JwksRefetchPolicy policy) {
  return std::make_shared<JwksKeys>(file_or_url, load_jwks(file_or_url), policy);
}

std::shared_ptr<JwksKeys> JwksKeys::load_in_background(const std::string& file_or_url,
                                                       JwksRefetchPolicy policy) {
  auto keys = std::make_shared<JwksKeys>(file_or_url, std::vector<JsonWebKey>{}, policy);
  const std::lock_guard lock(keys->mutex_);
  keys->start_read();
  return keys;
}

JwksKeys::JwksKeys(std::string source, std::vector<JsonWebKey> keys, JwksRefetchPolicy policy)
    : source_(std::move(source)),
      refetchable_(is_url(source_)),
      policy_(policy),
      keys_(std::move(keys)),
      last_read_(std::chrono::steady_clock::now()) {}

std::optional<JsonWebKey> JwksKeys::known(std::string_view key_id) const {
  const auto key = std::find_if(keys_.begin(), keys_.end(), [&key_id](const JsonWebKey& known) {
    return known.key_id == key_id;
  });
  if (key == keys_.end()) return std::nullopt;
  return *key;
}

KeyLookup JwksKeys::lookup(std::string_view key_id, bool may_read) {
  const std::lock_guard lock(mutex_);
  if (auto key = known(key_id)) return {std::move(key), false};
  // The second look (after a read) never waits again, so a flood of reads cannot defer one
  // request forever.
  if (!may_read || !refetchable_) return {};
  if (reading_) return {std::nullopt, true};
  if (std::chrono::steady_clock::now() - last_read_ < policy_.min_interval) return {};
  start_read();
  return {std::nullopt, true};
}

// Called with mutex_ held. The thread holds the keys it fills; it ends by the read's deadline
// (5 s) at the latest.
void JwksKeys::start_read() {
  reading_ = true;
  last_read_ = std::chrono::steady_clock::now();
  std::thread([self = shared_from_this()] { self->read(); }).detach();
}

void JwksKeys::when_read(std::function<void()> done) {
  {
    const std::lock_guard lock(mutex_);
    if (reading_) {
      waiting_.push_back(std::move(done));
      return;
    }
  }
  done();
}

void JwksKeys::read() {
  std::vector<JsonWebKey> keys;
  std::string error;
  try {
    keys = load_jwks(source_);
  } catch (const JwksError& failure) {
    error = failure.what();
  }
  std::vector<std::function<void()>> waiting;
  {
    const std::lock_guard lock(mutex_);
    if (error.empty()) keys_ = std::move(keys);
    last_error_ = std::move(error);
    ++refetches_;
    reading_ = false;
    waiting.swap(waiting_);
  }
  for (auto& done : waiting) done();
}

int JwksKeys::refetches() const {
  const std::lock_guard lock(mutex_);
  return refetches_;
}

std::string JwksKeys::last_error() const {
  const std::lock_guard lock(mutex_);
  return last_error_;
}

std::vector<JsonWebKey> parse_jwks(std::string_view json) {
  boost::system::error_code error;
  const auto document = boost::json::parse(json, error);
  if (error || !document.is_object() || !document.as_object().contains("keys") ||
      !document.at("keys").is_array()) {
    throw JwksError("a JWKS is a JSON object with a \"keys\" array");
  }
  std::vector<JsonWebKey> keys;
  for (const auto& entry : document.at("keys").as_array()) {
    if (!entry.is_object()) continue;
    const auto& key = entry.as_object();
    if (string_member(key, "kty") != "RSA") continue;
    const auto modulus = base64url_decode(string_member(key, "n"));
    const auto exponent = base64url_decode(string_member(key, "e"));
    if (!modulus || !exponent || modulus->empty() || exponent->empty()) {
      throw JwksError("JWKS key " + string_member(key, "kid") + " has a bad n or e");
    }
    keys.push_back({string_member(key, "kid"), *modulus, *exponent});
  }
  if (keys.empty()) throw JwksError("the JWKS has no RSA key");
  return keys;
}

std::vector<JsonWebKey> load_jwks(const std::string& file_or_url) {
  if (file_or_url.starts_with("http://") || file_or_url.starts_with("https://")) {
    return parse_jwks(fetch_loopback(file_or_url));
  }
  return parse_jwks(read_file(file_or_url));
}

UserPoolReference parse_user_pool(std::string_view id_or_arn) {
  // The rule of infra/lib/config.ts (COGNITO_USER_POOL_ID), with its message; the region of an
  // ARN must be the one its pool id starts with (tests/fixtures/env/cases.json, "userPools").
  static const std::regex pattern(
      R"(^(arn:aws[a-z-]*:cognito-idp:([a-z]{2}(-[a-z]+)+-\d):\d{12}:userpool/)?(([a-z]{2}(-[a-z]+)+-\d)_[0-9A-Za-z]+)$)");
  const std::string text(id_or_arn);
  std::smatch parts;
  if (!std::regex_match(text, parts, pattern)) {
    throw std::invalid_argument(
        "COGNITO_USER_POOL_ID: must be a Cognito user pool id such as eu-west-1_AbCdEf123, or "
        "the pool's ARN when it is in another account, got '" +
        text + "'");
  }
  UserPoolReference reference{.region = parts[5].str(), .id = parts[4].str()};
  if (parts[2].matched && parts[2].str() != reference.region) {
    throw std::invalid_argument("COGNITO_USER_POOL_ID: the ARN's region " + parts[2].str() +
                                " is not the region of its pool id " + reference.id + ", got '" +
                                text + "'");
  }
  return reference;
}

std::string cognito_issuer(std::string_view region, std::string_view user_pool_id) {
  return "https://cognito-idp." + std::string(region) + ".amazonaws.com/" +
         std::string(user_pool_id);
}

std::string claim_date(std::int64_t seconds) {
  const auto time = static_cast<std::time_t>(seconds);
  std::tm utc{};
  gmtime_r(&time, &utc);
  char text[40];
  std::strftime(text, sizeof text, "%a %b %d %H:%M:%S UTC %Y", &utc);
  return text;
}

boost::json::object authorizer_claims(const boost::json::object& payload) {
  boost::json::object claims;
  for (const auto& [name, value] : payload) {
    const auto seconds =
        (name == "exp" || name == "iat") ? numeric_date(payload, name) : std::optional<double>();
    if (seconds && *seconds >= double(min_claim_date_seconds) &&
        *seconds <= double(max_claim_date_seconds)) {
      claims[name] = claim_date(static_cast<std::int64_t>(std::floor(*seconds)));
    } else {
      claims[name] = claim_text(value);
    }
  }
  return claims;
}

CognitoVerdict CognitoAuthorizer::verify(std::string_view authorization, std::int64_t now_seconds,
                                         const std::vector<std::string>& scopes,
                                         bool may_read) const {
  std::optional<boost::json::object> payload = cached(authorization, now_seconds);
  if (!payload) {
    CognitoVerdict verdict = verify_token(authorization, now_seconds, may_read);
    if (!verdict.claims) return verdict;
    payload = std::move(verdict.claims);
    remember(authorization, *payload, now_seconds);
  }
  return check_use_and_scopes(*payload, scopes);
}

std::optional<boost::json::object> CognitoAuthorizer::cached(std::string_view authorization,
                                                             std::int64_t now_seconds) const {
  if (settings_.result_ttl_seconds <= 0) return std::nullopt;
  const std::lock_guard lock(cache_mutex_);
  const auto entry = cache_.find(authorization);
  if (entry == cache_.end() || entry->second.until <= now_seconds) return std::nullopt;
  return entry->second.payload;
}

void CognitoAuthorizer::remember(std::string_view authorization, const boost::json::object& payload,
                                 std::int64_t now_seconds) const {
  if (settings_.result_ttl_seconds <= 0) return;
  const std::lock_guard lock(cache_mutex_);
  if (cache_.size() >= max_cached_results) {
    std::erase_if(cache_,
                  [now_seconds](const auto& entry) { return entry.second.until <= now_seconds; });
    // Still full of live entries: start over rather than let tokens grow the cache without
    // bound (a forgotten result only costs one more verification).
    if (cache_.size() >= max_cached_results) cache_.clear();
  }
  cache_.insert_or_assign(std::string(authorization),
                          CachedResult{payload, now_seconds + settings_.result_ttl_seconds});
}

// The method's needs, checked on every request, cached token or not: the cache holds what the
// token proved, and two methods of one authorizer may want different token types or scopes.
CognitoVerdict CognitoAuthorizer::check_use_and_scopes(const boost::json::object& payload,
                                                       const std::vector<std::string>& scopes) {
  const std::string token_use = string_member(payload, "token_use");
  if (scopes.empty()) {
    // "If you do not configure any authorization scopes, API Gateway treats the supplied token
    // as an identity token" (apigateway-enable-cognito-user-pool.html): an access token is 401.
    if (token_use != "id") return refuse("the method has no scopes: it wants an ID token");
  } else {
    if (token_use != "access") return refuse("the method has scopes: it wants an access token");
    if (!holds_any_scope(string_member(payload, "scope"), scopes)) {
      return refuse("the access token has none of the method's scopes");
    }
  }
  return {authorizer_claims(payload), {}};
}

CognitoVerdict CognitoAuthorizer::verify_token(std::string_view authorization,
                                               std::int64_t now_seconds, bool may_read) const {
  if (authorization.starts_with("Bearer ")) authorization.remove_prefix(7);
  if (authorization.empty()) return refuse("no token in the Authorization header");
  const std::size_t first_dot = authorization.find('.');
  const std::size_t second_dot = authorization.find('.', first_dot + 1);
  if (first_dot == std::string_view::npos || second_dot == std::string_view::npos ||
      authorization.find('.', second_dot + 1) != std::string_view::npos) {
    return refuse("the token is not a JWT");
  }
  const auto header = decode_json_part(authorization.substr(0, first_dot));
  const auto payload =
      decode_json_part(authorization.substr(first_dot + 1, second_dot - first_dot - 1));
  const auto signature = base64url_decode(authorization.substr(second_dot + 1));
  if (!header || !payload || !signature) return refuse("the token is not a readable JWT");
  if (string_member(*header, "alg") != "RS256") return refuse("the token is not signed RS256");
  const std::string key_id = string_member(*header, "kid");
  const KeyLookup found = settings_.keys->lookup(key_id, may_read);
  if (found.reading) {
    return {std::nullopt, "the user pool's keys are being read", CognitoRefusal::keys_reading};
  }
  const auto& key = found.key;
  if (!key) {
    const std::string failure = settings_.keys->last_error();
    return refuse(
        "no key of the user pool has kid " + key_id +
        (failure.empty() ? std::string() : " (the last JWKS read failed: " + failure + ")"));
  }
  if (!rs256_verify(key->modulus, key->exponent, authorization.substr(0, second_dot), *signature)) {
    return refuse("the signature does not verify");
  }
  // exp and nbf are NumericDates (RFC 7519 section 2): any JSON number, fractions allowed.
  const auto expiry = numeric_date(*payload, "exp");
  if (!expiry || *expiry <= double(now_seconds)) {
    return {std::nullopt, "the token has expired", CognitoRefusal::expired};
  }
  // "The JWT MUST NOT be accepted for processing" before nbf (RFC 7519 section 4.1.5).
  if (const auto not_before = numeric_date(*payload, "nbf");
      not_before && *not_before > double(now_seconds)) {
    return refuse("the token is not valid before its nbf");
  }
  if (string_member(*payload, "iss") != settings_.issuer) {
    return refuse("the token was issued by " + string_member(*payload, "iss") + ", not " +
                  settings_.issuer);
  }
  return {*payload, {}};
}

}  // namespace cppstack::local::auth

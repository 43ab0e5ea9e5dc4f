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
#include <ctime>
#include <fstream>
#include <sstream>

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
  beast::tcp_stream stream(io);
  stream.expires_after(std::chrono::seconds(5));
  stream.connect(endpoints, error);
  if (error) throw JwksError("cannot connect to " + url + ": " + error.message());
  std::string target(parsed->encoded_target());
  if (target.empty()) target = "/";
  beast::http::request<beast::http::empty_body> request{beast::http::verb::get, target, 11};
  request.set(beast::http::field::host, host);
  beast::http::write(stream, request, error);
  beast::flat_buffer buffer;
  beast::http::response_parser<beast::http::string_body> parser;
  parser.body_limit(max_jwks_bytes);
  if (!error) beast::http::read(stream, buffer, parser, error);
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

CognitoVerdict refuse(std::string reason) { return {std::nullopt, std::move(reason)}; }

}  // namespace

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
    if ((name == "exp" || name == "iat") && value.is_number()) {
      claims[name] = claim_date(value.to_number<std::int64_t>());
    } else {
      claims[name] = claim_text(value);
    }
  }
  return claims;
}

CognitoVerdict CognitoAuthorizer::verify(std::string_view authorization,
                                         std::int64_t now_seconds) const {
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
  const auto key =
      std::find_if(settings_.keys.begin(), settings_.keys.end(),
                   [&key_id](const JsonWebKey& candidate) { return candidate.key_id == key_id; });
  if (key == settings_.keys.end()) return refuse("no key of the user pool has kid " + key_id);
  if (!rs256_verify(key->modulus, key->exponent, authorization.substr(0, second_dot), *signature)) {
    return refuse("the signature does not verify");
  }
  const auto* expiry = payload->if_contains("exp");
  if (expiry == nullptr || !expiry->is_number() ||
      expiry->to_number<double>() <= double(now_seconds)) {
    return refuse("the token has expired");
  }
  if (string_member(*payload, "iss") != settings_.issuer) {
    return refuse("the token was issued by " + string_member(*payload, "iss") + ", not " +
                  settings_.issuer);
  }
  const std::string token_use = string_member(*payload, "token_use");
  if (token_use != "id" && token_use != "access") return refuse("token_use is not id or access");
  const std::string client = string_member(*payload, token_use == "id" ? "aud" : "client_id");
  if (!settings_.client_ids.empty() &&
      std::find(settings_.client_ids.begin(), settings_.client_ids.end(), client) ==
          settings_.client_ids.end()) {
    return refuse("app client " + client + " is not one of the configured app clients");
  }
  return {authorizer_claims(*payload), {}};
}

}  // namespace cppstack::local::auth

#include "sigv4.hpp"

#include <algorithm>
#include <boost/beast/core/string.hpp>
#include <ctime>
#include <stdexcept>

#include "../percent_decode.hpp"
#include "crypto.hpp"

namespace cppstack::local::auth {
namespace {

constexpr std::string_view algorithm = "AWS4-HMAC-SHA256";
constexpr std::chrono::minutes allowed_skew{5};

// RFC 3986 unreserved characters stay; every other byte is %XX (upper-case hex), as SigV4's
// UriEncode() is defined.
std::string uri_encode(std::string_view text, bool keep_slash) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string encoded;
  for (const char character : text) {
    const auto byte = static_cast<unsigned char>(character);
    if (std::isalnum(byte) || character == '-' || character == '_' || character == '.' ||
        character == '~' || (keep_slash && character == '/')) {
      encoded.push_back(character);
    } else {
      encoded.push_back('%');
      encoded.push_back(digits[byte >> 4]);
      encoded.push_back(digits[byte & 0xf]);
    }
  }
  return encoded;
}

std::string canonical_query(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> parameters;
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view piece = query.substr(0, amp);
    if (!piece.empty()) {
      const std::size_t equals = piece.find('=');
      parameters.emplace_back(uri_encode(percent_decode(piece.substr(0, equals)), false),
                              equals == std::string_view::npos
                                  ? std::string()
                                  : uri_encode(percent_decode(piece.substr(equals + 1)), false));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  std::sort(parameters.begin(), parameters.end());
  std::string text;
  for (const auto& [key, value] : parameters) {
    if (!text.empty()) text.push_back('&');
    text.append(key).append("=").append(value);
  }
  return text;
}

std::string canonical_header_value(std::string_view value) {
  std::string text;
  bool in_space = false;
  for (const char character : value) {
    if (character == ' ' || character == '\t') {
      in_space = true;
      continue;
    }
    if (in_space && !text.empty()) text.push_back(' ');
    in_space = false;
    text.push_back(character);
  }
  return text;
}

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> parts;
  while (true) {
    const std::size_t at = text.find(separator);
    parts.emplace_back(text.substr(0, at));
    if (at == std::string_view::npos) break;
    text.remove_prefix(at + 1);
  }
  return parts;
}

std::optional<std::string> find_header(const SignedRequest& request, std::string_view name) {
  std::optional<std::string> found;
  for (const auto& [key, value] : *request.headers) {
    if (boost::beast::iequals(key, name)) found = value;
  }
  return found;
}

struct AuthorizationParts {
  std::string credential;
  std::string signed_headers;
  std::string signature;
};

AuthorizationParts parse_authorization(std::string_view header) {
  AuthorizationParts parts;
  if (!header.starts_with(algorithm)) return parts;
  header.remove_prefix(algorithm.size());
  for (std::string item : split(header, ',')) {
    const auto start = item.find_first_not_of(' ');
    if (start == std::string::npos) continue;
    item.erase(0, start);
    const auto equals = item.find('=');
    if (equals == std::string::npos) continue;
    const std::string name = item.substr(0, equals);
    std::string value = item.substr(equals + 1);
    while (!value.empty() && value.back() == ' ') value.pop_back();
    if (name == "Credential") parts.credential = value;
    if (name == "SignedHeaders") parts.signed_headers = value;
    if (name == "Signature") parts.signature = value;
  }
  return parts;
}

std::string basic_time(std::chrono::system_clock::time_point time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[20];
  std::strftime(text, sizeof text, "%Y%m%dT%H%M%SZ", &utc);
  return text;
}

std::optional<std::chrono::system_clock::time_point> parse_basic_time(std::string_view text) {
  std::tm utc{};
  if (text.size() != 16 || text[8] != 'T' || text[15] != 'Z') return std::nullopt;
  const std::string copy(text);
  if (strptime(copy.c_str(), "%Y%m%dT%H%M%SZ", &utc) == nullptr) return std::nullopt;
  return std::chrono::system_clock::from_time_t(timegm(&utc));
}

// A stable IAM-style unique id for a user name (IAM user ids start with AIDA).
std::string user_id_for(std::string_view user) {
  static constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::uint64_t hash = 1469598103934665603ULL;
  for (const char c : user) hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  std::string id = "AIDA";
  for (int index = 0; index < 17; ++index) {
    id.push_back(alphabet[hash % alphabet.size()]);
    hash = hash / alphabet.size() + 0x9E3779B97F4A7C15ULL * static_cast<std::uint64_t>(index + 1);
  }
  return id;
}

SigV4Verdict reject(std::string message, std::string error_type) {
  return {std::nullopt, GatewayRejection{403, std::move(message), std::move(error_type)}};
}

}  // namespace

std::pair<std::string, IamCredential> parse_iam_credential(std::string_view text) {
  const auto parts = split(text, ':');
  if (parts.size() < 2 || parts.size() > 3 || parts[0].empty() || parts[1].empty()) {
    throw std::invalid_argument(
        "IAM credentials must be ACCESS_KEY_ID:SECRET_ACCESS_KEY[:USER_NAME], got '" +
        std::string(text.substr(0, text.find(':'))) + ":...'");
  }
  IamCredential credential{.secret = parts[1]};
  if (parts.size() == 3 && !parts[2].empty()) credential.user = parts[2];
  return {parts[0], credential};
}

std::string canonical_request(const SignedRequest& request,
                              const std::vector<std::string>& signed_headers,
                              std::string_view payload_hash) {
  const std::size_t question = request.target.find('?');
  std::string_view path = request.target.substr(0, question);
  if (path.empty()) path = "/";
  std::string text(request.method);
  text.push_back('\n');
  text += uri_encode(path, true);
  text.push_back('\n');
  text += question == std::string_view::npos ? std::string()
                                             : canonical_query(request.target.substr(question + 1));
  text.push_back('\n');
  for (const std::string& name : signed_headers) {
    std::string values;
    for (const auto& [key, value] : *request.headers) {
      if (!boost::beast::iequals(key, name)) continue;
      if (!values.empty()) values.push_back(',');
      values += canonical_header_value(value);
    }
    text.append(name).append(":").append(values).append("\n");
  }
  text.push_back('\n');
  for (std::size_t index = 0; index < signed_headers.size(); ++index) {
    if (index > 0) text.push_back(';');
    text += signed_headers[index];
  }
  text.push_back('\n');
  text += payload_hash;
  return text;
}

std::string sigv4_signature(std::string_view secret, std::string_view date, std::string_view region,
                            std::string_view service, std::string_view string_to_sign) {
  std::string key = hmac_sha256("AWS4" + std::string(secret), date);
  key = hmac_sha256(key, region);
  key = hmac_sha256(key, service);
  key = hmac_sha256(key, "aws4_request");
  return hex(hmac_sha256(key, string_to_sign));
}

SigV4Verdict SigV4Verifier::verify(const SignedRequest& request,
                                   std::chrono::system_clock::time_point now) const {
  const auto authorization = find_header(request, "Authorization");
  if (!authorization || authorization->empty()) {
    return reject("Missing Authentication Token", "MissingAuthenticationTokenException");
  }
  const AuthorizationParts parts = parse_authorization(*authorization);
  const auto amz_date = find_header(request, "X-Amz-Date");
  std::string missing;
  if (parts.credential.empty()) missing += "Authorization header requires 'Credential' parameter. ";
  if (parts.signature.empty()) missing += "Authorization header requires 'Signature' parameter. ";
  if (parts.signed_headers.empty()) {
    missing += "Authorization header requires 'SignedHeaders' parameter. ";
  }
  if (!amz_date) {
    missing +=
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ";
  }
  if (!missing.empty()) {
    return reject(missing + "Authorization=" + *authorization, "IncompleteSignatureException");
  }
  // Credential=AKID/20150830/us-east-1/execute-api/aws4_request
  const auto scope = split(parts.credential, '/');
  if (scope.size() != 5 || scope[4] != "aws4_request") {
    return reject("Credential should be scoped to a valid region. ",
                  "IncompleteSignatureException");
  }
  const auto& [access_key, date, region, service, terminator] =
      std::tie(scope[0], scope[1], scope[2], scope[3], scope[4]);
  if (region != settings_.region) {
    return reject("Credential should be scoped to a valid region. ", "InvalidSignatureException");
  }
  if (service != "execute-api") {
    return reject("Credential should be scoped to correct service: 'execute-api'. ",
                  "InvalidSignatureException");
  }
  const auto credential = settings_.credentials.find(access_key);
  const auto token = find_header(request, "X-Amz-Security-Token");
  if (credential == settings_.credentials.end() ||
      token.value_or("") != credential->second.session_token) {
    return reject("The security token included in the request is invalid.",
                  "UnrecognizedClientException");
  }
  const auto signed_at = parse_basic_time(*amz_date);
  if (!signed_at) {
    return reject("Invalid X-Amz-Date: " + *amz_date, "IncompleteSignatureException");
  }
  if (*signed_at < now - allowed_skew) {
    return reject("Signature expired: " + *amz_date + " is now earlier than " +
                      basic_time(now - allowed_skew) + " (" + basic_time(now) + " - 5 min.)",
                  "InvalidSignatureException");
  }
  if (*signed_at > now + allowed_skew) {
    return reject("Signature not yet current: " + *amz_date + " is still later than " +
                      basic_time(now + allowed_skew) + " (" + basic_time(now) + " + 5 min.)",
                  "InvalidSignatureException");
  }
  const std::vector<std::string> signed_headers = split(parts.signed_headers, ';');
  const std::string canonical =
      canonical_request(request, signed_headers, sha256_hex(request.body));
  const std::string credential_scope = date + "/" + region + "/" + service + "/aws4_request";
  const std::string string_to_sign = std::string(algorithm) + "\n" + *amz_date + "\n" +
                                     credential_scope + "\n" + sha256_hex(canonical);
  const std::string expected =
      sigv4_signature(credential->second.secret, date, region, service, string_to_sign);
  if (!equal_in_constant_time(expected, parts.signature) || date != amz_date->substr(0, 8)) {
    return reject(
        "The request signature we calculated does not match the signature you provided. Check "
        "your AWS Secret Access Key and signing method. Consult the service documentation for "
        "details.\n\nThe Canonical String for this request should have been\n'" +
            canonical + "'\n\nThe String-to-Sign should have been\n'" + string_to_sign + "'\n",
        "InvalidSignatureException");
  }
  const std::string user_id = user_id_for(credential->second.user);
  return {IamIdentity{.access_key = access_key,
                      .account_id = settings_.account_id,
                      .caller = user_id,
                      .user = user_id,
                      .user_arn = "arn:aws:iam::" + settings_.account_id + ":user/" +
                                  credential->second.user},
          std::nullopt};
}

}  // namespace cppstack::local::auth

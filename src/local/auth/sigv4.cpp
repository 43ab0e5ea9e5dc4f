#include "sigv4.hpp"

#include <algorithm>
#include <boost/beast/core/string.hpp>
#include <ctime>
#include <map>
#include <stdexcept>

#include "../query_string.hpp"
#include "crypto.hpp"

namespace cppstack::local::auth {
namespace {

constexpr std::string_view algorithm = "AWS4-HMAC-SHA256";
constexpr std::chrono::minutes allowed_skew{5};

constexpr std::string_view mismatch_message =
    "The request signature we calculated does not match the signature you provided. Check your "
    "AWS Secret Access Key and signing method. Consult the service documentation for details.";

// RFC 3986 unreserved characters stay; every other byte is %XX (upper-case hex), as SigV4's
// UriEncode() is defined.
std::string uri_encode(std::string_view text, bool keep_slash) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string encoded;
  encoded.reserve(text.size());
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

using Pairs = std::vector<std::pair<std::string, std::string>>;

// Sorted by key, then value (SigV4), and joined with '&'.
std::string join_sorted(Pairs pairs) {
  std::sort(pairs.begin(), pairs.end());
  std::string text;
  for (const auto& [key, value] : pairs) {
    if (!text.empty()) text.push_back('&');
    text.append(key).append("=").append(value);
  }
  return text;
}

// The parameters the function receives, each key and value URI-encoded.
std::string canonical_parameters(std::string_view query) {
  Pairs pairs;
  for (const auto& [key, value] : query_parameters(query)) {
    pairs.emplace_back(uri_encode(key, false), uri_encode(value, false));
  }
  return join_sorted(std::move(pairs));
}

// The pieces between '&' as sent (botocore's _canonical_query_string_url).
std::string canonical_pieces_as_sent(std::string_view query) {
  Pairs pairs;
  while (true) {
    const std::size_t amp = query.find('&');
    const std::string_view piece = query.substr(0, amp);
    const std::size_t equals = piece.find('=');
    pairs.emplace_back(piece.substr(0, equals), equals == std::string_view::npos
                                                    ? std::string_view()
                                                    : piece.substr(equals + 1));
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return join_sorted(std::move(pairs));
}

// The as-sent form writes a piece without '=' as if it had one ("k" and "k=" are both "k=").
// The function receives the same from both unless the last ';'-separated part of the name is
// empty: "a=1&" and "a=1&=", or "x;" and "x;=", would share a signature while the function
// receives an empty name from the second only. A query with such a piece is checked in the
// parameters form only.
bool as_sent_form_is_unambiguous(std::string_view query) {
  while (true) {
    const std::size_t amp = query.find('&');
    const std::string_view piece = query.substr(0, amp);
    const std::size_t equals = piece.find('=');
    const std::string_view name = piece.substr(0, equals);
    const bool empty_value = equals == std::string_view::npos || equals + 1 == piece.size();
    if (empty_value && (name.empty() || name.back() == ';')) return false;
    if (amp == std::string_view::npos) return true;
    query.remove_prefix(amp + 1);
  }
}

// In the parameters form a parameter with an empty name and value is written "=", as an empty
// piece is written in the as-sent form: a signature of "a=1&" as sent would also be one of
// "a=1&=" in the parameters form. Such a query is not checked in the parameters form.
bool parameters_form_is_unambiguous(std::string_view query) {
  const auto parameters = query_parameters(query);
  return std::none_of(parameters.begin(), parameters.end(), [](const auto& parameter) {
    return parameter.first.empty() && parameter.second.empty();
  });
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

std::string lower(std::string_view text) {
  std::string lowered(text);
  for (char& character : lowered) {
    character = static_cast<char>(std::tolower(static_cast<unsigned char>(character)));
  }
  return lowered;
}

// Every header of the request by lower-case name, its values trimmed and joined with ',' in
// the order sent: built once, so the cost of a check grows with the request, not with the
// number of names it signs.
using CanonicalHeaders = std::map<std::string, std::string, std::less<>>;

CanonicalHeaders canonical_headers_of(const SignedRequest& request) {
  CanonicalHeaders headers;
  for (const auto& [name, value] : *request.headers) {
    auto [entry, inserted] = headers.try_emplace(lower(name));
    if (!inserted) entry->second.push_back(',');
    entry->second += canonical_header_value(value);
  }
  return headers;
}

std::string build_canonical_request(const SignedRequest& request, const CanonicalHeaders& headers,
                                    const std::vector<std::string>& signed_headers,
                                    std::string_view payload_hash, QueryForm query_form) {
  const std::size_t question = request.target.find('?');
  std::string_view path = request.target.substr(0, question);
  if (path.empty()) path = "/";
  std::string text(request.method);
  text.push_back('\n');
  text += uri_encode(path, true);
  text.push_back('\n');
  if (question != std::string_view::npos && question + 1 < request.target.size()) {
    const std::string_view query = request.target.substr(question + 1);
    text += query_form == QueryForm::as_sent ? canonical_pieces_as_sent(query)
                                             : canonical_parameters(query);
  }
  text.push_back('\n');
  for (const std::string& name : signed_headers) {
    const auto found = headers.find(name);
    text.append(name).append(":");
    if (found != headers.end()) text.append(found->second);
    text.push_back('\n');
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
  bool repeated = false;  ///< a parameter given twice
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
    std::string* target = name == "Credential"      ? &parts.credential
                          : name == "SignedHeaders" ? &parts.signed_headers
                          : name == "Signature"     ? &parts.signature
                                                    : nullptr;
    if (target == nullptr) continue;
    if (!target->empty()) parts.repeated = true;
    *target = std::move(value);
  }
  return parts;
}

// A header name as SignedHeaders lists it: lower case, an RFC 9110 token.
bool is_signed_header_name(std::string_view name) {
  if (name.empty()) return false;
  return std::all_of(name.begin(), name.end(), [](char character) {
    const auto byte = static_cast<unsigned char>(character);
    return (std::isalnum(byte) && !std::isupper(byte)) ||
           std::string_view("!#$%&'*+-.^_`|~").find(character) != std::string_view::npos;
  });
}

// Names in strictly ascending order, each once, as the canonical request lists them: a list
// that repeats a name would make the canonical request (and its echo) grow with every
// repetition.
bool is_canonical_name_list(const std::vector<std::string>& names) {
  return std::all_of(names.begin(), names.end(), is_signed_header_name) &&
         std::adjacent_find(names.begin(), names.end(), std::greater_equal<>()) == names.end();
}

std::string basic_time(std::chrono::system_clock::time_point time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[20];
  std::strftime(text, sizeof text, "%Y%m%dT%H%M%SZ", &utc);
  return text;
}

std::optional<unsigned> digits_value(std::string_view text) {
  unsigned value = 0;
  for (const char character : text) {
    if (character < '0' || character > '9') return std::nullopt;
    value = value * 10 + static_cast<unsigned>(character - '0');
  }
  return value;
}

// YYYYMMDDTHHMMSSZ as seconds since the epoch, checked field by field: a month, day, hour,
// minute or second out of range is not a date. Seconds, not the system clock's nanoseconds, so
// that a date centuries away compares as what it is instead of wrapping around.
std::optional<std::chrono::sys_seconds> parse_basic_time(std::string_view text) {
  if (text.size() != 16 || text[8] != 'T' || text[15] != 'Z') return std::nullopt;
  const auto year = digits_value(text.substr(0, 4));
  const auto month = digits_value(text.substr(4, 2));
  const auto day = digits_value(text.substr(6, 2));
  const auto hour = digits_value(text.substr(9, 2));
  const auto minute = digits_value(text.substr(11, 2));
  const auto second = digits_value(text.substr(13, 2));
  if (!year || !month || !day || !hour || !minute || !second) return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year{static_cast<int>(*year)},
                                         std::chrono::month{*month}, std::chrono::day{*day}};
  if (!date.ok() || *hour > 23 || *minute > 59 || *second > 59) return std::nullopt;
  return std::chrono::sys_days{date} + std::chrono::hours{*hour} + std::chrono::minutes{*minute} +
         std::chrono::seconds{*second};
}

// A stable IAM-style unique id for a name: IAM user ids start with AIDA, role ids with AROA.
std::string unique_id_for(std::string_view prefix, std::string_view name) {
  static constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::uint64_t hash = 1469598103934665603ULL;
  for (const char c : name) hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  std::string id(prefix);
  for (int index = 0; index < 17; ++index) {
    id.push_back(alphabet[hash % alphabet.size()]);
    hash = hash / alphabet.size() + 0x9E3779B97F4A7C15ULL * static_cast<std::uint64_t>(index + 1);
  }
  return id;
}

IamIdentity iam_identity_of(std::string_view access_key, const IamCredential& credential,
                            std::string_view account_id) {
  const std::string account(account_id);
  if (credential.role.empty()) {
    const std::string user_id = unique_id_for("AIDA", credential.user);
    return {.access_key = std::string(access_key),
            .account_id = account,
            .caller = user_id,
            .user = user_id,
            .user_arn = "arn:aws:iam::" + account + ":user/" + credential.user,
            .role_arn = {},
            .principal = "user/" + credential.user};
  }
  // An assumed-role session: caller and user are ROLE_ID:SESSION_NAME.
  const std::string caller = unique_id_for("AROA", credential.role) + ":" + credential.user;
  return {.access_key = std::string(access_key),
          .account_id = account,
          .caller = caller,
          .user = caller,
          .user_arn = "arn:aws:sts::" + account + ":assumed-role/" + credential.role + "/" +
                      credential.user,
          .role_arn = "arn:aws:iam::" + account + ":role/" + credential.role,
          .principal = "role/" + credential.role};
}

SigV4Verdict reject(std::string message, std::string error_type) {
  return {std::nullopt, GatewayRejection{403, std::move(message), std::move(error_type)}};
}

// API Gateway's answer shows the canonical request and the string to sign (mhart/aws4#33,
// aws/aws-sdk-js#2372); it also answers with the first sentence alone
// (rpgreen/apigateway-generic-java-sdk#11). The long form is given while the canonical request
// is small; past max_echoed_canonical_bytes the short one, so that no refusal is bigger than a
// few kilobytes whatever the request holds.
SigV4Verdict reject_mismatch(std::string_view canonical, std::string_view string_to_sign) {
  if (canonical.empty() || canonical.size() > max_echoed_canonical_bytes) {
    return reject(std::string(mismatch_message), "InvalidSignatureException");
  }
  return reject(std::string(mismatch_message) +
                    "\n\nThe Canonical String for this request should have been\n'" +
                    std::string(canonical) + "'\n\nThe String-to-Sign should have been\n'" +
                    std::string(string_to_sign) + "'\n",
                "InvalidSignatureException");
}

}  // namespace

std::pair<std::string, IamCredential> parse_iam_credential(std::string_view text) {
  const auto parts = split(text, ':');
  if (parts.size() < 2 || parts.size() > 4 || parts[0].empty() || parts[1].empty()) {
    throw std::invalid_argument(
        "IAM credentials must be ACCESS_KEY_ID:SECRET_ACCESS_KEY[:USER_NAME[:SESSION_TOKEN]], "
        "got '" +
        std::string(text.substr(0, text.find(':'))) + ":...'");
  }
  IamCredential credential{.secret = parts[1]};
  if (parts.size() >= 3 && !parts[2].empty()) credential.user = parts[2];
  // Temporary credentials (an SSO or role session): requests must carry the session token.
  if (parts.size() == 4) credential.session_token = parts[3];
  return {parts[0], credential};
}

std::string canonical_request(const SignedRequest& request,
                              const std::vector<std::string>& signed_headers,
                              std::string_view payload_hash, QueryForm query_form) {
  return build_canonical_request(request, canonical_headers_of(request), signed_headers,
                                 payload_hash, query_form);
}

std::string sigv4_signature(std::string_view secret, std::string_view date, std::string_view region,
                            std::string_view service, std::string_view string_to_sign) {
  std::string key = hmac_sha256("AWS4" + std::string(secret), date);
  key = hmac_sha256(key, region);
  key = hmac_sha256(key, service);
  key = hmac_sha256(key, "aws4_request");
  return hex(hmac_sha256(key, string_to_sign));
}

namespace {

// Where the signature came from: the Authorization header with X-Amz-Date and
// X-Amz-Security-Token headers, or a presigned URL's X-Amz-* query parameters.
struct SignatureSource {
  AuthorizationParts parts;
  std::optional<std::string> amz_date;
  std::optional<std::string> token;
  std::optional<std::chrono::seconds> expires;  ///< presigned: X-Amz-Expires
  std::string signed_target;                    ///< the target the signature is over
  bool presigned = false;
};

constexpr std::string_view presigned_signature = "X-Amz-Signature";
// botocore's and the AWS SDKs' longest presigned URL lifetime: 7 days (SigV4 query auth).
constexpr std::chrono::seconds max_presigned_expiry{604800};

// The piece "X-Amz-Signature=<hex>" exactly: anything after the hex digits (";a=1") would be a
// parameter the function receives that the signature does not cover.
bool is_signature_piece(std::string_view piece) {
  constexpr std::string_view prefix = "X-Amz-Signature=";
  if (!piece.starts_with(prefix) || piece.size() == prefix.size()) return false;
  piece.remove_prefix(prefix.size());
  return std::all_of(piece.begin(), piece.end(), [](char character) {
    return std::isxdigit(static_cast<unsigned char>(character));
  });
}

// A presigned URL: the query holds X-Amz-Algorithm and the other X-Amz-* parameters; the
// signature covers the query without its X-Amz-Signature piece. Each parameter must be given
// once (a second one would be covered by the signature but read by nobody).
std::optional<SignatureSource> presigned_source(const SignedRequest& request) {
  const std::size_t question = request.target.find('?');
  if (question == std::string_view::npos) return std::nullopt;
  const std::string_view query = request.target.substr(question + 1);
  std::map<std::string, std::vector<std::string>, std::less<>> auth;
  for (auto& [key, value] : query_parameters(query)) {
    if (key.starts_with("X-Amz-")) auth[key].push_back(std::move(value));
  }
  if (!auth.contains("X-Amz-Algorithm")) return std::nullopt;
  SignatureSource source;
  source.presigned = true;
  for (const auto& [key, values] : auth) {
    if (values.size() > 1) source.parts.repeated = true;
  }
  const auto single = [&auth](std::string_view key) -> std::optional<std::string> {
    const auto found = auth.find(key);
    if (found == auth.end()) return std::nullopt;
    return found->second.front();
  };
  if (single("X-Amz-Algorithm") != std::string(algorithm)) source.parts.repeated = true;
  source.parts.credential = single("X-Amz-Credential").value_or("");
  source.parts.signed_headers = single("X-Amz-SignedHeaders").value_or("");
  source.parts.signature = single(presigned_signature).value_or("");
  source.amz_date = single("X-Amz-Date");
  source.token = single("X-Amz-Security-Token");
  const auto expires = digits_value(single("X-Amz-Expires").value_or("x").substr(0, 7));
  source.expires = std::chrono::seconds(expires.value_or(0));
  if (!expires || source.expires > max_presigned_expiry) source.parts.repeated = true;
  // The target without the X-Amz-Signature piece, as the signer saw it.
  std::string kept;
  std::string_view rest = query;
  while (true) {
    const std::size_t amp = rest.find('&');
    const std::string_view piece = rest.substr(0, amp);
    if (!is_signature_piece(piece)) {
      if (!kept.empty()) kept.push_back('&');
      kept.append(piece);
    }
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
  source.signed_target = std::string(request.target.substr(0, question + 1)) + kept;
  return source;
}

}  // namespace

SigV4Verdict SigV4Verifier::verify(const SignedRequest& request,
                                   std::chrono::system_clock::time_point now) const {
  const auto authorization = find_header(request, "Authorization");
  std::optional<SignatureSource> presigned;
  if (!authorization || authorization->empty()) presigned = presigned_source(request);
  if ((!authorization || authorization->empty()) && !presigned) {
    return reject("Missing Authentication Token", "MissingAuthenticationTokenException");
  }
  SignatureSource source;
  if (presigned) {
    source = std::move(*presigned);
  } else {
    source.parts = parse_authorization(*authorization);
    source.amz_date = find_header(request, "X-Amz-Date");
    source.token = find_header(request, "X-Amz-Security-Token");
    source.signed_target = std::string(request.target);
  }
  const AuthorizationParts& parts = source.parts;
  std::string missing;
  if (parts.credential.empty()) missing += "Authorization header requires 'Credential' parameter. ";
  if (parts.signature.empty()) missing += "Authorization header requires 'Signature' parameter. ";
  if (parts.signed_headers.empty()) {
    missing += "Authorization header requires 'SignedHeaders' parameter. ";
  }
  if (!source.amz_date) {
    missing +=
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ";
  }
  if (!missing.empty()) {
    // The header is at most the gateway's 10,240-byte header limit: the echo stays bounded.
    return reject(missing + "Authorization=" + authorization.value_or(""),
                  "IncompleteSignatureException");
  }
  const std::string& amz_date = *source.amz_date;
  // Credential=AKID/20150830/us-east-1/execute-api/aws4_request
  const auto scope = split(parts.credential, '/');
  if (scope.size() != 5 || scope[4] != "aws4_request") {
    return reject("Credential should be scoped to a valid region. ",
                  "IncompleteSignatureException");
  }
  const std::string& access_key = scope[0];
  const std::string& date = scope[1];
  const std::string& region = scope[2];
  const std::string& service = scope[3];
  if (region != settings_.region) {
    return reject("Credential should be scoped to a valid region. ", "InvalidSignatureException");
  }
  if (service != "execute-api") {
    return reject("Credential should be scoped to correct service: 'execute-api'. ",
                  "InvalidSignatureException");
  }
  const auto credential = settings_.credentials.find(access_key);
  if (credential == settings_.credentials.end() ||
      source.token.value_or("") != credential->second.session_token) {
    return reject("The security token included in the request is invalid.",
                  "UnrecognizedClientException");
  }
  const auto signed_at = parse_basic_time(amz_date);
  if (!signed_at) {
    return reject("Invalid X-Amz-Date: " + amz_date, "IncompleteSignatureException");
  }
  const auto now_seconds = std::chrono::time_point_cast<std::chrono::seconds>(now);
  // A presigned URL is good from its date until X-Amz-Expires seconds later.
  const std::chrono::seconds valid_for = source.expires.value_or(std::chrono::seconds(0));
  if (*signed_at + valid_for < now_seconds - allowed_skew) {
    return reject("Signature expired: " + amz_date + " is now earlier than " +
                      basic_time(now - allowed_skew - valid_for) + " (" + basic_time(now) +
                      " - 5 min.)",
                  "InvalidSignatureException");
  }
  if (*signed_at > now_seconds + allowed_skew) {
    return reject("Signature not yet current: " + amz_date + " is still later than " +
                      basic_time(now + allowed_skew) + " (" + basic_time(now) + " + 5 min.)",
                  "InvalidSignatureException");
  }
  const std::vector<std::string> signed_headers = split(parts.signed_headers, ';');
  if (parts.repeated || !is_canonical_name_list(signed_headers)) {
    return reject_mismatch({}, {});
  }
  // Without host a signature could be replayed against another API ("'Host' or ':authority'
  // must be a 'SignedHeader' in the AWS Authorization.", aws/aws-sdk-php#2469).
  if (!std::binary_search(signed_headers.begin(), signed_headers.end(), "host")) {
    return reject("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
                  "IncompleteSignatureException");
  }
  // The session token is part of what is signed when it is sent (create-signed-request.html:
  // "add the X-Amz-Security-Token header ... to the signed headers"); in a presigned URL it is
  // a query parameter, covered with the query.
  if (!source.presigned && source.token &&
      !std::binary_search(signed_headers.begin(), signed_headers.end(), "x-amz-security-token")) {
    return reject_mismatch({}, {});
  }
  const CanonicalHeaders headers = canonical_headers_of(request);
  // A name signed but not sent would let the header be added later, unsigned.
  for (const std::string& name : signed_headers) {
    if (!headers.contains(name)) return reject_mismatch({}, {});
  }
  SignedRequest signed_request = request;
  signed_request.target = source.signed_target;
  const std::string payload_hash = sha256_hex(request.body);
  const std::string credential_scope = date + "/" + region + "/" + service + "/aws4_request";
  const auto string_to_sign_of = [&](const std::string& canonical) {
    return std::string(algorithm) + "\n" + amz_date + "\n" + credential_scope + "\n" +
           sha256_hex(canonical);
  };
  const auto signs = [&](const std::string& string_to_sign) {
    return equal_in_constant_time(
        sigv4_signature(credential->second.secret, date, region, service, string_to_sign),
        parts.signature);
  };
  // One signature, two ways a client may have written the query; each way is tried only where
  // it pins down the parameters the function receives.
  const std::size_t question = signed_request.target.find('?');
  const std::string_view query = question == std::string_view::npos
                                     ? std::string_view()
                                     : signed_request.target.substr(question + 1);
  const std::string canonical = build_canonical_request(signed_request, headers, signed_headers,
                                                        payload_hash, QueryForm::parameters);
  const std::string string_to_sign = string_to_sign_of(canonical);
  bool valid = parameters_form_is_unambiguous(query) && signs(string_to_sign);
  if (!valid && !query.empty() && as_sent_form_is_unambiguous(query)) {
    valid = signs(string_to_sign_of(build_canonical_request(signed_request, headers, signed_headers,
                                                            payload_hash, QueryForm::as_sent)));
  }
  if (!valid || date != amz_date.substr(0, 8)) return reject_mismatch(canonical, string_to_sign);
  return {iam_identity_of(access_key, credential->second, settings_.account_id), std::nullopt};
}

}  // namespace cppstack::local::auth

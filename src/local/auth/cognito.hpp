#pragma once
// A Cognito user pool authorizer as API Gateway REST APIs run it: the token in the
// Authorization header is a JWT signed RS256 by one of the pool's keys (JWKS), not expired,
// issued by https://cognito-idp.<region>.amazonaws.com/<pool id>, with token_use "id" (aud an
// app client of the pool) or "access" (client_id one). The claims reach the function in
// requestContext.authorizer.claims, every value a string.
//
//   CognitoAuthorizer authorizer({.issuer = cognito_issuer("eu-west-1", "eu-west-1_Abc"),
//                                 .client_ids = {"4m3ak..."}, .keys = load_jwks("jwks.json")});
//   auto verdict = authorizer.verify(request_authorization_header, unix_seconds_now);
//   if (!verdict.claims) return unauthorized();   // 401 {"message":"Unauthorized"}

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace cppstack::local::auth {

struct JsonWebKey {
  std::string key_id;    ///< kid
  std::string modulus;   ///< n, decoded
  std::string exponent;  ///< e, decoded
};

class JwksError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The RSA signing keys of a JWKS document ({"keys":[{"kty":"RSA","kid":...,"n":...,"e":...}]});
/// other key types are skipped. Throws JwksError when there is no usable key.
[[nodiscard]] std::vector<JsonWebKey> parse_jwks(std::string_view json);
/// Reads a JWKS from a file or from an http:// URL on a loopback address (127.0.0.1, [::1],
/// localhost): the local gateway never reaches out to the network. Throws JwksError.
[[nodiscard]] std::vector<JsonWebKey> load_jwks(const std::string& file_or_url);

/// https://cognito-idp.<region>.amazonaws.com/<user pool id>
[[nodiscard]] std::string cognito_issuer(std::string_view region, std::string_view user_pool_id);

/// `seconds` since the epoch as API Gateway writes exp and iat claims:
/// "Tue Apr 04 18:39:39 UTC 2023".
[[nodiscard]] std::string claim_date(std::int64_t seconds);

/// The token's payload as requestContext.authorizer.claims: every value a string (numbers as
/// written, booleans "true"/"false", exp and iat as claim_date, arrays comma-joined).
[[nodiscard]] boost::json::object authorizer_claims(const boost::json::object& payload);

struct CognitoSettings {
  std::string issuer;
  std::vector<std::string> client_ids;  ///< empty: any app client of the pool
  std::vector<JsonWebKey> keys;
};

struct CognitoVerdict {
  std::optional<boost::json::object> claims;  ///< set when the token is accepted
  std::string reason;                         ///< why not, for the gateway's log only
};

class CognitoAuthorizer {
 public:
  explicit CognitoAuthorizer(CognitoSettings settings) : settings_(std::move(settings)) {}

  /// `authorization` is the Authorization header (the token, optionally after "Bearer ").
  [[nodiscard]] CognitoVerdict verify(std::string_view authorization,
                                      std::int64_t now_seconds) const;

 private:
  CognitoSettings settings_;
};

}  // namespace cppstack::local::auth

#pragma once
// A Cognito user pool authorizer as API Gateway REST APIs run it: the token in the
// Authorization header is a JWT signed RS256 by one of the pool's keys (JWKS), not expired,
// issued by https://cognito-idp.<region>.amazonaws.com/<pool id>. A method without OAuth scopes
// wants an ID token (token_use "id"); a method with scopes wants an access token (token_use
// "access") whose space-separated `scope` claim holds at least one of them
// (docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-enable-cognito-user-pool.html
// and the AuthorizationScopes property of AWS::ApiGateway::Method). Neither aud nor client_id
// is compared with the pool's app clients: API Gateway does so only through an authorizer's
// token validation expression, which this project's authorizer has none of. The claims reach
// the function in requestContext.authorizer.claims, every value a string.
//
//   CognitoAuthorizer authorizer({.issuer = cognito_issuer("eu-west-1", "eu-west-1_Abc"),
//                                 .keys = JwksKeys::load("http://127.0.0.1:9000/jwks.json")});
//   auto verdict = authorizer.verify(request_authorization_header, unix_seconds_now, {});
//   if (!verdict.claims) return unauthorized();   // 401 {"message":"Unauthorized"}

#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
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

/// How often a JWKS URL may be read again for a token whose kid is unknown. 10 s between reads
/// is what AWS's own verifier library waits (aws-jwt-verify, SimplePenaltyBox).
struct JwksRefetchPolicy {
  std::chrono::milliseconds min_interval{std::chrono::seconds(10)};
};

/// What a look-up of a kid found.
struct KeyLookup {
  std::optional<JsonWebKey> key;
  bool reading = false;  ///< the kid is unknown and a read of the source is under way
};

/// The signing keys of a user pool, from a JWKS file or loopback URL. For a URL, a kid that is
/// not known starts one background read of the URL (at most once per min_interval), so a
/// rotation of the pool's keys needs no restart; the keys stay as they were when a read fails.
/// Nothing here waits for a read: the caller asks when_read() to be told when it ends, so no
/// I/O thread is ever held by a slow or hanging JWKS server, however many tokens ask.
///
///   auto keys = JwksKeys::load("http://127.0.0.1:9000/jwks.json");   // throws JwksError
///   auto found = keys->lookup("kid-2", true);
///   if (found.key) rs256_verify(found.key->modulus, ...);
///   else if (found.reading) keys->when_read([] { /* look again */ });
class JwksKeys : public std::enable_shared_from_this<JwksKeys> {
 public:
  /// Reads the keys once (throws JwksError when that fails). Always held by a shared_ptr: a
  /// re-read's thread keeps its keys alive, so that dropping them never waits for a read.
  [[nodiscard]] static std::shared_ptr<JwksKeys> load(const std::string& file_or_url,
                                                      JwksRefetchPolicy policy = {});
  /// No keys yet: the first read runs in the background, started at once (for a route table
  /// reloaded while serving, whose thread must not do I/O). Until it ends, every kid is
  /// unknown and `reading`; when it fails, last_error() says why.
  [[nodiscard]] static std::shared_ptr<JwksKeys> load_in_background(const std::string& file_or_url,
                                                                    JwksRefetchPolicy policy = {});
  JwksKeys(std::string source, std::vector<JsonWebKey> keys, JwksRefetchPolicy policy);
  JwksKeys(const JwksKeys&) = delete;
  JwksKeys& operator=(const JwksKeys&) = delete;

  /// The key with this kid. For an unknown kid of a URL source, with `may_read`, a read starts
  /// when one is allowed; `reading` tells that one is under way (never without `may_read`).
  /// Never waits.
  [[nodiscard]] KeyLookup lookup(std::string_view key_id, bool may_read);
  /// Runs `done` once no read is under way: at once on this thread, or on the reading thread
  /// when its read ends (within the read's 5 s deadline).
  void when_read(std::function<void()> done);
  [[nodiscard]] const std::string& source() const noexcept { return source_; }
  /// How many times the source was read after the first time (for tests and the log).
  [[nodiscard]] int refetches() const;
  /// Why the last re-read failed; empty when it did not.
  [[nodiscard]] std::string last_error() const;

 private:
  [[nodiscard]] std::optional<JsonWebKey> known(std::string_view key_id) const;
  void start_read();
  void read();

  const std::string source_;
  const bool refetchable_;
  const JwksRefetchPolicy policy_;
  mutable std::mutex mutex_;
  std::vector<JsonWebKey> keys_;
  std::chrono::steady_clock::time_point last_read_;
  bool reading_ = false;
  int refetches_ = 0;
  std::string last_error_;
  std::vector<std::function<void()>> waiting_;
};

/// https://cognito-idp.<region>.amazonaws.com/<user pool id>
[[nodiscard]] std::string cognito_issuer(std::string_view region, std::string_view user_pool_id);

/// A user pool given by id ("eu-west-1_AbC123") or ARN
/// ("arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbC123"): its region and id.
struct UserPoolReference {
  std::string region;
  std::string id;
};

/// Throws std::invalid_argument for anything else, as the CDK app's config does.
[[nodiscard]] UserPoolReference parse_user_pool(std::string_view id_or_arn);

/// `seconds` since the epoch as API Gateway writes exp and iat claims:
/// "Tue Apr 04 18:39:39 UTC 2023".
[[nodiscard]] std::string claim_date(std::int64_t seconds);

/// The token's payload as requestContext.authorizer.claims: every value a string (numbers as
/// written, booleans "true"/"false", exp and iat as claim_date, arrays comma-joined).
[[nodiscard]] boost::json::object authorizer_claims(const boost::json::object& payload);

/// The stack's authorizer caches results this long (resultsCacheTtl in infra/lib/auth.ts).
inline constexpr std::int64_t default_result_ttl_seconds = 300;

struct CognitoSettings {
  std::string issuer;
  std::shared_ptr<JwksKeys> keys;
  /// AuthorizerResultTtlInSeconds: a token accepted once is accepted again without being
  /// verified, keyed by the Authorization header, for this long (0: no cache).
  std::int64_t result_ttl_seconds = default_result_ttl_seconds;
};

/// Which of API Gateway's answers a refusal gets.
enum class CognitoRefusal {
  unauthorized,  ///< 401 {"message":"Unauthorized"}
  expired,       ///< 401 {"message":"The incoming token has expired"}
  keys_reading,  ///< no answer yet: the pool's keys are being read; ask again after when_read
};

struct CognitoVerdict {
  std::optional<boost::json::object> claims;  ///< set when the token is accepted
  std::string reason;                         ///< why not, for the gateway's log only
  CognitoRefusal refusal = CognitoRefusal::unauthorized;
};

class CognitoAuthorizer {
 public:
  explicit CognitoAuthorizer(CognitoSettings settings) : settings_(std::move(settings)) {}

  /// `authorization` is the Authorization header (the token, optionally after "Bearer ");
  /// `scopes` are the method's OAuth scopes (none: an ID token is wanted). With `may_read`, a
  /// kid the pool's keys do not hold may start a read of them, and the verdict is then
  /// keys_reading: ask again once keys().when_read() calls back. Thread-safe; never waits.
  [[nodiscard]] CognitoVerdict verify(std::string_view authorization, std::int64_t now_seconds,
                                      const std::vector<std::string>& scopes,
                                      bool may_read = true) const;
  [[nodiscard]] JwksKeys& keys() const noexcept { return *settings_.keys; }
  [[nodiscard]] const std::shared_ptr<JwksKeys>& shared_keys() const noexcept {
    return settings_.keys;
  }

  /// At most this many results are cached (a token is at most the 10 KB header limit).
  static constexpr std::size_t max_cached_results = 1024;

 private:
  struct CachedResult {
    boost::json::object payload;
    std::int64_t until = 0;
  };

  /// Signature, key, exp, nbf and issuer: what a cached result stands for.
  [[nodiscard]] CognitoVerdict verify_token(std::string_view authorization,
                                            std::int64_t now_seconds, bool may_read) const;
  [[nodiscard]] static CognitoVerdict check_use_and_scopes(const boost::json::object& payload,
                                                           const std::vector<std::string>& scopes);
  [[nodiscard]] std::optional<boost::json::object> cached(std::string_view authorization,
                                                          std::int64_t now_seconds) const;
  void remember(std::string_view authorization, const boost::json::object& payload,
                std::int64_t now_seconds) const;

  CognitoSettings settings_;
  mutable std::mutex cache_mutex_;
  mutable std::map<std::string, CachedResult, std::less<>> cache_;
};

}  // namespace cppstack::local::auth

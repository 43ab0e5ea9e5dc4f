#pragma once
// IAM authorization (AWS_IAM) as API Gateway checks it: a Signature Version 4
// `Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...` header,
// verified with credentials given to the local gateway, scoped to its region and the
// `execute-api` service, with X-Amz-Date within 5 minutes. The answers are API Gateway's
// (403 with its messages); an accepted caller fills requestContext.identity.
//
//   SigV4Verifier verifier({.region = "us-east-1", .account_id = "123456789012",
//                           .credentials = {{"AKIDEXAMPLE", {.secret = "...", .user = "ci"}}}});
//   auto verdict = verifier.verify(request, std::chrono::system_clock::now());
//   if (verdict.rejection) return answer(403, verdict.rejection->message, ...);

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cppstack::local::auth {

struct IamCredential {
  std::string secret;
  std::string user = "local-user";  ///< IAM user name; with `role`, the role session's name
  std::string session_token{};      ///< when set, X-Amz-Security-Token must carry it (signed)
  /// When set, the key is a temporary credential of this role (an STS assumed-role session
  /// named `user`): the caller is arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION.
  std::string role{};
};

struct SigV4Settings {
  std::string region;
  std::string account_id;
  std::map<std::string, IamCredential> credentials;  ///< by access key id
};

/// Parses ACCESS_KEY_ID:SECRET_ACCESS_KEY[:USER_NAME[:SESSION_TOKEN]]; throws
/// std::invalid_argument.
[[nodiscard]] std::pair<std::string, IamCredential> parse_iam_credential(std::string_view text);

struct SignedRequest {
  std::string_view method;
  std::string_view target;  ///< path and query as sent, e.g. /prod/v1/items?a=1
  const std::vector<std::pair<std::string, std::string>>* headers = nullptr;
  std::string_view body;
};

struct GatewayRejection {
  int status = 403;
  std::string message;
  std::string error_type;  ///< x-amzn-ErrorType
};

struct IamIdentity {
  std::string access_key;
  std::string account_id;
  std::string caller;  ///< the IAM user's unique id (AIDA...), or AROA...:SESSION for a role
  std::string user;
  std::string user_arn;     ///< arn:aws:iam::ACCOUNT:user/NAME or ...:assumed-role/ROLE/SESSION
  std::string role_arn{};   ///< arn:aws:iam::ACCOUNT:role/ROLE for a role session, else empty
  std::string principal{};  ///< user/NAME or role/ROLE: whose identity policy applies
};

struct SigV4Verdict {
  std::optional<IamIdentity> identity;
  std::optional<GatewayRejection> rejection;
};

/// How the query string enters the canonical request.
enum class QueryForm {
  /// The parameters the function receives (split at '&' and ';', form-decoded), each key and
  /// value URI-encoded, sorted: what a signer following AWS's documented algorithm computes
  /// from decoded parameters (botocore given `params`, the AWS SDKs).
  parameters,
  /// The pieces between '&' as sent, sorted, not re-encoded: what botocore computes for a URL
  /// it is given with the query already in it.
  as_sent,
};

/// The canonical request of SigV4 (for services other than S3: the path encoded once more).
/// A signed header the request does not carry has an empty value here (verify() refuses it).
[[nodiscard]] std::string canonical_request(const SignedRequest& request,
                                            const std::vector<std::string>& signed_headers,
                                            std::string_view payload_hash,
                                            QueryForm query_form = QueryForm::parameters);

/// The longest canonical request the signature-mismatch answer shows; a longer one gets the
/// message without it (see sigv4.cpp), so a refusal never costs more than the request.
inline constexpr std::size_t max_echoed_canonical_bytes = 4096;

/// Hex HMAC-SHA256 signature of `string_to_sign` with the key derived from `secret` for the
/// date (YYYYMMDD), region and service.
[[nodiscard]] std::string sigv4_signature(std::string_view secret, std::string_view date,
                                          std::string_view region, std::string_view service,
                                          std::string_view string_to_sign);

class SigV4Verifier {
 public:
  explicit SigV4Verifier(SigV4Settings settings) : settings_(std::move(settings)) {}

  [[nodiscard]] SigV4Verdict verify(const SignedRequest& request,
                                    std::chrono::system_clock::time_point now) const;

 private:
  SigV4Settings settings_;
};

}  // namespace cppstack::local::auth

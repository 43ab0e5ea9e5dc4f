// The local gateway's authorizers and policies, without sockets: SigV4 against AWS's documented
// example (docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html, the IAM
// ListUsers request of 2015-08-30), Cognito JWTs signed with a key made here, the source-IP
// allowlist and the usage-plan quota.
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fstream>
#include <sstream>

#include "auth/cognito.hpp"
#include "auth/crypto.hpp"
#include "auth/iam_policy.hpp"
#include "auth/sigv4.hpp"
#include "auth/source_ip.hpp"
#include "auth/usage_quota.hpp"

namespace cppstack::local::auth {
namespace {

using namespace std::chrono_literals;

// --- SigV4 -------------------------------------------------------------------------------

TEST(SigV4, CanonicalRequestAndSignatureOfAwsDocumentedExample) {
  const std::vector<std::pair<std::string, std::string>> headers{
      {"Host", "iam.amazonaws.com"},
      {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
      {"X-Amz-Date", "20150830T123600Z"}};
  const SignedRequest request{.method = "GET",
                              .target = "/?Version=2010-05-08&Action=ListUsers",
                              .headers = &headers,
                              .body = ""};
  const std::string canonical =
      canonical_request(request, {"content-type", "host", "x-amz-date"}, sha256_hex(""));
  EXPECT_EQ(canonical,
            "GET\n/\nAction=ListUsers&Version=2010-05-08\n"
            "content-type:application/x-www-form-urlencoded; charset=utf-8\n"
            "host:iam.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
            "content-type;host;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex(canonical),
            "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59");
  EXPECT_EQ(
      sigv4_signature("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830", "us-east-1", "iam",
                      "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/iam/"
                      "aws4_request\n"
                      "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59"),
      "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
}

struct SignedFixture {
  std::vector<std::pair<std::string, std::string>> headers;
  SignedRequest request;
};

// Signs like a client would, with the documented algorithm.
std::vector<std::pair<std::string, std::string>> sign(std::string_view secret,
                                                      std::string_view access_key,
                                                      std::string_view amz_date,
                                                      std::string_view target,
                                                      std::string_view body) {
  std::vector<std::pair<std::string, std::string>> headers{{"Host", "127.0.0.1:3000"},
                                                           {"X-Amz-Date", std::string(amz_date)}};
  const SignedRequest request{
      .method = "POST", .target = target, .headers = &headers, .body = body};
  const std::string date(amz_date.substr(0, 8));
  const std::string canonical =
      canonical_request(request, {"host", "x-amz-date"}, sha256_hex(body));
  const std::string scope = date + "/us-east-1/execute-api/aws4_request";
  const std::string signature = sigv4_signature(
      secret, date, "us-east-1", "execute-api",
      "AWS4-HMAC-SHA256\n" + std::string(amz_date) + "\n" + scope + "\n" + sha256_hex(canonical));
  headers.emplace_back("Authorization",
                       "AWS4-HMAC-SHA256 Credential=" + std::string(access_key) + "/" + scope +
                           ", SignedHeaders=host;x-amz-date, Signature=" + signature);
  return headers;
}

SigV4Verifier verifier() {
  return SigV4Verifier({.region = "us-east-1",
                        .account_id = "123456789012",
                        .credentials = {{"AKIDTEST", {.secret = "s3cret", .user = "deployer"}}}});
}

const auto signed_at = std::chrono::sys_days{std::chrono::year{2026} / 1 / 2} + 3h + 4min + 5s;

TEST(SigV4, AcceptsAValidSignatureAndNamesTheCaller) {
  const auto headers = sign("s3cret", "AKIDTEST", "20260102T030405Z", "/prod/v1/x?b=2&a=1", "{}");
  const auto verdict = verifier().verify(
      {.method = "POST", .target = "/prod/v1/x?b=2&a=1", .headers = &headers, .body = "{}"},
      signed_at + 1min);
  ASSERT_TRUE(verdict.identity) << verdict.rejection->message;
  EXPECT_EQ(verdict.identity->access_key, "AKIDTEST");
  EXPECT_EQ(verdict.identity->user_arn, "arn:aws:iam::123456789012:user/deployer");
  EXPECT_TRUE(verdict.identity->caller.starts_with("AIDA"));
}

TEST(SigV4, RefusalsCarryApiGatewaysMessages) {
  const auto headers = sign("s3cret", "AKIDTEST", "20260102T030405Z", "/prod/v1/x", "{}");
  const auto check = [&](const SignedRequest& request, auto now) {
    const auto verdict = verifier().verify(request, now);
    EXPECT_FALSE(verdict.identity);
    return verdict.rejection.value_or(GatewayRejection{});
  };
  const SignedRequest good{
      .method = "POST", .target = "/prod/v1/x", .headers = &headers, .body = "{}"};
  auto tampered = good;
  tampered.body = "{\"changed\":true}";
  const auto mismatch = check(tampered, signed_at);
  EXPECT_EQ(mismatch.error_type, "InvalidSignatureException");
  EXPECT_TRUE(mismatch.message.starts_with(
      "The request signature we calculated does not match the signature you provided."));
  EXPECT_EQ(check(good, signed_at + 6min).message,
            "Signature expired: 20260102T030405Z is now earlier than 20260102T030505Z "
            "(20260102T031005Z - 5 min.)");
  const std::vector<std::pair<std::string, std::string>> none{{"Host", "h"}};
  EXPECT_EQ(
      check({.method = "GET", .target = "/", .headers = &none, .body = ""}, signed_at).message,
      "Missing Authentication Token");
  const auto unknown = sign("s3cret", "AKIDOTHER", "20260102T030405Z", "/prod/v1/x", "{}");
  const auto unknown_rejection = check(
      {.method = "POST", .target = "/prod/v1/x", .headers = &unknown, .body = "{}"}, signed_at);
  EXPECT_EQ(unknown_rejection.message, "The security token included in the request is invalid.");
  EXPECT_EQ(unknown_rejection.error_type, "UnrecognizedClientException");
}

TEST(SigV4, ParsesCredentialsFromTheCommandLine) {
  const auto [key, credential] = parse_iam_credential("AKID:secret:ci");
  EXPECT_EQ(key, "AKID");
  EXPECT_EQ(credential.secret, "secret");
  EXPECT_EQ(credential.user, "ci");
  EXPECT_THROW((void)parse_iam_credential("AKID"), std::invalid_argument);
  const auto [session_key, session] = parse_iam_credential("ASIA1:secret::token/with+base64=");
  EXPECT_EQ(session_key, "ASIA1");
  EXPECT_EQ(session.user, "local-user");
  EXPECT_EQ(session.session_token, "token/with+base64=");
  EXPECT_THROW((void)parse_iam_credential("A:b:c:d:e"), std::invalid_argument);
}

// A request signed like a client signs it: `signed_names` (sorted) are signed, the query in the
// given form. `extra` headers are sent and, when named in `signed_names`, signed.
struct ClientRequest {
  std::string method = "POST";
  std::string target = "/prod/v1/x";
  std::string body = "{}";
  std::vector<std::pair<std::string, std::string>> extra{};
  std::vector<std::string> signed_names{"host", "x-amz-date"};
  QueryForm query_form = QueryForm::parameters;
  std::string amz_date = "20260102T030405Z";
  std::string access_key = "AKIDTEST";
  std::string secret = "s3cret";
};

std::vector<std::pair<std::string, std::string>> sign(const ClientRequest& client) {
  std::vector<std::pair<std::string, std::string>> headers{{"Host", "127.0.0.1:3000"},
                                                           {"X-Amz-Date", client.amz_date}};
  headers.insert(headers.end(), client.extra.begin(), client.extra.end());
  const SignedRequest request{
      .method = client.method, .target = client.target, .headers = &headers, .body = client.body};
  const std::string date = client.amz_date.substr(0, 8);
  const std::string canonical =
      canonical_request(request, client.signed_names, sha256_hex(client.body), client.query_form);
  const std::string scope = date + "/us-east-1/execute-api/aws4_request";
  const std::string signature = sigv4_signature(
      client.secret, date, "us-east-1", "execute-api",
      "AWS4-HMAC-SHA256\n" + client.amz_date + "\n" + scope + "\n" + sha256_hex(canonical));
  std::string names;
  for (const auto& name : client.signed_names) names += (names.empty() ? "" : ";") + name;
  headers.emplace_back("Authorization", "AWS4-HMAC-SHA256 Credential=" + client.access_key + "/" +
                                            scope + ", SignedHeaders=" + names +
                                            ", Signature=" + signature);
  return headers;
}

SigV4Verdict verify_as_sent(const SigV4Verifier& verifier, const ClientRequest& client,
                            std::string_view target,
                            const std::vector<std::pair<std::string, std::string>>& headers,
                            std::chrono::system_clock::time_point now = signed_at) {
  return verifier.verify(
      {.method = client.method, .target = target, .headers = &headers, .body = client.body}, now);
}

// "host" must be signed: "'Host' or ':authority' must be a 'SignedHeader' in the AWS
// Authorization." (answers recorded in aws/aws-sdk-php#2469 and NetSPI/AWSSigner#3).
TEST(SigV4, HostMustBeSigned) {
  ClientRequest client;
  client.signed_names = {"x-amz-date"};
  const auto verdict = verify_as_sent(verifier(), client, client.target, sign(client));
  ASSERT_TRUE(verdict.rejection);
  EXPECT_EQ(verdict.rejection->message,
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
}

// A name signed but not sent would be signed as empty, and the header could then be added
// unsigned; a name listed twice or out of order makes the canonical request grow with every
// repetition. Both are refused as a signature mismatch, in its short form.
TEST(SigV4, EverySignedHeaderIsSentAndListedOnceInOrder) {
  ClientRequest absent;
  absent.signed_names = {"host", "x-amz-date", "x-not-sent"};
  auto verdict = verify_as_sent(verifier(), absent, absent.target, sign(absent));
  ASSERT_TRUE(verdict.rejection);
  EXPECT_EQ(verdict.rejection->error_type, "InvalidSignatureException");
  for (const std::vector<std::string>& names :
       {std::vector<std::string>{"host", "host", "x-amz-date"},
        std::vector<std::string>{"x-amz-date", "host"},
        std::vector<std::string>{"Host", "x-amz-date"}}) {
    ClientRequest client;
    client.signed_names = names;
    verdict = verify_as_sent(verifier(), client, client.target, sign(client));
    ASSERT_TRUE(verdict.rejection) << names.front();
    EXPECT_EQ(verdict.rejection->message,
              "The request signature we calculated does not match the signature you provided. "
              "Check your AWS Secret Access Key and signing method. Consult the service "
              "documentation for details.");
  }
}

// X-Amz-Date is read field by field and compared in seconds: a date centuries ahead is not
// current, year 0 is long expired, and a month 13 or a 30 February is no date at all.
TEST(SigV4, DatesOutOfRangeAreRefusedWithoutOverflow) {
  ClientRequest future;
  future.amz_date = "26110102T030405Z";
  auto verdict = verify_as_sent(verifier(), future, future.target, sign(future));
  ASSERT_TRUE(verdict.rejection);
  EXPECT_TRUE(verdict.rejection->message.starts_with("Signature not yet current: 26110102T030405Z"))
      << verdict.rejection->message;
  ClientRequest ancient;
  ancient.amz_date = "00000101T000000Z";
  verdict = verify_as_sent(verifier(), ancient, ancient.target, sign(ancient));
  ASSERT_TRUE(verdict.rejection);
  EXPECT_TRUE(verdict.rejection->message.starts_with("Signature expired: 00000101T000000Z"));
  for (const char* bad : {"20261302T030405Z", "20260230T030405Z", "20260102T240000Z",
                          "20260102T036005Z", "2026010xT030405Z", "+0260102T030405Z"}) {
    ClientRequest client;
    client.amz_date = bad;
    verdict = verify_as_sent(verifier(), client, client.target, sign(client));
    ASSERT_TRUE(verdict.rejection) << bad;
    EXPECT_EQ(verdict.rejection->message, std::string("Invalid X-Amz-Date: ") + bad);
  }
}

// The signature covers exactly the parameters the function receives (query_string.hpp): split
// at '&' and ';', '+' a space. A signer that signs decoded parameters and botocore signing a URL
// it is given (the query as sent) are both accepted; a change to what the function would
// receive is refused.
TEST(SigV4, TheSignatureCoversTheQueryTheFunctionReceives) {
  const auto accepted = [](std::string target, QueryForm form) {
    ClientRequest client;
    client.target = target;
    client.query_form = form;
    return verify_as_sent(verifier(), client, target, sign(client)).identity.has_value();
  };
  for (const char* target : {"/prod/v1/x?q=a+b", "/prod/v1/x?a=1;b=2", "/prod/v1/x?q=%7E",
                             "/prod/v1/x?b=2&a=1&a=0", "/prod/v1/x?k&v=", "/prod/v1/x?x=%zz"}) {
    EXPECT_TRUE(accepted(target, QueryForm::as_sent)) << target;
    EXPECT_TRUE(accepted(target, QueryForm::parameters)) << target;
  }
  // Signed for one query, sent with another that the function would read differently.
  const auto replayed = [](std::string signed_target, std::string sent_target, QueryForm form) {
    ClientRequest client;
    client.target = signed_target;
    client.query_form = form;
    return verify_as_sent(verifier(), client, sent_target, sign(client)).identity.has_value();
  };
  for (const auto form : {QueryForm::as_sent, QueryForm::parameters}) {
    EXPECT_FALSE(replayed("/prod/v1/x?a=1%3Bb%3D2", "/prod/v1/x?a=1;b=2", form));
    EXPECT_FALSE(replayed("/prod/v1/x?q=a%2Bb", "/prod/v1/x?q=a+b", form));
    EXPECT_FALSE(replayed("/prod/v1/x?q=a+b", "/prod/v1/x?q=a%2Bb", form));
    EXPECT_FALSE(replayed("/prod/v1/x?a=1", "/prod/v1/x?a=1&b", form));
    EXPECT_FALSE(replayed("/prod/v1/x?a=1", "/prod/v1/x?a=2", form));
  }
  // In the as-sent form an empty piece and "=" are both written "=", and so is an empty name
  // with an empty value in the parameters form, but the function gets an empty name only for
  // "=": a query with an empty piece is checked in the parameters form only, and one with "="
  // in neither.
  EXPECT_FALSE(replayed("/prod/v1/x?a=1&", "/prod/v1/x?a=1&=", QueryForm::as_sent));
  EXPECT_FALSE(replayed("/prod/v1/x?a=1&=", "/prod/v1/x?a=1&", QueryForm::as_sent));
  EXPECT_FALSE(replayed("/prod/v1/x?a=1&=", "/prod/v1/x?a=1&", QueryForm::parameters));
  EXPECT_FALSE(replayed("/prod/v1/x?x&;", "/prod/v1/x?x&;=", QueryForm::as_sent));
  EXPECT_FALSE(replayed("/prod/v1/x?x&;=", "/prod/v1/x?x&;", QueryForm::as_sent));
  EXPECT_TRUE(replayed("/prod/v1/x?a=1&", "/prod/v1/x?a=1&", QueryForm::parameters));
  EXPECT_TRUE(replayed("/prod/v1/x?a=1&&b=2", "/prod/v1/x?b=2&a=1", QueryForm::parameters));
}

// Temporary credentials: X-Amz-Security-Token must carry the session's token and be signed
// ("add the X-Amz-Security-Token header ... include it in the signed headers", Create a signed
// AWS API request, IAM User Guide). The caller is the role session.
TEST(SigV4, SessionTokensOfARoleSession) {
  const SigV4Verifier session_verifier({.region = "us-east-1",
                                        .account_id = "123456789012",
                                        .credentials = {{"ASIATEST",
                                                         {.secret = "s3cret",
                                                          .user = "ci-session",
                                                          .session_token = "FwoGZXIvYXdzEXAMPLE",
                                                          .role = "deployer"}}}});
  ClientRequest client;
  client.access_key = "ASIATEST";
  client.extra = {{"X-Amz-Security-Token", "FwoGZXIvYXdzEXAMPLE"}};
  client.signed_names = {"host", "x-amz-date", "x-amz-security-token"};
  auto verdict = verify_as_sent(session_verifier, client, client.target, sign(client));
  ASSERT_TRUE(verdict.identity) << verdict.rejection->message;
  EXPECT_EQ(verdict.identity->user_arn,
            "arn:aws:sts::123456789012:assumed-role/deployer/ci-session");
  EXPECT_EQ(verdict.identity->role_arn, "arn:aws:iam::123456789012:role/deployer");
  EXPECT_TRUE(verdict.identity->caller.starts_with("AROA"));
  EXPECT_TRUE(verdict.identity->caller.ends_with(":ci-session"));
  // The token sent but not signed.
  client.signed_names = {"host", "x-amz-date"};
  verdict = verify_as_sent(session_verifier, client, client.target, sign(client));
  ASSERT_TRUE(verdict.rejection);
  EXPECT_EQ(verdict.rejection->error_type, "InvalidSignatureException");
  // Another token, or none.
  client.extra = {{"X-Amz-Security-Token", "other"}};
  client.signed_names = {"host", "x-amz-date", "x-amz-security-token"};
  verdict = verify_as_sent(session_verifier, client, client.target, sign(client));
  ASSERT_TRUE(verdict.rejection);
  EXPECT_EQ(verdict.rejection->error_type, "UnrecognizedClientException");
  client.extra.clear();
  client.signed_names = {"host", "x-amz-date"};
  verdict = verify_as_sent(session_verifier, client, client.target, sign(client));
  ASSERT_TRUE(verdict.rejection);
  EXPECT_EQ(verdict.rejection->error_type, "UnrecognizedClientException");
}

// The mismatch answer shows the canonical request as API Gateway's long form does
// (mhart/aws4#33) while it is small, and the first sentence alone, as API Gateway also answers
// (rpgreen/apigateway-generic-java-sdk#11), past max_echoed_canonical_bytes: a refusal never
// grows with what the client sends.
TEST(SigV4, TheMismatchAnswerIsBounded) {
  ClientRequest small;
  small.secret = "wrong";
  auto verdict = verify_as_sent(verifier(), small, small.target, sign(small));
  ASSERT_TRUE(verdict.rejection);
  EXPECT_NE(verdict.rejection->message.find("The Canonical String for this request should have "
                                            "been\n'POST\n/prod/v1/x\n\nhost:127.0.0.1:3000\n"),
            std::string::npos);
  ClientRequest large;
  large.secret = "wrong";
  for (int index = 0; index < 9; ++index) {
    large.extra.emplace_back("x-big-" + std::to_string(index), std::string(900, 'v'));
    large.signed_names.push_back("x-big-" + std::to_string(index));
  }
  std::sort(large.signed_names.begin(), large.signed_names.end());
  verdict = verify_as_sent(verifier(), large, large.target, sign(large));
  ASSERT_TRUE(verdict.rejection);
  EXPECT_LT(verdict.rejection->message.size(), std::size_t{512});
  EXPECT_EQ(verdict.rejection->error_type, "InvalidSignatureException");
}

// --- Cognito -----------------------------------------------------------------------------

struct TestKey {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  ~TestKey() { EVP_PKEY_free(key); }

  [[nodiscard]] std::string big_endian(const char* name) const {
    BIGNUM* number = nullptr;
    EVP_PKEY_get_bn_param(key, name, &number);
    std::string bytes(static_cast<std::size_t>(BN_num_bytes(number)), '\0');
    BN_bn2bin(number, reinterpret_cast<unsigned char*>(bytes.data()));
    BN_free(number);
    return bytes;
  }
  [[nodiscard]] JsonWebKey jwk(std::string kid) const {
    return {std::move(kid), big_endian(OSSL_PKEY_PARAM_RSA_N), big_endian(OSSL_PKEY_PARAM_RSA_E)};
  }
  [[nodiscard]] std::string sign(std::string_view data) const {
    EVP_MD_CTX* context = EVP_MD_CTX_new();
    EVP_DigestSignInit(context, nullptr, EVP_sha256(), nullptr, key);
    std::size_t length = 0;
    EVP_DigestSign(context, nullptr, &length, reinterpret_cast<const unsigned char*>(data.data()),
                   data.size());
    std::string signature(length, '\0');
    EVP_DigestSign(context, reinterpret_cast<unsigned char*>(signature.data()), &length,
                   reinterpret_cast<const unsigned char*>(data.data()), data.size());
    EVP_MD_CTX_free(context);
    signature.resize(length);
    return signature;
  }
};

std::string base64url(std::string_view bytes) {
  static constexpr char alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string text;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const char byte : bytes) {
    buffer = (buffer << 8) | static_cast<unsigned char>(byte);
    bits += 8;
    while (bits >= 6) {
      text.push_back(alphabet[(buffer >> (bits - 6)) & 0x3f]);
      bits -= 6;
    }
  }
  if (bits > 0) text.push_back(alphabet[(buffer << (6 - bits)) & 0x3f]);
  return text;
}

std::string token(const TestKey& key, const boost::json::object& claims, std::string kid = "k1") {
  const std::string signed_part =
      base64url(boost::json::serialize(boost::json::object{{"kid", kid}, {"alg", "RS256"}})) + "." +
      base64url(boost::json::serialize(claims));
  return signed_part + "." + base64url(key.sign(signed_part));
}

constexpr std::int64_t now = 1680629979;  // 2023-04-04T17:39:39Z
const std::string issuer = cognito_issuer("us-east-1", "us-east-1_Pool");

boost::json::object claims(std::string_view use = "id") {
  return {{"sub", "abc"},
          {"iss", issuer},
          {"aud", "client-a"},
          {"token_use", use},
          {"exp", now + 3600},
          {"iat", now},
          {"auth_time", now},
          {"email_verified", true},
          {"cognito:groups", boost::json::array{"admins", "ops"}}};
}

TEST(Cognito, ClaimDatesAreWrittenAsApiGatewayWritesThem) {
  // exp of the event recorded at repost.aws/questions/QUFJRBaEJRSmmqarNrvCWoQA.
  EXPECT_EQ(claim_date(now + 3600), "Tue Apr 04 18:39:39 UTC 2023");
}

std::shared_ptr<JwksKeys> keys_of(const TestKey& key) {
  return std::make_shared<JwksKeys>("jwks.json", std::vector<JsonWebKey>{key.jwk("k1")},
                                    JwksRefetchPolicy{});
}

const std::vector<std::string> no_scopes;

TEST(Cognito, AcceptsAValidTokenAndGivesStringClaims) {
  const TestKey key;
  const CognitoAuthorizer authorizer({.issuer = issuer, .keys = keys_of(key)});
  const auto verdict = authorizer.verify(token(key, claims()), now, no_scopes);
  ASSERT_TRUE(verdict.claims) << verdict.reason;
  EXPECT_EQ(verdict.claims->at("exp"), "Tue Apr 04 18:39:39 UTC 2023");
  EXPECT_EQ(verdict.claims->at("auth_time"), "1680629979");
  EXPECT_EQ(verdict.claims->at("email_verified"), "true");
  EXPECT_EQ(verdict.claims->at("cognito:groups"), "admins,ops");
  EXPECT_TRUE(authorizer.verify("Bearer " + token(key, claims()), now, no_scopes).claims);
}

// API Gateway compares aud with nothing unless the authorizer has a token validation
// expression ("validate the aud (audience) field of the identity token",
// docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-enable-cognito-user-pool.html);
// the project's authorizer has none, so an ID token of any app client of the pool passes.
TEST(Cognito, AcceptsIdTokensOfEveryAppClientOfThePool) {
  const TestKey key;
  const CognitoAuthorizer authorizer({.issuer = issuer, .keys = keys_of(key)});
  auto other_client = claims();
  other_client["aud"] = "client-b";
  EXPECT_TRUE(authorizer.verify(token(key, other_client), now, no_scopes).claims);
}

TEST(Cognito, RefusesEveryInvalidToken) {
  const TestKey key;
  const TestKey other;
  const CognitoAuthorizer authorizer({.issuer = issuer, .keys = keys_of(key)});
  auto expired = claims();
  expired["exp"] = now - 1;
  auto foreign = claims();
  foreign["iss"] = issuer + "x";
  auto refresh = claims("refresh");
  const std::string good = token(key, claims());
  std::string tampered = good;
  tampered[good.find('.') + 5] = tampered[good.find('.') + 5] == 'A' ? 'B' : 'A';
  for (const std::string& bad : {std::string(), std::string("abc"), token(key, expired),
                                 token(key, foreign), token(key, refresh), token(other, claims()),
                                 token(key, claims(), "k2"), tampered, good + "x"}) {
    EXPECT_FALSE(authorizer.verify(bad, now, no_scopes).claims) << bad.substr(0, 40);
  }
}

boost::json::object access_claims(std::string_view scope) {
  auto access = claims("access");
  access.erase("aud");  // an access token names its app client in client_id
  access["client_id"] = "client-a";
  access["scope"] = scope;
  return access;
}

// "If you do not configure any authorization scopes, API Gateway treats the supplied token as
// an identity token" (apigateway-enable-cognito-user-pool.html); an access token there is
// answered 401 (recorded in aws-amplify/amplify-android#935: {"message":"Unauthorized"}).
TEST(Cognito, AMethodWithoutScopesWantsAnIdToken) {
  const TestKey key;
  const CognitoAuthorizer authorizer({.issuer = issuer, .keys = keys_of(key)});
  const auto verdict =
      authorizer.verify(token(key, access_claims("aws.cognito.signin.user.admin")), now, no_scopes);
  EXPECT_FALSE(verdict.claims);
  EXPECT_EQ(verdict.reason, "the method has no scopes: it wants an ID token");
}

// "The method invocation is authorized if any method scopes matches a claimed scope in the
// access token ... When the method scope is configured, the client must provide an access token
// instead of an identity token" (AuthorizationScopes, AWS::ApiGateway::Method, CloudFormation).
TEST(Cognito, AMethodWithScopesWantsAnAccessTokenWithOneOfThem) {
  const TestKey key;
  const CognitoAuthorizer authorizer({.issuer = issuer, .keys = keys_of(key)});
  const std::vector<std::string> scopes{"notes/read", "notes/admin"};
  const auto verify = [&](const boost::json::object& payload) {
    return authorizer.verify(token(key, payload), now, scopes);
  };
  EXPECT_TRUE(verify(access_claims("openid notes/admin")).claims);
  EXPECT_TRUE(verify(access_claims("notes/read")).claims);
  const auto none = verify(access_claims("notes/write notes/readonly notes"));
  EXPECT_FALSE(none.claims);
  EXPECT_EQ(none.reason, "the access token has none of the method's scopes");
  EXPECT_FALSE(verify(access_claims("")).claims);
  auto unscoped = access_claims("");
  unscoped.erase("scope");
  EXPECT_FALSE(verify(unscoped).claims);
  auto id_with_scope = claims();
  id_with_scope["scope"] = "notes/read";
  const auto id_token = verify(id_with_scope);
  EXPECT_FALSE(id_token.claims);
  EXPECT_EQ(id_token.reason, "the method has scopes: it wants an access token");
}

// tests/fixtures/env/cases.json "userPools": the CDK app's infra/test reads the same cases.
// An expired token is answered 401 {"message":"The incoming token has expired"} (recorded in
// aws-amplify/amplify-js#6060); other refusals are 401 Unauthorized.
TEST(Cognito, AnExpiredTokenIsToldApart) {
  const TestKey key;
  const CognitoAuthorizer authorizer({.issuer = issuer, .keys = keys_of(key)});
  auto expired = claims();
  expired["exp"] = now;
  const auto verdict = authorizer.verify(token(key, expired), now, no_scopes);
  EXPECT_FALSE(verdict.claims);
  EXPECT_EQ(verdict.refusal, CognitoRefusal::expired);
  auto foreign = claims();
  foreign["iss"] = "https://elsewhere";
  EXPECT_EQ(authorizer.verify(token(key, foreign), now, no_scopes).refusal,
            CognitoRefusal::unauthorized);
}

// "The JWT MUST NOT be accepted for processing" before its nbf (RFC 7519 section 4.1.5).
TEST(Cognito, ATokenIsNotAcceptedBeforeItsNotBefore) {
  const TestKey key;
  const CognitoAuthorizer authorizer(
      {.issuer = issuer, .keys = keys_of(key), .result_ttl_seconds = 0});
  auto later = claims();
  later["nbf"] = now + 60;
  EXPECT_FALSE(authorizer.verify(token(key, later), now, no_scopes).claims);
  EXPECT_TRUE(authorizer.verify(token(key, later), now + 60, no_scopes).claims);
  later["nbf"] = double(now) + 0.5;
  EXPECT_FALSE(authorizer.verify(token(key, later), now, no_scopes).claims);
}

// exp, iat and nbf are NumericDates: "A JSON numeric value representing the number of seconds
// ... non-integer values can be represented" (RFC 7519 section 2). Fractions, huge values and
// values past int64 are read as numbers; dates beyond year 9999 are shown as written.
TEST(Cognito, NumericDatesMayBeAnyJsonNumber) {
  const TestKey key;
  const CognitoAuthorizer authorizer(
      {.issuer = issuer, .keys = keys_of(key), .result_ttl_seconds = 0});
  auto fractional = claims();
  fractional["exp"] = double(now) + 3600.5;
  fractional["iat"] = double(now) + 0.25;
  auto verdict = authorizer.verify(token(key, fractional), now, no_scopes);
  ASSERT_TRUE(verdict.claims) << verdict.reason;
  EXPECT_EQ(verdict.claims->at("exp"), "Tue Apr 04 18:39:39 UTC 2023");
  auto huge = claims();
  huge["exp"] = 1e300;
  huge["iat"] = std::uint64_t{1} << 63;
  verdict = authorizer.verify(token(key, huge), now, no_scopes);
  ASSERT_TRUE(verdict.claims) << verdict.reason;
  EXPECT_EQ(verdict.claims->at("iat"), "9223372036854775808");
  auto before_epoch = claims();
  before_epoch["exp"] = -1e300;
  EXPECT_EQ(authorizer.verify(token(key, before_epoch), now, no_scopes).refusal,
            CognitoRefusal::expired);
}

// AuthorizerResultTtlInSeconds: "If it is greater than 0, API Gateway will cache authorizer
// responses" (AWS::ApiGateway::Authorizer, CloudFormation reference); the stack sets 300 s
// (infra/lib/auth.ts). A token accepted once is accepted again for that long without being
// verified again, even after it expires; the method's token type and scopes are still checked.
TEST(Cognito, AcceptedTokensAreCachedForTheResultTtl) {
  const TestKey key;
  const CognitoAuthorizer cached({.issuer = issuer, .keys = keys_of(key)});
  const CognitoAuthorizer uncached(
      {.issuer = issuer, .keys = keys_of(key), .result_ttl_seconds = 0});
  const std::string good = token(key, claims());  // expires at now + 3600
  const std::int64_t accepted_at = now + 3500;
  EXPECT_TRUE(cached.verify(good, accepted_at, no_scopes).claims);
  EXPECT_TRUE(cached.verify(good, now + 3700, no_scopes).claims);
  EXPECT_FALSE(uncached.verify(good, now + 3700, no_scopes).claims);
  EXPECT_FALSE(cached.verify(good, accepted_at + default_result_ttl_seconds, no_scopes).claims);
  EXPECT_FALSE(cached.verify(good, accepted_at, {"notes/read"}).claims);
}

TEST(Cognito, UserPoolIdsAndArnsGiveTheIssuerLikeTheCdkApp) {
  std::ifstream file(ENV_CASES);
  std::stringstream text;
  text << file.rdbuf();
  const auto cases = boost::json::parse(text.str()).at("userPools").as_array();
  ASSERT_FALSE(cases.empty());
  for (const auto& entry : cases) {
    const std::string value(entry.at("value").as_string());
    if (const auto* message = entry.as_object().if_contains("message")) {
      try {
        (void)parse_user_pool(value);
        ADD_FAILURE() << value << " was accepted";
      } catch (const std::invalid_argument& error) {
        EXPECT_EQ(error.what(), message->as_string()) << value;
      }
      continue;
    }
    const auto pool = parse_user_pool(value);
    EXPECT_EQ(pool.region, entry.at("region").as_string()) << value;
    EXPECT_EQ(pool.id, entry.at("id").as_string()) << value;
    EXPECT_EQ(cognito_issuer(pool.region, pool.id), entry.at("issuer").as_string()) << value;
  }
}

TEST(Cognito, JwksNeedsAnRsaKey) {
  EXPECT_THROW((void)parse_jwks(R"({"keys":[]})"), JwksError);
  EXPECT_THROW((void)parse_jwks("not json"), JwksError);
  EXPECT_THROW((void)load_jwks("http://192.0.2.1/jwks.json"), JwksError);  // not loopback
  const auto keys = parse_jwks(
      R"({"keys":[{"kty":"EC","kid":"x"},{"kty":"RSA","kid":"k","n":"AQAB","e":"AQAB"}]})");
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0].key_id, "k");
}

// --- Resource policy and quota ------------------------------------------------------------

// --- IAM identity policies ----------------------------------------------------------------

// IAM's evaluation: an explicit Deny wins, otherwise an Allow is needed, and a principal
// without a statement that applies is denied (IAM User Guide, "Policy evaluation logic");
// '*' and '?' in ARNs match any run / any one character, '/' included.
TEST(IamPolicies, AllowDenyAndWildcardsAsIamEvaluatesThem) {
  const auto policies = IamPolicies::parse(R"({"formatVersion": 1, "principals": {
    "user/ci": {"Version": "2012-10-17", "Statement": [
      {"Effect": "Allow", "Action": "execute-api:Invoke",
       "Resource": "arn:aws:execute-api:*:*:*/prod/GET/v1/*"},
      {"Effect": "Deny", "Action": ["execute-api:*"],
       "Resource": ["arn:aws:execute-api:*:*:*/prod/GET/v1/admin*"]}]},
    "role/reader": {"Statement": {"Effect": "Allow", "Action": "EXECUTE-API:invoke",
                                  "Resource": "arn:aws:execute-api:us-east-1:123456789012:api1/prod/????/v1/items"}}}})");
  const std::string base = "arn:aws:execute-api:us-east-1:123456789012:api1/prod/";
  EXPECT_EQ(policies.evaluate("user/ci", base + "GET/v1/items/42"), PolicyDecision::allow);
  EXPECT_EQ(policies.evaluate("user/ci", base + "GET/v1/admin/users"),
            PolicyDecision::explicit_deny);
  EXPECT_EQ(policies.evaluate("user/ci", base + "POST/v1/items"), PolicyDecision::implicit_deny);
  EXPECT_EQ(policies.evaluate("role/reader", base + "POST/v1/items"), PolicyDecision::allow);
  EXPECT_EQ(policies.evaluate("role/reader", base + "GET/v1/items"), PolicyDecision::implicit_deny);
  EXPECT_EQ(policies.evaluate("user/reader", base + "POST/v1/items"),
            PolicyDecision::implicit_deny);
  EXPECT_EQ(policies.evaluate("user/nobody", base + "GET/v1/items"), PolicyDecision::implicit_deny);
}

TEST(IamPolicies, WildcardsMatchAnyRunOrAnyOneCharacter) {
  EXPECT_TRUE(iam_wildcard_match("a*b?d*", "axxbcdyy"));
  EXPECT_FALSE(iam_wildcard_match("a*b?d", "axxbcdyy"));
  EXPECT_TRUE(iam_wildcard_match("*", ""));
  // Runs of stars collapse: a long text that does not match is refused without backtracking
  // through every star.
  EXPECT_FALSE(iam_wildcard_match(std::string(200, '*') + "b", std::string(5000, 'a')));
}

TEST(IamPolicies, WhatIsNotEvaluatedIsRefused) {
  for (const char* bad :
       {R"({"formatVersion": 2, "principals": {}})",
        R"({"formatVersion": 1, "principals": {"ci": {"Statement": []}}})",
        R"({"formatVersion": 1, "principals": {"user/ci": {"Statement": [{"Effect": "Allow",
               "Action": "execute-api:Invoke", "NotResource": "*"}]}}})",
        R"({"formatVersion": 1, "principals": {"user/ci": {"Statement": [{"Effect": "Maybe",
               "Action": "*", "Resource": "*"}]}}})",
        R"({"formatVersion": 1, "principals": {"user/ci": {"Statement": [{"Effect": "Allow",
               "Action": "*", "Resource": "*", "Condition": {}}]}}})",
        "not json"}) {
    EXPECT_THROW((void)IamPolicies::parse(bad), std::invalid_argument) << bad;
  }
}

TEST(SourceIpAllowlist, AddressesAndCidrBlocksOfBothFamilies) {
  const auto allowlist = SourceIpAllowlist::parse("203.0.113.0/24, 198.51.100.7, 2001:db8::/32");
  const auto address = [](const char* text) { return boost::asio::ip::make_address(text); };
  EXPECT_TRUE(allowlist.allows(address("203.0.113.200")));
  EXPECT_TRUE(allowlist.allows(address("198.51.100.7")));
  EXPECT_TRUE(allowlist.allows(address("::ffff:203.0.113.1")));
  EXPECT_TRUE(allowlist.allows(address("2001:db8:1::1")));
  EXPECT_FALSE(allowlist.allows(address("203.0.114.1")));
  EXPECT_FALSE(allowlist.allows(address("198.51.100.8")));
  EXPECT_FALSE(allowlist.allows(address("2001:db9::1")));
  EXPECT_TRUE(SourceIpAllowlist::parse("").allows(address("192.0.2.1")));
  EXPECT_THROW((void)SourceIpAllowlist::parse("10.0.0.0/33"), std::invalid_argument);
  EXPECT_THROW((void)SourceIpAllowlist::parse("localhost"), std::invalid_argument);
}

TEST(UsageQuota, CountsPerKeyAndStartsOverEachPeriod) {
  UsageQuota quota({.limit = 2, .period = QuotaPeriod::day});
  const auto monday = std::chrono::sys_days{std::chrono::year{2026} / 11 / 30} + 23h;
  EXPECT_TRUE(quota.try_consume("a", monday));
  EXPECT_TRUE(quota.try_consume("a", monday));
  EXPECT_FALSE(quota.try_consume("a", monday));
  EXPECT_TRUE(quota.try_consume("b", monday));
  EXPECT_TRUE(quota.try_consume("a", monday + 2h));  // the next UTC day
  EXPECT_EQ(period_start(QuotaPeriod::week, monday + 50h),
            std::chrono::sys_days{std::chrono::year{2026} / 11 / 30});
  EXPECT_EQ(period_start(QuotaPeriod::month, monday),
            std::chrono::sys_days{std::chrono::year{2026} / 11 / 1});
}

TEST(UsageQuota, SettingsNameTheVariable) {
  EXPECT_FALSE(parse_quota(std::nullopt, std::nullopt));
  EXPECT_EQ(parse_quota("5", "WEEK")->period, QuotaPeriod::week);
  for (const auto& [limit, period] : std::vector<std::pair<std::string, std::string>>{
           {"0", "DAY"}, {"x", "DAY"}, {"5", "YEAR"}}) {
    try {
      (void)parse_quota(limit, period);
      ADD_FAILURE() << limit << " " << period;
    } catch (const std::invalid_argument& error) {
      EXPECT_NE(std::string(error.what()).find("API_QUOTA_"), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace cppstack::local::auth

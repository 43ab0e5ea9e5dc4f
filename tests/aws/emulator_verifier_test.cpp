// The client's signatures are accepted by the emulator's own SigV4 verifier (the local API
// Gateway's AWS_IAM check), and a tampered request is not.
#include <gtest/gtest.h>

#include <cppstack/aws/sigv4.hpp>

#include "auth/sigv4.hpp"

namespace {

using namespace std::chrono_literals;
namespace local = cppstack::local::auth;

struct Signed {
  std::vector<std::pair<std::string, std::string>> headers;
};

Signed sign_for_gateway(std::string_view method, std::string_view path, std::string_view query,
                        std::string_view body, std::chrono::system_clock::time_point now,
                        const cppstack::aws::Credentials& credentials) {
  const std::string date = cppstack::aws::amz_date(now);
  cppstack::aws::RequestToSign request{.method = method,
                                       .path = path,
                                       .query = query,
                                       .headers = {{"Host", "abc123.execute-api.local"},
                                                   {"X-Amz-Date", date},
                                                   {"Content-Type", "application/json"}},
                                       .payload_hash = cppstack::aws::sha256_hex(body)};
  if (!credentials.session_token.empty())
    request.headers.emplace_back("X-Amz-Security-Token", credentials.session_token);
  const auto signature = cppstack::aws::sign(
      request, credentials, {.region = "eu-west-1", .service = "execute-api", .amz_date = date});
  Signed out{request.headers};
  out.headers.emplace_back("Authorization", signature.authorization);
  return out;
}

local::SigV4Verifier verifier() {
  return local::SigV4Verifier(
      {.region = "eu-west-1",
       .account_id = "123456789012",
       .credentials = {{"AKIDLOCAL", {.secret = "local/secret+key", .user = "ci"}},
                       {"ASIALOCAL", {.secret = "temp", .user = "t", .session_token = "tok/+="}}}});
}

TEST(EmulatorVerifier, AcceptsTheClientsSignature) {
  const auto now = std::chrono::system_clock::now();
  const std::string target = "/prod/v1/notes/a%20b?limit=2&after=x%2By";
  const std::string body = R"({"title":"é"})";
  const auto request = sign_for_gateway("POST", "/prod/v1/notes/a%20b", "limit=2&after=x%2By", body,
                                        now, {"AKIDLOCAL", "local/secret+key", ""});
  const auto verdict = verifier().verify(
      {.method = "POST", .target = target, .headers = &request.headers, .body = body}, now);
  ASSERT_FALSE(verdict.rejection) << verdict.rejection->message;
  EXPECT_EQ(verdict.identity->user, verdict.identity->caller);
}

TEST(EmulatorVerifier, AcceptsASessionToken) {
  const auto now = std::chrono::system_clock::now();
  const auto request =
      sign_for_gateway("GET", "/prod/v1/notes", "", "", now, {"ASIALOCAL", "temp", "tok/+="});
  const auto verdict = verifier().verify(
      {.method = "GET", .target = "/prod/v1/notes", .headers = &request.headers, .body = ""}, now);
  EXPECT_FALSE(verdict.rejection) << verdict.rejection->message;
}

TEST(EmulatorVerifier, RefusesATamperedBody) {
  const auto now = std::chrono::system_clock::now();
  const auto request = sign_for_gateway("POST", "/prod/v1/notes", "", "{}", now,
                                        {"AKIDLOCAL", "local/secret+key", ""});
  const auto verdict = verifier().verify(
      {.method = "POST", .target = "/prod/v1/notes", .headers = &request.headers, .body = "{ }"},
      now);
  ASSERT_TRUE(verdict.rejection);
  EXPECT_EQ(verdict.rejection->error_type, "InvalidSignatureException");
}

}  // namespace

#pragma once
// What `make run` needs to serve every auth mode with nothing to set up, generated once into a
// local folder (git-ignored `.cppstack-local/`) and reused by every later run:
// - a Cognito-compatible issuer: an RSA key pair (issuer/private-key.pem, mode 0600) and its
//   JWKS (issuer/jwks.json), which the gateway reads as a file; `cppstack-local token` mints ID
//   and access tokens with it;
// - the values of API keys that `.env` names without one (api-keys/<name>, mode 0600);
// - IAM credentials to sign with, when none are given (iam/credentials in the AWS CLI's
//   format, profile cppstack-local, and iam/credentials.env for a shell), mode 0600.
// Every file is written whole and linked into place only when absent, so two processes that
// start at once agree on one value.
//
//   cppstack::local::LocalAuthFolder folder(".cppstack-local");
//   auto jwks = folder.issuer_jwks();                 // generates the key pair the first time
//   auto token = folder.mint_token({.issuer = issuer, .client_id = "local", .username = "alice"});

#include <cppstack/local/api_keys.hpp>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace cppstack::local {

/// The user pool of locally minted tokens when COGNITO_USER_POOL_ID is empty.
[[nodiscard]] std::string local_user_pool_id(std::string_view region);
/// The app client of locally minted tokens when COGNITO_APP_CLIENT_IDS is empty.
inline constexpr std::string_view local_app_client_id = "cppstacklocalclient";
/// The profile of the generated IAM credentials.
inline constexpr std::string_view local_iam_profile = "cppstack-local";

/// What a minted token says (Cognito's ID and access token claims).
struct TokenClaims {
  std::string issuer;  ///< https://cognito-idp.<region>.amazonaws.com/<pool id>
  std::string client_id;
  std::string username = "local-user";
  bool access = false;                ///< an access token (token_use access), else an ID token
  std::vector<std::string> groups{};  ///< cognito:groups
  std::vector<std::string> scopes{};  ///< scope of an access token
  /// Further claims (or replacements), name and JSON value text (a text that is not JSON is
  /// taken as a string).
  std::vector<std::pair<std::string, std::string>> extra{};
  std::int64_t issued_at = 0;  ///< seconds since the epoch; 0: now
  std::int64_t lifetime_seconds = 3600;
};

/// A shared credentials file's profiles as ACCESS_KEY_ID:SECRET_ACCESS_KEY:PROFILE (the AWS
/// CLI's INI format: [profile], aws_access_key_id, aws_secret_access_key). Throws
/// std::runtime_error when it cannot be read or has no complete profile.
[[nodiscard]] std::vector<std::string> read_iam_credentials_file(const std::filesystem::path& file);

class LocalAuthFolder {
 public:
  /// Creates the folder (mode 0700) when it does not exist.
  explicit LocalAuthFolder(std::filesystem::path directory);

  [[nodiscard]] const std::filesystem::path& directory() const noexcept { return directory_; }
  /// The issuer's JWKS file; generates the key pair the first time.
  [[nodiscard]] std::filesystem::path issuer_jwks() const;
  /// A signed JWT (RS256, the issuer's key and kid).
  [[nodiscard]] std::string mint_token(const TokenClaims& claims) const;
  /// Gives every key of `settings` without a value its generated one.
  void fill_key_values(ApiKeySettings& settings) const;
  /// The generated IAM credentials file (created the first time).
  [[nodiscard]] std::filesystem::path iam_credentials_file() const;
  /// The same credentials as AWS_ACCESS_KEY_ID=... lines a shell can source.
  [[nodiscard]] std::filesystem::path iam_environment_file() const;

 private:
  std::filesystem::path directory_;
};

}  // namespace cppstack::local

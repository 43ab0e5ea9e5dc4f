#pragma once
// OAuth scopes a route requires of a Cognito access token (API Gateway's authorizationScopes
// of a method): a token is accepted when its `scope` claim holds at least one of them. A scope
// is checked when the program is compiled, as route paths are:
//
//   routes.get("/v1/notes", {.auth = AuthMode::cognito, .scopes = {"notes/read"}}, list_notes);
//   routes.get("/v1/notes", {.auth = AuthMode::cognito, .scopes = {"notes read"}}, list_notes);
//                                                   // compile error naming the rule

#include <cstddef>
#include <string_view>

namespace cppstack::http {

/// Cognito's longest custom scope: a resource server identifier (up to 256 characters), '/',
/// and a scope name (up to 256).
inline constexpr std::size_t max_oauth_scope_length = 513;

/// Whether `scope` is an OAuth 2.0 scope-token (RFC 6749 section 3.3: one or more of the
/// printable ASCII characters but space, '"' and '\'), which is also what Cognito writes in
/// the space-separated `scope` claim: `<resource server>/<scope name>` or a standard scope
/// such as `openid` or `aws.cognito.signin.user.admin`.
[[nodiscard]] constexpr bool is_oauth_scope(std::string_view scope) noexcept {
  if (scope.empty() || scope.size() > max_oauth_scope_length) return false;
  for (const char c : scope) {
    if (c < '!' || c > '~' || c == '"' || c == '\\') return false;
  }
  return true;
}

namespace scope_rules {
// Called only when an AuthScope literal breaks the rule: being non-constexpr, it turns the
// mistake into a compile error whose text names the rule.
void oauth_scope_must_be_printable_ascii_without_spaces_quotes_or_backslashes();
}  // namespace scope_rules

/// One required scope, checked at compile time.
class AuthScope {
 public:
  // NOLINTNEXTLINE(google-explicit-constructor): a string literal is the natural spelling.
  consteval AuthScope(const char* text) : text_(text) {
    if (!is_oauth_scope(text_)) {
      scope_rules::oauth_scope_must_be_printable_ascii_without_spaces_quotes_or_backslashes();
    }
  }
  [[nodiscard]] constexpr std::string_view text() const noexcept { return text_; }

 private:
  std::string_view text_;
};

}  // namespace cppstack::http

#include "iam_policy.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <stdexcept>

namespace cppstack::local::auth {
namespace {

namespace json = boost::json;

[[noreturn]] void fail(const std::string& what) {
  throw std::invalid_argument("IAM policy file: " + what);
}

// Action and Resource are a string or an array of strings.
std::vector<std::string> strings_of(const json::object& statement, std::string_view name,
                                    const std::string& where) {
  const auto* value = statement.if_contains(name);
  if (value == nullptr) fail(where + " has no " + std::string(name));
  std::vector<std::string> result;
  if (value->is_string()) {
    result.emplace_back(value->as_string());
  } else if (value->is_array()) {
    for (const auto& item : value->as_array()) {
      if (!item.is_string()) fail(where + ": " + std::string(name) + " holds a non-string");
      result.emplace_back(item.as_string());
    }
  } else {
    fail(where + ": " + std::string(name) + " must be a string or an array of strings");
  }
  return result;
}

PolicyStatement statement_of(const json::value& value, const std::string& where) {
  if (!value.is_object()) fail(where + " is not an object");
  const auto& statement = value.as_object();
  for (const auto& [key, member] : statement) {
    if (key != "Effect" && key != "Action" && key != "Resource" && key != "Sid") {
      // NotAction, NotResource, Condition, Principal: not evaluated here, so refused rather
      // than silently ignored.
      fail(where + ": " + std::string(key) + " is not supported (Effect, Action, Resource, Sid)");
    }
  }
  const auto* effect = statement.if_contains("Effect");
  if (effect == nullptr || !effect->is_string() ||
      (effect->as_string() != "Allow" && effect->as_string() != "Deny")) {
    fail(where + ": Effect must be \"Allow\" or \"Deny\"");
  }
  return {.allow = effect->as_string() == "Allow",
          .actions = strings_of(statement, "Action", where),
          .resources = strings_of(statement, "Resource", where)};
}

bool is_principal_name(std::string_view name) {
  const std::size_t slash = name.find('/');
  if (slash == std::string_view::npos || slash + 1 == name.size()) return false;
  const std::string_view kind = name.substr(0, slash);
  return kind == "user" || kind == "role";
}

// Action names compare case-insensitively in IAM; the service prefix and action may be '*'.
bool action_matches(std::string_view pattern) {
  std::string lowered(pattern);
  std::transform(lowered.begin(), lowered.end(), lowered.begin(), [](unsigned char character) {
    return static_cast<char>(std::tolower(character));
  });
  return iam_wildcard_match(lowered, "execute-api:invoke");
}

bool statement_applies(const PolicyStatement& statement, std::string_view resource) {
  return std::any_of(statement.actions.begin(), statement.actions.end(), action_matches) &&
         std::any_of(statement.resources.begin(), statement.resources.end(),
                     [resource](const std::string& pattern) {
                       return iam_wildcard_match(pattern, resource);
                     });
}

}  // namespace

bool iam_wildcard_match(std::string_view pattern, std::string_view text) {
  // Greedy matching with one backtrack point (the last star): at most pattern x text steps;
  // patterns come from the policy file, texts are method ARNs under the header limit.
  std::size_t p = 0;
  std::size_t t = 0;
  std::size_t star = std::string_view::npos;
  std::size_t resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

IamPolicies IamPolicies::parse(std::string_view text) {
  boost::system::error_code error;
  const auto document = json::parse(text, error);
  if (error || !document.is_object()) fail("not a JSON object");
  const auto& root = document.as_object();
  const auto* version = root.if_contains("formatVersion");
  if (version == nullptr || !version->is_int64() || version->as_int64() != 1) {
    fail("formatVersion must be 1");
  }
  const auto* principals = root.if_contains("principals");
  if (principals == nullptr || !principals->is_object()) fail("\"principals\" must be an object");
  IamPolicies policies;
  for (const auto& [name, policy] : principals->as_object()) {
    const std::string principal(name);
    if (!is_principal_name(principal)) {
      fail("principal \"" + principal + "\" must be user/NAME or role/NAME");
    }
    if (!policy.is_object() || !policy.as_object().contains("Statement")) {
      fail(principal + ": a policy document with a Statement");
    }
    const auto& statements = policy.as_object().at("Statement");
    auto& target = policies.principals_[principal];
    if (statements.is_array()) {
      std::size_t index = 0;
      for (const auto& statement : statements.as_array()) {
        target.push_back(
            statement_of(statement, principal + " statement " + std::to_string(index++)));
      }
    } else {
      target.push_back(statement_of(statements, principal + " statement"));
    }
  }
  return policies;
}

PolicyDecision IamPolicies::evaluate(std::string_view principal, std::string_view resource) const {
  const auto found = principals_.find(principal);
  if (found == principals_.end()) return PolicyDecision::implicit_deny;
  return evaluate_statements(found->second, resource);
}

PolicyDecision evaluate_statements(const std::vector<PolicyStatement>& statements,
                                   std::string_view resource) {
  bool allowed = false;
  for (const auto& statement : statements) {
    if (!statement_applies(statement, resource)) continue;
    if (!statement.allow) return PolicyDecision::explicit_deny;
    allowed = true;
  }
  return allowed ? PolicyDecision::allow : PolicyDecision::implicit_deny;
}

}  // namespace cppstack::local::auth

#pragma once
// Which IAM users and roles may call which IAM routes: their identity policies, evaluated
// locally as IAM evaluates them for execute-api:Invoke. An explicit Deny wins; otherwise an
// Allow is needed
// (docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html). The file
// (start-api --iam-policy FILE) maps a principal to its policy document:
//
//   {"formatVersion": 1,
//    "principals": {
//      "user/ci-deployer": {"Version": "2012-10-17", "Statement": [
//        {"Effect": "Allow", "Action": "execute-api:Invoke",
//         "Resource": "arn:aws:execute-api:*:*:*/*/GET/v1/*"}]},
//      "role/reader": {"Statement": [{"Effect": "Allow", "Action": "execute-api:*",
//                                     "Resource": "*"}]}}}
//
//   auto policies = IamPolicies::parse(text);            // throws std::invalid_argument
//   auto decision = policies.evaluate("user/ci-deployer", method_arn);

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace cppstack::local::auth {

enum class PolicyDecision { allow, implicit_deny, explicit_deny };

struct PolicyStatement {
  bool allow = true;
  std::vector<std::string> actions;    ///< e.g. execute-api:Invoke, execute-api:*, *
  std::vector<std::string> resources;  ///< execute-api ARNs; '*' and '?' are wildcards
};

class IamPolicies {
 public:
  /// Throws std::invalid_argument naming what is wrong (a principal that is not user/NAME or
  /// role/NAME, an Effect other than Allow or Deny, an element this evaluator does not know).
  [[nodiscard]] static IamPolicies parse(std::string_view json);

  /// `principal` is user/NAME or role/NAME; `resource` the method ARN
  /// arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/METHOD/PATH. A principal without a policy is
  /// implicitly denied.
  [[nodiscard]] PolicyDecision evaluate(std::string_view principal,
                                        std::string_view resource) const;

 private:
  std::map<std::string, std::vector<PolicyStatement>, std::less<>> principals_;
};

/// The decision of `statements` for execute-api:Invoke on `resource`: an explicit Deny wins,
/// else an Allow that matches, else an implicit deny.
[[nodiscard]] PolicyDecision evaluate_statements(const std::vector<PolicyStatement>& statements,
                                                 std::string_view resource);

/// IAM's wildcard match: '*' any run of characters (also '/'), '?' any one; case-sensitive.
[[nodiscard]] bool iam_wildcard_match(std::string_view pattern, std::string_view text);

}  // namespace cppstack::local::auth

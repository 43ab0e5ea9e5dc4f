#include "call_examples.hpp"

#include <utility>

namespace cppstack::local {
namespace {

// A path a caller can send: {name} becomes 1 and a greedy {name+} becomes "example", so the
// line runs as printed (curl would read braces as a glob).
std::string sample_path(const std::string& path_template) {
  std::string path;
  std::size_t index = 0;
  while (index < path_template.size()) {
    if (path_template[index] != '{') {
      path.push_back(path_template[index++]);
      continue;
    }
    const auto close = path_template.find('}', index);
    if (close == std::string::npos) return path + path_template.substr(index);
    const bool greedy = close > index && path_template[close - 1] == '+';
    path += greedy ? "example" : "1";
    index = close + 1;
  }
  return path;
}

std::string quoted(const std::string& text) { return "'" + text + "'"; }

}  // namespace

void print_calls(std::ostream& output, const RouteTable& routes, const CallHints& hints) {
  bool header = false;
  for (const auto& route : routes.routes()) {
    const bool token = route.auth == http::AuthMode::cognito;
    const bool signed_call = route.auth == http::AuthMode::iam;
    if (!token && !signed_call && !route.requires_api_key) continue;
    if (!header) {
      output << "protected routes (docs/auth.md):\n";
      header = true;
    }
    const std::string method = route.method == "ANY" ? "GET" : route.method;
    std::string line = "curl -i";
    if (method != "GET") line += " -X " + method;
    if (route.requires_api_key) {
      line += hints.api_key ? " -H " + quoted("x-api-key: " + *hints.api_key)
                            : std::string(" -H 'x-api-key: <a key of API_KEYS>'");
    }
    if (token) {
      std::string command = hints.token_command;
      if (!route.scopes.empty()) command += " --access --scope " + route.scopes.front();
      line += " -H \"Authorization: $(" + command + ")\"";
    }
    std::string url = quoted(hints.base_url + sample_path(route.path));
    if (signed_call) {
      line += " --aws-sigv4 'aws:amz:" + hints.region +
              ":execute-api' --user \"$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY\"";
      if (hints.iam_environment) {
        std::string sourced = "(set -a; . ";
        sourced += quoted(*hints.iam_environment);
        sourced += "; ";
        sourced += line;
        sourced += " ";
        sourced += url;
        sourced += ")";
        line = std::move(sourced);
        url.clear();
      }
    }
    output << "  " << route.method << " " << route.path << " (" << http::to_string(route.auth)
           << (route.requires_api_key && route.auth != http::AuthMode::api_key ? " + apiKey" : "")
           << "):\n    " << line << (url.empty() ? "" : " " + url) << "\n";
  }
  output.flush();
}

}  // namespace cppstack::local

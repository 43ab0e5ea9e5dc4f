#include "call_examples.hpp"

#include <cctype>
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

// A value made safe inside single quotes on a shell line.
std::string shell_safe(std::string_view text) {
  std::string safe;
  for (const char c : text) {
    if (c == '\'') {
      safe += "'\\''";
    } else if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f) {
      safe.push_back(c);
    }
  }
  return safe;
}

std::string percent_encoded(std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string encoded;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) || c == '-' || c == '_' || c == '.' || c == '~') {
      encoded.push_back(c);
    } else {
      encoded += '%';
      encoded += hex[byte >> 4];
      encoded += hex[byte & 15];
    }
  }
  return encoded;
}

// The identity a custom route's authorizer accepts locally (its exampleIdentity), as curl
// options and a query string; placeholders when it declares none.
struct CustomCall {
  std::string options;
  std::string query;
};

CustomCall custom_call(const LambdaAuthorizer& authorizer) {
  CustomCall call;
  for (std::size_t index = 0; index < authorizer.identity_sources.size(); ++index) {
    const std::string_view source = authorizer.identity_sources[index];
    const std::size_t dot = source.rfind('.');
    const std::string name(source.substr(dot + 1));
    std::string value;
    if (index < authorizer.example_identity.size()) {
      value = authorizer.example_identity[index];
    } else {
      value.append("<").append(name).append(" your authorizer accepts>");
    }
    if (source.find(".header.") != std::string_view::npos ||
        source.find(".multivalueheader.") != std::string_view::npos) {
      std::string field = name;
      field.append(": ").append(value);
      call.options.append(" -H '").append(shell_safe(field)).append("'");
    } else if (source.find(".querystring.") != std::string_view::npos ||
               source.find(".multivaluequerystring.") != std::string_view::npos) {
      call.query.push_back(call.query.empty() ? '?' : '&');
      call.query.append(percent_encoded(name));
      call.query.push_back('=');
      call.query.append(percent_encoded(value));
    }
  }
  return call;
}

}  // namespace

void print_calls(std::ostream& output, const RouteTable& routes, const CallHints& hints) {
  bool header = false;
  for (const auto& route : routes.routes()) {
    const bool token = route.auth == http::AuthMode::cognito;
    const bool signed_call = route.auth == http::AuthMode::iam;
    const LambdaAuthorizer* authorizer =
        route.auth == http::AuthMode::custom ? routes.authorizer(route.authorizer) : nullptr;
    if (!token && !signed_call && !route.requires_api_key && authorizer == nullptr) continue;
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
    std::string query;
    if (authorizer != nullptr) {
      auto call = custom_call(*authorizer);
      line += call.options;
      query = std::move(call.query);
    }
    std::string url = quoted(hints.base_url + sample_path(route.path) + query);
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
    const std::string mode = authorizer != nullptr ? "authorizer " + authorizer->name
                                                   : std::string(http::to_string(route.auth));
    output << "  " << route.method << " " << route.path << " (" << mode
           << (route.requires_api_key && route.auth != http::AuthMode::api_key ? " + apiKey" : "")
           << "):\n    " << line << (url.empty() ? "" : " " + url) << "\n";
  }
  output.flush();
}

}  // namespace cppstack::local

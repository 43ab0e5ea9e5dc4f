#pragma once
// The ready curl line of each protected route that `make run` prints (--print-calls): the
// credential each auth mode wants, from the local auth folder (local_auth.hpp) or the keys of
// `.env`, so every route can be called at once.

#include <cppstack/local/route_table.hpp>
#include <optional>
#include <ostream>
#include <string>

namespace cppstack::local {

struct CallHints {
  std::string base_url;       ///< http://127.0.0.1:3000/prod
  std::string token_command;  ///< the command that prints a token (cppstack-local token ...)
  std::optional<std::string> api_key{};          ///< a key value routes requiring one accept
  std::optional<std::string> iam_environment{};  ///< a file with AWS_ACCESS_KEY_ID=...
  std::string region;
};

/// One `curl` line per route that needs credentials; nothing for open routes.
void print_calls(std::ostream& output, const RouteTable& routes, const CallHints& hints);

}  // namespace cppstack::local

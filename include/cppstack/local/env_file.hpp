#pragma once
// `.env` files in the project's one syntax, the same as the CDK app's (infra/lib/config.ts)
// and pinned for both by tests/fixtures/env/cases.json: one KEY=value a line; blank lines and
// lines starting with `#` are ignored; an optional `export ` is dropped; spaces around `=` are
// ignored; a value in single or double quotes is taken literally up to the closing quote
// (only a comment may follow); an unquoted value ends where whitespace and `#` start a
// comment (`APPLICATION=notes # my app` is `notes`). This is what sh reads from such lines.
//
//   auto variables = cppstack::local::read_env_file(".env");   // [{"APPLICATION", "demo"}]

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cppstack::local {

using EnvironmentList = std::vector<std::pair<std::string, std::string>>;

class EnvFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Parses `.env` text; throws EnvFileError naming the line that is not KEY=VALUE.
[[nodiscard]] EnvironmentList parse_env(std::string_view text);
/// Reads and parses a file; throws EnvFileError when it cannot be read.
[[nodiscard]] EnvironmentList read_env_file(const std::filesystem::path& file);
/// Splits one `KEY=VALUE` command-line argument, the value as given (no quote or comment
/// rules); throws EnvFileError when there is no `=` or no key.
[[nodiscard]] std::pair<std::string, std::string> parse_assignment(std::string_view text);

}  // namespace cppstack::local

#pragma once
// `.env` files as the project uses them (APPLICATION=..., one KEY=VALUE a line): `#` starts a
// comment line, an optional leading `export ` is dropped, and matching single or double
// quotes around a value are removed.
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
/// Splits one `KEY=VALUE` argument; throws EnvFileError when there is no `=` or no key.
[[nodiscard]] std::pair<std::string, std::string> parse_assignment(std::string_view text);

}  // namespace cppstack::local

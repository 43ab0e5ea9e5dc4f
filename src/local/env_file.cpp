#include <cppstack/local/env_file.hpp>
#include <fstream>
#include <sstream>

namespace cppstack::local {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

}  // namespace

std::pair<std::string, std::string> parse_assignment(std::string_view text) {
  const auto equals = text.find('=');
  if (equals == std::string_view::npos) {
    throw EnvFileError("expected KEY=VALUE, got: " + std::string(text));
  }
  const auto key = trim(text.substr(0, equals));
  if (key.empty()) throw EnvFileError("missing variable name in: " + std::string(text));
  auto value = trim(text.substr(equals + 1));
  if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
      value.back() == value.front()) {
    value = value.substr(1, value.size() - 2);
  }
  return {std::string(key), std::string(value)};
}

EnvironmentList parse_env(std::string_view text) {
  EnvironmentList variables;
  std::size_t number = 0;
  while (!text.empty()) {
    ++number;
    const auto newline = text.find('\n');
    auto line = trim(text.substr(0, newline));
    text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
    if (line.empty() || line.front() == '#') continue;
    if (line.rfind("export ", 0) == 0) line = trim(line.substr(7));
    try {
      variables.push_back(parse_assignment(line));
    } catch (const EnvFileError& error) {
      throw EnvFileError("line " + std::to_string(number) + ": " + error.what());
    }
  }
  return variables;
}

EnvironmentList read_env_file(const std::filesystem::path& file) {
  std::ifstream input(file, std::ios::binary);
  if (!input) throw EnvFileError("cannot read " + file.string());
  std::ostringstream text;
  text << input.rdbuf();
  try {
    return parse_env(text.str());
  } catch (const EnvFileError& error) {
    throw EnvFileError(file.string() + ": " + error.what());
  }
}

}  // namespace cppstack::local

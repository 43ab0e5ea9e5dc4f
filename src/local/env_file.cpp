#include <algorithm>
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
  return {std::string(key), std::string(text.substr(equals + 1))};
}

namespace {

bool is_key(std::string_view key) {
  const auto is_start = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
  };
  if (key.empty() || !is_start(key.front())) return false;
  return std::all_of(key.begin(), key.end(),
                     [&](char c) { return is_start(c) || (c >= '0' && c <= '9'); });
}

// The value part of a line, by the rules in env_file.hpp (those of sh for these lines).
std::string parse_value(std::string_view raw) {
  if (!raw.empty() && (raw.front() == '"' || raw.front() == '\'')) {
    const char quote = raw.front();
    const auto end = raw.find(quote, 1);
    if (end == std::string_view::npos) {
      throw EnvFileError(std::string("the value has no closing ") + quote);
    }
    const auto rest = trim(raw.substr(end + 1));
    if (!rest.empty() && rest.front() != '#') {
      throw EnvFileError(std::string("unexpected text after the closing ") + quote + ": '" +
                         std::string(rest) + "'");
    }
    return std::string(raw.substr(1, end - 1));
  }
  for (std::size_t index = 0; index < raw.size(); ++index) {
    if (raw[index] == '#' && (index == 0 || raw[index - 1] == ' ' || raw[index - 1] == '\t')) {
      return std::string(trim(raw.substr(0, index)));
    }
  }
  return std::string(trim(raw));
}

}  // namespace

EnvironmentList parse_env(std::string_view text) {
  EnvironmentList variables;
  std::size_t number = 0;
  while (!text.empty()) {
    ++number;
    const auto newline = text.find('\n');
    auto line = trim(text.substr(0, newline));
    text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
    if (line.empty() || line.front() == '#') continue;
    try {
      if (line.rfind("export ", 0) == 0 || line.rfind("export\t", 0) == 0) {
        line = trim(line.substr(7));
      }
      const auto equals = line.find('=');
      const auto key = equals == std::string_view::npos ? line : trim(line.substr(0, equals));
      if (equals == std::string_view::npos || !is_key(key)) {
        throw EnvFileError("expected KEY=value, got '" + std::string(line) + "'");
      }
      variables.emplace_back(std::string(key), parse_value(trim(line.substr(equals + 1))));
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

#pragma once
// Reading the JSON fixtures under tests/fixtures (CPPSTACK_FIXTURES_DIR).

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace cppstack::events::testing {

inline std::filesystem::path fixtures_dir() { return CPPSTACK_FIXTURES_DIR; }

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream stream(path, std::ios::binary);
  if (!stream) throw std::runtime_error("cannot open fixture " + path.string());
  std::ostringstream contents;
  contents << stream.rdbuf();
  return contents.str();
}

inline std::string read_fixture(const std::string& relative_path) {
  return read_file(fixtures_dir() / relative_path);
}

/// File names (stems, sorted) of the .json fixtures in a folder under the fixtures dir.
inline std::vector<std::string> fixture_names(const std::string& folder) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(fixtures_dir() / folder)) {
    if (entry.path().extension() == ".json") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace cppstack::events::testing

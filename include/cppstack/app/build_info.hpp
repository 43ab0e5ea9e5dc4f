#pragma once
// Facts fixed when the function was built, embedded in the binary.
//
//   std::string_view commit = cppstack::app::build_info().commit;

#include <string_view>

namespace cppstack::app {

struct BuildInfo {
  std::string_view version;     ///< the CMake project version
  std::string_view commit;      ///< short git commit, "-dirty" when built from local changes
  std::string_view build_time;  ///< ISO 8601 UTC
};

[[nodiscard]] const BuildInfo& build_info() noexcept;

/// "GCC 12.2.0" or "Clang 14.0.6".
[[nodiscard]] std::string_view compiler_description() noexcept;
/// "x86_64" or "arm64", the names Lambda uses.
[[nodiscard]] std::string_view cpu_architecture() noexcept;

}  // namespace cppstack::app

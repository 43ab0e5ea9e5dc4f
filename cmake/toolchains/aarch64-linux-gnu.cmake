# Cross-compiles for arm64 (aarch64) Linux on another machine with Debian's cross toolchain
# (g++-aarch64-linux-gnu), for `make package FUNCTION_ARCHITECTURE=arm64` on x86_64: the
# static bootstrap links glibc and libstdc++ from the cross packages, so it needs no arm64
# packages of the project's own dependencies. Programs the build runs (route-export) run
# under qemu-user-static.
#
# Usage: cmake --preset release-arm64   (CMakePresets.json sets this file and CPPSTACK_FUNCTION_ONLY)
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)

find_program(CPPSTACK_QEMU_AARCH64 qemu-aarch64-static)
if(CPPSTACK_QEMU_AARCH64)
  # -L: the arm64 C library of the cross packages, for the dynamically linked tools.
  set(CMAKE_CROSSCOMPILING_EMULATOR ${CPPSTACK_QEMU_AARCH64} -L /usr/aarch64-linux-gnu)
endif()

# Boost is used from its headers only (src/third_party compiles Boost.JSON and Boost.URL), and
# headers do not depend on the CPU: use the build machine's Boost package configuration.
if(NOT Boost_DIR)
  file(GLOB boost_configs /usr/lib/*/cmake/Boost-*/BoostConfig.cmake)
  if(boost_configs)
    list(GET boost_configs 0 boost_config)
    get_filename_component(Boost_DIR ${boost_config} DIRECTORY CACHE)
  endif()
endif()

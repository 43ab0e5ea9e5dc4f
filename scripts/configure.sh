#!/usr/bin/env bash
# Configures build/PRESET from its CMake preset (CMakePresets.json) when it is not configured
# yet, or when it was configured with another generator than the preset's: CMake refuses to
# change a build folder's generator, so the folder's cache is removed and configured afresh
# (a build folder made with Unix Makefiles before the presets named Ninja). Its objects come
# back from ccache. A configured folder is left alone: the build itself re-runs CMake when a
# CMakeLists.txt changes.
#
#   scripts/configure.sh PRESET
set -euo pipefail
preset="${1:?usage: configure.sh PRESET}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${root}/build/${preset}"
cache="${build_dir}/CMakeCache.txt"
wanted="$(python3 -c '
import json, sys
presets = {p["name"]: p for p in json.load(open(sys.argv[1]))["configurePresets"]}
print(presets[sys.argv[2]].get("generator", ""))' "${root}/CMakePresets.json" "$preset")"

if [[ -f "$cache" ]]; then
  current="$(sed -n 's/^CMAKE_GENERATOR:INTERNAL=//p' "$cache")"
  [[ -z "$wanted" || "$current" == "$wanted" ]] && exit 0
  echo "configure: ${build_dir} was configured with ${current}; configuring it again with ${wanted}"
  rm -rf "$cache" "${build_dir}/CMakeFiles"
fi
cd "$root"
cmake --preset "$preset"

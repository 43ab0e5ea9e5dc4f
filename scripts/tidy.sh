#!/usr/bin/env bash
# clang-tidy over the project's own sources, using the build's compile_commands.json.
# Findings are errors (.clang-tidy sets WarningsAsErrors). Usage: scripts/tidy.sh BUILD_DIR
set -uo pipefail
build_dir="${1:-build/release}"
root="$(cd "$(dirname "$0")/.." && pwd)"
if [[ ! -f "$build_dir/compile_commands.json" ]]; then
  echo "tidy: $build_dir/compile_commands.json missing; run make build first" >&2
  exit 1
fi
cd "$root"
report="$(mktemp)"
# GCC's precompiled headers (the functions' sources use them) are not clang's: clang-tidy
# reads a copy of the compile commands without them; every source includes what it uses.
database="$(mktemp -d)"
trap 'rm -rf "$report" "$database"' EXIT
sed -E 's# -include [^ ]*cmake_pch\.hxx##g; s# -Winvalid-pch##g' "$build_dir/compile_commands.json" \
  >"$database/compile_commands.json"
git ls-files 'src/*.cpp' | xargs -P "$(nproc)" -n 2 clang-tidy -p "$database" --quiet >"$report" 2>&1
status=$?
grep -v -E "^[0-9]+ warnings? generated|^Suppressed [0-9]+ warnings|^Use -header-filter|^$" "$report"
if ((status != 0)); then
  echo "tidy: findings above" >&2
  exit 1
fi
echo "tidy: clean"

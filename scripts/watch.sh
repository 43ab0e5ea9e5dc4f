#!/usr/bin/env bash
# Rebuilds the function whenever a source file changes, so a running
# `cppstack-local start-api` (make run) picks the new bootstrap up on its next request.
#
#   scripts/watch.sh [PRESET]          # PRESET defaults to release; make watch passes $(PRESET)
#   WATCH_TARGETS="bootstrap route_table" WATCH_INTERVAL=1 scripts/watch.sh debug
#
# Polls with `find -newer` (no extra package needed); Ctrl-C stops it.
set -euo pipefail

preset="${1:-release}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${root}/build/${preset}"
targets="${WATCH_TARGETS:-bootstrap route_table}"
interval="${WATCH_INTERVAL:-1}"
watched=(src include cmake CMakeLists.txt CMakePresets.json)

cd "$root"
if [[ ! -f "${build_dir}/CMakeCache.txt" ]]; then
  cmake --preset "$preset"
fi

stamp="$(mktemp "${TMPDIR:-/tmp}/cppstack-watch.XXXXXX")"
trap 'rm -f "$stamp"' EXIT

build() {
  local started=$SECONDS
  # shellcheck disable=SC2086  # targets is a word list on purpose
  if cmake --build "$build_dir" --target $targets -j "$(nproc)"; then
    echo "watch: built ${targets} in $((SECONDS - started)) s; waiting for changes"
  else
    echo "watch: build failed; fix the error and save again"
  fi
}

existing=()
for path in "${watched[@]}"; do
  [[ -e "$path" ]] && existing+=("$path")
done

touch "$stamp"
build
while true; do
  sleep "$interval"
  changed="$(find "${existing[@]}" -type f -newer "$stamp" -print -quit 2>/dev/null || true)"
  if [[ -n "$changed" ]]; then
    touch "$stamp"
    echo "watch: ${changed} changed; rebuilding"
    build
  fi
done

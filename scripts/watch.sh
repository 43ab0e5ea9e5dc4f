#!/usr/bin/env bash
# Rebuilds the function whenever one of its sources changes, so a running `make run` serves
# the new handler and the new routes on the next request (the build replaces
# build/<preset>/run/bootstrap and run/routes.json by renaming complete files over them).
#
#   scripts/watch.sh [PRESET]                  # make watch; PRESET defaults to release
#   WATCH_FUNCTION=notes scripts/watch.sh      # the notes example (make watch FUNCTION=notes)
#   WATCH_FUNCTION=bookmarks scripts/watch.sh  # any function the build defines
#
# Event-driven (inotifywait from inotify-tools, installed by scripts/install-deps.sh). Every
# change runs the dependency-checked build of the dev bootstrap and the route table: an edit to
# the function's own sources (src/app/*.cpp, examples/notes/*.cpp) recompiles only that file,
# relinks the bootstrap and re-exports the route table. Ctrl-C stops it.
set -euo pipefail

preset="${1:-release}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${root}/build/${preset}"
function="${WATCH_FUNCTION:-api}"
case "$function" in
  api) sources=src/app bootstrap=bootstrap run_dir="${build_dir}/run" ;;
  notes)
    sources=examples/notes bootstrap=notes-bootstrap
    run_dir="${build_dir}/examples/notes/run"
    ;;
  *)
    # Any other function the build defines: cppstack_add_function() records it in functions/.
    bash "${root}/scripts/configure.sh" "$preset"
    if [[ ! -f "${build_dir}/functions/${function}" ]]; then
      echo "watch: the build defines no function '$function'; it defines: $(ls "${build_dir}/functions" | tr '\n' ' ')" >&2
      exit 2
    fi
    # shellcheck source=/dev/null
    source "${build_dir}/functions/${function}"
    ;;
esac
bash "${root}/scripts/configure.sh" "$preset"
# What `make run` serves: the function's dev bootstrap, its own sources from the dev compiler
# (cppstack_add_function() records both names).
if [[ -f "${build_dir}/functions/${function}" ]]; then
  # shellcheck source=/dev/null
  source "${build_dir}/functions/${function}"
fi
bootstrap="${dev_bootstrap:-$bootstrap}"
targets=("$bootstrap" "${function}_route_table")
watched=(src include examples cmake CMakeLists.txt)
# A function whose sources are elsewhere (bench/) is watched there too.
[[ " ${watched[*]} " == *" ${sources%%/*} "* ]] || watched+=("$sources")

if ! command -v inotifywait >/dev/null 2>&1; then
  echo "watch: inotifywait is missing; run scripts/install-deps.sh (Debian package inotify-tools)" >&2
  exit 1
fi
cd "$root"

# Ninja checks the whole dependency graph in a few milliseconds, so an edit to the function's
# own sources rebuilds only its objects, its links and the export without a shortcut.
build() {
  local started
  started=$(date +%s%N)
  local status=0 lock
  # One build of the tree at a time: `make run` in another terminal builds the same targets
  # when it starts on a changed tree.
  exec {lock}>"${build_dir}/.build-lock"
  flock "$lock"
  cmake --build "$build_dir" --target "${targets[@]}" -j "$(nproc)" >/dev/null || status=$?
  exec {lock}>&-
  local elapsed_ms=$((($(date +%s%N) - started) / 1000000))
  if ((status == 0)); then
    touch "${run_dir}/.built"
    echo "watch: built ${function} in ${elapsed_ms} ms; waiting for changes"
  else
    echo "watch: build failed; fix the error and save again"
  fi
}

is_source() {
  case "$1" in
    *.cpp | *.hpp | *.h | *.c | *.cmake | */CMakeLists.txt | CMakeLists.txt) return 0 ;;
    *) return 1 ;;
  esac
}

build
# -m: one line per event, forever; moved_to and close_write cover editors that save in place
# and those that write a temporary file and rename it.
inotifywait -m -r -q -e close_write -e moved_to -e delete --format '%w%f' "${watched[@]}" |
  while read -r path; do
    is_source "$path" || continue
    # An editor's save is often several events: take the burst, then build once.
    while read -r -t 0.1 _; do :; done
    echo "watch: ${path} changed; rebuilding"
    build
  done

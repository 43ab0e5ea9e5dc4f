#!/usr/bin/env bash
# Edit-to-answer: how long after saving a handler does a running `make run` answer with the
# new code? It starts the emulator (scripts/run.sh) and the watcher (scripts/watch.sh) on a
# built tree, then, EDITS times, rewrites the greeting of the `/v1/` handler in
# src/app/handlers.cpp and polls `/v1/` every 50 ms until the new greeting comes back.
# The file's content is restored on exit, whatever happens; it then counts as changed, so the
# next build (make run, make build) compiles the original again.
#
#   scripts/bench-reload.sh [PRESET] [FUNCTION FILE]   # part of make bench; BENCH_RELOAD_EDITS=5
#   scripts/bench-reload.sh release typed_routes bench/typed_routes/typed_routes.cpp
#
# FUNCTION and FILE (default: api and src/app/handlers.cpp) name another function and the file
# of it to edit; its `/v1/` answer must hold the greeting "Hello from ...".
# It refuses to run when the file has changes of its own, so nothing is lost.
set -euo pipefail

preset="${1:-release}"
edits="${BENCH_RELOAD_EDITS:-5}"
port="${BENCH_RELOAD_PORT:-3917}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
function="${2:-api}"
handler="${3:-src/app/handlers.cpp}"
greeting='"Hello from '
cd "$root"

if git rev-parse --git-dir >/dev/null 2>&1 && ! git diff --quiet -- "$handler"; then
  echo "bench-reload: $handler has uncommitted changes; commit or stash them first" >&2
  exit 1
fi
grep -q "$greeting" "$handler" || {
  echo "bench-reload: $handler no longer holds $greeting; update this script" >&2
  exit 1
}

work="$(mktemp -d)"
cp -p "$handler" "$work/original.cpp"
pids=()
restore() {
  for pid in "${pids[@]}"; do kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true; done
  cat "$work/original.cpp" >"$handler"
  rm -rf "$work"
}
trap restore EXIT

# Each helper gets its own process group, so that the cleanup ends its children too.
setsid bash scripts/run.sh "$preset" "$port" "$function" >"$work/run.log" 2>&1 &
pids+=($!)
WATCH_FUNCTION="$function" setsid bash scripts/watch.sh "$preset" >"$work/watch.log" 2>&1 &
pids+=($!)

wait_for() {
  local what="$1" deadline=$((SECONDS + 600))
  until eval "$what"; do
    ((SECONDS < deadline)) || { echo "bench-reload: timed out waiting for: $what" >&2; cat "$work"/*.log >&2; exit 1; }
    for pid in "${pids[@]}"; do
      kill -0 "$pid" 2>/dev/null || { echo "bench-reload: make run or make watch ended:" >&2; cat "$work"/*.log >&2; exit 1; }
    done
    sleep 0.05
  done
}
wait_for 'curl -fsS -o /dev/null "http://127.0.0.1:${port}/prod/v1/" 2>/dev/null'
wait_for 'grep -q "waiting for changes" "$work/watch.log"'
# Let inotifywait set up its watches after the first build.
sleep 1

echo "command: BENCH_RELOAD_EDITS=$edits scripts/bench-reload.sh $preset $function $handler"
dev_compiler=$(sed -n 's/^CPPSTACK_DEV_CXX:FILEPATH=//p' "build/${preset}/CMakeCache.txt")
[[ -n "$dev_compiler" ]] || dev_compiler="the build's compiler, at -Og"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); dev compiler: ${dev_compiler}"
results=()
for ((edit = 1; edit <= edits; edit++)); do
  marker="Edit ${edit}-$RANDOM from "
  sed "s|${greeting}|\"${marker}|" "$work/original.cpp" >"$work/edited.cpp"
  started=$(date +%s%N)
  cp "$work/edited.cpp" "$handler"
  wait_for 'curl -fsS "http://127.0.0.1:${port}/prod/v1/" 2>/dev/null | grep -q "$marker"'
  elapsed_ms=$((($(date +%s%N) - started) / 1000000))
  results+=("$elapsed_ms")
  # The watcher must be idle again before the next edit.
  wait_for '[[ $(grep -c "waiting for changes" "$work/watch.log") -gt $edit ]]'
  # Its whole rebuild (compile, both links, the route export), of which the answer waits for
  # the compile and the bootstrap's link only.
  built=$(grep -o 'built [^ ]* in [0-9]* ms' "$work/watch.log" | tail -n 1 | grep -o '[0-9]* ms')
  echo "edit $edit: answered with the new handler after ${elapsed_ms} ms (make watch's rebuild: ${built})"
  sleep 0.5
done
median=$(printf '%s\n' "${results[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
echo "| figure | value | bar |"
echo "|---|---|---|"
echo "| edit-to-answer ($handler), median of $edits | ${median} ms | <= 2000 ms |"

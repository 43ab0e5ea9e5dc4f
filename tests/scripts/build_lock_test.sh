#!/usr/bin/env bash
# `make run` and `make watch` started together on a changed tree must not build it at the same
# time: two makes writing the same archive fail both builds (seen as `ranlib: No such file`).
# The scripts under test are the real scripts/run.sh and scripts/watch.sh, copied into a scratch
# tree; `cmake` is replaced on PATH by a recorder that takes a second per build, so overlapping
# builds show as two starts before an end.
#
# Usage: build_lock_test.sh SOURCE_DIR
set -euo pipefail
source_dir="$1"
scratch="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -- "-$pid" 2>/dev/null || true; done
  rm -rf "$scratch"
}
trap cleanup EXIT

mkdir -p "$scratch"/{scripts,src/app,include,examples,cmake,bin} "$scratch/build/release/src/local"
cp "$source_dir/scripts/run.sh" "$source_dir/scripts/watch.sh" "$source_dir/scripts/configure.sh" \
  "$scratch/scripts/"
cp "$source_dir/CMakePresets.json" "$scratch/"
touch "$scratch/CMakeLists.txt" "$scratch/src/app/handlers.cpp"
echo 'CMAKE_GENERATOR:INTERNAL=Ninja' >"$scratch/build/release/CMakeCache.txt"
log="$scratch/builds.log"
cat >"$scratch/bin/cmake" <<SHIM
#!/usr/bin/env bash
echo "start \$\$" >>"$log"
sleep 1
mkdir -p "$scratch/build/release/run"
printf '#!/bin/sh\n' >"$scratch/build/release/run/bootstrap"
chmod +x "$scratch/build/release/run/bootstrap"
echo '{}' >"$scratch/build/release/run/routes.json"
echo "end \$\$" >>"$log"
SHIM
# run.sh ends by exec'ing the emulator: here, something that waits to be stopped.
printf '#!/bin/sh\nexec sleep 60\n' >"$scratch/build/release/src/local/cppstack-local"
chmod +x "$scratch/bin/cmake" "$scratch/build/release/src/local/cppstack-local"

export PATH="$scratch/bin:$PATH"
setsid bash "$scratch/scripts/run.sh" release 39999 api >"$scratch/run.out" 2>&1 &
pids+=($!)
setsid bash "$scratch/scripts/watch.sh" release >"$scratch/watch.out" 2>&1 &
pids+=($!)

deadline=$((SECONDS + 30))
until [[ -f "$log" && $(grep -c '^end' "$log") -ge 2 ]]; do
  if ((SECONDS >= deadline)); then
    echo "FAIL: expected two builds within 30 s; builds.log:" >&2
    cat "$log" "$scratch"/*.out >&2 2>/dev/null || true
    exit 1
  fi
  sleep 0.1
done
sequence="$(cut -d' ' -f1 "$log" | head -4 | tr '\n' ' ')"
if [[ "$sequence" != "start end start end " ]]; then
  echo "FAIL: the two builds overlapped: $sequence" >&2
  cat "$log" >&2
  exit 1
fi
grep -q "waiting for changes" "$scratch/watch.out" || {
  echo "FAIL: watch.sh did not report its build:" >&2
  cat "$scratch/watch.out" >&2
  exit 1
}
echo "PASS: run.sh and watch.sh built one after the other ($sequence)"

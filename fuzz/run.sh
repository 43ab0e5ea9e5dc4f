#!/usr/bin/env bash
# Runs every libFuzzer target of BUILD_DIR for SECONDS each (make fuzz, make fuzz-smoke).
# Corpora start from the project's fixtures and sample events and grow in build/fuzz/corpus;
# a crash input is kept in build/fuzz/crashes and fails the run. Every crash becomes a
# regression test in the normal suite.
# Usage: fuzz/run.sh BUILD_DIR SECONDS
set -euo pipefail
build_dir="${1:?usage: fuzz/run.sh BUILD_DIR SECONDS}"
seconds="${2:-30}"
root="$(cd "$(dirname "$0")/.." && pwd)"
corpus_root="$build_dir/corpus"
crash_dir="$build_dir/crashes"
mkdir -p "$corpus_root" "$crash_dir"

seed() {  # target, files...
  local dir="$corpus_root/$1"
  shift
  mkdir -p "$dir"
  for file in "$@"; do [[ -f "$file" ]] && cp -n "$file" "$dir/" 2>/dev/null || true; done
}
seed fuzz_proxy_event "$root"/tests/fixtures/events/*.json "$root"/events/*.json
seed fuzz_proxy_response "$root"/tests/fixtures/responses/valid/* "$root"/tests/fixtures/responses/invalid/*
seed fuzz_gateway_event "$root"/fuzz/seeds/requests/*
seed fuzz_runtime_client "$root"/fuzz/seeds/runtime_answers/*
seed fuzz_path_template "$root"/fuzz/seeds/path_templates/*
seed fuzz_base64 "$root"/fuzz/seeds/base64/*
seed fuzz_routers "$root"/fuzz/seeds/routers/*

# Targets run FUZZ_JOBS at a time (default: the number of cores); each is single-threaded, so the
# run takes about ceil(7 / FUZZ_JOBS) x SECONDS and every target still gets SECONDS of its own.
jobs="${FUZZ_JOBS:-$(nproc)}"
run_target() {  # target: fuzzes it for SECONDS, prints its summary, fails on a crash input
  local target="$1" started
  started=$(date +%s)
  if ! "$build_dir/fuzz/$target" "$corpus_root/$target" -max_total_time="$seconds" \
    -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$crash_dir/$target-" -print_final_stats=1 \
    >"$build_dir/$target.log" 2>&1; then
    echo "== $target found a failure; input in $crash_dir, log in $build_dir/$target.log"
    tail -40 "$build_dir/$target.log"
    return 1
  fi
  echo "== $target: $(( $(date +%s) - started )) s, $(grep -E "stat::number_of_executed_units" "$build_dir/$target.log" | tail -1 | tr -s ' ')"
}

echo "fuzzing 7 targets for ${seconds} s each, ${jobs} at a time"
status=0
running=0
for target in fuzz_proxy_event fuzz_proxy_response fuzz_base64 fuzz_path_template \
  fuzz_routers fuzz_gateway_event fuzz_runtime_client; do
  if ((running >= jobs)); then
    wait -n || status=1
    running=$((running - 1))
  fi
  run_target "$target" &
  running=$((running + 1))
done
while ((running > 0)); do
  wait -n || status=1
  running=$((running - 1))
done
exit "$status"

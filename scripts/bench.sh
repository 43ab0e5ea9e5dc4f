#!/usr/bin/env bash
# Runs every benchmark of docs/performance.md against a release build and prints tables.
# Usage: scripts/bench.sh [BUILD_DIR]   (make bench)
# Figures are for comparison within one run; the machine is shared and noisy.
set -euo pipefail
build_dir="${1:-build/release}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
runs="${BENCH_COLD_RUNS:-51}"
invocations="${BENCH_INVOCATIONS:-100000}"

echo "## Package"
zip_bytes=$(stat -c %s "$build_dir/function.zip")
binary_bytes=$(stat -c %s "$build_dir/src/app/bootstrap")
printf '| figure | value | bar |\n|---|---|---|\n'
printf '| function.zip | %d bytes (%.2f MB) | <= 1 MB |\n' "$zip_bytes" "$(echo "$zip_bytes/1048576" | bc -l)"
printf '| bootstrap (static, stripped) | %d bytes | |\n' "$binary_bytes"
echo

echo "## Runtime: cold start, first response, warm CPU, memory"
echo "command: $build_dir/bench/runtime_bench --runs $runs --invocations $invocations"
"$build_dir/bench/runtime_bench" --bootstrap "$build_dir/src/app/bootstrap" \
  --floor "$build_dir/bench/runtime_floor" --event bench/events/metadata.json \
  --runs "$runs" --invocations "$invocations"
echo

echo "## In-process: event JSON -> route -> handler -> response JSON"
echo "command: $build_dir/bench/in_process_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true"
"$build_dir/bench/in_process_bench" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true 2>&1 |
  grep -E "Benchmark|----|_median|_mean"
echo

bash scripts/bench-local.sh "$build_dir"
echo

echo "## Live development: edit a handler, answer with the new code"
bash scripts/bench-reload.sh "$(basename "$build_dir")"
echo
echo "## Live development: edit a file of 10 typed routes, answer with the new code"
bash scripts/bench-reload.sh "$(basename "$build_dir")" typed_routes bench/typed_routes/typed_routes.cpp
echo

echo "## Live development: make run's first answer on a fresh clone"
bash scripts/bench-first-run.sh
echo

bash scripts/bench-aws.sh "$build_dir"

#!/usr/bin/env bash
# A/B comparison of two in_process_bench binaries (e.g. a change and the commit before it,
# built in another directory) on a shared, noisy machine: the two run alternately, ROUNDS
# times each, every run with 5 repetitions, and the table compares the medians of the same
# round. The load average is printed before and after: compare ratios, not absolute times.
# Usage: scripts/bench-ab.sh OLD_BENCH NEW_BENCH [FILTER]   (FILTER: a Google Benchmark regex)
set -euo pipefail
old="$1"
new="$2"
filter="${3:-BM_Metadata$}"
rounds="${BENCH_AB_ROUNDS:-3}"

# "name real_ns cpu_ns" per benchmark: the median of 5 repetitions.
medians() {
  "$1" --benchmark_filter="$filter" --benchmark_repetitions=5 \
    --benchmark_report_aggregates_only=true --benchmark_format=csv 2>/dev/null |
    awk -F, '$1 ~ /_median"$/ { gsub(/"/, "", $1); sub(/_median$/, "", $1); print $1, $3, $4 }'
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '| round | benchmark | old real ns | new real ns | new/old real | old CPU ns | new CPU ns | new/old CPU |\n'
printf '|---|---|---|---|---|---|---|---|\n'
for round in $(seq "$rounds"); do
  old_results="$(medians "$old")"
  new_results="$(medians "$new")"
  join <(sort <<<"$old_results") <(sort <<<"$new_results") |
    awk -v round="$round" '{ printf "| %d | %s | %.0f | %.0f | %.3f | %.0f | %.0f | %.3f |\n",
                             round, $1, $2, $4, $4 / $2, $3, $5, $5 / $3 }'
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

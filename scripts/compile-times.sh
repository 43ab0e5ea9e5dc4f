#!/usr/bin/env bash
# Where compile time goes: builds TARGETS in a new, temporary build folder of the release
# configuration, with no compiler cache, this script as the compiler launcher recording the CPU
# seconds (user + system) and peak memory of every compile, and prints the translation units
# by CPU time, with the total per target.
#
#   scripts/compile-times.sh [TARGET...]     # default: what `make run` builds
#   COMPILE_TIMES_TOP=40 scripts/compile-times.sh cppstack_local
#
# One translation unit's phases (front end, template instantiation, optimisation): add
# -ftime-report to its command in build/release/compile_commands.json (docs/performance.md,
# "Compile time").
set -euo pipefail

# As the launcher: run the compile and append "cpu_seconds peak_kib object" to the record.
if [[ "${1:-}" == --record ]]; then
  record="$2"
  shift 2
  output=""
  previous=""
  for argument in "$@"; do
    [[ "$previous" == -o ]] && output="$argument"
    previous="$argument"
  done
  measured="$(mktemp)"
  status=0
  /usr/bin/time -f "%U %S %M" -o "$measured" "$@" || status=$?
  read -r user system peak <"$measured" || true
  rm -f "$measured"
  echo "$(echo "$user + $system" | bc) $peak $output" >>"$record"
  exit "$status"
fi

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
targets=("$@")
((${#targets[@]})) || targets=(bootstrap-dev route_table cppstack-local)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
launcher="$root/scripts/compile-times.sh;--record;$work/record.txt"

echo "command: scripts/compile-times.sh ${targets[*]}"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
CCACHE_DISABLE=1 cmake -S "$root" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  "-DCMAKE_C_COMPILER_LAUNCHER=$launcher" "-DCMAKE_CXX_COMPILER_LAUNCHER=$launcher" >/dev/null
started=$SECONDS
cmake --build "$work/build" -j "$(nproc)" --target "${targets[@]}" >"$work/build.log" 2>&1 || {
  tail -n 30 "$work/build.log" >&2
  exit 1
}
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg); build took $((SECONDS - started)) s"
echo
echo "| CPU s | peak MiB | translation unit |"
echo "|---|---|---|"
sort -rn "$work/record.txt" | head -n "${COMPILE_TIMES_TOP:-20}" |
  awk '{ printf "| %.2f | %d | %s |\n", $1, $2 / 1024, $3 }'
echo
echo "| target | translation units | CPU s |"
echo "|---|---|---|"
awk '{ target = $3; sub(/^.*CMakeFiles\//, "", target); sub(/\.dir\/.*/, "", target);
       seconds[target] += $1; units[target]++; total += $1 }
     END { for (t in seconds) printf "| %s | %d | %.1f |\n", t, units[t], seconds[t];
           printf "| all | %d | %.1f |\n", NR, total }' "$work/record.txt" | sort -t'|' -k4 -rn

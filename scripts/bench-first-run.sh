#!/usr/bin/env bash
# First answer of `make run` on a fresh clone: clones the checkout's HEAD into a temporary
# folder, starts `make run` there and times it until `GET /prod/v1/health` answers 200. Twice:
# with ccache disabled (CCACHE_DISABLE=1: every source compiled, as on a new machine), then in a
# second fresh clone with the machine's compiler cache, which the checkout's own build filled
# (paths are taken relative to each clone, so clones share objects; make bench builds the
# checkout first). Everything listens on 127.0.0.1 and is stopped at the end, whatever happens.
#
#   scripts/bench-first-run.sh            # part of make bench
#
# Only committed work is measured (git clone of HEAD).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
limit_seconds="${BENCH_FIRST_RUN_LIMIT:-900}"
work="$(mktemp -d)"
run_pid=""
stop_run() {
  if [[ -n "$run_pid" ]]; then
    kill -- "-$run_pid" 2>/dev/null || true
    wait "$run_pid" 2>/dev/null || true
    run_pid=""
  fi
}
cleanup() {
  stop_run
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Prints the seconds from `git clone` to the first 200 of make run in clone $1 (ccache on or off).
# It runs in a command substitution (a subshell, without the EXIT trap): it stops make run itself.
first_answer() {
  local name="$1" ccache="$2" port started
  port="$(free_port)"
  started=$(date +%s%N)
  git clone -q "$root" "$work/$name"
  if [[ "$ccache" == off ]]; then
    CCACHE_DISABLE=1 CCACHE_BASEDIR="$work/$name" setsid make -C "$work/$name" run PORT="$port" METRICS=off >"$work/$name.log" 2>&1 &
  else
    env -u CCACHE_DISABLE CCACHE_BASEDIR="$work/$name" setsid make -C "$work/$name" run PORT="$port" METRICS=off >"$work/$name.log" 2>&1 &
  fi
  run_pid=$!
  until curl -fsS -o /dev/null "http://127.0.0.1:${port}/prod/v1/health" 2>/dev/null; do
    if ! kill -0 "$run_pid" 2>/dev/null; then
      echo "bench-first-run: make run ended before answering:" >&2
      tail -n 30 "$work/$name.log" >&2
      stop_run
      exit 1
    fi
    if (($(date +%s%N) - started > limit_seconds * 1000000000)); then
      echo "bench-first-run: no answer within ${limit_seconds} s" >&2
      stop_run
      exit 1
    fi
    sleep 0.2
  done
  local elapsed_ms=$((($(date +%s%N) - started) / 1000000))
  stop_run
  printf '%d.%01d' $((elapsed_ms / 1000)) $((elapsed_ms % 1000 / 100))
}

echo "command: scripts/bench-first-run.sh (git clone, then make run until GET /prod/v1/health is 200)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
cold="$(first_answer cold off)"
warm="$(first_answer warm on)"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| figure | value | bar |"
echo "|---|---|---|"
echo "| make run on a fresh clone, first 200, ccache disabled | ${cold} s | <= 60 s (idle) |"
echo "| make run on a second fresh clone, first 200, ccache warm | ${warm} s | |"

#!/usr/bin/env bash
# Local API benchmarks: HTTP -> event -> bootstrap -> response through cppstack-local, and
# nginx serving the same JSON bytes as a static file on the same machine in the same run
# (the HTTP limit here). Every load is bounded in time; everything listens on 127.0.0.1.
# Usage: scripts/bench-local.sh BUILD_DIR
set -euo pipefail
build_dir="${1:-build/release}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
latency_seconds="${BENCH_LATENCY_SECONDS:-5}"
load_seconds="${BENCH_LOAD_SECONDS:-10}"
connections="${BENCH_CONNECTIONS:-32}"
workdir="$(mktemp -d)"
emulator_pid=""
nginx_pid=""
cleanup() {
  [[ -n "$emulator_pid" ]] && kill "$emulator_pid" 2>/dev/null && wait "$emulator_pid" 2>/dev/null
  [[ -n "$nginx_pid" ]] && kill "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null
  rm -rf "$workdir"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() {
  for _ in $(seq 100); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "bench-local: $1 did not come up" >&2
  cat "$workdir"/*.log "$workdir"/nginx/error.log 2>/dev/null >&2
  return 1
}

api_port="$(free_port)"
"$build_dir/src/local/cppstack-local" start-api --port "$api_port" --no-access-log \
  --bootstrap "$build_dir/src/app/bootstrap" --routes "$build_dir/api/routes.json" \
  --concurrency "$connections" --env-file /dev/null >"$workdir/emulator.log" 2>&1 &
emulator_pid=$!
api_url="http://127.0.0.1:$api_port/prod/v1/health"
wait_for "$api_url"

# nginx serves the same bytes the API answers, as a static file.
mkdir -p "$workdir/www/prod/v1" "$workdir/nginx"
chmod 755 "$workdir" "$workdir/www" "$workdir/www/prod" "$workdir/www/prod/v1"  # nginx workers drop root
curl -fsS "$api_url" >"$workdir/www/prod/v1/health"
chmod 644 "$workdir/www/prod/v1/health"
nginx_port="$(free_port)"
cat >"$workdir/nginx/nginx.conf" <<CONF
worker_processes 2;
daemon off;
pid $workdir/nginx/nginx.pid;
error_log $workdir/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  default_type application/json;
  client_body_temp_path $workdir/nginx; proxy_temp_path $workdir/nginx;
  fastcgi_temp_path $workdir/nginx; uwsgi_temp_path $workdir/nginx; scgi_temp_path $workdir/nginx;
  server { listen 127.0.0.1:$nginx_port; root $workdir/www; }
}
CONF
nginx -c "$workdir/nginx/nginx.conf" -p "$workdir/nginx" &
nginx_pid=$!
nginx_url="http://127.0.0.1:$nginx_port/prod/v1/health"
wait_for "$nginx_url"

# Warm both, so the figures are of warm instances (cold starts are measured elsewhere).
wrk -t2 -c"$connections" -d2s "$api_url" >/dev/null
wrk -t1 -c1 -d1s "$nginx_url" >/dev/null

# CPU time (user + system, in clock ticks) of a process, and of its live children: the
# emulator's function instances, nginx's workers.
ticks_of() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
children_ticks() {
  local total=0 child
  for child in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
    total=$((total + $(ticks_of "$child")))
  done
  echo "$total"
}
# wrk with its own CPU seconds written beside its output (OUTPUT.cpu).
run_wrk() {  # output file, wrk arguments...
  python3 - "$@" <<'PY'
import resource, subprocess, sys
with open(sys.argv[1], "w") as output:
    subprocess.run(["wrk", *sys.argv[2:]], stdout=output, check=True)
used = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(sys.argv[1] + ".cpu", "w") as output:
    output.write(f"{used.ru_utime + used.ru_stime}\n")
PY
}
tick_hz="$(getconf CLK_TCK)"
per_request_us() {  # ticks, wrk output file
  local requests
  requests=$(awk '/requests in/ {print $1}' "$2")
  echo "$1 * 1000000 / $tick_hz / $requests" | bc -l
}
wrk_us() {  # wrk output file
  local requests
  requests=$(awk '/requests in/ {print $1}' "$1")
  echo "$(cat "$1.cpu") * 1000000 / $requests" | bc -l
}

summarise() {  # name, wrk output file
  local requests_per_second p50 p99
  requests_per_second=$(awk '/Requests\/sec/ {print $2}' "$2")
  p50=$(awk '$1 == "50%" {print $2}' "$2")
  p99=$(awk '$1 == "99%" {print $2}' "$2")
  printf '| %s | %s | %s | %s |\n' "$1" "$requests_per_second" "$p50" "$p99"
  echo "$requests_per_second" >"$2.rps"
}

echo "## Local API: one request at a time (wrk -t1 -c1 -d${latency_seconds}s --latency)"
printf '| target | req/s | p50 | p99 |\n|---|---|---|---|\n'
wrk -t1 -c1 -d"${latency_seconds}s" --latency "$api_url" >"$workdir/api-latency.txt"
wrk -t1 -c1 -d"${latency_seconds}s" --latency "$nginx_url" >"$workdir/nginx-latency.txt"
summarise "cppstack-local -> bootstrap, GET /prod/v1/health" "$workdir/api-latency.txt"
summarise "nginx, the same bytes as a static file" "$workdir/nginx-latency.txt"
echo
echo "## Local API: throughput (wrk -t2 -c$connections -d${load_seconds}s --latency)"
printf '| target | req/s | p50 | p99 |\n|---|---|---|---|\n'
emulator_before=$(ticks_of "$emulator_pid")
instances_before=$(children_ticks "$emulator_pid")
run_wrk "$workdir/api-load.txt" -t2 -c"$connections" -d"${load_seconds}s" --latency "$api_url"
emulator_ticks=$(($(ticks_of "$emulator_pid") - emulator_before))
instances_ticks=$(($(children_ticks "$emulator_pid") - instances_before))
nginx_before=$(children_ticks "$nginx_pid")
run_wrk "$workdir/nginx-load.txt" -t2 -c"$connections" -d"${load_seconds}s" --latency "$nginx_url"
nginx_ticks=$(($(children_ticks "$nginx_pid") - nginx_before))
summarise "cppstack-local -> bootstrap" "$workdir/api-load.txt"
summarise "nginx static file" "$workdir/nginx-load.txt"
nginx_rps="$(cat "$workdir/nginx-load.txt.rps")"
ratio=$(echo "$(cat "$workdir/api-load.txt.rps") / $nginx_rps" | bc -l)
printf '\nthroughput ratio emulator / nginx: %.3f\n' "$ratio"

# Where the CPU goes, per request, in the two runs above; and the throughput this machine
# would reach if the emulator cost nothing: its cores divided by what the function instances
# (a real process per instance, two Runtime API exchanges per invocation) and wrk spend.
instances_us=$(per_request_us "$instances_ticks" "$workdir/api-load.txt")
api_wrk_us=$(wrk_us "$workdir/api-load.txt")
cores="$(nproc)"
echo
echo "## Local API: CPU per request in the throughput runs (user + system)"
printf '| run | server | function instances | wrk |\n|---|---|---|---|\n'
printf '| cppstack-local | %.1f us | %.1f us | %.1f us |\n' \
  "$(per_request_us "$emulator_ticks" "$workdir/api-load.txt")" "$instances_us" "$api_wrk_us"
printf '| nginx | %.1f us | | %.1f us |\n' \
  "$(per_request_us "$nginx_ticks" "$workdir/nginx-load.txt")" "$(wrk_us "$workdir/nginx-load.txt")"
emulator_us=$(per_request_us "$emulator_ticks" "$workdir/api-load.txt")
nginx_path_us=$(echo "$(per_request_us "$nginx_ticks" "$workdir/nginx-load.txt") + $(wrk_us "$workdir/nginx-load.txt")" | bc -l)
ceiling=$(echo "$cores * 1000000 / ($instances_us + $api_wrk_us)" | bc -l)
printf '\nceiling with a free emulator on %d cores: %.0f req/s, %.3f x nginx in this run\n' \
  "$cores" "$ceiling" "$(echo "$ceiling / $nginx_rps" | bc -l)"
# The same comparisons by CPU per request, which the machine's other load changes less than
# it changes throughput: what a saturated machine would give each path.
printf 'by CPU per request: emulator path / nginx path %.3f; with a free emulator at most %.3f\n' \
  "$(echo "$nginx_path_us / ($emulator_us + $instances_us + $api_wrk_us)" | bc -l)" \
  "$(echo "$nginx_path_us / ($instances_us + $api_wrk_us)" | bc -l)"
errors=$(grep -h -E "Non-2xx|Socket errors" "$workdir/api-load.txt" "$workdir/api-latency.txt" || true)
if [[ -n "$errors" ]]; then echo "errors during the run: $errors"; fi

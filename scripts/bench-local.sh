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
wrk -t2 -c"$connections" -d"${load_seconds}s" --latency "$api_url" >"$workdir/api-load.txt"
wrk -t2 -c"$connections" -d"${load_seconds}s" --latency "$nginx_url" >"$workdir/nginx-load.txt"
summarise "cppstack-local -> bootstrap" "$workdir/api-load.txt"
summarise "nginx static file" "$workdir/nginx-load.txt"
ratio=$(echo "$(cat "$workdir/api-load.txt.rps") / $(cat "$workdir/nginx-load.txt.rps")" | bc -l)
printf '\nthroughput ratio emulator / nginx: %.3f\n' "$ratio"
errors=$(grep -h -E "Non-2xx|Socket errors" "$workdir/api-load.txt" "$workdir/api-latency.txt" || true)
if [[ -n "$errors" ]]; then echo "errors during the run: $errors"; fi

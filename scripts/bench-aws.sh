#!/usr/bin/env bash
# The AWS client's figures (docs/performance.md, "AWS calls"): the notes package with the
# client linked, its cold start beside the floor, and a warm DynamoDB GetItem against dynalite
# by the client and by boto3 in the same run.
# Usage: scripts/bench-aws.sh BUILD_DIR
set -euo pipefail
build_dir="${1:-build/release}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
runs="${BENCH_COLD_RUNS:-51}"
calls="${BENCH_AWS_CALLS:-2000}"

echo "## AWS client"
notes_zip="$build_dir/examples/notes/function.zip"
api_zip="$build_dir/function.zip"
printf '| figure | value | bar |\n|---|---|---|\n'
printf '| notes function.zip (DynamoDB + S3 client, mbedTLS, resolver) | %d bytes (%.2f MB) | <= 1.5 MB |\n' \
  "$(stat -c %s "$notes_zip")" "$(echo "$(stat -c %s "$notes_zip")/1048576" | bc -l)"
if [[ -f "$api_zip" ]]; then
  printf '| api function.zip (no client), same build | %d bytes | |\n' "$(stat -c %s "$api_zip")"
fi
echo
echo "command: $build_dir/bench/runtime_bench --bootstrap $build_dir/examples/notes/bootstrap --runs $runs"
"$build_dir/bench/runtime_bench" --bootstrap "$build_dir/examples/notes/bootstrap" \
  --floor "$build_dir/bench/runtime_floor" --event bench/events/metadata.json \
  --runs "$runs" --invocations 1000 | grep -E "^\| (figure|---|cold start|warm CPU per invocation)"
echo

data="$(mktemp -d)"
fifo="$data/stdin"
mkfifo "$fifo"
node --openssl-legacy-provider tests/aws/local_services.js services "$data" <"$fifo" >"$data/ports" &
services_pid=$!
exec 9>"$fifo"  # the servers stop when this closes
trap 'exec 9>&-; wait "$services_pid" 2>/dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 100); do [[ -s "$data/ports" ]] && break; sleep 0.1; done
port="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["dynamodb"])' "$data/ports")"
export AWS_ENDPOINT_URL_DYNAMODB="http://127.0.0.1:$port" AWS_ACCESS_KEY_ID=bench \
  AWS_SECRET_ACCESS_KEY=bench AWS_REGION=eu-west-1
echo "command: $build_dir/bench/aws_getitem_bench $calls (dynalite on loopback), then boto3 in the same run"
ours="$("$build_dir/bench/aws_getitem_bench" "$calls")"
theirs="$(python3 - "$calls" <<'PY'
import json, os, sys, time, resource
import boto3
calls = int(sys.argv[1])
client = boto3.client("dynamodb", endpoint_url=os.environ["AWS_ENDPOINT_URL_DYNAMODB"],
                      region_name=os.environ["AWS_REGION"])
key = {"id": {"S": "n-1"}}
for _ in range(50):
    client.get_item(TableName="bench-notes", Key=key)
times = []
before = resource.getrusage(resource.RUSAGE_SELF)
for _ in range(calls):
    start = time.perf_counter()
    client.get_item(TableName="bench-notes", Key=key)
    times.append((time.perf_counter() - start) * 1e6)
after = resource.getrusage(resource.RUSAGE_SELF)
cpu = (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) / calls * 1e6
times.sort()
print(json.dumps({"median_us": times[len(times) // 2], "p99_us": times[len(times) * 99 // 100],
                  "client_cpu_us": cpu}))
PY
)"
python3 - "$ours" "$theirs" <<'PY'
import json, sys
ours, theirs = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print("| figure | cppstack::aws | boto3 | ratio |")
print("|---|---|---|---|")
for key, name in (("median_us", "warm GetItem round trip, median"),
                  ("p99_us", "warm GetItem round trip, p99"),
                  ("client_cpu_us", "client CPU per GetItem (user+sys of the calling process)")):
    print(f"| {name} | {ours[key]:.1f} us | {theirs[key]:.1f} us | {theirs[key] / ours[key]:.1f} x |")
print(f"| of which in the kernel (sys) | {ours['client_system_us']:.1f} us | | |")
print()
print("Where the client's CPU per GetItem goes (same run; each piece timed alone):")
print()
print("| piece | CPU per call |")
print("|---|---|")
print(f"| the whole GetItem (Table<T>::get) | {ours['client_cpu_us']:.1f} us |")
print(f"| floor: the same bytes on a kept-alive blocking socket, one send + one recv, no client code | {ours['floor_cpu_us']:.1f} us |")
print(f"| the client's own work (whole - floor) | {ours['client_cpu_us'] - ours['floor_cpu_us']:.1f} us |")
print(f"| SigV4 alone, hot (payload hash, canonical request, HMAC with the cached key) | {ours['sign_cpu_us']:.2f} us |")
print(f"| JSON alone, hot (request encode, answer parse, AttributeValue -> struct) | {ours['json_cpu_us']:.2f} us |")
print(f"| floor + SigV4 + JSON done between the waits (cold caches, as in a real call) | {ours['floor_with_pieces_cpu_us']:.1f} us |")
print(f"| allocations (operator new) per GetItem | {ours['allocations']:.0f} |")
PY

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

# dynalite, the client and boto3 share one CPU, as the scheduler mostly places a client and the
# server it waits on (wake-affine). Across CPUs every wake-up is an inter-processor interrupt,
# which on this VM adds about 50 us per round trip to the client and the floor alike, and the
# scheduler switches between the two placements from run to run.
pin=()
if command -v taskset >/dev/null; then pin=(taskset -c "$(($(nproc) - 1))"); fi

data="$(mktemp -d)"
fifo="$data/stdin"
mkfifo "$fifo"
"${pin[@]}" node --openssl-legacy-provider tests/aws/local_services.js services "$data" <"$fifo" >"$data/ports" &
services_pid=$!
exec 9>"$fifo"  # the servers stop when this closes
trap 'exec 9>&-; wait "$services_pid" 2>/dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 100); do [[ -s "$data/ports" ]] && break; sleep 0.1; done
port="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["dynamodb"])' "$data/ports")"
export AWS_ENDPOINT_URL_DYNAMODB="http://127.0.0.1:$port" AWS_ACCESS_KEY_ID=bench \
  AWS_SECRET_ACCESS_KEY=bench AWS_REGION=eu-west-1
echo "command: ${pin[*]} $build_dir/bench/aws_getitem_bench $calls (dynalite on loopback, same CPU), then boto3 in the same run"
ours="$("${pin[@]}" "$build_dir/bench/aws_getitem_bench" "$calls")"
theirs="$("${pin[@]}" python3 - "$calls" <<'PY'
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
print(f"| of which in the kernel (sys; rusage splits user/sys at timer ticks) | {ours['client_system_us']:.1f} us | | |")
print(f"| allocations (operator new) per GetItem | {ours['allocations']:.0f} | | |")
print()
print("Where the client's CPU per GetItem goes (same run; client, floor and pieces in 20")
print("alternating batches, medians of the batches):")
print()
print("| piece | CPU per call |")
print("|---|---|")
whole, floor = ours['client_cpu_us'], ours['floor_cpu_us']
sign_cold, json_cold = ours['floor_with_sign_cpu_us'] - floor, ours['floor_with_json_cpu_us'] - floor
print(f"| the whole GetItem (Table<T>::get) | {whole:.1f} us |")
print(f"| floor: the same bytes on a kept-alive blocking socket, one send + one recv, no client code | {floor:.1f} us |")
print(f"| the client's own work (whole - floor) | {whole - floor:.1f} us |")
print(f"| of which SigV4 between two waits (cold caches, as in a call; hot: {ours['sign_cpu_us']:.2f} us) | {sign_cold:.1f} us |")
print(f"| of which JSON between two waits (request encode, answer parse, AttributeValue -> struct; hot: {ours['json_cpu_us']:.2f} us) | {json_cold:.1f} us |")
print(f"| the rest: HTTP request and answer, connection pool, 2 more system calls than the floor | {whole - floor - sign_cold - json_cold:.1f} us |")
PY

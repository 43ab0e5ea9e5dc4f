#!/usr/bin/env bash
# Checks an arm64 package built on another CPU (make test-arm64): the bootstrap in function.zip
# is a static aarch64 executable, cppstack-local (native) serves every parameter-free GET route
# with it, each answering 200, the bootstrap running under qemu-user-static, and synth with
# FUNCTION_ARCHITECTURE=arm64 accepts the package.
# Usage: test-arm64-package.sh BUILD_DIR DIST_DIR   (BUILD_DIR: the native build with cppstack-local)
set -euo pipefail
build_dir="$(cd "$1" && pwd)"
dist_dir="$(cd "$2" && pwd)"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d)"
emulator_pid=
cleanup() {
  if [[ -n "$emulator_pid" ]]; then kill "$emulator_pid" 2>/dev/null || true; wait "$emulator_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "test-arm64: FAIL: $*" >&2; exit 1; }

qemu="$(command -v qemu-aarch64-static)" || fail "qemu-aarch64-static is missing (bash scripts/install-deps.sh arm64-cross)"
unzip -q "$dist_dir/function.zip" bootstrap -d "$work"
header="$(readelf -h "$work/bootstrap")"
grep -q 'Machine:.*AArch64' <<<"$header" || fail "bootstrap is not an aarch64 executable: $(grep Machine: <<<"$header")"
if readelf -l "$work/bootstrap" | grep -q 'INTERP'; then fail "bootstrap is dynamically linked; Lambda's provided.al2023 needs it static"; fi
echo "test-arm64: bootstrap is a static AArch64 ELF executable ($(stat -c %s "$work/bootstrap") bytes)"

# No binfmt_misc is needed: the emulator starts a wrapper that runs the binary through qemu.
cat >"$work/bootstrap-qemu" <<EOF
#!/bin/sh
exec "$qemu" "$work/bootstrap" "\$@"
EOF
chmod +x "$work/bootstrap-qemu"

(cd "$work" && exec "$build_dir/src/local/cppstack-local" start-api --bootstrap "$work/bootstrap-qemu" \
  --routes "$dist_dir/routes.json" --host 127.0.0.1 --port 0 >"$work/emulator.log" 2>&1) &
emulator_pid=$!
port=
for _ in $(seq 1 100); do
  port="$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$work/emulator.log")"
  [[ -n "$port" ]] && break
  kill -0 "$emulator_pid" 2>/dev/null || fail "cppstack-local exited: $(cat "$work/emulator.log")"
  sleep 0.1
done
[[ -n "$port" ]] || fail "cppstack-local did not start: $(cat "$work/emulator.log")"

paths="$(node -e '
  const table = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  for (const r of table.routes) if (r.method === "GET" && !r.path.includes("{") && r.auth === "none") console.log(r.path);
' "$dist_dir/routes.json")"
[[ -n "$paths" ]] || fail "routes.json has no parameter-free GET route"
for path in $paths; do
  status="$(curl --silent --show-error --max-time 60 --output "$work/body" --write-out '%{http_code}' "http://127.0.0.1:$port/prod$path")"
  echo "test-arm64: GET /prod$path -> $status $(head -c 200 "$work/body")"
  [[ "$status" == 200 ]] || fail "GET $path answered $status: $(cat "$work/emulator.log")"
done
metadata="$(curl --silent --max-time 60 "http://127.0.0.1:$port/prod/v1/metadata")"
node -e 'const m = JSON.parse(process.argv[1]); if (m.architecture !== "arm64") { console.error(`architecture ${m.architecture}`); process.exit(1); }' "$metadata" ||
  fail "the function does not report arm64: $metadata"
echo "test-arm64: the function reports architecture arm64"

(cd "$repo/infra" && FUNCTION_ARCHITECTURE=arm64 CPPSTACK_DIST_DIR="$dist_dir" npx cdk synth --quiet --output "$work/cdk.out" >"$work/synth.log" 2>&1) ||
  fail "synth rejected the arm64 package: $(cat "$work/synth.log")"
grep -q '"arm64"' "$work/cdk.out/"*Dev-Api.template.json || fail "the synthesized function is not arm64"
echo "test-arm64: synth accepts the package (FUNCTION_ARCHITECTURE=arm64)"

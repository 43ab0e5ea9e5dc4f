#!/usr/bin/env bash
# Checks the AWS client in the arm64 cross build (make test-arm64): its SigV4 signer (with the
# Armv8 SHA-256 instructions, which qemu's CPU reports) agrees with botocore's on the
# agreement test's requests; the notes example's bootstrap, cross-compiled with mbedTLS for
# arm64, is a static AArch64 executable within the package bar, and, run under qemu-user-static
# behind cppstack-local (native) with the local DynamoDB and S3 (scripts/serve-local.sh),
# stores, reads and deletes a note in DynamoDB and hands out presigned S3 URLs that the local S3
# accepts: SigV4, HTTP and the JSON protocol work on arm64 as on x86_64.
# Usage: test-arm64-notes.sh BUILD_DIR ARM64_BUILD_DIR
#   BUILD_DIR: the native build with cppstack-local; ARM64_BUILD_DIR: build/release-arm64
set -euo pipefail
build_dir="$(cd "$1" && pwd)"
arm64_dir="$(cd "$2" && pwd)"
notes_dir="$arm64_dir/examples/notes"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d)"
serve_pid=
cleanup() {
  if [[ -n "$serve_pid" ]]; then kill -TERM "$serve_pid" 2>/dev/null || true; wait "$serve_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "test-arm64-notes: FAIL: $*" >&2; [[ -f "$work/serve.log" ]] && tail -n 30 "$work/serve.log" >&2; exit 1; }

qemu="$(command -v qemu-aarch64-static)" || fail "qemu-aarch64-static is missing (bash scripts/install-deps.sh arm64-cross)"

cat >"$work/sigv4-tool-qemu" <<WRAPPER
#!/bin/sh
exec "$qemu" "$arm64_dir/aws_sigv4_tool" "\$@"
WRAPPER
chmod +x "$work/sigv4-tool-qemu"
python3 "$repo/tests/aws/botocore_agreement_test.py" "$work/sigv4-tool-qemu" >"$work/agreement.log" 2>&1 ||
  fail "the arm64 signer disagrees with botocore: $(tail -n 20 "$work/agreement.log")"
echo "test-arm64-notes: the arm64 signer agrees with botocore ($(grep -E '^Ran ' "$work/agreement.log"))"
unzip -q "$notes_dir/function.zip" bootstrap -d "$work"
readelf -h "$work/bootstrap" | grep -q 'Machine:.*AArch64' || fail "the notes bootstrap is not an aarch64 executable"
if readelf -l "$work/bootstrap" | grep -q 'INTERP'; then fail "the notes bootstrap is dynamically linked"; fi
zip_size="$(stat -c %s "$notes_dir/function.zip")"
((zip_size <= 1572864)) || fail "the notes function.zip is $zip_size bytes, over 1.5 MB"
echo "test-arm64-notes: bootstrap is a static AArch64 ELF executable; function.zip $zip_size bytes"

cat >"$work/bootstrap-qemu" <<WRAPPER
#!/bin/sh
exec "$qemu" "$work/bootstrap" "\$@"
WRAPPER
chmod +x "$work/bootstrap-qemu"

: >"$work/serve.log"  # exists before the loop below reads it, however the start is scheduled
(cd "$work" && LOCAL_DATA_DIR="$work/data" LOCAL_DYNAMODB_PORT=0 LOCAL_S3_PORT=0 \
  exec bash "$repo/scripts/serve-local.sh" "$build_dir/src/local/cppstack-local" "$work/bootstrap-qemu" \
  "$notes_dir/api/routes.json" 0 off </dev/null >"$work/serve.log" 2>&1) &
serve_pid=$!
port=
for _ in $(seq 1 300); do
  port="$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$work/serve.log")"
  [[ -n "$port" ]] && break
  kill -0 "$serve_pid" 2>/dev/null || fail "the emulator or the local services exited"
  sleep 0.1
done
[[ -n "$port" ]] || fail "the emulator did not start"
api="http://127.0.0.1:$port/prod"

# call METHOD URL [BODY]: prints the status on the first line, then the body.
call() {
  local status
  status="$(curl --silent --show-error --max-time 60 -X "$1" ${3:+-H 'Content-Type: application/json' --data "$3"} \
    --output "$work/body" --write-out '%{http_code}' "$2")"
  echo "$status"
  cat "$work/body"
}
field() { node -e 'const v = JSON.parse(process.argv[1])[process.argv[2]]; if (typeof v !== "string") process.exit(1); console.log(v)' "$1" "$2"; }

created="$(call POST "$api/v1/notes" '{"title":"from arm64","text":"stored through the client"}')"
[[ "$(head -n 1 <<<"$created")" == 201 ]] || fail "POST /v1/notes (PutItem): $created"
id="$(field "$(tail -n +2 <<<"$created")" id)" || fail "no id in $created"
read_back="$(call GET "$api/v1/notes/$id")"
[[ "$(head -n 1 <<<"$read_back")" == 200 ]] || fail "GET /v1/notes/$id (GetItem): $read_back"
[[ "$(field "$(tail -n +2 <<<"$read_back")" title)" == "from arm64" ]] || fail "GetItem answered $read_back"
echo "test-arm64-notes: PutItem and GetItem through the arm64 client: $(tail -n +2 <<<"$read_back")"

attachment="$(call POST "$api/v1/notes/$id/attachment")"
[[ "$(head -n 1 <<<"$attachment")" == 200 ]] || fail "POST attachment: $attachment"
upload="$(field "$(tail -n +2 <<<"$attachment")" upload_url)"
download="$(field "$(tail -n +2 <<<"$attachment")" download_url)"
printf 'attached bytes' >"$work/file"
status="$(curl --silent --max-time 60 -X PUT --data-binary @"$work/file" --output /dev/null --write-out '%{http_code}' "$upload")"
[[ "$status" == 200 ]] || fail "the local S3 refused the arm64 presigned PUT: $status"
[[ "$(curl --silent --max-time 60 "$download")" == "attached bytes" ]] || fail "the presigned GET did not return the upload"
echo "test-arm64-notes: the local S3 accepts the arm64 client's presigned PUT and GET"

deleted="$(call DELETE "$api/v1/notes/$id")"
[[ "$(head -n 1 <<<"$deleted")" == 204 ]] || fail "DELETE (DeleteItem, S3 DeleteObject): $deleted"
gone="$(call GET "$api/v1/notes/$id")"
[[ "$(head -n 1 <<<"$gone")" == 404 ]] || fail "the deleted note still answers: $gone"
status="$(curl --silent --max-time 60 --output /dev/null --write-out '%{http_code}' "$download")"
[[ "$status" == 404 ]] || fail "the attachment outlived its note (S3 DeleteObject): $status"
echo "test-arm64-notes: DeleteItem and S3 DeleteObject through the arm64 client"

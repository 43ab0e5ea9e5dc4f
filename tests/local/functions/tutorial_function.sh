#!/bin/bash
# A custom runtime in the style of AWS's own tutorial (bash + curl against the Runtime API):
# proves the emulator runs any bootstrap. Proxy events get a proxy response whose body names
# FUNCTION_VERSION (set in the environment, "tutorial" by default) and the event's path; any
# other payload is echoed back. A path containing "slow" sleeps a second first.
set -euo pipefail
version="${FUNCTION_VERSION:-tutorial}"
echo "tutorial function ${version} initialised"
api="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
while true; do
  headers="$(mktemp)"
  event="$(curl -sS -LD "$headers" "${api}/invocation/next")"
  request_id="$(grep -Fi Lambda-Runtime-Aws-Request-Id "$headers" | tr -d '[:space:]' | cut -d: -f2)"
  rm -f "$headers"
  if [[ "$event" == *'"httpMethod"'* ]]; then
    path="$(printf '%s' "$event" | grep -o '"path":"[^"]*"' | head -n 1 | cut -d'"' -f4)"
    if [[ "$path" == *slow* ]]; then
      echo "slow request started"
      sleep 1
    fi
    response="{\"statusCode\":200,\"body\":\"${version} ${path}\"}"
  else
    response="$event"
  fi
  echo "answered ${request_id}"
  curl -sS -o /dev/null -X POST "${api}/invocation/${request_id}/response" --data-binary "$response"
done

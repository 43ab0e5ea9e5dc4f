#!/usr/bin/env bash
# Serves a function through cppstack-local (the serving half of `make run`). When its routes.json
# declares tables or buckets, it first starts the local DynamoDB (dynalite) and S3 (s3rver) on
# 127.0.0.1 with those resources (services/local-services.js) and points the function at them;
# otherwise it starts the emulator alone, at once.
#
#   scripts/serve-local.sh EMULATOR BOOTSTRAP ROUTES_JSON PORT METRICS [EMULATOR OPTIONS...]
#
# Environment: LOCAL_DATA_DIR (default <repo>/.local: the data survives restarts; `make
# reset-local` deletes it), LOCAL_DYNAMODB_PORT (default 4567), LOCAL_S3_PORT (default 4568);
# 0 takes a free port. CORS_ALLOW_ORIGINS of .env also allows those origins on the local buckets.
# A port in use or a server that fails to start ends this script with status 1 and one line
# saying which. The local servers stop when the emulator stops, however this script ends.
set -euo pipefail

emulator="$1"
bootstrap="$2"
routes="$3"
port="$4"
metrics="$5"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Any further arguments are the emulator's own (make run's local auth options).
serve=("$emulator" start-api --port "$port" --bootstrap "$bootstrap" --routes "$routes" --metrics "$metrics"
  "${@:6}")

# The export writes these keys only when the function declares a table or a bucket.
if ! grep -qE '"(tables|buckets)":' "$routes"; then
  exec "${serve[@]}"
fi

if ! command -v node >/dev/null; then
  echo "run: node is missing: the local DynamoDB and S3 run on Node.js; run \`make deps\`" >&2
  exit 1
fi
# npm ci only when the lock file changed since the last install (as `make deps` does).
if [[ ! "${root}/services/node_modules/.package-lock.json" -nt "${root}/services/package-lock.json" ]]; then
  echo "run: installing the local DynamoDB and S3 servers (services/, npm ci)" >&2
  (cd "${root}/services" && npm ci --no-audit --no-fund --loglevel=error)
fi

data_dir="${LOCAL_DATA_DIR:-${root}/.local}"
cors_origins=""
if [[ -f .env ]]; then
  cors_origins="$(sed -n 's/^CORS_ALLOW_ORIGINS=\(.*\)$/\1/p' .env | tail -n 1 | tr -d "\"'")"
fi

# The servers read their stdin until this script ends, however it ends (even killed), so they
# never outlive it; they report on their stdout, which is read here until they are ready.
exec {output}>&1
coproc SERVICES {
  exec node "${root}/services/local-services.js" --routes "$routes" --data "$data_dir" \
    --dynamodb-port "${LOCAL_DYNAMODB_PORT:-4567}" --s3-port "${LOCAL_S3_PORT:-4568}" \
    --cors-origins "$cors_origins"
}
services_pid=$SERVICES_PID
services_in=${SERVICES[1]}
services_out=${SERVICES[0]}
ready=false
while IFS= read -r line <&"$services_out"; do
  if [[ "$line" == "local-services: ready" ]]; then
    ready=true
    break
  fi
  echo "$line" >&"$output"
done
if [[ "$ready" != true ]]; then
  wait "$services_pid" || true
  echo "run: the local DynamoDB and S3 did not start (see the line above); nothing is served" >&2
  exit 1
fi

environment=()
while IFS= read -r assignment; do
  environment+=(--env "$assignment")
done <"${data_dir}/services.env"

stop_services() {
  exec {services_in}>&- {services_out}<&-
  wait "$services_pid" 2>/dev/null || true
}
# Ctrl-C or a SIGTERM stops the emulator, whose exit ends the loop below; set before it starts,
# so no signal finds this script without its handler.
emulator_pid=""
stopping=false
trap 'stopping=true; if [[ -n "$emulator_pid" ]]; then kill -TERM "$emulator_pid" 2>/dev/null || true; fi' INT TERM
"${serve[@]}" "${environment[@]}" {services_in}>&- {services_out}<&- &
emulator_pid=$!
if [[ "$stopping" == true ]]; then kill -TERM "$emulator_pid" 2>/dev/null || true; fi
status=0
# `wait` returns early when a trapped signal arrives: wait again for the emulator to finish.
while kill -0 "$emulator_pid" 2>/dev/null; do
  wait "$emulator_pid" && status=0 || status=$?
done
stop_services
exit "$status"

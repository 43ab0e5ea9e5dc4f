#!/usr/bin/env bash
# `make run`: serves the function locally through cppstack-local, on 127.0.0.1:PORT.
#
#   scripts/run.sh [PRESET] [PORT] [FUNCTION] [METRICS]
#   make run [PORT=3000] [FUNCTION=api|notes|bookmarks|...] [METRICS=pretty|raw|off]
#
# Serves build/<preset>/run/bootstrap and run/routes.json, which every build replaces by
# renaming complete files over them: a running emulator picks up a new binary on its next
# request and new routes as soon as they are written (make watch rebuilds on every save).
# When no source is newer than the last build, it starts at once: no dependency check, no
# no-op build.
# When the route table declares DynamoDB tables or S3 buckets, the local dynalite and s3rver serve
# them, with their data in .local/ (docs/aws-services.md, "Local servers").
# The function's CloudWatch metric (EMF) lines are shown as one short line each (METRICS=pretty,
# with a per-route summary at exit), as the JSON the function printed (raw) or not at all (off).
set -euo pipefail

preset="${1:-release}"
port="${2:-3000}"
function="${3:-api}"
metrics="${4:-pretty}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${root}/build/${preset}"
case "$function" in
  api) run_dir="${build_dir}/run" bootstrap=bootstrap ;;
  notes) run_dir="${build_dir}/examples/notes/run" bootstrap=notes-bootstrap ;;
  *)
    # Any other function the build defines: cppstack_add_function() records it in functions/.
    [[ -f "${build_dir}/CMakeCache.txt" ]] || (cd "$root" && bash scripts/install-deps.sh)
    bash "${root}/scripts/configure.sh" "$preset"
    if [[ ! -f "${build_dir}/functions/${function}" ]]; then
      echo "run: the build defines no function '$function'; it defines: $(ls "${build_dir}/functions" | tr '\n' ' ')" >&2
      exit 2
    fi
    # shellcheck source=/dev/null
    source "${build_dir}/functions/${function}"
    ;;
esac
case "$metrics" in
  pretty | raw | off) ;;
  *) echo "run: METRICS must be pretty, raw or off, got '$metrics'" >&2; exit 2 ;;
esac
emulator="${build_dir}/src/local/cppstack-local"
cd "$root"

up_to_date() {
  [[ -f "${run_dir}/.built" && -x "${run_dir}/bootstrap" && -f "${run_dir}/routes.json" &&
    -x "$emulator" ]] || return 1
  [[ -z "$(find src include examples cmake CMakeLists.txt CMakePresets.json -newer "${run_dir}/.built" \
    -print -quit 2>/dev/null)" ]]
}

if ! up_to_date; then
  [[ -f "${build_dir}/CMakeCache.txt" ]] || bash scripts/install-deps.sh
  bash scripts/configure.sh "$preset"
  # Serving needs the function's dev bootstrap (its own sources by the dev compiler, the libraries as
  # released; cppstack_add_function() records its name), its route table and the emulator:
  # nothing else of the build, not even the packaged bootstrap.
  if [[ -f "${build_dir}/functions/${function}" ]]; then
    # shellcheck source=/dev/null
    source "${build_dir}/functions/${function}"
  fi
  # One goal that depends on the three (<name>_serve); a build folder configured before serve
  # targets existed names the three.
  if [[ -n "${serve_target:-}" ]]; then
    targets=("$serve_target")
  else
    targets=("${dev_bootstrap:-$bootstrap}" "${function}_route_table" cppstack-local)
  fi
  # A `make watch` in another terminal builds the same tree: one build at a time, or the two
  # makes write the same archives and objects at once and both fail.
  flock "${build_dir}/.build-lock" cmake --build "$build_dir" --target "${targets[@]}" -j "$(nproc)"
  touch "${run_dir}/.built"
fi
# Every auth mode of the route table works with nothing to set up (docs/auth.md): a local
# Cognito issuer, generated API key values and IAM credentials in .cppstack-local/ (created
# once, git-ignored), and the caller's own AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY when set.
# A ready curl line is printed for each protected route. With the local DynamoDB and S3 when
# the routes declare tables or buckets (scripts/serve-local.sh).
exec bash scripts/serve-local.sh "$emulator" "${run_dir}/bootstrap" "${run_dir}/routes.json" \
  "$port" "$metrics" \
  --local-auth-dir "${root}/.cppstack-local" --iam-credentials-env --print-calls

#!/usr/bin/env bash
# Copies the deployable artefacts of a build to the dist/ folder the infrastructure reads:
# function.zip (the Lambda package), routes.json and openapi.json (the route table).
set -euo pipefail
build_dir="$1"
dist_dir="$2"
mkdir -p "$dist_dir"
for artefact in function.zip api/routes.json api/openapi.json; do
  if [[ ! -f "$build_dir/$artefact" ]]; then
    echo "package: $build_dir/$artefact is missing; build the release preset first" >&2
    exit 1
  fi
  cp "$build_dir/$artefact" "$dist_dir/"
done
size=$(stat -c %s "$dist_dir/function.zip")
echo "package: $dist_dir/function.zip ($size bytes), routes.json, openapi.json"

#!/usr/bin/env bash
# Packages a bootstrap executable as a Lambda deployment zip: bootstrap at the root, mode
# 0755, fixed timestamp so the same binary always gives the same zip (and CDK asset hash).
set -euo pipefail
binary="$1"
output="$2"
staging="$(mktemp -d)"
trap 'rm -rf "$staging"' EXIT
install -m 0755 "$binary" "$staging/bootstrap"
touch -d '2000-01-01 00:00:00 UTC' "$staging/bootstrap"
mkdir -p "$(dirname "$output")"
rm -f "$output.tmp"
(cd "$staging" && TZ=UTC zip -q -X -9 "$output.tmp" bootstrap)
mv "$output.tmp" "$output"

#!/usr/bin/env bash
# Installs everything the project needs to build, test, benchmark and synthesize on Debian
# bookworm (or Ubuntu with the same package names). Idempotent: skips what is installed.
set -euo pipefail

packages=(
  build-essential cmake make git zip unzip ca-certificates
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libgtest-dev libgmock-dev googletest libbenchmark-dev libcli11-dev
  clang-format clang-tidy
  nodejs npm
  python3 python3-venv
  curl bc nginx-light wrk hyperfine inotify-tools
  awscli python3-boto3
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

# Tools a machine may already provide outside Debian's packages (pyenv, nvm, ...).
declare -A provided_by_command=([nodejs]=node [npm]=npm [awscli]=aws [python3-boto3]=)
filtered=()
for package in "${missing[@]}"; do
  command_name="${provided_by_command[$package]-}"
  if [[ -n "$command_name" ]] && command -v "$command_name" >/dev/null 2>&1; then
    continue
  fi
  if [[ "$package" == python3-boto3 ]] && python3 -c 'import boto3' >/dev/null 2>&1; then
    continue
  fi
  filtered+=("$package")
done

if ((${#filtered[@]})); then
  sudo_cmd=()
  if [[ "$(id -u)" != 0 ]]; then sudo_cmd=(sudo); fi
  echo "install-deps: installing ${filtered[*]}"
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${filtered[@]}"
else
  echo "install-deps: all system packages present"
fi

# cfn-lint is not packaged by Debian; the infrastructure tests run it on every template.
if ! command -v cfn-lint >/dev/null 2>&1; then
  echo "install-deps: installing cfn-lint with pip"
  python3 -m pip install --user --quiet cfn-lint || {
    echo "install-deps: cfn-lint is required (pip install cfn-lint)" >&2
    exit 1
  }
fi

#!/usr/bin/env bash
# Installs everything the project needs to build, test, benchmark and synthesize on Debian
# bookworm (or Ubuntu with the same package names). Idempotent: skips what is installed.
# Usage: install-deps.sh              the packages of every build
#        install-deps.sh arm64-cross  only the cross toolchain and emulator of arm64 packages
#                                     built on another CPU (make package FUNCTION_ARCHITECTURE=arm64)
set -euo pipefail

packages=(
  build-essential cmake make git zip unzip ca-certificates
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libgtest-dev libgmock-dev googletest libbenchmark-dev libcli11-dev
  clang-format clang-tidy
  nodejs npm
  python3 python3-venv
  curl bc nginx-light wrk hyperfine
  awscli python3-boto3
)

if [[ "${1:-}" == arm64-cross ]]; then
  packages=(g++-aarch64-linux-gnu qemu-user-static)
elif [[ -n "${1:-}" ]]; then
  echo "install-deps: unknown argument '$1' (expected nothing or arm64-cross)" >&2
  exit 2
fi

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

if [[ "${1:-}" == arm64-cross ]]; then exit 0; fi

# cfn-lint is not packaged by Debian; the infrastructure tests run it on every template. Debian's
# python3 is "externally managed" (PEP 668), so pip installs it into a virtual environment of its
# own, pinned, and links the command onto PATH. Without network access to PyPI, point pip at a
# wheel directory with PIP_NO_INDEX=1 PIP_FIND_LINKS=DIR.
cfn_lint_version=1.51.0
installed_cfn_lint="$(cfn-lint --version 2>/dev/null || true)"
if [[ "$installed_cfn_lint" != "cfn-lint $cfn_lint_version" ]]; then
  if [[ "$(id -u)" == 0 ]]; then
    venv=/opt/aws-cpp-stack/cfn-lint
    bin_dir=/usr/local/bin
  else
    venv="${XDG_DATA_HOME:-$HOME/.local/share}/aws-cpp-stack/cfn-lint"
    bin_dir="$HOME/.local/bin"
  fi
  echo "install-deps: installing cfn-lint $cfn_lint_version into $venv${installed_cfn_lint:+ (found $installed_cfn_lint)}"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "cfn-lint==$cfn_lint_version" || {
    echo "install-deps: could not install cfn-lint $cfn_lint_version with pip (is PyPI reachable?)" >&2
    exit 1
  }
  mkdir -p "$bin_dir"
  ln -sf "$venv/bin/cfn-lint" "$bin_dir/cfn-lint"
  if [[ "$(command -v cfn-lint)" != "$bin_dir/cfn-lint" ]]; then
    echo "install-deps: cfn-lint is in $bin_dir, which comes after another cfn-lint on PATH or is not on it" >&2
  fi
fi

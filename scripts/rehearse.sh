#!/usr/bin/env bash
# Rehearses the pipeline's Build step on this machine, as CodeBuild would run it:
#  1. synthesizes the CDK app and reads the Synth step's buildspec, image and environment out
#     of the synthesized pipeline template (scripts/rehearse/buildspec.mjs), never a copy;
#  2. lays the source out as CodePipeline's GitHub source zip does: the tracked files, no
#     .git, no executable bits;
#  3. runs every command of every phase, in order, in one shell, in a fresh Debian bookworm
#     root made with mmdebstrap (the official debian:bookworm image is the same minbase),
#     with the buildspec's environment; the first failing command stops it and is shown.
# Needs root (CI runs as root). The base root is cached under $REHEARSE_CACHE_DIR
# (default /var/cache/aws-cpp-stack) for REHEARSE_BASE_MAX_AGE_DAYS (default 7) days, as are
# downloaded .deb files and the npm cache, so reruns do not download them again.
#
# Only Debian's and npm's registries are reachable here. cfn-lint comes from PyPI, so pip in
# the root installs the same cfn-lint version from a wheelhouse repacked from this machine's
# installed cfn-lint (scripts/rehearse/host-wheelhouse.py); the rehearsal prints that it does.
#
# Usage: scripts/rehearse.sh            (from the repository root; `make rehearse`)
#        REHEARSE_KEEP=1 scripts/rehearse.sh   keeps the root for inspection
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache_dir="${REHEARSE_CACHE_DIR:-/var/cache/aws-cpp-stack}"
max_age_days="${REHEARSE_BASE_MAX_AGE_DAYS:-7}"
base_tar="$cache_dir/bookworm-minbase.tar"
mirror="${REHEARSE_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
security_mirror="${REHEARSE_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"
src_in_root=/codebuild/output/src1/src

say() { printf '[rehearse] %s\n' "$*"; }
die() { printf '[rehearse] error: %s\n' "$*" >&2; exit 1; }

[[ "$(id -u)" == 0 ]] || die "needs root (a chroot and bind mounts); run it as root or with sudo"
started=$(date +%s)

ensure_tools() {
  local missing=()
  command -v mmdebstrap >/dev/null || missing+=(mmdebstrap)
  command -v unshare >/dev/null || missing+=(util-linux)
  if ((${#missing[@]})); then
    say "installing ${missing[*]} from Debian"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

# The base root: Debian bookworm minbase with the security and updates suites, as the
# official image. Rebuilt when missing or older than max_age_days.
ensure_base_root() {
  mkdir -p "$cache_dir"
  if [[ -f "$base_tar" ]] && [[ -z "$(find "$base_tar" -mtime +"$max_age_days")" ]]; then
    say "base root: $base_tar (cached $(stat -c %y "$base_tar" | cut -d. -f1))"
    return
  fi
  say "base root: creating $base_tar with mmdebstrap (bookworm, minbase)"
  # A cache left by an older rehearsal may be a directory of the same name; it is replaced.
  rm -rf "$base_tar" "$base_tar.tmp"
  # --format=tar: mmdebstrap picks the format from the output's extension, and .tmp is none.
  mmdebstrap --variant=minbase --format=tar --quiet bookworm "$base_tar.tmp" \
    "deb $mirror bookworm main" "deb $mirror bookworm-updates main" "deb $security_mirror bookworm-security main"
  mv "$base_tar.tmp" "$base_tar"
}

work="$(mktemp -d /var/tmp/aws-cpp-stack-rehearsal.XXXXXX)"
cleanup() {
  if [[ "${REHEARSE_KEEP:-}" == 1 ]]; then say "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

ensure_tools
ensure_base_root

# 1. The buildspec, from the synthesized pipeline template.
say "synthesizing the app (infra/, dist/) into $work/cdk.out"
(cd "$repo/infra" && npx cdk synth --quiet --output "$work/cdk.out" >/dev/null)
extract="$repo/scripts/rehearse/buildspec.mjs"
commit="$(git -C "$repo" rev-parse HEAD)"
# The source action's output variables, as CodePipeline would resolve them for this commit.
REHEARSE_SOURCE_VARIABLES="$(git -C "$repo" log -1 --format='{"CommitId":"%H","AuthorDate":"%aI","CommitMessage":""}' HEAD)"
export REHEARSE_SOURCE_VARIABLES
node "$extract" "$work/cdk.out" >"$work/spec.json"
node "$extract" "$work/cdk.out" --script >"$work/build.sh"
node "$extract" "$work/cdk.out" --env >"$work/env.list"
node -e '
  const spec = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(`[rehearse] buildspec: project ${spec.project} of ${require("path").basename(spec.template)}, image ${spec.image} (${spec.type}), shell ${spec.shell}`);
  for (const phase of spec.phases) console.log(`[rehearse]   ${phase.name}: ${phase.commands.length} command(s)`);
  if (spec.shell !== "sh") { console.error(`[rehearse] error: the buildspec asks for shell ${spec.shell}; only sh is rehearsed`); process.exit(1); }
  if (spec.type === "ARM_CONTAINER" && process.arch !== "arm64") console.log("[rehearse] note: the project builds on ARM; this rehearsal runs on " + process.arch);
' "$work/spec.json"

# 2. The source as CodePipeline's GitHub source zip holds it.
root="$work/root"
mkdir -p "$root"
say "unpacking the base root into $root"
tar -C "$root" -xf "$base_tar"
mkdir -p "$root$src_in_root"
(cd "$repo" && git ls-files -z --cached | while IFS= read -r -d '' file; do
  if [[ -e "$file" || -L "$file" ]]; then printf '%s\0' "$file"; fi
done | tar --null --no-recursion -T - -cf -) | tar -C "$root$src_in_root" -xf -
find "$root$src_in_root" -type f -perm /111 -exec chmod a-x {} +
say "source: $(find "$root$src_in_root" -type f | wc -l) tracked files of $commit, no .git, no executable bits"

# 3. What PyPI would give: the host's cfn-lint, repacked.
cfn_lint_version="$(sed -n 's/^cfn_lint_version=\([0-9.]*\)$/\1/p' "$repo/scripts/install-deps.sh")"
[[ -n "$cfn_lint_version" ]] || die "scripts/install-deps.sh does not pin cfn_lint_version"
# The interpreter that has cfn-lint installed: the script's shebang, or python3 (pyenv shims).
cfn_lint_python="$(head -1 "$(command -v cfn-lint)" | sed -n 's/^#!\(\/[^ ]*python[0-9.]*\)$/\1/p')"
if [[ -z "$cfn_lint_python" ]]; then cfn_lint_python="$(python3 -c 'import importlib.metadata, sys; importlib.metadata.version("cfn-lint"); print(sys.executable)' 2>/dev/null || true)"; fi
[[ -n "$cfn_lint_python" ]] || die "no Python with cfn-lint on this machine to stand in for PyPI"
wheelhouse="$cache_dir/wheelhouse-cfn-lint-$cfn_lint_version"
if [[ ! -f "$wheelhouse/wheels.txt" ]]; then
  rm -rf "$wheelhouse" && mkdir -p "$wheelhouse"
  if ! "$cfn_lint_python" "$repo/scripts/rehearse/host-wheelhouse.py" "$wheelhouse" "cfn-lint==$cfn_lint_version" >"$wheelhouse/wheels.txt.tmp"; then
    die "this machine has no cfn-lint $cfn_lint_version to stand in for PyPI (pip install cfn-lint==$cfn_lint_version)"
  fi
  mv "$wheelhouse/wheels.txt.tmp" "$wheelhouse/wheels.txt"
fi
mkdir -p "$root/opt/rehearsal-wheelhouse"
cp "$wheelhouse"/*.whl "$root/opt/rehearsal-wheelhouse/"
cp "$wheelhouse/wheels.txt" "$work/wheels.txt"
say "PyPI is not reachable here: pip in the root installs cfn-lint $cfn_lint_version and its $(($(wc -l <"$work/wheels.txt") - 1)) dependencies from a wheelhouse repacked from this machine's installed packages ($cfn_lint_python; cached in $wheelhouse), via PIP_NO_INDEX=1 PIP_FIND_LINKS"

# This machine's own certificate authorities (a TLS-inspecting proxy): the root trusts them too
# once its ca-certificates package is installed, and so does Node.js, which otherwise trusts
# only the authorities built into it.
extra_env=()
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
  mkdir -p "$root/usr/local/share/ca-certificates"
  cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
  extra_env+=(NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt)
  say "this machine's local certificate authorities ($(cd /usr/local/share/ca-certificates && echo *.crt)) are trusted in the root too, with NODE_EXTRA_CA_CERTS"
fi

cp "$work/build.sh" "$root/opt/rehearsal-build.sh"
cp /etc/resolv.conf "$root/etc/resolv.conf"
mkdir -p "$cache_dir/apt-archives/partial" "$cache_dir/npm" "$root/var/cache/apt/archives" "$root/root/.npm"

# REHEARSE_CCACHE=1 (CI): the compiler runs through ccache with this machine's cache, so a
# rerun does not compile everything again. CodeBuild has no such cache; the default is off.
# The buildspec sets a ccache of its own (CCACHE_DIR, BASEDIR, MAXSIZE for CodeBuild's local
# cache), so these settings come after its environment and win: paths relative to the source
# (the same relative paths as this machine's builds, so their objects are hits) and this
# machine's size limit (the buildspec's smaller one would trim this machine's cache).
ccache_dir=
ccache_env=()
if [[ "${REHEARSE_CCACHE:-0}" == 1 ]]; then
  ccache_dir="$(ccache -k cache_dir 2>/dev/null || echo "$cache_dir/ccache")"
  mkdir -p "$ccache_dir"
  # content: the root's compiler is another file than this machine's, of the same package.
  ccache_env+=(CMAKE_CXX_COMPILER_LAUNCHER=ccache CMAKE_C_COMPILER_LAUNCHER=ccache CCACHE_DIR=/var/cache/ccache
    "CCACHE_BASEDIR=$src_in_root" CCACHE_COMPILERCHECK=content
    "CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-$(ccache -k max_size 2>/dev/null || echo 5G)}")
  say "REHEARSE_CCACHE=1: ccache is installed in the root before the buildspec runs and compiles with $ccache_dir (CodeBuild compiles without a cache)"
fi

# CodeBuild sets the build's region in AWS_REGION and AWS_DEFAULT_REGION; the rehearsal sets
# them too, to a region other than us-east-1 (REHEARSE_REGION), so that nothing in the build
# passes only where the region happens to be the emulator's default.
rehearse_region="${REHEARSE_REGION:-eu-west-1}"
build_env=(
  HOME=/root
  AWS_REGION="$rehearse_region"
  AWS_DEFAULT_REGION="$rehearse_region"
  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
  LANG=C.UTF-8
  CODEBUILD_CI=true
  CODEBUILD_BUILD_ID="rehearsal:$(date +%s)"
  CODEBUILD_SRC_DIR="$src_in_root"
  CODEBUILD_RESOLVED_SOURCE_VERSION="$commit"
  CODEBUILD_SOURCE_VERSION="$commit"
  PIP_NO_INDEX=1
  PIP_FIND_LINKS=/opt/rehearsal-wheelhouse
  "${extra_env[@]}"
)
while IFS= read -r -d '' assignment; do build_env+=("$assignment"); done <"$work/env.list"
build_env+=("${ccache_env[@]}")
say "environment: ${build_env[*]}"

# Private mount and PID namespaces: the mounts and any process left behind end with the build.
say "running the buildspec in the root"
build_started=$(date +%s)
set +e
unshare --mount --pid --fork --propagation private bash -euo pipefail -c '
  root="$1"; cache="$2"; ccache_dir="$3"; shift 3
  mount -t proc proc "$root/proc"
  mount --rbind /sys "$root/sys"
  mount --rbind /dev "$root/dev"
  mount --bind "$cache/apt-archives" "$root/var/cache/apt/archives"
  mount --bind "$cache/npm" "$root/root/.npm"
  if [[ -n "$ccache_dir" ]]; then
    mkdir -p "$root/var/cache/ccache"
    mount --bind "$ccache_dir" "$root/var/cache/ccache"
    chroot "$root" sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ccache >/dev/null"
  fi
  exec chroot "$root" /usr/bin/env -i "$@" /bin/sh /opt/rehearsal-build.sh
' rehearse "$root" "$cache_dir" "$ccache_dir" "${build_env[@]}"
status=$?
set -e
finished=$(date +%s)
if ((status != 0)); then
  say "the Build step FAILED after $((finished - build_started)) s (total $((finished - started)) s)"
  exit "$status"
fi
base_directory="$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).artifacts["base-directory"] ?? "")' "$work/spec.json")"
if [[ -n "$base_directory" ]] && [[ ! -d "$root$src_in_root/$base_directory" ]]; then
  die "the buildspec's artifact directory $base_directory was not produced"
fi
say "the Build step SUCCEEDED in $((finished - build_started)) s (total $((finished - started)) s); artifacts in $base_directory"

# Reproducibility, for information: the same commit built here, when this tree is clean.
rehearsed_zip="$root$src_in_root/dist/function.zip"
if [[ -f "$rehearsed_zip" && -f "$repo/dist/function.zip" && -z "$(git -C "$repo" status --porcelain --untracked-files=no)" ]]; then
  if cmp -s "$rehearsed_zip" "$repo/dist/function.zip"; then
    say "dist/function.zip of the rehearsal and of this machine's build of $commit are identical ($(sha256sum "$rehearsed_zip" | cut -c1-16)...)"
  else
    say "note: dist/function.zip differs from this machine's build of $commit (another compiler or library version, or a stale dist/)"
  fi
fi

#!/usr/bin/env bash
# The same source gives the same function.zip, byte for byte, so an unchanged commit deploys no
# new function version. Checks the two inputs that used to vary between builds:
#  - build_info (cmake/build_info.cmake): commit and build time come from the source, never from
#    the wall clock, also in a tree without .git (CodePipeline's source zip), where the commit is
#    CODEBUILD_RESOLVED_SOURCE_VERSION;
#  - the zip (scripts/make-zip.sh): packaging the same binary twice, at other times and from a
#    file with another mtime, gives identical bytes.
# Usage: reproducible_test.sh SOURCE_DIR BOOTSTRAP
set -euo pipefail
source_dir="$1"
bootstrap="$2"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }

build_info() {  # build_info TREE OUTPUT [VAR=value...]
  local tree="$1" output="$2"
  shift 2
  env -u SOURCE_DATE_EPOCH -u CODEBUILD_RESOLVED_SOURCE_VERSION "$@" \
    cmake -DSOURCE_DIR="$tree" -DOUTPUT="$output" -DVERSION=1.2.3 -P "$source_dir/cmake/build_info.cmake"
}
field() { sed -n "s/.*\\.$2 = \"\\([^\"]*\\)\".*/\\1/p" "$1"; }

# A tree without .git, as CodeBuild gets it.
mkdir -p "$work/tree"
commit=0123456789abcdef0123456789abcdef01234567
build_info "$work/tree" "$work/first.cpp" CODEBUILD_RESOLVED_SOURCE_VERSION=$commit SOURCE_DATE_EPOCH=1700000000
sleep 1
build_info "$work/tree" "$work/second.cpp" CODEBUILD_RESOLVED_SOURCE_VERSION=$commit SOURCE_DATE_EPOCH=1700000000
[[ "$(field "$work/first.cpp" commit)" == 0123456789ab ]] && pass "commit from CODEBUILD_RESOLVED_SOURCE_VERSION" ||
  fail "commit is '$(field "$work/first.cpp" commit)', expected 0123456789ab"
[[ "$(field "$work/first.cpp" build_time)" == 2023-11-14T22:13:20Z ]] && pass "build time from SOURCE_DATE_EPOCH" ||
  fail "build time is '$(field "$work/first.cpp" build_time)', expected 2023-11-14T22:13:20Z"
cmp -s "$work/first.cpp" "$work/second.cpp" && pass "same build_info a second later" || fail "build_info differs between two runs"

build_info "$work/tree" "$work/bare.cpp"
[[ "$(field "$work/bare.cpp" commit)" == unknown && "$(field "$work/bare.cpp" build_time)" == 1970-01-01T00:00:00Z ]] &&
  pass "no commit, no SOURCE_DATE_EPOCH: fixed values, not the wall clock" ||
  fail "without any source information: commit '$(field "$work/bare.cpp" commit)', time '$(field "$work/bare.cpp" build_time)'"

# A clone: the commit's own time.
git -C "$work/tree" init -q
git -C "$work/tree" -c user.name=t -c user.email=t@example.com commit -q --allow-empty -m first --date=2024-02-03T04:05:06Z
GIT_COMMITTER_DATE=2024-02-03T04:05:06Z git -C "$work/tree" -c user.name=t -c user.email=t@example.com commit -q --amend --allow-empty -m first --date=2024-02-03T04:05:06Z
build_info "$work/tree" "$work/clone.cpp"
[[ "$(field "$work/clone.cpp" build_time)" == 2024-02-03T04:05:06Z ]] && pass "build time of a clone is the commit's author time" ||
  fail "build time of a clone is '$(field "$work/clone.cpp" build_time)', expected 2024-02-03T04:05:06Z"
[[ "$(field "$work/clone.cpp" commit)" == "$(git -C "$work/tree" rev-parse --short=12 HEAD)" ]] && pass "commit of a clone" ||
  fail "commit of a clone is '$(field "$work/clone.cpp" commit)'"

# Packaging twice.
cp "$bootstrap" "$work/bootstrap"
bash "$source_dir/scripts/make-zip.sh" "$work/bootstrap" "$work/first.zip"
sleep 1
touch -d '2021-05-06 07:08:09 UTC' "$work/bootstrap"
chmod 0700 "$work/bootstrap"
bash "$source_dir/scripts/make-zip.sh" "$work/bootstrap" "$work/second.zip"
cmp -s "$work/first.zip" "$work/second.zip" && pass "make-zip.sh twice gives the same bytes" || fail "two zips of the same binary differ"

((failures == 0)) || exit 1

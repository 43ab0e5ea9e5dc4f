#!/usr/bin/env bash
# The compiler launcher of a function's dev routes (cmake/cppstack_function.cmake): runs the
# compile CMake asks of the build's compiler (g++) with the dev compiler (clang++) instead,
# through the build's own launcher (ccache) when there is one.
#
#   dev_compiler.sh <dev compiler> <build compiler> [launcher...] <build compiler> <arguments...>
#
# clang at -O0 compiles a file of typed routes in about half the time of g++ at -Og (figures in
# docs/performance.md, "Live development"); its objects link with the g++-built libraries
# (both use libstdc++ and the Itanium C++ ABI). Warnings stay warnings here: clang warns about
# things g++, the compiler the packaged bootstrap and the tests are held to, does not.
set -euo pipefail
dev_compiler="$1"
build_compiler="$2"
shift 2
command=()
while (($#)) && [[ "$1" != "$build_compiler" ]]; do
  command+=("$1")
  shift
done
if ((!$#)); then
  echo "dev_compiler.sh: the compile command does not name $build_compiler" >&2
  exit 2
fi
shift
# A precompiled header is made with `-include` of its own header: clang would try to read the
# header's previous .gch (a g++ one, when the build's dev compiler changed) instead of making it.
arguments=("$@")
for ((i = 0; i + 1 < ${#arguments[@]}; i++)); do
  if [[ "${arguments[i]}" == -o && "${arguments[i + 1]}" == *.gch ]]; then rm -f "${arguments[i + 1]}"; fi
done
# -fno-pch-timestamp: a precompiled header restored by ccache is accepted although its
# headers' times differ from those it was made with.
exec "${command[@]}" "$dev_compiler" "$@" -Wno-error -Xclang -fno-pch-timestamp

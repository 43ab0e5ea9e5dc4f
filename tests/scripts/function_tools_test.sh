#!/usr/bin/env bash
# `make run FUNCTION=<name>` serves any function the build defines (cppstack_add_function()
# records each in build/<preset>/functions/<name>), an unknown name is refused listing the
# defined ones, and `make format` formats files git does not track yet. The real scripts/run.sh
# and Makefile run in a scratch tree; `cmake` and the emulator are replaced on PATH by recorders.
#
# Usage: function_tools_test.sh SOURCE_DIR
set -euo pipefail
source_dir="$1"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

build="$scratch/build/release"
mkdir -p "$scratch"/{scripts,bin} "$build/functions" "$build/src/local" "$build/examples/shop/run"
cp "$source_dir/scripts/run.sh" "$source_dir/scripts/serve-local.sh" "$source_dir/scripts/configure.sh" \
  "$scratch/scripts/"
cp "$source_dir/Makefile" "$source_dir/CMakePresets.json" "$scratch/"
echo 'CMAKE_GENERATOR:INTERNAL=Ninja' >"$build/CMakeCache.txt"
printf "run_dir='%s'\nbootstrap='shop-bootstrap'\nexporter='shop-route-export'\nsources='examples/shop'\n" \
  "$build/examples/shop/run" >"$build/functions/shop"
: >"$build/functions/api"
cat >"$scratch/bin/cmake" <<SHIM
#!/usr/bin/env bash
echo "cmake \$*" >>"$scratch/calls.log"
printf '#!/bin/sh\n' >"$build/examples/shop/run/bootstrap"
chmod +x "$build/examples/shop/run/bootstrap"
echo '{}' >"$build/examples/shop/run/routes.json"
SHIM
printf '#!/bin/sh\necho "emulator $*" >>"%s/calls.log"\n' "$scratch" >"$build/src/local/cppstack-local"
chmod +x "$scratch/bin/cmake" "$build/src/local/cppstack-local"
export PATH="$scratch/bin:$PATH"

bash "$scratch/scripts/run.sh" release 39998 shop off
grep -q -- "--target shop-bootstrap shop_route_table cppstack-local" "$scratch/calls.log" || {
  echo "FAIL: run.sh did not build the shop function's targets:" >&2
  cat "$scratch/calls.log" >&2
  exit 1
}
grep -q -- "--bootstrap $build/examples/shop/run/bootstrap --routes $build/examples/shop/run/routes.json" \
  "$scratch/calls.log" || {
  echo "FAIL: run.sh did not serve the shop function:" >&2
  cat "$scratch/calls.log" >&2
  exit 1
}
# A build that records the function's dev bootstrap (its sources by the dev compiler): run.sh builds that
# one, not the packaged bootstrap.
echo "dev_bootstrap='shop-bootstrap-dev'" >>"$build/functions/shop"
rm "$build/examples/shop/run/bootstrap"
bash "$scratch/scripts/run.sh" release 39998 shop off
grep -q -- "--target shop-bootstrap-dev shop_route_table cppstack-local" "$scratch/calls.log" || {
  echo "FAIL: run.sh did not build the shop function's dev bootstrap:" >&2
  cat "$scratch/calls.log" >&2
  exit 1
}
# A build that records the function's serve target (cmake/cppstack_function.cmake): run.sh
# builds it as the one goal, so make can build the function and the emulator side by side.
echo "serve_target='shop_serve'" >>"$build/functions/shop"
rm "$build/examples/shop/run/bootstrap"
: >"$scratch/calls.log"
bash "$scratch/scripts/run.sh" release 39998 shop off
grep -q -- "--build $build --target shop_serve -j" "$scratch/calls.log" || {
  echo "FAIL: run.sh did not build the shop function's serve target as one goal:" >&2
  cat "$scratch/calls.log" >&2
  exit 1
}
# A build folder configured as the presets are is not configured again.
if grep -q -- "--preset" "$scratch/calls.log"; then
  echo "FAIL: run.sh configured a build folder already configured with the preset's generator:" >&2
  cat "$scratch/calls.log" >&2
  exit 1
fi
# A build folder configured with another generator (Unix Makefiles, before the presets named
# Ninja) is configured afresh from the preset, its old cache removed: CMake refuses to switch.
echo 'CMAKE_GENERATOR:INTERNAL=Unix Makefiles' >"$build/CMakeCache.txt"
mkdir -p "$build/CMakeFiles/stale"
rm "$build/examples/shop/run/bootstrap"
: >"$scratch/calls.log"
bash "$scratch/scripts/run.sh" release 39998 shop off >"$scratch/migrate.out"
grep -qx -- "cmake --preset release" "$scratch/calls.log" && [[ ! -e "$build/CMakeCache.txt" && ! -e "$build/CMakeFiles/stale" ]] || {
  echo "FAIL: run.sh did not configure a Unix Makefiles build folder afresh with Ninja:" >&2
  cat "$scratch/calls.log" "$scratch/migrate.out" >&2
  exit 1
}
grep -q "configured with Unix Makefiles; configuring it again with Ninja" "$scratch/migrate.out" || {
  echo "FAIL: the new configuration was not announced:" >&2
  cat "$scratch/migrate.out" >&2
  exit 1
}
echo 'CMAKE_GENERATOR:INTERNAL=Ninja' >"$build/CMakeCache.txt"
if bash "$scratch/scripts/run.sh" release 39998 nosuch off 2>"$scratch/unknown.err"; then
  echo "FAIL: an unknown function was accepted" >&2
  exit 1
fi
grep -q "defines no function 'nosuch'; it defines: api shop" "$scratch/unknown.err" || {
  echo "FAIL: the refusal does not list the defined functions:" >&2
  cat "$scratch/unknown.err" >&2
  exit 1
}

# make format: a tracked file and a new, untracked one are both formatted.
cd "$scratch"
git init -q .
printf 'int  tracked( ) {return 1;}\n' >tracked.cpp
git add tracked.cpp
printf 'int  untracked( ) {return 2;}\n' >untracked.cpp
make -s format
for file in tracked.cpp untracked.cpp; do
  clang-format --dry-run --Werror "$file" || {
    echo "FAIL: make format left $file unformatted" >&2
    exit 1
  }
done
echo "PASS: run.sh serves any defined function, configures a build folder of another generator afresh, and make format formats new files"

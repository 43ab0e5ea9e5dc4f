# Thin entry points; the real work is in CMake, CTest, scripts/ and infra/.
export CDK_DISABLE_CLI_TELEMETRY := true
# Every build compiles through ccache when it is installed (make deps installs it): a rebuild,
# a second clone on the same machine and the sanitizer presets reuse objects already compiled.
# Paths are taken relative to the checkout and the compiler is identified by its content, so
# clones in other folders share one cache. A launcher set in the environment wins.
ifneq ($(shell command -v ccache 2>/dev/null),)
export CMAKE_C_COMPILER_LAUNCHER ?= ccache
export CMAKE_CXX_COMPILER_LAUNCHER ?= ccache
export CCACHE_BASEDIR ?= $(CURDIR)
export CCACHE_COMPILERCHECK ?= content
# Sources compiled with a precompiled header are cacheable too (CMake's PCH adds -include).
export CCACHE_SLOPPINESS ?= pch_defines,time_macros,include_file_mtime,include_file_ctime
endif
PRESET ?= release
BUILD_DIR := build/$(PRESET)
JOBS ?= $(shell nproc)
DIST_DIR ?= dist
PORT ?= 3000
FUNCTION ?= api
# How `make run` shows the function's CloudWatch metric (EMF) lines: pretty, raw or off.
METRICS ?= pretty
HOST_ARCHITECTURE := $(shell uname -m)
# The CPU the packaged bootstrap runs on: FUNCTION_ARCHITECTURE from the command line, the
# environment or .env, else x86_64. arm64 on an x86_64 machine is cross-compiled with Debian's
# aarch64 toolchain (preset release-arm64); otherwise the package is the native release build.
FUNCTION_ARCHITECTURE ?= $(or $(shell sed -n 's/^FUNCTION_ARCHITECTURE=\([A-Za-z0-9_]*\).*/\1/p' .env 2>/dev/null | tail -n 1),x86_64)
ifeq ($(FUNCTION_ARCHITECTURE)-$(HOST_ARCHITECTURE),arm64-x86_64)
PACKAGE_BUILD := build-arm64
PACKAGE_BUILD_DIR := build/release-arm64
else
PACKAGE_BUILD := build
PACKAGE_BUILD_DIR := $(BUILD_DIR)
endif

.PHONY: deps deps-system reset-local build build-arm64 test-arm64 test test-sanitize test-tsan fuzz fuzz-smoke package run token watch bench synth deploy format lint clean rehearse

deps: deps-system infra/node_modules/.package-lock.json services/node_modules/.package-lock.json

deps-system:
	bash scripts/install-deps.sh

# npm ci only when the lock file changed since the last install.
infra/node_modules/.package-lock.json: infra/package-lock.json
	cd infra && npm ci --no-audit --no-fund --loglevel=error

# The local DynamoDB (dynalite) and S3 (s3rver) that `make run` starts for declared resources.
services/node_modules/.package-lock.json: services/package-lock.json
	cd services && npm ci --no-audit --no-fund --loglevel=error

build:
	@bash scripts/configure.sh $(PRESET)
	cmake --build --preset $(PRESET) -j $(JOBS)

package: $(PACKAGE_BUILD)
	bash scripts/package.sh $(PACKAGE_BUILD_DIR) $(DIST_DIR)

# The deployable package for arm64, cross-compiled: bootstrap, function.zip and the route table;
# and the notes example's, which links the AWS client (DynamoDB, S3, mbedTLS).
build-arm64:
	bash scripts/install-deps.sh arm64-cross
	@bash scripts/configure.sh release-arm64
	cmake --build --preset release-arm64 -j $(JOBS) --target function_zip route_table notes_function_zip notes_route_table aws_sigv4_tool

# The arm64 package built here, served by cppstack-local through qemu-user-static; synth accepts it
# (with infra/'s npm packages, installed when missing or out of date). The arm64 notes package
# then reaches the local DynamoDB and S3 through the AWS client.
test-arm64: build infra/node_modules/.package-lock.json services/node_modules/.package-lock.json
	$(MAKE) package FUNCTION_ARCHITECTURE=arm64 DIST_DIR=build/dist-arm64
	bash scripts/test-arm64-package.sh $(BUILD_DIR) build/dist-arm64
	bash scripts/test-arm64-notes.sh $(BUILD_DIR) build/release-arm64

test: deps package
	ctest --preset $(PRESET) -j $(JOBS)
	cd infra && CPPSTACK_DIST_DIR=$(CURDIR)/$(DIST_DIR) CPPSTACK_BUILD_DIR=$(CURDIR)/$(BUILD_DIR) npm test

# One test runs in the release and ThreadSanitizer suites only: it exhausts file descriptors,
# and UndefinedBehaviorSanitizer's vptr check validates vtables through a pipe, so with no
# descriptor free it reports every virtual call as an invalid vptr (a limit of the checker).
SANITIZE_EXCLUDED := local.Robustness.OutOfDescriptorsTheEmulatorWaitsAndRecovers
# The compile tests (label compile) run the compiler over a source that must or must not build,
# with no instrumented code: make test runs them, the sanitizer suite would repeat them.
test-sanitize: deps
	$(MAKE) PRESET=debug build
	@echo "test-sanitize: not run here (see the Makefile): $(SANITIZE_EXCLUDED) and the compile tests (make test runs them)"
	ctest --preset debug -j $(JOBS) -E '^$(SANITIZE_EXCLUDED)$$' -LE '^compile$$'

# The emulator's tests with ThreadSanitizer, the emulator on 4 I/O threads.
LOCAL_TEST_TARGETS := local_unit_tests local_integration_tests local_runtime_library_tests local_bootstrap_tests local_authorizer_tests
test-tsan: deps-system
	@bash scripts/configure.sh tsan
	cmake --build build/tsan -j $(JOBS) --target $(LOCAL_TEST_TARGETS)
	ctest --preset tsan -j $(JOBS)

# libFuzzer targets (fuzz/): `make fuzz` runs each for FUZZ_SECONDS (default 300),
# `make fuzz-smoke` for 30 s each, as CI does.
FUZZ_SECONDS ?= 300
fuzz: deps-system
	bash scripts/install-deps.sh fuzz
	@bash scripts/configure.sh fuzz
	cmake --build build/fuzz -j $(JOBS) --target fuzz_targets
	fuzz/run.sh build/fuzz $(FUZZ_SECONDS)

fuzz-smoke:
	$(MAKE) fuzz FUZZ_SECONDS=30

# Starts at once when nothing changed since the last build (scripts/run.sh).
# make run [PORT=3000] [FUNCTION=api|notes|bookmarks|...] [METRICS=pretty|raw|off]
run:
	@bash scripts/run.sh $(PRESET) $(PORT) $(FUNCTION) $(METRICS)

# A token of make run's local Cognito issuer (docs/auth.md), e.g.
# make token ARGS="--access --scope notes/read --group admins --claim email=me@example.com"
token:
	@test -x $(BUILD_DIR)/src/local/cppstack-local || { echo "token: run make run (or make build) first" >&2; exit 2; }
	@$(BUILD_DIR)/src/local/cppstack-local token --local-auth-dir .cppstack-local $(ARGS)
# Deletes the data of the local DynamoDB and S3 (LOCAL_DATA_DIR, default .local/); the next
# `make run` creates the declared tables and buckets again, empty.
LOCAL_DATA_DIR ?= $(CURDIR)/.local
reset-local:
	node services/local-services.js --reset --data $(LOCAL_DATA_DIR)

watch:
	WATCH_FUNCTION=$(FUNCTION) bash scripts/watch.sh $(PRESET)

bench: deps-system package
	bash scripts/bench.sh $(BUILD_DIR)

synth: deps package
	cd infra && npx cdk synth --quiet

deploy: deps package
	cd infra && npx cdk deploy "$$(. ./../.env 2>/dev/null; echo $${APPLICATION:-aws-cpp-stack})-CodePipelineStack"

# The pipeline's Build step, from the synthesized buildspec, on a fresh Debian bookworm root
# (needs root). See docs/operations.md, "Rehearsing the pipeline build".
rehearse: deps package
	bash scripts/rehearse.sh

# New files too: every C++ file git tracks or would add (untracked, not ignored).
format:
	git ls-files --cached --others --exclude-standard '*.cpp' '*.hpp' '*.c' | xargs clang-format -i

lint:
	git ls-files '*.cpp' '*.hpp' '*.c' | xargs clang-format --dry-run --Werror
	bash scripts/tidy.sh $(BUILD_DIR)

clean:
	rm -rf build dist

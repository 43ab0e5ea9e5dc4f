# Thin entry points; the real work is in CMake, CTest, scripts/ and infra/.
export CDK_DISABLE_CLI_TELEMETRY := true
PRESET ?= release
BUILD_DIR := build/$(PRESET)
JOBS ?= $(shell nproc)
DIST_DIR := dist

.PHONY: deps deps-system build test test-sanitize test-tsan fuzz fuzz-smoke package run watch bench synth deploy format lint clean

deps: deps-system infra/node_modules/.package-lock.json

deps-system:
	scripts/install-deps.sh

# npm ci only when the lock file changed since the last install.
infra/node_modules/.package-lock.json: infra/package-lock.json
	cd infra && npm ci --no-audit --no-fund --loglevel=error

build:
	@if [ ! -f $(BUILD_DIR)/CMakeCache.txt ]; then cmake --preset $(PRESET); fi
	cmake --build --preset $(PRESET) -j $(JOBS)

package: build
	scripts/package.sh $(BUILD_DIR) $(DIST_DIR)

test: deps package
	ctest --preset $(PRESET) -j $(JOBS)
	cd infra && CPPSTACK_DIST_DIR=$(CURDIR)/$(DIST_DIR) npm test

test-sanitize: deps
	$(MAKE) PRESET=debug build
	ctest --preset debug -j $(JOBS)

# The emulator's tests with ThreadSanitizer, the emulator on 4 I/O threads.
LOCAL_TEST_TARGETS := local_unit_tests local_integration_tests local_runtime_library_tests local_bootstrap_tests
test-tsan: deps-system
	@if [ ! -f build/tsan/CMakeCache.txt ]; then cmake --preset tsan; fi
	cmake --build build/tsan -j $(JOBS) --target $(LOCAL_TEST_TARGETS)
	ctest --preset tsan -j $(JOBS)

# libFuzzer targets (fuzz/): `make fuzz` runs each for FUZZ_SECONDS (default 300),
# `make fuzz-smoke` for 30 s each, as CI does.
FUZZ_SECONDS ?= 300
fuzz: deps-system
	@if [ ! -f build/fuzz/CMakeCache.txt ]; then cmake --preset fuzz; fi
	cmake --build build/fuzz -j $(JOBS) --target fuzz_targets
	fuzz/run.sh build/fuzz $(FUZZ_SECONDS)

fuzz-smoke:
	$(MAKE) fuzz FUZZ_SECONDS=30

run: deps-system build
	$(BUILD_DIR)/src/local/cppstack-local start-api --bootstrap $(BUILD_DIR)/src/app/bootstrap --routes $(BUILD_DIR)/api/routes.json

watch:
	scripts/watch.sh $(PRESET)

bench: deps-system package
	scripts/bench.sh $(BUILD_DIR)

synth: deps package
	cd infra && npx cdk synth --quiet

deploy: deps package
	cd infra && npx cdk deploy "$$(. ./../.env 2>/dev/null; echo $${APPLICATION:-aws-cpp-stack})-CodePipelineStack"

format:
	git ls-files '*.cpp' '*.hpp' '*.c' | xargs clang-format -i

lint:
	git ls-files '*.cpp' '*.hpp' '*.c' | xargs clang-format --dry-run --Werror
	scripts/tidy.sh $(BUILD_DIR)

clean:
	rm -rf build dist

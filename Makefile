# Thin entry points; the real work is in CMake, CTest, scripts/ and infra/.
export CDK_DISABLE_CLI_TELEMETRY := true
PRESET ?= release
BUILD_DIR := build/$(PRESET)
JOBS ?= $(shell nproc)
DIST_DIR := dist

.PHONY: deps build test test-sanitize package run watch bench synth deploy format lint clean

deps:
	scripts/install-deps.sh
	@if [ -f infra/package.json ]; then cd infra && npm ci --no-audit --no-fund --loglevel=error; fi

build:
	@if [ ! -f $(BUILD_DIR)/CMakeCache.txt ]; then cmake --preset $(PRESET); fi
	cmake --build --preset $(PRESET) -j $(JOBS)

package: build
	scripts/package.sh $(BUILD_DIR) $(DIST_DIR)

test: deps package
	ctest --preset $(PRESET) -j $(JOBS)
	@if [ -f infra/package.json ]; then cd infra && npm test; fi

test-sanitize: deps
	$(MAKE) PRESET=debug build
	ctest --preset debug -j $(JOBS)

run: build
	$(BUILD_DIR)/src/local/cppstack-local start-api --bootstrap $(BUILD_DIR)/src/app/bootstrap --routes $(BUILD_DIR)/api/routes.json

watch:
	scripts/watch.sh $(PRESET)

bench: package
	scripts/bench.sh $(BUILD_DIR)

synth: package
	cd infra && npx cdk synth --quiet

deploy: package
	cd infra && npx cdk deploy "$$(. ./../.env 2>/dev/null; echo $${APPLICATION:-aws-cpp-stack})-CodePipelineStack"

format:
	git ls-files '*.cpp' '*.hpp' '*.c' | xargs clang-format -i

lint:
	git ls-files '*.cpp' '*.hpp' | xargs clang-format --dry-run --Werror
	scripts/tidy.sh $(BUILD_DIR)

clean:
	rm -rf build dist

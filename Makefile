# Thin entry points; the real work is in CMake, CTest, scripts/ and infra/.
export CDK_DISABLE_CLI_TELEMETRY := true
PRESET ?= release
BUILD_DIR := build/$(PRESET)
JOBS ?= $(shell nproc)
DIST_DIR := dist
PORT ?= 3000
FUNCTION ?= api

.PHONY: deps deps-system build test test-sanitize package run watch bench synth deploy format lint clean

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

# Starts at once when nothing changed since the last build (scripts/run.sh).
run:
	@scripts/run.sh $(PRESET) $(PORT) $(FUNCTION)

watch:
	WATCH_FUNCTION=$(FUNCTION) scripts/watch.sh $(PRESET)

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

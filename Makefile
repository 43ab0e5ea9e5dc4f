# Thin entry points; the real work is in CMake, CTest, scripts/ and infra/.
export CDK_DISABLE_CLI_TELEMETRY := true
PRESET ?= release
BUILD_DIR := build/$(PRESET)
JOBS ?= $(shell nproc)
DIST_DIR := dist

.PHONY: deps deps-system build test test-sanitize package run watch bench synth deploy format lint clean rehearse

deps: deps-system infra/node_modules/.package-lock.json

deps-system:
	bash scripts/install-deps.sh

# npm ci only when the lock file changed since the last install.
infra/node_modules/.package-lock.json: infra/package-lock.json
	cd infra && npm ci --no-audit --no-fund --loglevel=error

build:
	@if [ ! -f $(BUILD_DIR)/CMakeCache.txt ]; then cmake --preset $(PRESET); fi
	cmake --build --preset $(PRESET) -j $(JOBS)

package: build
	bash scripts/package.sh $(BUILD_DIR) $(DIST_DIR)

test: deps package
	ctest --preset $(PRESET) -j $(JOBS)
	cd infra && CPPSTACK_DIST_DIR=$(CURDIR)/$(DIST_DIR) CPPSTACK_BUILD_DIR=$(CURDIR)/$(BUILD_DIR) npm test

test-sanitize: deps
	$(MAKE) PRESET=debug build
	ctest --preset debug -j $(JOBS)

run: deps-system build
	$(BUILD_DIR)/src/local/cppstack-local start-api --bootstrap $(BUILD_DIR)/src/app/bootstrap --routes $(BUILD_DIR)/api/routes.json

watch:
	bash scripts/watch.sh $(PRESET)

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

format:
	git ls-files '*.cpp' '*.hpp' '*.c' | xargs clang-format -i

lint:
	git ls-files '*.cpp' '*.hpp' '*.c' | xargs clang-format --dry-run --Werror
	bash scripts/tidy.sh $(BUILD_DIR)

clean:
	rm -rf build dist

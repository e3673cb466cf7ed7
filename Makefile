# LiverCell front door (STYLE.md C13). `make run` and `make test` do all set-up on a fresh
# Debian 12 machine: they install missing packages (tools/install-deps), build, and run.
.DEFAULT_GOAL := build
BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc)
CMAKE_GEN  := -G Ninja

.PHONY: deps build test unit run bench lint format clean docs

deps:
	@tools/install-deps

$(BUILD)/build.ninja: CMakeLists.txt | deps
	@cmake -S . -B $(BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Release \
	  -DLIVERCELL_BUILD_TESTS=OFF -DLIVERCELL_BUILD_BENCHMARKS=ON >/dev/null

# Release build (-O2): build/livercell and build/bench/*.
build: deps $(BUILD)/build.ninja
	@cmake --build $(BUILD) -j $(JOBS)

$(ASAN_BUILD)/build.ninja: CMakeLists.txt | deps
	@cmake -S . -B $(ASAN_BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DLIVERCELL_SANITIZE=address,undefined -DLIVERCELL_WERROR=ON >/dev/null

# Every test, in a separate AddressSanitizer + UndefinedBehaviorSanitizer build, beside a
# throwaway PostgreSQL server (tools/with-postgres) for the storage contract suite.
test: deps $(ASAN_BUILD)/build.ninja
	@cmake --build $(ASAN_BUILD) -j $(JOBS)
	@tools/with-postgres sh -c 'cd $(ASAN_BUILD) && ctest --output-on-failure -j $(JOBS)' 

# Only the fast unit tests (label `unit`).
unit: deps $(ASAN_BUILD)/build.ninja
	@cmake --build $(ASAN_BUILD) -j $(JOBS)
	@cd $(ASAN_BUILD) && ctest --output-on-failure -j $(JOBS) -L unit

# The main job: the clinic server on SQLite with the PBC cohort (tools/run-server).
run: build
	@tools/run-server $(BUILD)/livercell

bench: build
	@mkdir -p $(BUILD)/bench/results
	@$(BUILD)/bench/score_bench --benchmark_out=$(BUILD)/bench/results/score_bench.json \
	  --benchmark_out_format=json
	@$(BUILD)/bench/stats_bench | tee $(BUILD)/bench/results/stats_bench.txt
	@$(BUILD)/bench/import_bench --benchmark_out=$(BUILD)/bench/results/import_bench.json \
	  --benchmark_out_format=json
	@$(BUILD)/bench/api_bench | tee $(BUILD)/bench/results/api_bench.txt

lint: deps
	@python3 tools/check_layering.py
	@python3 tools/check_sources.py

format:
	@find src tests bench -name '*.h' -o -name '*.cc' | xargs clang-format -i

# Regenerates the documents derived from code (STYLE.md C3).
docs: build
	@$(BUILD)/livercell errors --format markdown > docs/errors.md

clean:
	@rm -rf $(BUILD) $(ASAN_BUILD)

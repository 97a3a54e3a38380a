# rigsync: the two commands.
#   make run    set up, build, run the default simulated rig for 10 s, print the summary
#   make test   set up, build, run the test suite (ctest)
# Also: make build, make test-asan (AddressSanitizer + UBSan), make test-tsan,
#       make bench (every benchmark), make bench-sim, make bench-clock, make bench-match,
#       make bench-long (64 devices, 8 virtual hours: peak RSS), make bench-record (the
#       recorder's MB/s next to zstd, then 8 devices recorded in real time), make clean
#       make bench-multihost (root: 8 simulated hosts x 8 cameras over PTP, ~15 min; not in
#       make bench; MULTIHOST_ARGS="--minutes 0.5 --fault-seconds 60" for a smoke run)
#       make fuzz (each libFuzzer harness for FUZZ_SECONDS, clang), make fuzz-ci (each for
#       FUZZ_CI_SECONDS from the repo's corpus; fails on any finding)

BUILD      ?= build
BUILD_ASAN ?= build-asan
BUILD_TSAN ?= build-tsan
BUILD_FUZZ ?= build-fuzz
FUZZ_SECONDS ?= 120
FUZZ_CI_SECONDS ?= 25
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_ARGS ?=
# The official MCAP reader the tests run (npm, pinned): installed once, shared by every build.
MCAP_CHECK_DIR ?= $(abspath $(BUILD))/mcap-check
export MCAP_CHECK_DIR

.PHONY: all setup setup-test build run test test-asan test-tsan bench bench-clock bench-match bench-sim bench-long \
        bench-record bench-multihost \
        clean setup-fuzz fuzz-build fuzz fuzz-ci

all: build

setup:
	@./scripts/setup.sh

setup-test:
	@./scripts/setup.sh --test

$(BUILD)/CMakeCache.txt: | setup
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRIGSYNC_MCAP_CHECK_DIR=$(MCAP_CHECK_DIR) \
	      $(CMAKE_ARGS)

build: setup $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

run: build
	./$(BUILD)/rigsync run --seconds 10

test: build setup-test
	ctest --test-dir $(BUILD) --output-on-failure

test-asan: setup-test
	cmake -S . -B $(BUILD_ASAN) -DCMAKE_BUILD_TYPE=Debug -DRIGSYNC_SANITIZE=ON \
	      -DRIGSYNC_MCAP_CHECK_DIR=$(MCAP_CHECK_DIR) $(CMAKE_ARGS)
	cmake --build $(BUILD_ASAN) -j $(JOBS)
	ctest --test-dir $(BUILD_ASAN) --output-on-failure

test-tsan: setup-test
	cmake -S . -B $(BUILD_TSAN) -DCMAKE_BUILD_TYPE=Debug -DRIGSYNC_TSAN=ON \
	      -DRIGSYNC_MCAP_CHECK_DIR=$(MCAP_CHECK_DIR) $(CMAKE_ARGS)
	cmake --build $(BUILD_TSAN) -j $(JOBS)
	ctest --test-dir $(BUILD_TSAN) --output-on-failure

# Fuzzing (fuzz/): clang and libFuzzer are needed only here, not for make test.
setup-fuzz:
	@./scripts/setup.sh --fuzz

fuzz-build: setup-fuzz
	cmake -S . -B $(BUILD_FUZZ) -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	      -DRIGSYNC_FUZZ=ON -DBUILD_TESTING=OFF $(CMAKE_ARGS)
	cmake --build $(BUILD_FUZZ) -j $(JOBS) --target fuzz-harnesses

fuzz: fuzz-build
	./fuzz/run.sh $(BUILD_FUZZ) $(FUZZ_SECONDS) work

fuzz-ci: fuzz-build
	./fuzz/run.sh $(BUILD_FUZZ) $(FUZZ_CI_SECONDS) ci

# Benchmarks: each prints its table and a last line `RESULT key=value ...`.
bench: bench-sim bench-clock bench-match bench-long bench-record

bench-sim: build
	./$(BUILD)/bench/bench_sim

bench-long: build
	./$(BUILD)/bench/bench_long

bench-clock: build
	./$(BUILD)/bench/bench_clock

# Writes its files (~1 GB at a time, deleted) into the build directory.
bench-record: build
	./$(BUILD)/bench/bench_record --dir $(BUILD)

# 8 hosts in network namespaces with their own clocks (root, linuxptp, iptables): bench/multihost.sh
MULTIHOST_ARGS ?=
bench-multihost: build
	./bench/multihost.sh $(BUILD) $(MULTIHOST_ARGS)

# The ROS peer needs its packages; CMake is re-run so that it finds them once installed.
bench-match: setup
	@./scripts/setup-bench.sh
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_ARGS)
	cmake --build $(BUILD) -j $(JOBS)
	./$(BUILD)/bench/bench_match

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) $(BUILD_TSAN) $(BUILD_FUZZ)

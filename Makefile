# The two commands of the quick start, and the build they share.
#   make run    install what is missing, build, run one node in the foreground
#   make test   install what is missing, build with ASan+UBSan, run every test
#   make build  Release build into build/
#   make drill  the failover drill on a private 3-node cluster (as root: it
#               makes network namespaces; DRILL="...")

BUILD      ?= build
TEST_BUILD ?= build-asan
JOBS       ?= 2
CMAKE_GEN  := -G Ninja
export CCACHE_DIR ?= $(HOME)/.cache/ccache
export CCACHE_SLOPPINESS := pch_defines,time_macros,include_file_mtime,include_file_ctime
# The sanitized build: -Og halves the compile time of -O1 under ASan+UBSan
# (most of it goes to optimising instrumented template code) and -g1 keeps
# the line tables the sanitizers' reports need without full debug info.
TEST_FLAGS := -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-g1 -Og" \
  -DSB_SANITIZE=ON -DBUILD_TESTING=ON

.PHONY: all deps build run test unit drill clean

all: build

deps:
	@scripts/install-deps

build: deps
	cmake -S . -B $(BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF
	cmake --build $(BUILD) -j$(JOBS)

run: build
	@echo "Starting node sp1 from conf/ (data in var/sp1). Ctrl-C stops it."
	@echo "Management: https://127.0.0.1:1443/healthz  /readyz  /metrics"
	exec $(BUILD)/bin/sbnode --config-dir conf --demo

test: deps
	cmake -S . -B $(TEST_BUILD) $(CMAKE_GEN) $(TEST_FLAGS)
	cmake --build $(TEST_BUILD) -j$(JOBS)
	cd $(TEST_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp \
	  ctest -j$(JOBS) --output-on-failure --timeout 300

unit: deps
	cmake -S . -B $(TEST_BUILD) $(CMAKE_GEN) $(TEST_FLAGS)
	cmake --build $(TEST_BUILD) -j$(JOBS) --target unit_tests
	cd $(TEST_BUILD) && ctest -L unit -j$(JOBS) --output-on-failure

# e.g. make drill DRILL="--node sp3 --signal STOP --calls 50 --registrations 500"
DRILL ?= --node sp1 --signal KILL
drill: build
	SB_BIN_DIR=$(CURDIR)/$(BUILD)/bin scripts/drill.sh kill $(DRILL)

clean:
	rm -rf $(BUILD) $(TEST_BUILD)

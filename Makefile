# make          build build/libwasmbound.so (with its SONAME links)
# make demo     build and run examples/threads.c
# make test     Go tests (-race), the library, the CTest suite, and again under ASan/UBSan
#               (with CI=true also 60 s of each fuzz target)
# make static   build/libwasmbound.a: the Go c-archive merged with Wasmtime's libwasmtime.a
# make bench    wasmbound against the raw Wasmtime C API, one `ratio` line per case
# make bench-icount  the same cases in instructions (callgrind)
# make soak     DURATION=30 seconds of random mixed work on many threads
# make fuzz     each fuzz target for FUZZTIME (default 60s)
# Each target installs what is missing (cmake via apt-get, Go modules via the proxy).
SHELL := /bin/bash
export PATH := /usr/local/go/bin:$(PATH)
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo

WASMTIME_GO = $(shell go list -m -f '{{.Dir}}' github.com/bytecodealliance/wasmtime-go/v39)
GO_PACKAGES = ./status ./handles ./modinfo ./dispatch ./lifecycle ./pools

.PHONY: all demo test deps go-test ctest test-asan static bench bench-icount soak fuzz fuzz-ci clean

all: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) --target wasmbound_go -j $(JOBS)

deps:
	@command -v cmake >/dev/null || { echo "installing cmake"; apt-get update -qq && apt-get install -y -qq cmake >/dev/null; }
	@command -v g++ >/dev/null || { apt-get update -qq && apt-get install -y -qq g++ >/dev/null; }
	@command -v pkg-config >/dev/null || { echo "installing pkg-config"; apt-get update -qq && apt-get install -y -qq pkg-config >/dev/null; }
	go mod download

$(BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)

demo: all
	cmake --build $(BUILD) --target threads -j $(JOBS)
	$(BUILD)/examples/threads

go-test: deps
	CGO_CFLAGS="-O2 -I$(WASMTIME_GO)/build/include" go vet ./...
	CGO_CFLAGS="-O2 -I$(WASMTIME_GO)/build/include" go test -race -count=1 $(GO_PACKAGES)

ctest: all
	cmake --build $(BUILD) -j $(JOBS)
	cd $(BUILD) && ctest --output-on-failure --no-tests=error -j $(JOBS) --timeout 900
	@# the suites' own summaries (ctest shows output only for failures)
	@grep -hE '^(wasi-testsuite|wasi-p2-testsuite|spec-testsuite|spec-skips-raw|misuse matrix|churn|soak|adversarial)[^:]*:' $(BUILD)/Testing/Temporary/LastTest.log || true

test: go-test ctest test-asan fuzz-ci

# CI (CI=true) also fuzzes every target for 60 s (two at a time), so that CI
# keeps looking for new crashers; elsewhere `make fuzz` does it on demand.
fuzz-ci:
	@if [ -n "$(CI)" ]; then $(MAKE) --no-print-directory fuzz FUZZTIME=60s; \
	else echo "fuzzing: not run outside CI (CI=true make test, or make fuzz)"; fi

# The CTest suite again in its own tree, with AddressSanitizer and UBSan in
# the C tests and `go build -asan` for the library (race detection of the Go
# packages is go-test's job: -race cannot build a c-shared library).
ASAN_BUILD ?= build-asan
ASAN_FLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
test-asan: deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DWB_GO_FLAGS=-asan -DWB_PACKAGING_TESTS=OFF \
	  "-DCMAKE_C_FLAGS=$(ASAN_FLAGS)" "-DCMAKE_CXX_FLAGS=$(ASAN_FLAGS)" \
	  "-DCMAKE_EXE_LINKER_FLAGS=-fsanitize=address,undefined"
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:handle_segv=0:allow_user_segv_handler=1:use_sigaltstack=0 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure --no-tests=error -j $(JOBS) --timeout 900

# One self-contained archive (Go runtime and Wasmtime inside); link it with
# `pkg-config --libs wasmbound-static` after installing, or
# $(BUILD)/libwasmbound.a -lpthread -ldl -lm from the tree.
static: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) --target wasmbound_static -j $(JOBS)
	@ls -l $(BUILD)/libwasmbound.a

# Benchmarks: bench/run.sh builds the wasmbound and raw-Wasmtime programs,
# runs them interleaved, and prints medians and `ratio <case> <value>` lines.
bench: all
	bash bench/run.sh $(BUILD)

# Instructions per call, host call and memory write, counted by callgrind
# (installs valgrind): the machine-independent view of the same cases.
bench-icount: all
	bash bench/icount.sh $(BUILD)

DURATION ?= 30
soak: all
	cmake --build $(BUILD) --target test_soak -j $(JOBS)
	$(BUILD)/ctest/test_soak $(DURATION)

FUZZTIME ?= 60s
fuzz: deps
	bash fuzz/run.sh $(FUZZTIME)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)

# make          build build/libwasmbound.so (with its SONAME links)
# make demo     build and run examples/threads.c
# make test     Go tests (-race), the library, the CTest suite (both compilers, docs, ABI,
#               packages), and the suite again under ASan/UBSan
#               (with CI=true also 60 s of each fuzz target)
# make install  PREFIX=/usr/local (DESTDIR too): headers, the stripped library with its SONAME
#               links and debug file, wasmbound.pc, the CMake package
# make package  build/packages/: wasmbound_X.Y.Z_amd64.deb, wasmbound-dbg_X.Y.Z_amd64.deb,
#               wasmbound-X.Y.Z-Linux-x86_64.tar.gz
# make docs     the HTML reference from the headers (Doxygen, warnings are errors):
#               build/docs/html/index.html
# make abi-baseline  rewrite abi/libwasmbound.so.0.abi from this build (an intended ABI change)
# make abi-check     compare this build's ABI with abi/libwasmbound.so.0.abi
# make release-check everything a release needs, then the command that tags it
# make static   build/libwasmbound.a: the Go c-archive merged with Wasmtime's libwasmtime.a
# make bench    wasmbound against the raw Wasmtime C API, one `ratio` line per case
# make bench-icount  the same cases in instructions (callgrind)
# make soak     DURATION=30 seconds of random mixed work on many threads
# make fuzz     each fuzz target for FUZZTIME (default 60s)
# Each target installs what is missing (Debian packages via apt-get, Go modules via the proxy).
SHELL := /bin/bash
export PATH := /usr/local/go/bin:$(PATH)
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo
PREFIX ?= /usr/local
# cmake --build through make prints no "Entering directory" noise
QUIET_MAKE = -- --no-print-directory

WASMTIME_GO = $(shell go list -m -f '{{.Dir}}' github.com/bytecodealliance/wasmtime-go/v39)
GO_PACKAGES = ./status ./handles ./modinfo ./dispatch ./lifecycle ./pools

.PHONY: all demo test deps deps-test go-test ctest test-asan static bench bench-icount soak fuzz fuzz-ci \
        install package docs abi-baseline abi-check release-check clean

all: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) --target wasmbound_go -j $(JOBS) $(QUIET_MAKE)

# Debian packages, installed quietly when their command is missing.
# apt_install COMMAND PACKAGES...
apt_install = command -v $(1) >/dev/null || { echo "installing $(2) (for $(1))"; \
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2) >/dev/null; }

deps:
	@$(call apt_install,cmake,cmake)
	@$(call apt_install,g++,g++)
	@$(call apt_install,pkg-config,pkg-config)
	@$(call apt_install,objcopy,binutils)
	go mod download

# What `make test` needs besides the build: clang (the second compiler, and
# libFuzzer for make fuzz), Doxygen (make docs) and libabigail (the ABI check).
deps-test: deps
	@$(call apt_install,clang-16,clang-16 libclang-rt-16-dev)
	@$(call apt_install,doxygen,doxygen)
	@$(call apt_install,abidiff,abigail-tools)

$(BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)

demo: all
	cmake --build $(BUILD) --target threads -j $(JOBS) $(QUIET_MAKE)
	$(BUILD)/examples/threads

go-test: deps
	CGO_CFLAGS="-O2 -I$(WASMTIME_GO)/build/include" go vet ./...
	CGO_CFLAGS="-O2 -I$(WASMTIME_GO)/build/include" go test -race -count=1 $(GO_PACKAGES)

# The suites' own summary lines (ctest shows output only for failures).
SUMMARY_LINES = '^(wasi-testsuite|wasi-p2-testsuite|spec-testsuite|spec-skips-raw|adversarial|misuse matrix|churn|soak|symbols|abi|docs|old layout|version|no_backtrace)[^:]*:'

ctest: all deps-test
	cmake --build $(BUILD) -j $(JOBS) $(QUIET_MAKE)
	cd $(BUILD) && ctest --output-on-failure --no-tests=error -j $(JOBS) --timeout 900
	@# the suites' own summaries (ctest shows output only for failures)
	@grep -ahE $(SUMMARY_LINES) $(BUILD)/Testing/Temporary/LastTest.log | sort -u || true

test: go-test ctest test-asan fuzz-ci

# CI (CI=true) also fuzzes every target for 60 s (two at a time), so that CI
# keeps looking for new crashers; elsewhere `make fuzz` does it on demand.
fuzz-ci:
	@if [ -n "$(CI)" ]; then $(MAKE) --no-print-directory fuzz FUZZTIME=60s; \
	else echo "fuzzing: not run outside CI (CI=true make test, or make fuzz)"; fi

# The CTest suite again in its own tree, with AddressSanitizer and UBSan in
# the C tests and `go build -asan` for the library (race detection of the Go
# packages is go-test's job: -race cannot build a c-shared library). The
# compiler, docs, ABI and package checks are the main tree's.
ASAN_BUILD ?= build-asan
ASAN_FLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
test-asan: deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DWB_GO_FLAGS=-asan -DWB_PACKAGING_TESTS=OFF \
	  -DWB_RELEASE_TESTS=OFF \
	  "-DCMAKE_C_FLAGS=$(ASAN_FLAGS)" "-DCMAKE_CXX_FLAGS=$(ASAN_FLAGS)" \
	  "-DCMAKE_EXE_LINKER_FLAGS=-fsanitize=address,undefined"
	cmake --build $(ASAN_BUILD) -j $(JOBS) $(QUIET_MAKE)
	@cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:handle_segv=0:allow_user_segv_handler=1:use_sigaltstack=0 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure --no-tests=error -j $(JOBS) --timeout 900 2>&1 | tee ctest.out; \
	  rc=$${PIPESTATUS[0]}; \
	  reports=$$(grep -acE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' Testing/Temporary/LastTest.log); \
	  echo; echo "=== sanitizer summary ($(ASAN_BUILD): ASan, UBSan, LeakSanitizer; go build -asan)"; \
	  grep -ahE $(SUMMARY_LINES) Testing/Temporary/LastTest.log | sort -u; \
	  echo "sanitizer tree: $$(grep -aoE '[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' ctest.out | tail -1), $$reports sanitizer reports"; \
	  exit $$rc

# One self-contained archive (Go runtime and Wasmtime inside); link it with
# `pkg-config --libs wasmbound-static` after installing, or
# $(BUILD)/libwasmbound.a -lpthread -ldl -lm from the tree. Installed (and
# packaged) only once it was built here.
static: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) --target wasmbound_static -j $(JOBS) $(QUIET_MAKE)
	@ls -l $(BUILD)/libwasmbound.a

# Into PREFIX (default /usr/local; DESTDIR is honoured): the stripped library,
# its SONAME links and debug file, both headers, wasmbound.pc, the CMake package.
install: all
	cmake --install $(BUILD) --prefix $(PREFIX)

# CPack: a .deb (and its -dbg companion) and a relocatable .tar.gz.
package: all
	cd $(BUILD) && cpack -G "DEB;TGZ"
	@ls -l $(BUILD)/packages/*.deb $(BUILD)/packages/*.tar.gz

docs: deps $(BUILD)/CMakeCache.txt
	@$(call apt_install,doxygen,doxygen)
	@cmake -S . -B $(BUILD) >/dev/null # finds doxygen if it was just installed
	cmake --build $(BUILD) --target docs $(QUIET_MAKE)
	@echo "open $(BUILD)/docs/html/index.html in a browser (e.g. xdg-open $(BUILD)/docs/html/index.html)"

# The committed ABI baseline, rewritten from this build: run it after an
# intended ABI change (new functions, new struct versions), review the diff
# of abi/libwasmbound.so.0.abi, and commit it with the change.
abi-baseline: all
	@$(call apt_install,abidw,abigail-tools)
	cmake --build $(BUILD) --target abi-baseline $(QUIET_MAKE)
	@git diff --stat -- abi/ || true

abi-check: all
	@$(call apt_install,abidiff,abigail-tools)
	abi/abi.sh check $(BUILD)/libwasmbound.so include

# Before tagging a release: a clean tree, a CHANGELOG.md section for the
# header's version, no tag of that version elsewhere, the release checks of
# CTest (compilers, docs, ABI, symbol versions, version, packages), and the
# packages. Prints the tag command; tagging is left to the maintainer.
release-check: all deps-test
	@bash tools/release_check.sh $(BUILD) $(JOBS)

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
	cmake --build $(BUILD) --target test_soak -j $(JOBS) $(QUIET_MAKE)
	$(BUILD)/ctest/test_soak $(DURATION)

FUZZTIME ?= 60s
fuzz: deps
	bash fuzz/run.sh $(FUZZTIME)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)

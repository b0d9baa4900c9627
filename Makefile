# make          build build/libwasmbound.so (with its SONAME links)
# make demo     build and run examples/threads.c
# make test     Go tests (-race), the library, and the CTest suite
# Each target installs what is missing (cmake via apt-get, Go modules via the proxy).
SHELL := /bin/bash
export PATH := /usr/local/go/bin:$(PATH)
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo

WASMTIME_GO = $(shell go list -m -f '{{.Dir}}' github.com/bytecodealliance/wasmtime-go/v39)
GO_PACKAGES = ./status ./handles ./dispatch ./lifecycle ./pools

.PHONY: all demo test deps go-test ctest clean

all: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) --target wasmbound_go -j $(JOBS)

deps:
	@command -v cmake >/dev/null || { echo "installing cmake"; apt-get update -qq && apt-get install -y -qq cmake >/dev/null; }
	@command -v g++ >/dev/null || { apt-get update -qq && apt-get install -y -qq g++ >/dev/null; }
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
	@grep -hE '^(wasi-testsuite|misuse matrix|churn|soak)[^:]*:' $(BUILD)/Testing/Temporary/LastTest.log || true

test: go-test ctest

clean:
	rm -rf $(BUILD)

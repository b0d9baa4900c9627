#!/usr/bin/env bash
# Runs every fuzz target for a bounded time, one after the other, one process
# (one core) each:
#
#   bash fuzz/run.sh [FUZZTIME]      e.g. 60s (default), 5m, 1h, or seconds
#
# Go targets (go test -fuzz, one target per invocation):
#   FuzzDecodeID, FuzzDecodeProgram   ./handles   handle decoding and the table
#   FuzzModuleBytes                   ./lifecycle module validate/compile
# libFuzzer (clang -fsanitize=fuzzer,address,undefined):
#   api_fuzz                          fuzz/api_fuzz.c: API programs on 2 threads
#
# Corpora: Go keeps its generated corpus in $(go env GOCACHE)/fuzz and writes
# a failing input to <pkg>/testdata/fuzz/<Target>/ (then it is a regression
# test of `go test`). api_fuzz's working corpus is build/fuzz-corpus/ (not in
# git); it starts from the committed fuzz/corpus/, and crashers go to
# build/fuzz-artifacts/ (copy them to fuzz/corpus/regressions/ with a
# descriptive name: the CTest fuzz_regressions replays that directory).
#
# Environment: FUZZ_TARGETS (names to run, default all), FUZZ_ASAN=0 (build
# api_fuzz without AddressSanitizer), FUZZ_MAX_LEN (api_fuzz -max_len, 2048).
#
# Exits non-zero when any target finds a failure or does not build.
set -uo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
FUZZTIME=${1:-60s}
export PATH=/usr/local/go/bin:$PATH

case "$FUZZTIME" in
  *h) SECS=$(( ${FUZZTIME%h} * 3600 )) ;;
  *m) SECS=$(( ${FUZZTIME%m} * 60 )) ;;
  *s) SECS=${FUZZTIME%s} ;;
  *[!0-9]*|'') echo "run.sh: FUZZTIME must look like 60s, 5m, 1h or 60 (got '$FUZZTIME')" >&2; exit 2 ;;
  *) SECS=$FUZZTIME; FUZZTIME=${FUZZTIME}s ;;
esac

ALL_TARGETS="FuzzDecodeID FuzzDecodeProgram FuzzModuleBytes api_fuzz"
TARGETS=${FUZZ_TARGETS:-$ALL_TARGETS}
OUT=$ROOT/build/fuzz
mkdir -p "$OUT" "$ROOT/build/fuzz-corpus/api_fuzz" "$ROOT/build/fuzz-artifacts"

# ---- tools --------------------------------------------------------------------
have_libfuzzer() {
  command -v clang >/dev/null || return 1
  printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' \
    > "$OUT/probe.c"
  clang -fsanitize=fuzzer "$OUT/probe.c" -o "$OUT/probe" 2>/dev/null
}
if [[ " $TARGETS " == *" api_fuzz "* ]] && ! have_libfuzzer; then
  echo "run.sh: installing clang and libclang-rt-14-dev (libFuzzer)"
  apt-get update -qq && apt-get install -y -qq clang libclang-rt-14-dev >/dev/null
  have_libfuzzer || { echo "run.sh: clang -fsanitize=fuzzer does not link" >&2; exit 1; }
fi

# ---- the library -----------------------------------------------------------------
make -s all || { echo "run.sh: building the library failed" >&2; exit 1; }
WASMTIME_GO=$(go list -m -f '{{.Dir}}' github.com/bytecodealliance/wasmtime-go/v39)
export CGO_CFLAGS="-O2 -I$WASMTIME_GO/build/include"

declare -A SUMMARY
FAILED=0

# ---- Go targets -------------------------------------------------------------------
run_go() { # target package
  local t=$1 pkg=$2 log=$OUT/$1.log
  echo "=== $t ($pkg, $FUZZTIME)"
  go test -run '^$' -fuzz "^$t\$" -fuzztime "$FUZZTIME" -fuzzminimizetime 2s -parallel 1 "$pkg" >"$log" 2>&1
  local rc=$?
  grep -av '^fuzz: elapsed: [0-9]*s, execs' "$log" | head -60
  local last
  last=$(grep -a '^fuzz: elapsed' "$log" | tail -1)
  if [[ $rc -eq 0 ]]; then
    SUMMARY[$t]="ok    ${last#fuzz: }"
  else
    FAILED=1
    local found
    found=$(grep -aoE 'testdata/fuzz/[^ ]+' "$log" | head -1)
    SUMMARY[$t]="FAIL  ${last#fuzz: } ${found:+(input: $pkg/$found)}"
  fi
}

for t in $TARGETS; do
  case $t in
    FuzzDecodeID|FuzzDecodeProgram) run_go "$t" ./handles ;;
    FuzzModuleBytes) run_go "$t" ./lifecycle ;;
  esac
done

# ---- the libFuzzer harness --------------------------------------------------------------
if [[ " $TARGETS " == *" api_fuzz "* ]]; then
  echo "=== api_fuzz (libFuzzer, ${SECS}s)"
  SAN=fuzzer,address,undefined
  [[ ${FUZZ_ASAN:-1} == 0 ]] && SAN=fuzzer,undefined
  if ! clang -std=gnu11 -Wall -Wextra -Werror -g -O1 -fno-omit-frame-pointer -fsanitize=$SAN \
      -fno-sanitize-recover=undefined -I"$ROOT/include" "$ROOT/fuzz/api_fuzz.c" \
      -L"$ROOT/build" -Wl,-rpath,"$ROOT/build" -lwasmbound -lpthread -o "$OUT/api_fuzz"; then
    SUMMARY[api_fuzz]="FAIL  does not build"
    FAILED=1
  else
    # Wasmtime turns wasm faults into traps with its own SIGSEGV handler,
    # installed after the sanitizers': ASan must let it (as in make test-asan).
    # The Go runtime and Wasmtime keep process-lifetime allocations: leak
    # checking is the harness's job (wb_stats_get after every input).
    log=$OUT/api_fuzz.log
    ASAN_OPTIONS=detect_leaks=0:handle_segv=0:allow_user_segv_handler=1:use_sigaltstack=0 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      "$OUT/api_fuzz" -max_total_time="$SECS" -max_len="${FUZZ_MAX_LEN:-2048}" -timeout=30 -rss_limit_mb=4096 \
      -print_final_stats=1 -artifact_prefix="$ROOT/build/fuzz-artifacts/" \
      "$ROOT/build/fuzz-corpus/api_fuzz" "$ROOT/fuzz/corpus" >"$log" 2>&1
    rc=$?
    grep -aE '^#[0-9]+ +(INITED|DONE)|^stat::|ERROR|MISMATCH|artifact|Test unit' "$log" | grep -v '^MS:' | head -40
    done_line=$(grep -a 'DONE' "$log" | tail -1 | sed -E 's/^#([0-9]+)\s+DONE\s+/execs: \1, /')
    if [[ $rc -eq 0 ]]; then
      SUMMARY[api_fuzz]="ok    $done_line"
    else
      FAILED=1
      art=$(grep -aoE 'Test unit written to [^ ]+' "$log" | tail -1)
      SUMMARY[api_fuzz]="FAIL  rc $rc ${done_line} ${art:+($art)}; log: $log"
      echo "--- api_fuzz failed (rc $rc); the end of its log:"
      tail -60 "$log"
    fi
  fi
fi

echo
echo "=== fuzz summary (FUZZTIME $FUZZTIME)"
for t in $TARGETS; do
  printf '%-18s %s\n' "$t" "${SUMMARY[$t]:-skipped (unknown target)}"
done
exit $FAILED

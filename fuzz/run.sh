#!/usr/bin/env bash
# Runs every fuzz target for a bounded time, one process (one core) each,
# as many at once as there are cores (FUZZ_JOBS):
#
#   bash fuzz/run.sh [FUZZTIME]      e.g. 60s (default), 5m, 1h, or seconds
#
# Go targets (go test -fuzz, one target per invocation):
#   FuzzDecodeID, FuzzDecodeProgram   ./handles   handle decoding and the table
#   FuzzModuleBytes                   ./lifecycle module validate/compile
#   FuzzParse                         ./modinfo   the module type reader
# libFuzzer ($CLANG, default clang-16, -fsanitize=fuzzer,address,undefined):
#   api_fuzz                          fuzz/api_fuzz.c: API programs on 2 threads
#
# Corpora: Go keeps its generated corpus in $(go env GOCACHE)/fuzz and writes
# a failing input to <pkg>/testdata/fuzz/<Target>/ (then it is a regression
# test of `go test`). api_fuzz's working corpus is build/fuzz-corpus/ (not in
# git); it starts from the committed fuzz/corpus/, and crashers go to
# build/fuzz-artifacts/ (copy them to fuzz/corpus/regressions/ with a
# descriptive name: the CTest fuzz_regressions replays that directory).
#
# Environment: FUZZ_TARGETS (names to run, default all), FUZZ_JOBS (targets
# at once, default nproc), FUZZ_ASAN=0 (build
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

ALL_TARGETS="FuzzDecodeID FuzzDecodeProgram FuzzModuleBytes FuzzParse api_fuzz"
TARGETS=${FUZZ_TARGETS:-$ALL_TARGETS}
OUT=$ROOT/build/fuzz
mkdir -p "$OUT" "$ROOT/build/fuzz-corpus/api_fuzz" "$ROOT/build/fuzz-artifacts"

# ---- tools --------------------------------------------------------------------
# The clang `make test` installs for its second-compiler checks (clang-16
# and its runtime, which has libFuzzer).
CLANG=${CLANG:-clang-16}
have_libfuzzer() {
  command -v "$CLANG" >/dev/null || return 1
  printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' \
    > "$OUT/probe.c"
  "$CLANG" -fsanitize=fuzzer "$OUT/probe.c" -o "$OUT/probe" 2>/dev/null
}
if [[ " $TARGETS " == *" api_fuzz "* ]] && ! have_libfuzzer; then
  echo "run.sh: installing clang-16 and libclang-rt-16-dev (libFuzzer)"
  apt-get update -qq && apt-get install -y -qq clang-16 libclang-rt-16-dev >/dev/null
  have_libfuzzer || { echo "run.sh: $CLANG -fsanitize=fuzzer does not link" >&2; exit 1; }
fi

# ---- the library -----------------------------------------------------------------
make -s all || { echo "run.sh: building the library failed" >&2; exit 1; }
WASMTIME_GO=$(go list -m -f '{{.Dir}}' github.com/bytecodealliance/wasmtime-go/v39)
export CGO_CFLAGS="-O2 -I$WASMTIME_GO/build/include"

# Each target runs in the background (FUZZ_JOBS at a time, default one per
# core: each target uses one process) and leaves its log in $OUT/<target>.log
# and a one-line result in $OUT/<target>.result.
JOBS=${FUZZ_JOBS:-$(nproc)}

# ---- Go targets -------------------------------------------------------------------
run_go() { # target package
  local t=$1 pkg=$2 log=$OUT/$1.log
  go test -run '^$' -fuzz "^$t\$" -fuzztime "$FUZZTIME" -fuzzminimizetime 2s -parallel 1 "$pkg" >"$log" 2>&1
  local rc=$? last found
  last=$(grep -a '^fuzz: elapsed' "$log" | tail -1)
  if [[ $rc -eq 0 ]]; then
    echo "ok    ${last#fuzz: }" >"$OUT/$t.result"
  elif grep -aq 'context deadline exceeded' "$log" && ! grep -aq 'Failing input written to' "$log"; then
    # Go 1.26's fuzz coordinator can report its own -fuzztime deadline as a
    # failure when a worker is mid-input (golang/go#75804, fixed in 1.27):
    # no input failed and none was written, so this is not a finding
    echo "ok    ${last#fuzz: } (ended by Go's fuzztime deadline race, golang/go#75804; no failing input)" \
      >"$OUT/$t.result"
  else
    found=$(grep -aoE 'testdata/fuzz/[^ ]+' "$log" | head -1)
    echo "FAIL  ${last#fuzz: } ${found:+(input: $pkg/$found)}; log: $log" >"$OUT/$t.result"
  fi
}

# ---- the libFuzzer harness --------------------------------------------------------------
run_api_fuzz() {
  local log=$OUT/api_fuzz.log san=fuzzer,address,undefined rc done_line art
  [[ ${FUZZ_ASAN:-1} == 0 ]] && san=fuzzer,undefined
  if ! "$CLANG" -std=gnu11 -Wall -Wextra -Werror -g -O1 -fno-omit-frame-pointer -fsanitize=$san \
      -fno-sanitize-recover=undefined -I"$ROOT/include" "$ROOT/fuzz/api_fuzz.c" \
      -L"$ROOT/build" -Wl,-rpath,"$ROOT/build" -lwasmbound -lpthread -o "$OUT/api_fuzz" >"$log" 2>&1; then
    echo "FAIL  does not build; log: $log" >"$OUT/api_fuzz.result"
    return
  fi
  # Wasmtime turns wasm faults into traps with its own SIGSEGV handler,
  # installed after the sanitizers': ASan must let it (as in make test-asan).
  # The Go runtime and Wasmtime keep process-lifetime allocations: leak
  # checking is the harness's job (wb_stats_get after every input).
  ASAN_OPTIONS=detect_leaks=0:handle_segv=0:allow_user_segv_handler=1:use_sigaltstack=0 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$OUT/api_fuzz" -max_total_time="$SECS" -max_len="${FUZZ_MAX_LEN:-2048}" -timeout=30 -rss_limit_mb=4096 \
    -print_final_stats=1 -artifact_prefix="$ROOT/build/fuzz-artifacts/" \
    "$ROOT/build/fuzz-corpus/api_fuzz" "$ROOT/fuzz/corpus" >"$log" 2>&1
  rc=$?
  done_line=$(grep -a 'DONE' "$log" | tail -1 | sed -E 's/^#([0-9]+)\s+DONE\s+/execs: \1, /')
  if [[ $rc -eq 0 ]]; then
    echo "ok    $done_line" >"$OUT/api_fuzz.result"
  else
    art=$(grep -aoE 'Test unit written to [^ ]+' "$log" | tail -1)
    echo "FAIL  rc $rc ${done_line} ${art:+($art)}; log: $log" >"$OUT/api_fuzz.result"
  fi
}

for t in $TARGETS; do
  rm -f "$OUT/$t.result"
  while (( $(jobs -rp | wc -l) >= JOBS )); do wait -n || true; done
  echo "=== $t ($FUZZTIME)"
  case $t in
    FuzzDecodeID|FuzzDecodeProgram) run_go "$t" ./handles & ;;
    FuzzModuleBytes) run_go "$t" ./lifecycle & ;;
    FuzzParse) run_go "$t" ./modinfo & ;;
    api_fuzz) run_api_fuzz & ;;
    *) echo "FAIL  unknown target" >"$OUT/$t.result" ;;
  esac
done
wait

echo
echo "=== fuzz summary (FUZZTIME $FUZZTIME, $JOBS at a time)"
FAILED=0
for t in $TARGETS; do
  result=$(cat "$OUT/$t.result" 2>/dev/null || echo "FAIL  no result")
  printf '%-18s %s\n' "$t" "$result"
  if [[ $result != ok* ]]; then
    FAILED=1
    log=$OUT/$t.log
    if [[ -f $log ]]; then
      echo "--- the end of $log:"
      grep -av '^fuzz: elapsed: [0-9]*s, execs' "$log" | tail -40
    fi
  fi
done
exit $FAILED

#!/usr/bin/env bash
# make bench-icount: instructions per operation, wasmbound against the raw
# Wasmtime C API, counted by callgrind. Unlike the timings of make bench,
# these do not depend on the machine, its other load or the CPU a process
# lands on, so a change to a hot path can be judged by them to the
# instruction. Each count is the difference between two runs of a case
# (N and 2N operations) divided by N, so set-up and process start cancel out.
#
#   bash bench/icount.sh [BUILD_DIR]
#   ICOUNT_CASES="a b"   the cases (default: call_i32_add call_i32_add_typed host_call host_call_typed
#                        memory_write_64)
#   ICOUNT_N=10000       operations in the shorter run
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-build}
[[ $build = /* ]] || build=$root/$build
cases=${ICOUNT_CASES:-call_i32_add call_i32_add_typed host_call host_call_typed memory_write_64}
n=${ICOUNT_N:-10000}

command -v valgrind >/dev/null || { echo "installing valgrind"; apt-get update -qq && apt-get install -y -qq valgrind >/dev/null; }
# Valgrind does not know RDTSCP, which the Go runtime's cputicks uses when
# the CPU has it (its sysmon thread calls it while spinning on a lock, more
# often on a loaded machine: every run failed then); cpu.rdtscp=off makes it
# use RDTSC.
# Go's asynchronous preemption signals (SIGURG) make callgrind assert
# ("vgCallgrind_post_signal") in cases whose Wasmtime code runs long
# (the component cases failed every time): the counts do not need them
godebug=asyncpreemptoff=1,cpu.rdtscp=off # for the counted programs only (go build warns of it)
cmake -S "$root" -B "$build" >/dev/null
cmake --build "$build" --target bench_wasmbound bench_raw bench_wasmbound_static -j "$(nproc)" >/dev/null

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# instructions executed inside bench_counted_run for `count CASE ITERS`.
# valgrind now and then fails on the Go runtime inside libwasmbound.so
# ("Illegal instruction" in runtime.cputicks, which the Go runtime's sysmon
# thread calls at times of its own), so a run that fails is tried again, up
# to eight times.
count() { # exe case iters
  local out=$tmp/cg.out try total
  for try in 1 2 3 4 5 6 7 8; do
    if GODEBUG=$godebug valgrind --tool=callgrind --callgrind-out-file="$out" --toggle-collect=bench_counted_run \
        "$1" count "$2" "$3" >"$tmp/log" 2>&1; then
      total=$(awk '/^totals:/ {print $2}' "$out")
      if [[ -n $total && $total != 0 ]]; then
        echo "$total"
        return
      fi
    fi
  done
  echo "icount: $1 count $2 $3 failed under valgrind:" >&2
  tail -20 "$tmp/log" >&2
  exit 1
}

per_op() { # exe case
  local a b
  # (count's exit inside $(...) ends only the subshell: stop here too)
  a=$(count "$1" "$2" "$n") || exit 1
  b=$(count "$1" "$2" $((2 * n))) || exit 1
  awk -v a="$a" -v b="$b" -v n="$n" 'BEGIN {printf "%.1f", (b - a) / n}'
}

# the goals, as in bench/run.sh (a case's static twin: CASE_static)
declare -A goal=(
  [call_i32_add]=1.4 [call_i32_add_static]=1.4 [call_i32_add_typed]=1.3 [call_i32_add_typed_static]=1.15
  [host_call]=1.5 [host_call_static]=1.5 [host_call_typed]=1.5 [host_call_typed_static]=1.5
  [memory_write_64]=1.5 [memory_write_64_static]=1.5
)
echo "instructions per operation (callgrind; the raw side is the same work through the Wasmtime C API;"
echo "wasmbound: libwasmbound.so, wasmbound static: libwasmbound.a linked into the program)"
# the same lines as make bench prints: "<case>: ... (goal <= G)" and "ratio <case> R"
report() { # name side-label count raw-count
  awk -v n="$1" -v side="$2" -v w="$3" -v r="$4" -v g="${goal[$1]:-}" 'BEGIN {
    q = w / r
    printf "%s: %s %s instructions/op, raw %s instructions/op", n, side, w, r
    if (g != "") printf " (goal <= %s%s)", g, (q <= g + 0 ? "" : ", MISSED")
    printf "\nratio %s %.2f\n", n, q
  }'
}
for c in $cases; do
  w=$(per_op "$build/bench/bench_wasmbound" "$c") || exit 1
  st=$(per_op "$build/bench/bench_wasmbound_static" "$c") || exit 1
  r=$(per_op "$build/bench/bench_raw" "$c") || exit 1
  report "$c" wasmbound "$w" "$r"
  report "${c}_static" "wasmbound static" "$st" "$r"
done

#!/usr/bin/env bash
# The library exports only wb_* (and gdb's two JIT symbols), has SONAME
# libwasmbound.so.0, and exports every function declared in wasmbound.h.
set -euo pipefail
lib=$1 header=$2
syms=$(nm -D --defined-only "$lib" | awk '{print $3}')
extra=$(grep -v -e '^wb_' -e '^__jit_debug_descriptor$' -e '^__jit_debug_register_code$' <<<"$syms" || true)
if [ -n "$extra" ]; then
  echo "unexpected exported symbols:"; echo "$extra" | head -20; exit 1
fi
readelf -d "$lib" | grep -q 'SONAME.*\[libwasmbound\.so\.0\]' || { echo "SONAME is not libwasmbound.so.0"; readelf -d "$lib" | grep SONAME; exit 1; }
declared=$(grep -oE '\bwb_[a-z0-9_]+\(' "$header" | tr -d '(' | sort -u)
missing=0
for f in $declared; do
  grep -qx "$f" <<<"$syms" || { echo "declared but not exported: $f"; missing=1; }
done
[ $missing = 0 ] || exit 1
echo "symbols: $(grep -c '^wb_' <<<"$syms") wb_* exported, $(wc -w <<<"$declared") declared, nothing else"

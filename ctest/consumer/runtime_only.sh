#!/usr/bin/env bash
# runtime_only.sh DEV_PREFIX RUNTIME_PREFIX LIBDIR SOURCE OUTPUT CC
#
# The README's recipe for a machine that has only the runtime component
# (cmake --install build --component wasmbound_Runtime --prefix RUNTIME_PREFIX):
# the program is built against the development files (DEV_PREFIX, through
# pkg-config) with its run path pointing at the runtime prefix, and runs
# with the library from there; no development file is needed at run time.
set -euo pipefail
dev=$1 rt=$2 libdir=$3 src=$4 out=$5 cc=$6
export PKG_CONFIG_PATH="$dev/$libdir/pkgconfig"
# shellcheck disable=SC2046
"$cc" -std=c11 $(pkg-config --cflags wasmbound) "$src" -o "$out" $(pkg-config --libs wasmbound) \
  -Wl,-rpath,"$rt/$libdir"
# the program needs libwasmbound.so.0 only (its SONAME), found in the runtime prefix
readelf -d "$out" | grep -q 'NEEDED.*\[libwasmbound\.so\.0\]' || { echo "$out does not need libwasmbound.so.0"; exit 1; }
where=$(ldd "$out" | awk '/libwasmbound/ {print $3}')
case $where in
  "$rt/$libdir/libwasmbound.so.0") ;;
  *) echo "$out loads libwasmbound from '$where', not from $rt/$libdir"; exit 1 ;;
esac
echo "runtime only: $("$out"), libwasmbound.so.0 from $rt/$libdir"

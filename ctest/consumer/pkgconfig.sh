#!/bin/sh
# pkgconfig.sh PKGCONFIG_DIR MODULE SOURCE OUTPUT COMPILER [flags...]
#
# Builds SOURCE the way a Makefile user would, with nothing but pkg-config
# (module `wasmbound` or `wasmbound-static`) found in PKGCONFIG_DIR, runs it,
# and for the static module checks that it does not need libwasmbound.so.
set -eu
pcdir=$1 module=$2 src=$3 out=$4 cc=$5
shift 5
export PKG_CONFIG_PATH="$pcdir"
command -v pkg-config >/dev/null || { echo "pkg-config is not installed (make deps installs it)"; exit 1; }
pkg-config --print-errors --exists "$module >= 0.2"
echo "$module $(pkg-config --modversion "$module")"
cflags=$(pkg-config --cflags "$module")
libs=$(pkg-config --libs "$module")
libdir=$(pkg-config --variable=libdir "$module")
echo "cflags: $cflags"
echo "libs:   $libs"
if [ "$module" = wasmbound ]; then
  static_libs=$(pkg-config --static --libs wasmbound)
  echo "libs --static: $static_libs"
  for l in -lpthread -ldl -lm; do
    case " $static_libs " in *" $l "*) ;; *) echo "Libs.private lacks $l"; exit 1 ;; esac
  done
  # shellcheck disable=SC2086
  "$cc" "$@" $cflags "$src" -o "$out" $libs -Wl,-rpath,"$libdir"
else
  # (ld's LTO plugin warns about the Rust objects in the archive: harmless)
  # shellcheck disable=SC2086
  "$cc" "$@" $cflags "$src" -o "$out" $libs 2>"$out.ld.log" || { cat "$out.ld.log"; exit 1; }
  if readelf -d "$out" | grep -q 'NEEDED.*libwasmbound'; then
    echo "$out needs libwasmbound.so although it was linked statically"
    exit 1
  fi
fi
"$out"

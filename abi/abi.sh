#!/usr/bin/env bash
# abi.sh check|update LIBRARY HEADERS_DIR [BASELINE]
#
# The ABI of libwasmbound.so as libabigail sees it: the exported functions
# (with their symbol versions) and every type of the public headers they
# reach, read from the library's debug info by abidw. Internal functions,
# Go and Wasmtime are not part of it.
#
#   check   compares LIBRARY with the committed BASELINE (abidiff) and fails
#           with abidiff's report on any difference: a removed or changed
#           function or type breaks programs; an added one must be deliberate
#           (a version node in exports.map, a CHANGELOG.md line) and recorded.
#   update  writes LIBRARY's ABI to BASELINE (`make abi-baseline`).
#
# BASELINE defaults to abi/libwasmbound.so.0.abi beside this script. Needs
# abigail-tools (make deps installs it).
set -euo pipefail
mode=${1:-} lib=${2:-} headers=${3:-}
baseline=${4:-$(dirname "$0")/libwasmbound.so.0.abi}
case $mode in check|update) ;; *) echo "usage: abi.sh check|update LIBRARY HEADERS_DIR [BASELINE]" >&2; exit 2 ;; esac
for tool in abidw abidiff; do
  command -v $tool >/dev/null || {
    echo "abi.sh: $tool is not installed: apt-get install abigail-tools (make deps does)" >&2; exit 1; }
done
[ -f "$lib" ] || { echo "abi.sh: no library at $lib (build it first: make)" >&2; exit 1; }

# The same options for the baseline and every check: no paths of the build
# machine, only what the public headers declare.
abi_of() { # library output
  abidw --exported-interfaces-only --headers-dir "$headers" --drop-private-types \
    --no-corpus-path --no-comp-dir-path --no-show-locs --no-elf-needed --type-id-style hash \
    --out-file "$2" "$1"
}

if [ "$mode" = update ]; then
  abi_of "$lib" "$baseline"
  echo "abi: wrote $baseline ($(grep -c '<elf-symbol ' "$baseline") exported symbols); review it and commit it"
  exit 0
fi

[ -f "$baseline" ] || { echo "abi: no baseline $baseline: make abi-baseline writes it" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
abi_of "$lib" "$tmp/current.abi"
set +e
abidiff --no-show-locs --harmless "$baseline" "$tmp/current.abi" >"$tmp/report" 2>&1
rc=$?
set -e
if [ $rc = 0 ]; then
  echo "abi: $(basename "$lib") matches $(basename "$baseline"): $(grep -c '<elf-symbol ' "$baseline") exported symbols, the same functions and types"
  exit 0
fi
echo "abi: $(basename "$lib") differs from the committed baseline $baseline (abidiff status $rc):"
echo
cat "$tmp/report"
echo
if (( rc & 8 )); then
  echo "abi: the change above is INCOMPATIBLE: programs built against the baseline would break. Undo it,"
  echo "     or, for a deliberate break, move the SONAME (WASMBOUND_VERSION_MAJOR) and say so in CHANGELOG.md."
else
  echo "abi: if the change is intended (new functions need a version node in exports.map and a line in"
  echo "     CHANGELOG.md), record it with \`make abi-baseline\` and commit abi/libwasmbound.so.0.abi."
fi
exit 1

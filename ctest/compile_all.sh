#!/usr/bin/env bash
# compile_all.sh COMPILER [FLAGS...] -- FILE...
#
# Compiles each FILE with COMPILER and FLAGS (-fsyntax-only is added), keeps
# going after a failure, and fails if any file does not compile warning-free.
set -uo pipefail
cc=$1; shift
flags=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do flags+=("$1"); shift; done
shift
if ! command -v "$cc" >/dev/null; then
  echo "$cc is not installed (make deps installs gcc, g++ and clang-16)"; exit 1
fi
failed=0 n=0
for f in "$@"; do
  n=$((n + 1))
  if ! out=$("$cc" "${flags[@]}" -fsyntax-only "$f" 2>&1); then
    echo "FAILED: $cc ${flags[*]} $f"; echo "$out"; failed=$((failed + 1))
  elif [ -n "$out" ]; then
    echo "output from $cc for $f:"; echo "$out"
  fi
done
echo "$("$cc" --version | head -1) ${flags[*]}: $n files, $failed failed"
[ $failed = 0 ]

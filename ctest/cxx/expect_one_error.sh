#!/usr/bin/env bash
# expect_one_error.sh COMPILER SOURCE PATTERN [FLAGS...]
#
# A negative compile test: SOURCE must fail to compile, with exactly one
# error, whose text contains PATTERN (wasmbound.hh's static_assert message).
set -uo pipefail
cxx=$1 src=$2 pattern=$3; shift 3
command -v "$cxx" >/dev/null || { echo "$cxx is not installed (make deps installs g++ and clang-16)"; exit 1; }
out=$("$cxx" "$@" -fsyntax-only "$src" 2>&1)
rc=$?
errors=$(grep -cE '(^|: )(fatal )?error:' <<<"$out")
echo "$out" | head -40
echo "---"
if [ $rc = 0 ]; then echo "FAILED: $src compiled, but must not"; exit 1; fi
if ! grep -qF -- "$pattern" <<<"$out"; then echo "FAILED: no error says \"$pattern\""; exit 1; fi
if [ "$errors" != 1 ]; then echo "FAILED: $errors errors, expected exactly one (the static_assert)"; exit 1; fi
echo "one error, the static_assert: ok ($(wc -l <<<"$out") lines of compiler output)"

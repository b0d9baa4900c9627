#!/usr/bin/env bash
# run_expect.sh REGEX COMMAND [ARGS...]
#
# Runs COMMAND, shows its output, and succeeds only when it succeeded AND
# its output matches REGEX (grep -E). (CTest's PASS_REGULAR_EXPRESSION alone
# would ignore the exit status.)
set -uo pipefail
regex=$1; shift
out=$("$@" 2>&1)
rc=$?
printf '%s\n' "$out"
if [ $rc != 0 ]; then echo "run_expect: the command failed (status $rc)"; exit 1; fi
if ! grep -qE -- "$regex" <<<"$out"; then echo "run_expect: the output lacks /$regex/"; exit 1; fi
echo "run_expect: succeeded, and the output has /$regex/"

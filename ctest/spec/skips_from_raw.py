#!/usr/bin/env python3
"""Drafts skip-list entries from what fails on raw Wasmtime 39.

    spec_raw_check --suite DIR --skips ALL -v > raw.txt   # ALL: the line `* * all everything`
    skips_from_raw.py --runner build/ctest/spec/spec_runner --suite DIR raw.txt

prints `FILE LINES CATEGORY` lines (consecutive failing commands merged into
one range) for every assertion that fails on Wasmtime's own C API, grouped by
the category that CATEGORIES gives its file. The reasons are written by hand
in skips.txt; this only saves counting lines.
"""
import collections
import re
import subprocess
import sys

CATEGORIES = [  # (regex on the file, category); the first match wins
    (r'^proposals/custom-descriptors/', 'custom-descriptors'),
    (r'^legacy/', 'legacy-exceptions'),
    (r'^custom/branch_hint', 'branch-hints-unvalidated'),
    (r'^(table_init|array_init_elem|array_new_elem)', 'elem-reevaluated'),
    (r'', 'UNCATEGORISED'),
]


def main():
    args = sys.argv[1:]
    runner = args[args.index('--runner') + 1]
    suite = args[args.index('--suite') + 1]
    raw = args[-1]
    failing = collections.defaultdict(set)
    for line in open(raw):
        m = re.match(r'CONFIRM (\S+):(\d+): ', line)
        if m:
            failing[m.group(1)].add(int(m.group(2)))
    for rel in sorted(failing):
        # every command's line, in order, from the runner's trace
        out = subprocess.run([runner, '-t', '--root', suite, suite + '/' + rel],
                             capture_output=True, text=True).stdout
        lines = [int(l[2:]) for l in out.splitlines() if l.startswith('@ ')]
        cat = next(c for r, c in CATEGORIES if re.search(r, rel))
        ranges, start, prev = [], None, None
        for ln in lines:
            if ln in failing[rel]:
                if start is None:
                    start = ln
                prev = ln
            elif start is not None:
                ranges.append((start, prev))
                start = None
        if start is not None:
            ranges.append((start, prev))
        for a, b in ranges:
            print(f'{rel}  {a if a == b else f"{a}-{b}"}  {cat}')


main()

#!/usr/bin/env bash
# release_check.sh BUILD JOBS (make release-check)
#
# What must hold before a release is tagged, checked in order; stops at the
# first failure with what to do about it:
#   1. the working tree is clean (the release is a commit);
#   2. CHANGELOG.md's first version section is the header's version, and
#      says what changed in the ABI;
#   3. the tag v<version> does not exist yet, or already names this commit;
#   4. the release checks of CTest pass in BUILD: both compilers, headers,
#      docs, ABI against the committed baseline, symbol versions, the
#      version from one place, old-layout consumers, install and packages;
#   5. `cpack` makes the .deb, the -dbg .deb and the .tar.gz.
# Then it prints the command that tags the release (it does not tag).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build} jobs=${2:-2}
fail() { echo "release-check: $*" >&2; exit 1; }

version=$(sed -n 's/^#define WASMBOUND_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\)$/\2/p' include/wasmbound.h | paste -sd.)
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "cannot read the version from include/wasmbound.h (got '$version')"
echo "release-check: wasmbound $version"

# 1. a clean tree
if [ -n "$(git status --porcelain)" ]; then
  git status --short | head -20
  fail "the working tree has changes: commit them (a release is a commit)"
fi

# 2. the change log
first=$(grep -m1 -E '^## ' CHANGELOG.md || true)
[[ $first =~ ^##\ \[?$version\]? ]] || fail "CHANGELOG.md's first section is '$first', not '## $version': say what $version changes"
section=$(awk -v v="$version" '/^## /{n++} n==1' CHANGELOG.md)
grep -qi 'ABI' <<<"$section" || fail "CHANGELOG.md's $version section does not say what changed in the ABI"

# 3. the tag
tag=v$version
if git rev-parse -q --verify "refs/tags/$tag" >/dev/null; then
  [ "$(git rev-parse "$tag^{commit}")" = "$(git rev-parse HEAD)" ] ||
    fail "tag $tag exists and names another commit: a released version is never re-tagged (bump the version)"
  echo "release-check: tag $tag already names HEAD"
fi

# 4. the release checks
regex='^(c_|header_|hh_|cxx_bad_type_|cxx17|cxx20|docs|abi|symbols|version|old_layout|no_backtrace|package_|static_|example_|cmake_)'
cmake --build "$build" -j "$jobs" -- --no-print-directory >/dev/null
(cd "$build" && ctest --output-on-failure -j "$jobs" --timeout 900 -R "$regex") ||
  fail "release checks failed (above); for an intended ABI change: make abi-baseline, commit, and say so in CHANGELOG.md"

# 5. the packages
(cd "$build" && rm -rf packages && cpack -G "DEB;TGZ" >/dev/null) || fail "cpack failed"
ls -l "$build"/packages/*.deb "$build"/packages/*.tar.gz

echo
echo "release-check: $version is ready. Tag and publish it with:"
echo "  git tag -a $tag -m 'wasmbound $version' && git push origin $tag"

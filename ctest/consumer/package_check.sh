#!/usr/bin/env bash
# package_check.sh deb|tgz CPACK_DIR WORK VERSION CMAKE CTEST CC CXX CONSUMER_DIR LIBDIR BUILD_DIR
#
# Uses a package that `cpack` (make package) made as a user would:
#   deb  the wasmbound and wasmbound-dbg .debs: their metadata, then both
#        unpacked into a scratch root (dpkg-deb -x), prefix WORK/root/usr
#   tgz  the .tar.gz unpacked, prefix its top directory
# and checks the installed layout there (install_check.cmake: stripped
# library, debug file, links, .pc, CMake package), then builds and runs the
# C consumer with pkg-config and the C/C++ consumers with find_package.
# BUILD_DIR is the tree cpack packaged: the package holds the static
# archive exactly when that tree built it.
set -euo pipefail
kind=$1 cpack_dir=$2 work=$3 version=$4 cmake=$5 ctest=$6 cc=$7 cxx=$8 consumer=$9 libdir=${10} tree=${11}
rm -rf "$work"
mkdir -p "$work"

case $kind in
  deb)
    arch=$(dpkg --print-architecture)
    main="$cpack_dir/wasmbound_${version}_${arch}.deb"
    dbg="$cpack_dir/wasmbound-dbg_${version}_${arch}.deb"
    for f in "$main" "$dbg"; do
      [ -f "$f" ] || { echo "no $f; cpack made: $(ls "$cpack_dir")"; exit 1; }
    done
    info=$(dpkg-deb -I "$main")
    echo "$info" | sed -n '/Package:/,$p'
    for want in "Package: wasmbound" "Version: $version" "Architecture: $arch" "Depends: libc6"; do
      grep -q "^ $want" <<<"$info" || { echo "$main: control lacks \"$want\""; exit 1; }
    done
    grep -q "^ Depends: wasmbound (= $version)" <<<"$(dpkg-deb -I "$dbg")" || { echo "$dbg does not depend on wasmbound (= $version)"; exit 1; }
    # the main package holds no debug info, the -dbg package nothing else
    if dpkg-deb -c "$main" | grep -q '\.debug$'; then echo "$main contains debug info"; exit 1; fi
    if dpkg-deb -c "$dbg" | grep -v '/$' | grep -vq '\.debug$'; then echo "$dbg contains more than debug info"; exit 1; fi
    dpkg-deb -x "$main" "$work/root"
    dpkg-deb -x "$dbg" "$work/root"
    prefix="$work/root/usr"
    ;;
  tgz)
    tgz="$cpack_dir/wasmbound-${version}-Linux-$(uname -m).tar.gz"
    [ -f "$tgz" ] || { echo "no $tgz; cpack made: $(ls "$cpack_dir")"; exit 1; }
    tar -xzf "$tgz" -C "$work"
    prefix="$work/wasmbound-${version}-Linux-$(uname -m)"
    ;;
  *) echo "usage: package_check.sh deb|tgz ..."; exit 2 ;;
esac
ls -la "$cpack_dir"

expect_static=OFF
[[ -e $tree/libwasmbound.a ]] && expect_static=ON
"$cmake" -DPREFIX="$prefix" -DVERSION="$version" -DLIBDIR="$libdir" -DEXPECT_STATIC=$expect_static \
  -P "$consumer/install_check.cmake"

# pkg-config, as a Makefile user would
"$consumer/pkgconfig.sh" "$prefix/$libdir/pkgconfig" wasmbound "$consumer/consumer.c" "$work/consumer_pkgconfig" \
  "$cc" -std=c11 -Wall -Wextra -Wpedantic -Werror
# find_package, as a CMake user would
"$ctest" --build-and-test "$consumer" "$work/consumer" --build-generator "Unix Makefiles" \
  --build-options -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_PREFIX_PATH="$prefix" \
  -DWB_EXPECT_PREFIX="$prefix" -DWB_EXPECT_VERSION="$version" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF \
  --test-command "$ctest" --output-on-failure
echo "$kind: consumers built with pkg-config and find_package ran against $prefix"

#!/usr/bin/env bash
# check_symbols.sh LIBRARY HEADER EXPORTS_MAP VERSION
#
# The library exports only wb_* (and gdb's two JIT symbols), has SONAME
# libwasmbound.so.MAJOR, exports every function declared in wasmbound.h, and
# every exported symbol carries a version node of exports.map
# (readelf --dyn-syms shows wb_x@@WASMBOUND_0.2), none newer than VERSION.
set -euo pipefail
lib=$1 header=$2 map=$3 version=$4
major=${version%%.*}
minor=${version#*.}; minor=${minor%%.*}

# "name@@NODE" (or "name" without a version) of every defined dynamic symbol
# (the version nodes appear as ABS symbols of their own name)
dyn=$(readelf --dyn-syms -W "$lib" | awk '$7 != "UND" && $8 != "" && ($5 == "GLOBAL" || $5 == "WEAK") && !($7 == "ABS" && $8 ~ /^WASMBOUND_/) {print $8}')
names=$(sed 's/@.*//' <<<"$dyn" | sort -u)

extra=$(grep -v -e '^wb_' -e '^__jit_debug_descriptor$' -e '^__jit_debug_register_code$' <<<"$names" || true)
if [ -n "$extra" ]; then
  echo "unexpected exported symbols:"; echo "$extra" | head -20; exit 1
fi
readelf -d "$lib" | grep -q "SONAME.*\[libwasmbound\.so\.$major\]" || {
  echo "SONAME is not libwasmbound.so.$major"; readelf -d "$lib" | grep SONAME; exit 1; }

declared=$(grep -oE '\bwb_[a-z0-9_]+\(' "$header" | tr -d '(' | sort -u)
missing=0
for f in $declared; do
  grep -qx "$f" <<<"$names" || { echo "declared in wasmbound.h but not exported: $f"; missing=1; }
done
[ $missing = 0 ] || exit 1

# Symbol versions: the nodes exports.map defines, and each symbol's node.
nodes=$(grep -oE '^WASMBOUND_[0-9]+\.[0-9]+' "$map" | sort -u)
[ -n "$nodes" ] || { echo "$map defines no WASMBOUND_x.y version node"; exit 1; }
for node in $nodes; do
  v=${node#WASMBOUND_}
  if (( ${v%%.*} != major || ${v#*.} > minor )); then
    echo "$map: node $node does not belong to release $version (SONAME libwasmbound.so.$major)"; exit 1
  fi
done
bad=0
while read -r sym; do
  case $sym in
    *@@WASMBOUND_*)
      node=${sym#*@@}
      grep -qx "$node" <<<"$nodes" || { echo "$sym: node $node is not in $map"; bad=1; } ;;
    *) echo "exported without a version node (readelf --dyn-syms): $sym"; bad=1 ;;
  esac
done <<<"$dyn"
[ $bad = 0 ] || exit 1

count=$(grep -c '^wb_' <<<"$names")
by_node=$(sed -n 's/^wb_.*@@//p' <<<"$dyn" | sort | uniq -c | awk '{printf "%s%s: %s", sep, $2, $1; sep=", "}')
echo "symbols: $count wb_* exported ($by_node), $(wc -w <<<"$declared") declared, nothing else; SONAME libwasmbound.so.$major"

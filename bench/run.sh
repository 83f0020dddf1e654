#!/usr/bin/env bash
# make bench: runs every benchmark on the loopback, prints their tables, and
# writes build/bench/results.json and build/bench/results.svg.
set -euo pipefail
build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/$build/bench
bin=$top/$build/rel/bin
mkdir -p "$out"
rm -f "$out"/*.jsonl

echo "== machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(uname -r)"
step() { echo; echo "== [$1] $2"; }

step 1/1 "loopback primitives: event channel and grant map beside eventfd and mmap"
"$bin/xenpv-lb-prims" "$out/prims.jsonl"

python3 "$top/bench/plot.py" "$out/results.json" "$out/results.svg" "$out"/*.jsonl
echo
echo "results: $out/results.json  plot: $out/results.svg"

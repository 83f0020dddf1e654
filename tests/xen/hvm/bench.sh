#!/usr/bin/env bash
# `make bench XEN=1` (from bench/run.sh): one boot of the HVM harness with
# longer workloads; its figures as JSON lines for bench/plot.py, a table
# and a plot, marked as measured under QEMU's TCG.
#   bench.sh BUILD OUTDIR  ->  OUTDIR/xen-hvm.{jsonl,txt,svg}
set -uo pipefail
top=$(cd "$(dirname "$0")/../../.." && pwd)
build=${1:-build}
[[ $build = /* ]] || build=$top/$build
out=${2:-$build/bench}
mkdir -p "$out"
bash "$top/tests/xen/deps.sh" || exit 1
make -C "$top" --no-print-directory modules >/dev/null || exit 1
XT_SECS=${XT_SECS:-5} XT_NETMB=${XT_NETMB:-32} \
	bash "$top/tests/xen/hvm/run.sh" "$build" >"$out/xen-hvm.log" 2>&1
rc=$?
tail -n 3 "$out/xen-hvm.log"
python3 "$top/tests/xen/hvm/report.py" "$build/xen-hvm/console.log" \
	"$out/xen-hvm.jsonl" "$out/xen-hvm.svg" | tee "$out/xen-hvm.txt"
echo "results: $out/xen-hvm.jsonl  plot: $out/xen-hvm.svg" \
	"log: $out/xen-hvm.log"
exit $rc

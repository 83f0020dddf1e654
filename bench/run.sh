#!/usr/bin/env bash
# make bench: PV against emulated I/O on the loopback, each beside its limit.
# Prints a table per step, writes every measurement as JSON lines, merges
# them into one JSON file and draws one SVG plot.
#
#   bench/run.sh [BUILD] [options]        (make bench BENCH_ARGS="options")
#     --quick            about 30 seconds: short runs, fewer variants
#     --json FILE        where the merged results go (default BUILD/bench/results.json)
#     --workloads LIST   block workloads, e.g. randread4k,seqread1m
#                        (randread4k randwrite4k seqread64k seqwrite64k seqread1m)
#     --qd LIST          block queue depths (default 1,32)
#     --seconds S        seconds per measurement
#     --file F           block backing file (default BUILD/bench/disk.img)
#     --size-mb N        its size when it has to be made (default 256)
#     --skip LIST        steps to leave out: prims,block,net,offload
# The same options are read from QUICK=1, WORKLOADS, QD, SECONDS_PER, BACKING.
# make bench XEN=1 adds the real-Xen HVM run (tests/xen/hvm/bench.sh).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=build
case ${1:-} in -*|"") ;; *) build=$1; shift ;; esac
case $build in /*) ;; *) build=$top/$build ;; esac
out=$build/bench
bin=$build/rel/bin
quick=${QUICK:-0} json="" workloads=${WORKLOADS:-} qd=${QD:-}
seconds=${SECONDS_PER:-} file=${BACKING:-} size_mb="" skip=""

usage() { sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=1 ;;
	--json) json=$2; shift ;;
	--workloads) workloads=$2; shift ;;
	--qd) qd=$2; shift ;;
	--seconds) seconds=$2; shift ;;
	--file) file=$2; shift ;;
	--size-mb) size_mb=$2; shift ;;
	--skip) skip=$2; shift ;;
	-h|--help) usage 0 ;;
	*) echo "bench: unknown option $1" >&2; usage 2 ;;
	esac
	shift
done
json=${json:-$out/results.json}
mkdir -p "$out"
rm -f "$out"/*.jsonl

wanted() { [[ ",$skip," != *",$1,"* ]]; }
step() { echo; echo "== [$1] $2 ($(date +%T))"; }
# --quick: half-second cells, one small and one large block workload, two
# net tests: about 30 s in all.
if [ "$quick" = 1 ]; then
	seconds=${seconds:-0.5}
	workloads=${workloads:-randread4k,seqread1m}
fi
blk_args=()
[ "$quick" = 1 ] && blk_args+=(--quick --no-variants)
blk_args+=(--seconds "${seconds:-3}")
[ -n "$workloads" ] && blk_args+=(--workloads "$workloads")
[ -n "$qd" ] && blk_args+=(--qd "$qd")
[ -n "$file" ] && blk_args+=(--file "$file")
[ -n "$size_mb" ] && blk_args+=(--size-mb "$size_mb")

echo "== machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo |
	cut -d: -f2- | sed 's/^ //'), $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r)"

if wanted prims; then
	step 1/4 "loopback primitives: event channel and grant map beside eventfd and mmap"
	"$bin/xenpv-lb-prims" "$out/prims.jsonl"
fi
if wanted block; then
	step 2/4 "block: PV (blkfront -> blkback), null backend, emulated ATA, raw libaio"
	python3 "$top/bench/pvbench.py" "$bin" "$out/blk.jsonl" "${blk_args[@]}"
fi
if wanted net; then
	step 3/4 "net: PV netfront -> netback, emulated NE2000 over ioreq, veth; exits counted"
	python3 "$top/bench/pvnet.py" "$build" "$out/pvnet.jsonl" \
		$([ "$quick" = 1 ] && echo --quick --seconds 1 --tests tcp_tx,udp64) \
		$([ "$quick" != 1 ] && [ -n "$seconds" ] && echo --seconds "$seconds") ||
		echo "   net comparison failed (needs root, iperf3, network namespaces)"
fi
if wanted offload && [ "$quick" != 1 ]; then
	step 4/4 "net: offload and queues, xenpv between two namespaces beside veth"
	NET_BENCH_SECONDS=${seconds:-2} bash "$top/bench/net_bench.sh" \
		"$build" "$out/net.jsonl" ||
		echo "   net benchmark failed (needs root, iperf3, network namespaces)"
fi

python3 "$top/bench/plot.py" "$json" "$out/results.svg" "$out"/*.jsonl
echo
echo "results: $json  plot: $out/results.svg ($(date +%T))"

if [ -n "${XEN:-}" ]; then
	step xen "real Xen 4.17 HVM guest under QEMU TCG: PV against emulated"
	bash "$top/tests/xen/hvm/bench.sh" "$build" "$out"
fi

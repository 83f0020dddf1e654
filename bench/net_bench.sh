#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Network benchmark: TCP throughput (iperf3, 2 streams, both directions)
# and the small-packet rate (UDP, 64-byte payloads, unlimited rate, counted
# at the receiver) between two namespaces through xenpv (netback's TAP in
# A, netfront's TAP in B), with and without SG/GSO/csum offload, on one
# queue and on two; beside the same between two namespaces joined by a
# plain veth pair, the limit.  Processes run unpinned.
#
#   bench/net_bench.sh [BUILD_DIR] [OUT.jsonl]
#
# Prints a table and writes one JSON object per line:
#   {"bench":..., "group":"net", "value":..., "unit":"Gbit/s"|"kpps",
#    "limit_of":""|the name it limits}
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
case $build in /*) ;; *) build=$top/$build ;; esac
out=${2:-$build/bench/net.jsonl}
bin=$build/rel/bin
secs=${NET_BENCH_SECONDS:-3}
tag=$$
nsa=xpbA$tag nsb=xpbB$tag
dir=$(mktemp -d /tmp/xpv-netbench.XXXXXX)
pids=()
mkdir -p "$(dirname "$out")"
: >"$out"

. "$top/tests/loopback/netns_lib.sh"

for t in iperf3 ip python3 "$bin/xenpv-loopback" "$bin/xenpv-netback" \
	"$bin/xenpv-netfront" "$bin/xenpv-attach"; do
	command -v "$t" >/dev/null || { echo "net_bench: missing $t" >&2; exit 1; }
done

# iperf3 JSON -> Gbit/s (tcp) or kpps received (udp)
metric() {
	python3 -c '
import json, sys
d = json.load(open(sys.argv[2]))
e = d.get("end", {})
if sys.argv[1] == "tcp":
    print("%.2f" % (e["sum_received"]["bits_per_second"] / 1e9))
else:
    s = e["sum"]
    print("%.0f" % ((s["packets"] - s["lost_packets"]) / s["seconds"] / 1e3))
' "$1" "$2" 2>/dev/null || echo 0
}

# client-ns server-ns server-addr kind(tcp|udp) -> value
iperf() {
	local cns=$1 sns=$2 addr=$3 kind=$4 args=(-t "$secs" -J)
	[ "$kind" = tcp ] && args+=(-P 2) || args+=(-u -l 64 -b 0)
	ip netns exec "$sns" iperf3 -s -1 -B "$addr" >/dev/null 2>&1 &
	local spid=$!
	wait_for 100 bash -c "ip netns exec $sns ss -ltn | grep -q :5201"
	timeout $((secs + 20)) ip netns exec "$cns" iperf3 -c "$addr" \
		"${args[@]}" >"$dir/iperf.json" 2>/dev/null
	wait "$spid" 2>/dev/null
	metric "$kind" "$dir/iperf.json"
}

declare -A result
record() { # name value unit limit_of
	result[$1]=$2
	printf '{"bench":"%s","group":"net","value":%s,"unit":"%s","limit_of":"%s"}\n' \
		"$1" "$2" "$3" "$4" >>"$out"
}

measure() { # label nsA-addr nsB-addr
	local a=$1
	result["$a tcp A->B"]=$(iperf "$nsa" "$nsb" "$3" tcp)
	result["$a tcp B->A"]=$(iperf "$nsb" "$nsa" "$2" tcp)
	result["$a udp64 A->B"]=$(iperf "$nsa" "$nsb" "$3" udp)
	printf '%-28s %8s %8s %9s\n' "$a" "${result["$a tcp A->B"]}" \
		"${result["$a tcp B->A"]}" "${result["$a udp64 A->B"]}"
}

netns_up() {
	ip netns add "$nsa" && ip netns add "$nsb" || exit 1
	ip -n "$nsa" link set lo up
	ip -n "$nsb" link set lo up
}

veth() {
	ip link add xpbva$tag netns "$nsa" type veth peer name xpbvb$tag \
		netns "$nsb"
	ip -n "$nsa" addr add 10.78.0.1/24 dev xpbva$tag
	ip -n "$nsb" addr add 10.78.0.2/24 dev xpbvb$tag
	ip -n "$nsa" link set xpbva$tag up
	ip -n "$nsb" link set xpbvb$tag up
	measure "veth" 10.78.0.1 10.78.0.2
	ip -n "$nsa" link del xpbva$tag
}

xenpv() { # queues offload(1|0)
	local q=$1 off=$2 label nb nf extra=() fextra=() dom=$((10 + ${#result[@]}))
	label="xenpv ${q}q $([ "$off" = 1 ] && echo offload || echo no-offload)"
	[ "$off" = 1 ] || { extra=(--no-offload); fextra=(--no-sg --no-gso --no-csum); }
	ip netns exec "$nsa" "$bin/xenpv-netback" --dir "$dir" --queues "$q" \
		"${extra[@]}" >>"$dir/netback.log" 2>&1 &
	nb=$!
	pids+=("$nb")
	"$bin/xenpv-attach" --dir "$dir" vif --domid "$dom" --id 0 \
		--mac 00:16:3e:00:01:$(printf %02x $((dom % 256))) --queues "$q" ||
		return
	ip netns exec "$nsb" "$bin/xenpv-netfront" --dir "$dir" --domid "$dom" \
		--vif 0 --tap xpbfe$tag --queues "$q" "${fextra[@]}" \
		>>"$dir/netfront.log" 2>&1 &
	nf=$!
	pids+=("$nf")
	wait_for 400 ip -n "$nsa" link show "xvif$dom.0" &&
		wait_for 400 ip -n "$nsb" link show "xpbfe$tag" || return
	ip -n "$nsa" addr add 10.79.0.1/24 dev "xvif$dom.0"
	ip -n "$nsb" addr add 10.79.0.2/24 dev "xpbfe$tag"
	ip -n "$nsa" link set "xvif$dom.0" up
	ip -n "$nsb" link set "xpbfe$tag" up
	wait_for 400 ip netns exec "$nsa" ping -c 1 -W 1 10.79.0.2
	measure "$label" 10.79.0.1 10.79.0.2
	"$bin/xenpv-attach" --dir "$dir" detach vif --domid "$dom" --id 0 \
		--timeout 5
	kill "$nf" "$nb"
	wait "$nf" "$nb" 2>/dev/null
}

"$bin/xenpv-loopback" --dir "$dir" >"$dir/loopback.log" 2>&1 &
pids+=($!)
wait_for 200 test -S "$dir/xenstored.sock" || exit 1
netns_up
echo "== net: iperf3 between two namespaces, unpinned, ${secs}s per run"
printf '%-28s %8s %8s %9s\n' "" "TCP A->B" "TCP B->A" "UDP64"
printf '%-28s %8s %8s %9s\n' "" "Gbit/s" "Gbit/s" "kpps"
veth
for cfg in "1 1" "2 1" "1 0" "2 0"; do
	xenpv $cfg
done
for k in "${!result[@]}"; do
	case $k in veth*) continue ;; esac
	unit=Gbit/s
	case $k in *udp64*) unit=kpps ;; esac
	record "$k" "${result[$k]}" "$unit" ""
	record "veth ${k#xenpv * * }" "${result["veth ${k#xenpv * * }"]}" \
		"$unit" "$k"
done
echo "results: $out"

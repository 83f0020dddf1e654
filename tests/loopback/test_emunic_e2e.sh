#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Real TCP/IP over the emulated NIC, end to end on the loopback:
# xenpv-loopback, xenpv-emunic (the guest: NE2000 driver over ioreq round
# trips, its TAP in namespace B), xenpv-devmodel (the emulated card, its TAP
# in namespace A).  Ping both ways, a checksummed TCP transfer each way, the
# exits counted, and the guest noticing the model is gone.  Everything
# lives in namespaces made here and goes away on exit.  Ends with
# "N passed, N failed".
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${XENPV_BUILD:-$top/build}
bin=$build/${XENPV_NET_FLAVOUR:-san}/bin
xfer=$top/tests/loopback/net_xfer.py
pids=()
tag=$$
nsa=xpveA$tag nsb=xpveB$tag
dir=$(mktemp -d /tmp/xpv-emunic.XXXXXX)
betap=xemuA$tag fetap=xemuB$tag

. "$top/tests/loopback/netns_lib.sh"

setup() {
	"$bin/xenpv-loopback" --dir "$dir" >"$dir/loopback.log" 2>&1 &
	pids+=($!)
	wait_for 200 test -S "$dir/hv.sock" || { bad "loopback up"; finish; }
	ip netns add "$nsa" && ip netns add "$nsb" || { bad "netns"; finish; }
	ip -n "$nsa" link set lo up
	ip -n "$nsb" link set lo up
	start_guest "$fetap" "$dir/guest.json" ||
		{ bad "guest published its ioreq page"; finish; }
	start_model "$betap" "$dir/dm.json"
	if wait_for 400 grep -q 'card .* up' "$dir/guest.log"; then
		ok "guest brought the NE2000 up over ioreq"
	else
		bad "guest brought the NE2000 up over ioreq"
		finish
	fi
	wait_for 400 ip -n "$nsa" link show "$betap" || { bad "model TAP"; finish; }
	ip -n "$nsa" addr add 10.76.0.1/24 dev "$betap"
	ip -n "$nsb" addr add 10.76.0.2/24 dev "$fetap"
	ip -n "$nsa" link set "$betap" up
	ip -n "$nsb" link set "$fetap" up
	check "guest TAP carries the card's address" \
		bash -c "ip -n $nsb link show $fetap | grep -q 52:54:00:12:34:56"
}

# from-ns, to-ns, address, port, bytes, what
transfer() {
	local from=$1 to=$2 addr=$3 port=$4 bytes=$5 what=$6 rpid s r
	rm -f "$dir/ready" "$dir/recv.out" "$dir/send.out"
	timeout 90 ip netns exec "$to" python3 "$xfer" recv "$addr" "$port" \
		"$dir/ready" >"$dir/recv.out" 2>>"$dir/cmd.log" &
	rpid=$!
	wait_for 200 test -e "$dir/ready"
	timeout 90 ip netns exec "$from" python3 "$xfer" send "$addr" "$port" \
		"$bytes" >"$dir/send.out" 2>>"$dir/cmd.log"
	wait "$rpid"
	s=$(cat "$dir/send.out" 2>/dev/null) r=$(cat "$dir/recv.out" 2>/dev/null)
	if [ -n "$s" ] && [ "$s" = "$r" ] && [ "${s%% *}" = "$bytes" ]; then
		ok "$what (sha256 ${s#* } both ends)"
	else
		bad "$what (sent '$s', received '$r')"
	fi
}

# key from a one-line JSON file
jget() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }

start_guest() { # tap, stats -> gpid, dom
	ip netns exec "$nsb" "$bin/xenpv-emunic" --dir "$dir" --tap "$1" \
		--stats "$2" --verbose >"$dir/guest.out" 2>"$dir/guest.log" &
	gpid=$!
	pids+=("$gpid")
	wait_for 400 grep -q '^domain ' "$dir/guest.out" || return 1
	dom=$(sed -n 's/^domain //p' "$dir/guest.out")
}

start_model() { # tap, stats -> dmpid
	ip netns exec "$nsa" "$bin/xenpv-devmodel" --dir "$dir" --guest "$dom" \
		--ioreq-gfn 1 --tap "$1" --stats "$2" >"$dir/dm.log" 2>&1 &
	dmpid=$!
	pids+=("$dmpid")
}

gone() { ! kill -0 "$1" 2>/dev/null; }

# The guest shuts down first: its counters, then the model follows it.
guest_stops() {
	kill "$gpid"
	wait "$gpid" 2>/dev/null
	if wait_for 400 gone "$dmpid"; then
		ok "device model ends when its guest goes away"
	else
		bad "device model ends when its guest goes away"
	fi
	wait "$dmpid" 2>/dev/null
	local io tx rx
	io=$(jget "$dir/guest.json" ioreqs 2>/dev/null || echo 0)
	tx=$(jget "$dir/guest.json" tx_packets 2>/dev/null || echo 0)
	rx=$(jget "$dir/guest.json" rx_packets 2>/dev/null || echo 0)
	echo "guest: $tx frames sent, $rx received, $io ioreqs"
	if [ "$tx" -gt 100 ] && [ "$rx" -gt 100 ] &&
		[ "$io" -gt $(((tx + rx) * 5)) ]; then
		ok "exits counted: $io ioreqs for $((tx + rx)) frames"
	else
		bad "exits counted ($io ioreqs, $tx tx, $rx rx)"
	fi
	check "no bad ring headers, resets or bad ioreqs" bash -c \
		"grep -q '\"rx_bad_hdr\":0,' $dir/guest.json &&
		 grep -q '\"resets\":0,' $dir/guest.json &&
		 grep -q '\"bad_ioreqs\":0,' $dir/dm.json"
}

# A second pair: the model goes first and the guest notices.
model_stops() {
	start_guest xemuC$tag "$dir/guest2.json" || { bad "second guest"; return; }
	start_model xemuD$tag "$dir/dm2.json"
	wait_for 400 grep -q 'card .* up' "$dir/guest.log" ||
		{ bad "second card up"; return; }
	kill "$dmpid"
	wait "$dmpid" 2>/dev/null
	if wait_for 400 gone "$gpid"; then
		ok "guest ends when the device model goes away"
	else
		bad "guest ends when the device model goes away"
	fi
}

need ip ping python3 "$bin/xenpv-loopback" "$bin/xenpv-emunic" \
	"$bin/xenpv-devmodel"
setup
check "ping A -> B" ip netns exec "$nsa" ping -c 3 -i 0.2 -W 5 10.76.0.2
check "ping B -> A" ip netns exec "$nsb" ping -c 3 -i 0.2 -W 5 10.76.0.1
check "ping A -> B, 1472-byte payload" ip netns exec "$nsa" \
	ping -c 2 -i 0.2 -W 5 -s 1472 -M do 10.76.0.2
transfer "$nsa" "$nsb" 10.76.0.2 5301 2000000 "TCP 2 MB A -> B"
transfer "$nsb" "$nsa" 10.76.0.1 5302 2000000 "TCP 2 MB B -> A"
guest_stops
model_stops
finish

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Real TCP/IP over the PV network path, end to end on the loopback:
# xenpv-loopback, xenpv-netback with its TAP in namespace A, xenpv-attach
# for the vif, xenpv-netfront as guest 5 with its TAP in namespace B.
# Ping both ways (IPv4, IPv6, jumbo), TCP bulk transfers checksummed on
# both ends, netback SIGKILLed and restarted mid-transfer, detach with the
# leak counters at zero, and a scripted evil frontend answered with errors
# while the backend stays up.  Everything lives in namespaces made here
# and goes away on exit.  Ends with "N passed, N failed".
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${XENPV_BUILD:-$top/build}
bin=$build/${XENPV_NET_FLAVOUR:-san}/bin
xfer=$top/tests/loopback/net_xfer.py
pids=()
tag=$$
nsa=xpvnA$tag nsb=xpvnB$tag
dir=$(mktemp -d /tmp/xpv-nete2e.XXXXXX)
guest=5 evil=6
betap=xvif$guest.0 fetap=xpvfe0
mtu=9000

. "$top/tests/loopback/netns_lib.sh"

start_netback() {
	ip netns exec "$nsa" "$bin/xenpv-netback" --dir "$dir" --queues 2 \
		>>"$dir/netback.log" 2>&1 &
	nbpid=$!
	pids+=("$nbpid")
}

xs_read() { XENSTORED_PATH=$dir/xenstored.sock xenstore-read "$1" 2>/dev/null; }
connected() {
	[ "$(xs_read /local/domain/0/backend/vif/$guest/0/state)" = 4 ] &&
		[ "$(xs_read /local/domain/$guest/device/vif/0/state)" = 4 ]
}

setup() {
	"$bin/xenpv-loopback" --dir "$dir" >"$dir/loopback.log" 2>&1 &
	pids+=($!)
	wait_for 200 test -S "$dir/xenstored.sock" || { bad "loopback up"; finish; }
	ip netns add "$nsa" && ip netns add "$nsb" || { bad "netns"; finish; }
	ip -n "$nsa" link set lo up
	ip -n "$nsb" link set lo up
	# Persistent, so its addresses survive a netback restart.
	ip -n "$nsa" tuntap add dev "$betap" mode tap multi_queue vnet_hdr
	ip -n "$nsa" link set "$betap" mtu $mtu up
	ip -n "$nsa" addr add 10.77.0.1/24 dev "$betap"
	ip -n "$nsa" addr add fd77::1/64 dev "$betap" nodad
	start_netback
	check "attach vif" "$bin/xenpv-attach" --dir "$dir" vif --domid $guest \
		--id 0 --mac 00:16:3e:00:00:05 --mtu $mtu --queues 2
	ip netns exec "$nsb" "$bin/xenpv-netfront" --dir "$dir" --domid $guest \
		--vif 0 --tap "$fetap" --queues 2 >"$dir/netfront.log" 2>&1 &
	pids+=($!)
	wait_for 400 ip -n "$nsb" link show "$fetap" || { bad "netfront TAP"; finish; }
	ip -n "$nsb" link set "$fetap" mtu $mtu up
	ip -n "$nsb" addr add 10.77.0.2/24 dev "$fetap"
	ip -n "$nsb" addr add fd77::2/64 dev "$fetap" nodad
	if wait_for 400 connected; then ok "vif connected"; else bad "vif connected"; fi
}

pings() {
	check "ping A -> B" ip netns exec "$nsa" ping -c 3 -i 0.2 -W 2 10.77.0.2
	check "ping B -> A" ip netns exec "$nsb" ping -c 3 -i 0.2 -W 2 10.77.0.1
	check "ping6 A -> B" ip netns exec "$nsa" ping -6 -c 3 -i 0.2 -W 2 fd77::2
	check "ping6 B -> A" ip netns exec "$nsb" ping -6 -c 3 -i 0.2 -W 2 fd77::1
	check "jumbo ping A -> B (8972 bytes, DF)" ip netns exec "$nsa" \
		ping -c 2 -i 0.2 -W 2 -s 8972 -M do 10.77.0.2
	check "jumbo ping6 B -> A" ip netns exec "$nsb" \
		ping -6 -c 2 -i 0.2 -W 2 -s 8900 -M do fd77::1
}

# from-ns, to-ns, address, port, bytes, what [pause go]
transfer() {
	local from=$1 to=$2 addr=$3 port=$4 bytes=$5 what=$6 rpid spid
	rm -f "$dir/ready" "$dir/recv.out" "$dir/send.out"
	timeout 90 ip netns exec "$to" python3 "$xfer" recv "$addr" "$port" \
		"$dir/ready" >"$dir/recv.out" 2>>"$dir/cmd.log" &
	rpid=$!
	wait_for 200 test -e "$dir/ready"
	timeout 90 ip netns exec "$from" python3 "$xfer" send "$addr" "$port" \
		"$bytes" "${@:7}" >"$dir/send.out" 2>>"$dir/cmd.log" &
	spid=$!
	xfer_spid=$spid xfer_rpid=$rpid
	[ $# -gt 6 ] && return 0
	xfer_check "$what" "$bytes"
}

xfer_check() { # what, bytes
	wait "$xfer_spid"
	wait "$xfer_rpid"
	local s r
	s=$(cat "$dir/send.out" 2>/dev/null) r=$(cat "$dir/recv.out" 2>/dev/null)
	if [ -n "$s" ] && [ "$s" = "$r" ] && [ "${s%% *}" = "$2" ]; then
		ok "$1 (sha256 ${s#* } both ends)"
	else
		bad "$1 (sent '$s', received '$r')"
	fi
}

restart_mid_transfer() {
	local n0
	n0=$(grep -c 'connected,' "$dir/netback.log")
	transfer "$nsa" "$nsb" 10.77.0.2 5003 $((32 << 20)) "" \
		"$dir/pause" "$dir/go"
	wait_for 600 test -e "$dir/pause" || bad "transfer reached half way"
	kill -9 "$nbpid"
	wait "$nbpid" 2>/dev/null
	start_netback
	touch "$dir/go"
	if wait_for 400 bash -c "[ \$(grep -c 'connected,' '$dir/netback.log') -gt $n0 ]"
	then ok "frontend reconnected to the restarted backend"
	else bad "frontend reconnected to the restarted backend"; fi
	xfer_check "TCP 32 MiB across a netback SIGKILL + restart" $((32 << 20))
}

evil_frontend() {
	check "attach a vif for the evil frontend" "$bin/xenpv-attach" \
		--dir "$dir" vif --domid $evil --id 0 --mac 00:16:3e:00:00:06
	if timeout 60 "$bin/net_evil_front" --dir "$dir" --domid $evil \
		>"$dir/evil.log" 2>&1; then
		ok "evil frontend: $(tail -n 1 "$dir/evil.log")"
	else
		bad "evil frontend"
		sed 's/^/    /' "$dir/evil.log"
	fi
	check "netback survived the evil frontend" kill -0 "$nbpid"
	check "logged reasons for the drops" \
		grep -q 'tx dropped: too many slots' "$dir/netback.log"
	check "detach the evil vif" "$bin/xenpv-attach" --dir "$dir" detach vif \
		--domid $evil --id 0 --timeout 5
	check "good vif still carries traffic" ip netns exec "$nsa" \
		ping -c 2 -i 0.2 -W 2 10.77.0.2
}

detach() {
	check "detach vif" "$bin/xenpv-attach" --dir "$dir" detach vif \
		--domid $guest --id 0 --timeout 10
	if wait_for 200 grep -q "vif$guest.0: removed" "$dir/netback.log" &&
		tail -n 20 "$dir/netback.log" | grep "vif$guest.0: disconnected" |
		tail -n 1 | grep -q 'mapped 0 ports 0'; then
		ok "after detach: no mapped grants, no bound ports"
	else
		bad "after detach: leak counters"
	fi
}

need ip ping python3 xenstore-read "$bin/xenpv-loopback" "$bin/xenpv-netback" \
	"$bin/xenpv-netfront" "$bin/xenpv-attach" "$bin/net_evil_front"
setup
pings
transfer "$nsa" "$nsb" 10.77.0.2 5001 $((32 << 20)) "TCP 32 MiB A -> B"
transfer "$nsb" "$nsa" fd77::1 5002 $((8 << 20)) "TCP over IPv6 8 MiB B -> A"
restart_mid_transfer
check "ping after the restart" ip netns exec "$nsb" ping -c 2 -i 0.2 -W 2 10.77.0.1
evil_frontend
detach
if [ "$failed" -ne 0 ]; then
	echo "--- netback.log"; tail -n 40 "$dir/netback.log"
	echo "--- netfront.log"; tail -n 40 "$dir/netfront.log"
fi
finish

# Sourced by dom0-init.sh (busybox sh): boots our own PV kernel
# (build/kernel/xenpv-kernel, `make kernel`) as a domU with 2 vCPUs and checks
# its console: the banner, each vCPU's start, timer ticks on both vCPUs, time
# that never goes backwards across them, its wall clock against dom0's, its
# memory (every page mapped and allocated), its grant table and xenstore.
# It also gets two 8 MiB disks: xvda from Linux's xen-blkback (xl's disk=)
# and vbd 51728 from our xenpv-blkback (attached here with xenpv-attach);
# the kernel's blkfront writes a pattern over each whole disk, flushes, reads
# it back and prints both CRC-32s, which must equal busybox crc32 of the
# backing file once the domain is gone.
# Its balloon follows `xl mem-set` down to 24 MiB and back to 32 MiB, which
# `xl list` must show, after which the kernel writes every free page again.
# dom0's side of this runs beside the console watch (xk_peer), paced by
# nodes the kernel writes under its data/xenpv.
# It also gets vif 0 on our xenpv-netback (its TAP on xenbr0): dom0 pings
# it (10.99.0.10) and xenpv-rawpeer (AF_PACKET on the TAP) sends it 1000
# raw frames, each echoed and checked byte for byte, then compares the
# CRC-32 of what the kernel took in order with its own.  A second, short
# boot does the same with vif 0 on Linux's xen-netback (xl vif=).
#
# The clock bound: each "wall" the kernel prints must lie within
# [dom0's time at the last poll before the line appeared - 1 s,
#  dom0's time at the first poll that saw it + 1 s].
# The bracket absorbs the console's delivery delay, so the 1 s is the clock
# difference alone, not the latency of xenconsoled or of this loop.
#
# The checks run.sh must see (it reads these lines):
# expect: xenpv-kernel xl create
# expect: xenpv-kernel banner
# expect: xenpv-kernel vcpu 1 up
# expect: xenpv-kernel vcpu 1 timer ticks
# expect: xenpv-kernel wall clock within 1 s of dom0
# expect: xenpv-kernel time monotonic across vcpus
# expect: xenpv-kernel powered itself off
# expect: xenpv-kernel maps and allocates all its pages
# expect: xenpv-kernel grant table
# expect: xenpv-kernel xenstore over the store ring
# expect: xenpv-kernel blkfront/linux-blkback whole-disk verify
# expect: xenpv-kernel blkfront/linux-blkback backing file checksum
# expect: xenpv-kernel blkfront/linux-blkback closes, no grant out
# expect: xenpv-kernel blkfront/xenpv-blkback whole-disk verify
# expect: xenpv-kernel blkfront/xenpv-blkback backing file checksum
# expect: xenpv-kernel blkfront/xenpv-blkback closes, no grant out
# expect: xenpv-kernel netfront/xenpv-netback answers ping from dom0
# expect: xenpv-kernel netfront/xenpv-netback raw-frame transfer, checksums match
# expect: xenpv-kernel netfront/xenpv-netback closes, no grant out
# expect: xenpv-kernel netfront/linux-netback answers ping from dom0
# expect: xenpv-kernel netfront/linux-netback raw-frame transfer, checksums match
# expect: xenpv-kernel netfront/linux-netback closes, no grant out
# expect: xenpv-kernel xl mem-set 24m: xl list shows 24
# expect: xenpv-kernel xl mem-set 32m: xl list shows 32
# expect: xenpv-kernel balloon moved the reservation down and up
# expect: xenpv-kernel every page usable after ballooning

xk_log=/var/log/xen/console/guest-xenpv.log

# Polls the console log; prints "dom0_before dom0_after guest_wall" per
# tick line, with dom0's times from bash's EPOCHREALTIME (busybox date has
# no sub-second format).
xk_watch_clock() { # seconds
	bash -s "$1" "$xk_log" <<'EOF'
limit=$1 log=$2 seen=0 before=$EPOCHREALTIME
end=$((${EPOCHREALTIME%.*} + limit))
while [ "${EPOCHREALTIME%.*}" -lt "$end" ]; do
	now=$EPOCHREALTIME
	mapfile -t walls < <(tr -d '\r' <"$log" 2>/dev/null |
		sed -n 's/^xenpv: tick [0-9]* .* wall \([0-9.]*\) .*/\1/p')
	while [ "$seen" -lt "${#walls[@]}" ]; do
		echo "$before $now ${walls[$seen]}"
		seen=$((seen + 1))
	done
	grep -q 'xenpv: done\|xenpv: panic' "$log" 2>/dev/null && break
	before=$now
	sleep 0.05
done
EOF
}

xk_clock_ok() { # file of "before after wall" lines
	[ -s "$1" ] && awk '{
		lo = $1 - 1.0; hi = $2 + 1.0
		printf "DOM0 xenpv-kernel clock: wall %s, dom0 in [%s, %s]\n", $3, $1, $2
		if ($3 < lo || $3 > hi) bad++
	} END { exit bad ? 1 : 0 }' "$1"
}

XK_BE_TYPE=xenpv-vbd
XK_NET_TYPE=xenpv-vif
XK_MAC=00:16:3e:00:00:10
XK_IP=10.99.0.10

xk_losetup() { # file: the next free loop device, attached to it
	local dev
	dev=$(losetup -f) && losetup "$dev" "$1" && echo "$dev"
}

# Two zeroed 8 MiB disks on tmpfs through loop, and our blkback for the second.
xk_disks() {
	dd if=/dev/zero of=/run/xk-disk1.img bs=1M count=8 2>/dev/null
	dd if=/dev/zero of=/run/xk-disk2.img bs=1M count=8 2>/dev/null
	xk_loop1=$(xk_losetup /run/xk-disk1.img)
	xk_loop2=$(xk_losetup /run/xk-disk2.img)
	: >/run/xk-blkback.out
	xenpv-blkback --xenops xen --type $XK_BE_TYPE >/run/xk-blkback.out \
		2>/run/xk-blkback.log &
	xk_be_pid=$!
	wait_for 100 grep -q 'xenpv-blkback ready' /run/xk-blkback.out ||
		echo "DOM0 xenpv-kernel: xenpv-blkback did not start"
	modprobe tun 2>/dev/null
	: >/run/xk-netback.log # before the child opens it: grep reads it now
	XENPV_XENOPS=xen xenpv-netback --backend-type $XK_NET_TYPE \
		--tap-prefix xkp >/run/xk-netback.log 2>&1 &
	xk_nb_pid=$!
	wait_for 100 grep -q '^netback: serving' /run/xk-netback.log ||
		echo "DOM0 xenpv-kernel: xenpv-netback did not start"
}

xk_vif() { # domid: vif 0 on our netback, its TAP on the bridge
	xenpv-attach vif --domid "$1" --id 0 --mac $XK_MAC --backend-domid 0 \
		--backend-type $XK_NET_TYPE &&
		wait_for 100 [ -e "/sys/class/net/xkp$1.0" ] &&
		ip link set "xkp$1.0" master xenbr0 && ip link set "xkp$1.0" up
}

xk_disks_done() {
	kill -TERM $xk_be_pid $xk_nb_pid 2>/dev/null
	wait $xk_be_pid
	wait $xk_nb_pid
	tail -n 30 /run/xk-blkback.log | sed 's/^/DOM0 xk-blkback: /'
	tail -n 5 /run/xk-netback.log | sed 's/^/DOM0 xk-netback: /'
	losetup -d $xk_loop1 $xk_loop2 2>/dev/null
}

# Mem of the domain in `xl list`, MiB.
xk_mem() { xl list "$1" 2>/dev/null | awk 'NR == 2 { print $3 }'; }

xk_mem_set() { # domid MiB: xl mem-set, then until xl list shows it (60 s)
	local i=0 m
	xl mem-set "$1" "$2m"
	while [ $i -lt 120 ]; do
		m=$(xk_mem "$1")
		[ "$m" = "$2" ] && break
		sleep 0.5
		i=$((i + 1))
	done
	echo "DOM0 xenpv-kernel xl mem-set $2m: xl list shows ${m:-nothing} after $i polls"
	echo "${m:-none}" >"/run/xk-mem-$2"
}

# The kernel's node under data/xenpv, while the domain lives (300 s).
xk_node() { # domid name
	local i=0 v
	while [ $i -lt 600 ] && xenstore-exists "/local/domain/$1"; do
		v=$(xenstore-read "/local/domain/$1/data/xenpv/$2" 2>/dev/null) &&
			{ echo "$v"; return; }
		sleep 0.5
		i=$((i + 1))
	done
	echo none
}

# dom0's end of the network checks: ping, then the raw-frame echo on PORT.
xk_net_peer() { # domid port tag
	if [ "$(xk_node "$1" net)" = ready ]; then
		ping -c 3 -W 5 $XK_IP >/run/xk-ping-$3.out 2>&1
		xenpv-rawpeer "$2" $XK_MAC 1000 >/run/xk-raw-$3.out 2>&1
		echo $? >/run/xk-raw-$3.rc
	fi
	xenstore-write /local/domain/$1/data/xenpv/net-done 1
}

# dom0's side of the net and balloon checks, paced by the kernel's nodes.
xk_peer() { # domid
	local d=$1
	xk_vif "$d" || echo "DOM0 xenpv-kernel: vif not attached"
	xk_net_peer "$d" "xkp$d.0" xenpv-netback
	if [ "$(xk_node "$d" balloon)" = ready ]; then
		xk_mem_set "$d" 24
		xk_mem_set "$d" 32
	fi
	xenstore-write /local/domain/$d/data/xenpv/balloon-done 1
}

# Where each vCPU of a kernel that stopped answering is (xenctx, with the
# kernel's symbols), three times a second apart.
xk_where() { # domid
	local n v
	for n in 1 2 3; do
		for v in 0 1; do
			xenctx -s /boot/xenpv-kernel.map -S "$1" $v 2>&1 |
				head -n 40 | sed "s/^/DOM0 xenctx vcpu $v: /"
		done
		sleep 1
	done >/run/xk-where.out
}

# Every change under both ends of our blkback's disk, with its value, for
# the log when that disk fails (xenstore-watch prints only paths).
xk_trace_vbd() { # domid vdev
	local be=/local/domain/0/backend/$XK_BE_TYPE/$1/$2
	local fe=/local/domain/$1/device/vbd/$2
	(xenstore-watch $be & xenstore-watch $fe & wait) 2>/dev/null |
		while read -r p _; do
			echo "$(up) $p=$(xenstore-read $p 2>/dev/null)"
		done >/run/xk-vbd-trace.txt
}

xk_bridge() {
	ip link show xenbr0 >/dev/null 2>&1 && return
	ip link add xenbr0 type bridge
	ip addr add 10.99.0.1/24 dev xenbr0
	ip link set xenbr0 up
}

# Until domain NAME is gone (it powers itself off): false after 120 s.
xk_gone() { # name
	local i=0
	while xl domid "$1" >/dev/null 2>&1; do
		[ $i -ge 240 ] && return 1
		sleep 0.5
		i=$((i + 1))
	done
}

xk_run() {
	local cfg=/run/xenpv-kernel.cfg t0 peer
	[ -f /boot/xenpv-kernel ] || { xt "xenpv-kernel xl create" false; return; }
	xk_disks
	xk_bridge
	cat >$cfg <<CFG
name = "xenpv"
type = "pv"
kernel = "/boot/xenpv-kernel"
extra = "ticks=8 vbds=51712,51728 balloon=1 vif=0 ip=$XK_IP"
memory = 32
vcpus = 2
disk = [ 'phy:$xk_loop1,xvda,w' ]
on_poweroff = "destroy"
on_crash = "destroy"
CFG
	echo "DOM0_XENPV_KERNEL uptime=$(up)"
	t0=$(up)
	xl create $cfg >/run/xenpv-create.log 2>&1
	xt "xenpv-kernel xl create" [ $? = 0 ] || {
		sed 's/^/DOM0 xl: /' /run/xenpv-create.log | tail -20
		return
	}
	xk_domid=$(xl domid xenpv 2>/dev/null)
	xl list xenpv 2>/dev/null | sed 's/^/DOM0 xl list: /'
	xenpv-attach block --domid "$xk_domid" --vdev 51728 --target $xk_loop2 \
		--backend-domid 0 --backend-type $XK_BE_TYPE ||
		echo "DOM0 xenpv-kernel: xenpv-attach block failed"
	xk_peer "$xk_domid" &
	peer=$!
	xk_trace_vbd "$xk_domid" 51728 &
	tracer=$!
	xk_watch_clock 300 >/run/xenpv-clock.txt
	xt "xenpv-kernel powered itself off" xk_gone xenpv ||
		xk_where "$xk_domid"
	xl destroy xenpv 2>/dev/null
	wait $peer
	kill $tracer 2>/dev/null
	echo "DOM0 xenpv-kernel ran $(elapsed $t0 $(up)) s"
	xk_disks_done
	xk_net_log xenpv-netback
	cat /run/xk-where.out 2>/dev/null
	sed 's/^/XENPV| /' $xk_log 2>/dev/null
	xk_checks
	xk_blk_checks linux-blkback 51712 /run/xk-disk1.img
	xk_blk_checks xenpv-blkback 51728 /run/xk-disk2.img
	# Both ends' xenstore nodes in order, when that disk did not close clean.
	xk_has "^xenpv: blk: vbd 51728 closed: 0 grants out, sound" ||
		sed 's/^/DOM0 vbd 51728: /' /run/xk-vbd-trace.txt 2>/dev/null
	xk_net_checks xenpv-netback
	xk_balloon_checks
}

# A second, short boot: the kernel's netfront on Linux's xen-netback (xl
# vif=), network only.
xk_run_linux_net() {
	local cfg=/run/xenpv-kernel-ln.cfg d peer
	cat >$cfg <<CFG
name = "xenpv-ln"
type = "pv"
kernel = "/boot/xenpv-kernel"
extra = "ticks=0 vif=0 ip=$XK_IP"
memory = 32
vcpus = 2
vif = [ 'bridge=xenbr0,mac=$XK_MAC' ]
on_poweroff = "destroy"
on_crash = "destroy"
CFG
	xk_log=/var/log/xen/console/guest-xenpv-ln.log
	xl create $cfg >/run/xenpv-create-ln.log 2>&1 || {
		sed 's/^/DOM0 xl: /' /run/xenpv-create-ln.log | tail -20
		return
	}
	d=$(xl domid xenpv-ln 2>/dev/null)
	xk_net_peer "$d" "vif$d.0" linux-netback &
	peer=$!
	xk_gone xenpv-ln
	xl destroy xenpv-ln 2>/dev/null
	wait $peer
	xk_net_log linux-netback
	sed 's/^/XENPV-LN| /' $xk_log 2>/dev/null
	xk_net_checks linux-netback
}

xk_net_log() { # tag
	sed 's/^/DOM0 xk-ping: /' /run/xk-ping-$1.out 2>/dev/null
	sed 's/^/DOM0 xk-raw: /' /run/xk-raw-$1.out 2>/dev/null
}

xk_net_checks() { # tag (the backend)
	xt "xenpv-kernel netfront/$1 answers ping from dom0" \
		grep -q '3 packets received' /run/xk-ping-$1.out
	xt "xenpv-kernel netfront/$1 raw-frame transfer, checksums match" \
		[ "$(cat /run/xk-raw-$1.rc 2>/dev/null)" = 0 ]
	xt "xenpv-kernel netfront/$1 closes, no grant out" \
		xk_has '^xenpv: net: closed: 0 grants out, 0 leaked, sound'
}

xk_balloon_checks() {
	xt "xenpv-kernel xl mem-set 24m: xl list shows 24" \
		[ "$(cat /run/xk-mem-24 2>/dev/null)" = 24 ]
	xt "xenpv-kernel xl mem-set 32m: xl list shows 32" \
		[ "$(cat /run/xk-mem-32 2>/dev/null)" = 32 ]
	xt "xenpv-kernel balloon moved the reservation down and up" \
		xk_balloon_moved
	xt "xenpv-kernel every page usable after ballooning" \
		[ "$(xk_mm_checks)" -ge 2 ]
}

xk_balloon_moved() {
	xk_has '^xenpv: balloon moved: current 24576 KiB, target 24576 KiB' &&
		xk_has '^xenpv: balloon moved: current 32768 KiB, target 32768 KiB'
}

# The boot's page check, and the one after ballooning: all 32 MiB usable.
xk_mm_checks() {
	tr -d '\r' <$xk_log | grep -c "^xenpv: mm check: [1-9][0-9]* pages \
allocated, 0 bad, last at pfn $((32 * 256 - 1))"
}

xk_has() { tr -d '\r' <$xk_log | grep -q "$1"; }

xk_checks() {
	xt "xenpv-kernel banner" xk_has '^xenpv kernel [0-9.]*: xen-3.0-x86_64'
	xt "xenpv-kernel vcpu 0 up" xk_has '^xenpv: vcpu 0 up'
	xt "xenpv-kernel vcpu 1 up" xk_has '^xenpv: vcpu 1 up'
	xt "xenpv-kernel vcpu 0 timer ticks" xk_has '^xenpv: tick 8 .*timer-events [1-9]'
	xt "xenpv-kernel vcpu 1 timer ticks" \
		xk_has '^xenpv: vcpu 1 tick 8 .*timer-events [1-9]'
	xt "xenpv-kernel time monotonic across vcpus" \
		xk_has '^xenpv: cross-vcpu time: [1-9][0-9]* rounds, 0 backwards'
	xt "xenpv-kernel wall clock within 1 s of dom0" \
		xk_clock_ok /run/xenpv-clock.txt
	xt "xenpv-kernel maps and allocates all its pages" xk_has \
		"^xenpv: mm check: [1-9][0-9]* pages allocated, 0 bad, last at pfn $((32 * 256 - 1))"
	xt "xenpv-kernel grant table" \
		xk_has '^xenpv: gnttab check: [1-9][0-9]* refs, ref [0-9]* granted, end 0'
	xt "xenpv-kernel xenstore over the store ring" xk_has \
		"^xenpv: xenstore: name 'xenpv' (5) domid ${xk_domid:-none}, write 0 read 'ok', transaction 0, directory 2, watch events [3-9]"
	xt "xenpv-kernel no panic" sh -c "! tr -d '\r' <$xk_log | grep -q panic"
	xt "xenpv-kernel done" xk_has '^xenpv: done'
}

# The kernel's line for one disk: "... wrote 8192 KiB crc32 W err 0,
# flush 0, read 8192 KiB crc32 R err 0, 0 bad words".
xk_blk_line() { tr -d '\r' <$xk_log | grep "^xenpv: blk: vbd $1: wrote"; }

xk_blk_verified() { # vdev
	xk_blk_line "$1" | grep -q "wrote 8192 KiB crc32 \([0-9a-f]*\) err 0, \
flush 0, read 8192 KiB crc32 \1 err 0, 0 bad words"
}

xk_blk_file_ok() { # vdev file
	local want
	want=$(xk_blk_line "$1" |
		sed -n 's/.* wrote [0-9]* KiB crc32 \([0-9a-f]*\) .*/\1/p')
	echo "DOM0 xenpv-kernel vbd $1: kernel wrote crc32 ${want:-none}," \
		"$2 has $(crc32 "$2")"
	[ -n "$want" ] && [ "$(crc32 "$2" | cut -d' ' -f1)" = "$want" ]
}

xk_blk_checks() { # backend vdev file
	xt "xenpv-kernel blkfront/$1 whole-disk verify" xk_blk_verified "$2"
	xt "xenpv-kernel blkfront/$1 backing file checksum" xk_blk_file_ok "$2" "$3"
	xt "xenpv-kernel blkfront/$1 closes, no grant out" \
		xk_has "^xenpv: blk: vbd $2 closed: 0 grants out, sound"
}

xk_run
xk_run_linux_net

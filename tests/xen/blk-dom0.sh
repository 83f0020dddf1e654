# Sourced by dom0-init.sh before `xl create`: our xenpv-blkback on xenops
# "xen" over a 32 MiB disk on tmpfs through loop (as xl's disk), serving
# backend/xenpv-vbd (dom0's own xen-blkback takes every device under
# backend/vbd, so ours live under a type name of their own, as QEMU's
# qdisk does).  blk_dom0_attach gives the new domU vbd 51728 (xvdb) on that
# backend by writing the xenstore nodes itself; blk_dom0_done stops the
# daemon once the domU is gone, checks the backing file against what the
# domU last read through it, and prints the throughput table of every
# frontend x backend pair (tests/xen/blk-domu.sh).
#
# expect: dom0 xenpv-blkback runs
# expect: dom0 xenpv-attach block
# expect: domU vbd 51728 attached by dom0
# expect: domU xenpv-blkfront loads
# expect: xenpv-blkfront/linux-blkback random 4K write qd1
# expect: xenpv-blkfront/linux-blkback whole-disk verify
# expect: xenpv-blkfront/linux-blkback flush reached the device
# expect: xenpv-blkfront/linux-blkback discard reached the device
# expect: xenpv-blkfront/xenpv-blkback random 4K write qd1
# expect: xenpv-blkfront/xenpv-blkback whole-disk verify
# expect: xenpv-blkfront/xenpv-blkback flush reached the device
# expect: xenpv-blkfront/xenpv-blkback discard reached the device
# expect: domU xenpv-blkfront hands its vbds back
# expect: domU xenpv-blkfront unloads
# expect: domU xenpv-blkfront: no grant left, no protocol error
# expect: linux-blkfront/linux-blkback random 4K write qd1
# expect: linux-blkfront/xenpv-blkback random 4K write qd1
# expect: linux-blkfront/xenpv-blkback whole-disk verify
# expect: linux-blkfront/xenpv-blkback flush reached the device
# expect: linux-blkfront/xenpv-blkback discard reached the device
# expect: dom0 xenpv-blkback exits cleanly
# expect: dom0 xenpv-blkback: no mapping left
# expect: dom0 sees the disk the domU last read through xenpv-blkback

BLK_BE_TYPE=xenpv-vbd
BLK_VDEV=51728

dd if=/dev/zero of=/run/disk2.img bs=1M count=32 2>/dev/null
losetup /dev/loop1 /run/disk2.img
xenpv-blkback --xenops xen --type $BLK_BE_TYPE >/run/blkback.out \
	2>/run/blkback.log &
BLK_BE_PID=$!
xt "dom0 xenpv-blkback runs" \
	wait_for 100 grep -q 'xenpv-blkback ready' /run/blkback.out

blk_dom0_attach() { # domid
	[ -n "$1" ] || return
	xt "dom0 xenpv-attach block" xenpv-attach block --domid "$1" \
		--vdev $BLK_VDEV --target /dev/loop1 --backend-domid 0 \
		--backend-type $BLK_BE_TYPE
}

# One row per pair from the domU's XT_TIME lines (MiB/s and IOPS).
blk_dom0_table() { # guest log
	tr -d '\r' <"$1" | awk '
	$1 == "XT_TIME" && $2 ~ /-blkfront\// {
		p = $2
		if (!(p in seen)) { seen[p] = 1; order[n++] = p }
		if ($3 == "seq-write" || $3 == "seq-read")
			v[p, $3] = $5 > 0 ? sprintf("%.1f", $4 / $5) : "-"
		else
			v[p, $3 "-" $NF] = $(NF - 2)
	}
	END {
		printf "XT_TIME table: %-30s %9s %9s %9s %9s %9s\n", "pair",
			"seq-w", "seq-r", "4k-w-qd1", "4k-r-qd1", "4k-r-qd8"
		printf "XT_TIME table: %-30s %9s %9s %9s %9s %9s\n", "",
			"MiB/s", "MiB/s", "IOPS", "IOPS", "IOPS"
		for (i = 0; i < n; i++) {
			p = order[i]
			printf "XT_TIME table: %-30s %9s %9s %9s %9s %9s\n", p,
				v[p, "seq-write"], v[p, "seq-read"],
				v[p, "rand-write-4k-qd1"],
				v[p, "rand-read-4k-qd1"], v[p, "rand-read-4k-qd8"]
		}
	}'
}

blk_dom0_done() {
	local rc want log=/var/log/xen/console/guest-domu1.log
	kill -TERM $BLK_BE_PID
	wait $BLK_BE_PID
	rc=$?
	xt "dom0 xenpv-blkback exits cleanly" [ $rc = 0 ]
	tail -n 40 /run/blkback.log | sed 's/^/DOM0 blkback: /'
	xt "dom0 xenpv-blkback: no mapping left" \
		grep -q 'exit: 0 page(s) still mapped' /run/blkback.log
	want=$(sed -n 's/^XT_DISK_MD5 [^ ]*\/xenpv-blkback //p' $log |
		tr -d '\r' | tail -n 1)
	xt "dom0 sees the disk the domU last read through xenpv-blkback" \
		[ "$(md5sum </run/disk2.img | cut -d' ' -f1)" = "$want" ]
	losetup -d /dev/loop1
	blk_dom0_table $log
}

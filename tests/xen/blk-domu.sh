# Sourced by domu-init.sh: every block frontend x backend pair in one boot.
# vbd 51712 (xvda) is served by dom0's xen-blkback (xl), vbd 51728 (xvdb)
# by our xenpv-blkback (tests/xen/blk-dom0.sh).  Our xenpv-blkfront.ko
# takes both first (xpvda, xpvdb), hands them back on unload; then Linux's
# xen-blkfront takes both, the reference pair included.  Every pair runs
# the same checks: 4 KiB random writes and reads (xenpv-blkrand, before
# the whole-disk pattern, which overwrites them), then disk_checks.
# Names of the checks dom0 expects are in blk-dom0.sh.

blk_rand() { # dev label
	local run op qd ops out
	for run in write:1:1000 read:1:1000 read:8:2000; do
		op=${run%%:*}
		ops=${run##*:}
		qd=${run#*:}
		qd=${qd%:*}
		out=$(xenpv-blkrand "/dev/$1" $op $ops $qd 2>&1)
		xt "$2 random 4K $op qd$qd" [ $? = 0 ] ||
			dmesg | tail -n 15 | sed 's/^/DOMU dmesg: /'
		echo "XT_TIME $2 rand-$op-4k $out"
	done
}

blk_pair() { # dev label
	echo "DOMU $2: /dev/$1 on $(readlink /sys/block/$1/device)"
	blk_rand "$1" "$2"
	disk_checks "$1" "$2"
}

blk_ours() {
	local ko=/opt/xenpv/xenpv-blkfront.ko
	# Loading waits until every vbd it takes is connected.
	xt "domU xenpv-blkfront loads" insmod $ko
	xt "domU xpvda appears" wait_for 150 [ -b /dev/xpvda ] &&
		blk_pair xpvda "xenpv-blkfront/linux-blkback"
	xt "domU xpvdb appears" wait_for 150 [ -b /dev/xpvdb ] &&
		blk_pair xpvdb "xenpv-blkfront/xenpv-blkback"
	xt "domU xenpv-blkfront hands its vbds back" xenbus_unbind xenpv-vbd vbd
	xt "domU xenpv-blkfront unloads" rmmod xenpv_blkfront
	dmesg | grep -e 'xpvd' -e 'xenpv-vbd' -e 'xenpv: blkfront' |
		sed 's/^/DOMU dmesg: /'
	xt "domU xenpv-blkfront: no grant left, no protocol error" [ "$(dmesg |
		grep -c 'closed: .* 0 grants out, sound')" = 2 ]
}

blk_linux() {
	xt "domU xen-blkfront loads" modprobe xen-blkfront
	xt "domU xvda appears" wait_for 150 [ -b /dev/xvda ] &&
		blk_pair xvda "linux-blkfront/linux-blkback"
	xt "domU xvdb appears" wait_for 150 [ -b /dev/xvdb ] &&
		blk_pair xvdb "linux-blkfront/xenpv-blkback"
}

xt "domU vbd 51728 attached by dom0" \
	wait_for 300 [ -e /sys/bus/xen/devices/vbd-51728 ]
blk_ours
blk_linux

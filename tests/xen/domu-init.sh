#!/bin/sh
# /init of the PV domU: our modules against dom0, then the data checks on
# the PV disk and NIC.  Its console is collected by dom0 (dom0-init.sh).
export PATH=/usr/sbin:/usr/bin
. /opt/xenpv/lib.sh
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
echo "DOMU_INIT uptime=$(up) kernel=$(uname -r)"
xt "domU runs on Xen" [ "$(cat /sys/hypervisor/type)" = xen ]

# ---- xenpv-selftest.ko: os/linux + core against the dom0 peer
selftest() {
	local ko=/opt/xenpv/xenpv-selftest.ko
	xt "domU selftest module present" [ -f $ko ] || return
	xt "domU selftest loads" insmod $ko peer=0 timeout_s=60
	dmesg | sed -nE 's/.*xenpv: selftest (ok|FAIL): /XT \1: domU selftest: /p'
	xt "domU selftest: 0 failed" \
		logged 'xenpv-selftest: [1-9][0-9]* passed, 0 failed'
	xt "domU selftest unloads" rmmod xenpv_selftest
	xt "domU selftest unload logged" logged 'xenpv-selftest: unloaded'
}

# ---- block: checksummed whole-disk write/verify, a flush, a discard
disk_checks() { # dev label
	local dev=/dev/$1 l=$2 sectors mib sum t0 t1 f0 d0
	sectors=$(cat /sys/block/$1/size)
	mib=$((sectors / 2048))
	echo "DOMU $l: $dev $sectors sectors"
	dd if=/dev/urandom of=/tmp/pat bs=1M count=$mib 2>/dev/null
	sum=$(md5sum </tmp/pat | cut -d' ' -f1)
	t0=$(up)
	xt "$l whole-disk write" \
		dd if=/tmp/pat of=$dev bs=1M oflag=direct 2>/dev/null
	t1=$(up)
	echo "XT_TIME $l seq-write ${mib}MiB $(elapsed $t0 $t1)"
	f0=$(blkstat $1 16)
	xt "$l flush" dd if=/dev/null of=$dev count=0 conv=fsync 2>/dev/null
	xt "$l flush reached the device" [ "$(blkstat $1 16)" -gt "$f0" ]
	t0=$(up)
	xt "$l whole-disk verify" [ "$(dd if=$dev bs=1M iflag=direct \
		2>/dev/null | md5sum | cut -d' ' -f1)" = "$sum" ]
	t1=$(up)
	echo "XT_TIME $l seq-read ${mib}MiB $(elapsed $t0 $t1)"
	d0=$(blkstat $1 12)
	xt "$l discard" blkdiscard -o 1048576 -l 1048576 $dev
	xt "$l discard reached the device" [ "$(blkstat $1 12)" -gt "$d0" ]
	echo "XT_DISK_MD5 $l $(dd if=$dev bs=1M iflag=direct 2>/dev/null |
		md5sum | cut -d' ' -f1)"
	rm -f /tmp/pat
}

# ---- net: ping, a checksummed TCP transfer from dom0
net_checks() { # ifname label
	local l=$2 t0 t1 want
	ip link set "$1" up
	ip addr add 10.99.0.2/24 dev "$1"
	xt "$l ping dom0" ping -c 3 -W 5 10.99.0.1
	t0=$(up)
	xt "$l TCP download" timeout 120 wget -q -O /tmp/blob \
		http://10.99.0.1/blob
	t1=$(up)
	echo "XT_TIME $l tcp-get 16MiB $(elapsed $t0 $t1)"
	want=$(wget -q -O - http://10.99.0.1/blob.md5)
	xt "$l TCP data checksum" \
		[ "$(md5sum </tmp/blob | cut -d' ' -f1)" = "$want" ]
	rm -f /tmp/blob
}

xenpv-canary domU 32 600 >/tmp/canary.out 2>&1 &
canary=$!
selftest
# Every frontend x backend pair, Linux's reference pairs included.
. /opt/xenpv/blk-domu.sh
. /opt/xenpv/drv-domu.sh
. /opt/xenpv/net-domu.sh
kill -TERM $canary
wait $canary
xt "domU canary: no foreign writes into fresh memory" [ $? = 0 ]
sed "s/^/DOMU /" /tmp/canary.out
echo "DOMU_DONE uptime=$(up)"
sync
poweroff -f

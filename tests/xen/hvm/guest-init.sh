#!/bin/sh
# /init of the HVM guest: the same block and net workloads and data checks
# on each path the guest has, one row at a time:
#   (a) emulated: ata_piix on the device model's IDE disk, e1000 NIC
#   (d) Linux's xen-blkfront/xen-netfront against Linux's blkback/netback
#   (c) our xenpv-blkfront/xenpv-netfront against Linux's backends
#   (b) ours against our userspace backends in dom0 (xenops "xen")
# (c) and (b) run when our modules are in the image (the netfront ones
# not with xt_oursnet=0).  Each workload is
# bracketed by trace markers (xenpv-iobench mark) so dom0's xentrace counts
# its exits; the guest asks dom0 for things through its xenstore data/.
export PATH=/opt/xenpv/bin:/usr/sbin:/usr/bin
. /opt/xenpv/lib.sh
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
echo "HVM_INIT uptime=$(up) kernel=$(uname -r)"
arg() { echo " $(cat /proc/cmdline) " | sed -n "s/.* $1=\([^ ]*\) .*/\1/p"; }
SECS=$(arg xt_secs)
SECS=${SECS:-3}
NETMB=$(arg xt_netmb)
NETMB=${NETMB:-32}
phase=0 seq=0
xt "hvm guest runs on Xen" [ "$(cat /sys/hypervisor/type)" = xen ]
xt "hvm guest is an HVM domain" \
	[ "$(cat /sys/hypervisor/guest_type 2>/dev/null)" = HVM ]

acked() { # seq: dom0 answered it
	case "$(xenstore-read data/xt-ack 2>/dev/null)" in "$1 "*) return 0 ;; esac
	return 1
}

ask() { # request...: dom0-init.sh answers "SEQ ok" or "SEQ fail"
	seq=$((seq + 1))
	xenstore-write data/xt-req "$seq $*" || return 1
	wait_for 900 acked $seq || return 1
	[ "$(xenstore-read data/xt-ack)" = "$seq ok" ]
}

# The block device on xenbus node vbd-VDEV, or on PCI for "pci".
blkdev() {
	local d
	for d in /sys/block/*; do
		case $(readlink -f "$d") in
		*/vbd-$1/*) echo "${d##*/}" && return 0 ;;
		*/pci*/ata*) [ "$1" = pci ] && echo "${d##*/}" && return 0 ;;
		esac
	done
	return 1
}

# The interface with MAC, driven by DRIVER (or anything but "!DRIVER").
netdev() {
	local i drv
	for i in /sys/class/net/*; do
		[ "$(cat "$i/address")" = "$1" ] || continue
		drv=$(basename "$(readlink -f "$i/device/driver")")
		case $2 in
		!*) [ "$drv" != "${2#!}" ] && echo "${i##*/}" && return 0 ;;
		*) [ "$drv" = "$2" ] && echo "${i##*/}" && return 0 ;;
		esac
	done
	return 1
}

has_blkdev() { blkdev "$1" >/dev/null; }
has_netdev() { netdev "$1" "$2" >/dev/null; }

# The xenbus driver bound to device TYPE-ID (vbd-51808, vif-1).
bound() { basename "$(readlink -f /sys/bus/xen/devices/$1/driver)"; }

# Lets Linux's frontends go of their devices, so that ours can bind them.
unbind_linux() {
	xenbus_unbind vbd vbd
	xenbus_unbind vif vif
}

bench_line() { # row workload iobench-output
	echo "XT_BENCH phase=$phase row=$1 wl=$2 $3"
}

# ---- block: 4 KiB random and 1 MiB sequential, QD1, O_DIRECT
blk_bench() { # dev row irq-pattern
	local dev=$1 row=$2 irq=$3 spec out
	for spec in "randread 4096 randread-4k" "randwrite 4096 randwrite-4k" \
		"read 1048576 seqread-1m" "write 1048576 seqwrite-1m"; do
		set -- $spec
		phase=$((phase + 1))
		out=$(xenpv-iobench blk /dev/$dev --rw $1 --bs $2 \
			--seconds $SECS --mark $phase --irq "$irq")
		xt "$row $3" [ -n "$out" ] && bench_line "$row" "$3" "$out"
	done
}

# ---- block data: checksummed whole-disk write and verify, a flush
disk_checks() { # dev row discard|- key: the key names the disk to dom0
	local dev=/dev/$1 row=$2 mib sum f0 d0
	mib=$(($(cat /sys/block/$1/size) / 2048))
	dd if=/dev/urandom of=/tmp/pat bs=1M count=$mib 2>/dev/null
	sum=$(md5sum </tmp/pat | cut -d' ' -f1)
	xt "$row whole-disk write" \
		dd if=/tmp/pat of=$dev bs=1M oflag=direct 2>/dev/null
	f0=$(blkstat $1 16)
	xt "$row flush" dd if=/dev/null of=$dev count=0 conv=fsync 2>/dev/null
	xt "$row flush reached the device" [ "$(blkstat $1 16)" -gt "$f0" ]
	xt "$row whole-disk verify" [ "$(dd if=$dev bs=1M iflag=direct \
		2>/dev/null | md5sum | cut -d' ' -f1)" = "$sum" ]
	if [ "$3" = discard ]; then
		d0=$(blkstat $1 12)
		xt "$row discard" blkdiscard -o 1048576 -l 1048576 $dev
		xt "$row discard reached the device" \
			[ "$(blkstat $1 12)" -gt "$d0" ]
	fi
	echo "XT_DISK_MD5 $4 $(dd if=$dev bs=1M iflag=direct 2>/dev/null |
		md5sum | cut -d' ' -f1)"
	rm -f /tmp/pat
}

timed() { # row workload irq-pattern bytes command...: one traced phase
	local row=$1 wl=$2 irq=$3 bytes=$4 t0 t1 i0 i1 rc
	shift 4
	phase=$((phase + 1))
	i0=$(xenpv-iobench irqs "$irq")
	xenpv-iobench mark $phase start
	t0=$(up)
	"$@"
	rc=$?
	t1=$(up)
	xenpv-iobench mark $phase end
	i1=$(xenpv-iobench irqs "$irq")
	[ $rc = 0 ] && bench_line "$row" "$wl" "bytes=$bytes \
secs=$(elapsed $t0 $t1) mb_s=$(awk -v s="$(elapsed $t0 $t1)" -v b=$bytes \
		'BEGIN { if (s > 0) printf "%.2f", b / 1e6 / s }') \
irqs=$((i1 - i0))"
	return $rc
}

# ---- net: ping, a checksummed TCP download from and upload to dom0
net_checks() { # ifname row subnet irq-pattern blob
	local n=$1 row=$2 gw=10.99.$3.1 b=$5 want
	ip link set "$n" up
	ip addr add 10.99.$3.2/24 dev "$n"
	xt "$row ping dom0" ping -c 3 -W 5 $gw || {
		ip addr flush dev "$n"
		return 1
	}
	want=$(wget -q -O - http://$gw/$b.md5)
	xt "$row TCP download" timed "$row" tcp-download "$4" \
		$(wget -q -O - http://$gw/$b.size) \
		timeout 120 wget -q -O /tmp/blob http://$gw/$b
	xt "$row TCP download checksum" \
		[ "$(md5sum </tmp/blob | cut -d' ' -f1)" = "$want" ]
	# The blob is text: busybox wget posts a string.
	xt "$row TCP upload" timed "$row" tcp-upload "$4" $(wc -c </tmp/blob) \
		timeout 120 wget -q -O /tmp/up.md5 --post-file /tmp/blob \
		http://$gw/cgi-bin/sink
	xt "$row TCP upload checksum" [ "$(cat /tmp/up.md5)" = "$want" ]
	rm -f /tmp/blob /tmp/up.md5
	ip addr flush dev "$n"
	ip link set "$n" down
}

pv_disk() { # vdev row irq-pattern driver
	local d
	xt "$2 disk appears" wait_for 150 has_blkdev $1 || return
	xt "$2 disk bound by $4" [ "$(bound vbd-$1)" = "$4" ] || return
	d=$(blkdev $1)
	echo "HVM $2: /dev/$d"
	blk_bench $d "$2" "$3"
	disk_checks $d "$2" discard $1
}

pv_nic() { # mac row subnet driver irq-pattern
	local n
	xt "$2 NIC appears" wait_for 150 has_netdev $1 "$4" || return
	n=$(netdev $1 "$4")
	echo "HVM $2: $n"
	net_checks $n "$2" $3 "$5" blob
}

for m in ata_piix sd_mod e1000; do
	modprobe $m || echo "XT FAIL: hvm modprobe $m"
done

# (a) the device model's emulated disk (hda, IDE) and NIC (e1000); first
# one workload with Xen's tracing off, to see what tracing costs.
row="emulated/qemu-xen"
xt "$row disk appears" wait_for 150 has_blkdev pci && d=$(blkdev pci) &&
	bench_line "$row" randread-4k-untraced "$(xenpv-iobench blk /dev/$d \
		--rw randread --bs 4096 --seconds $SECS --irq ata_piix)"
xt "hvm asks dom0 to trace" ask trace-start
if [ -n "$d" ]; then
	echo "HVM $row: /dev/$d"
	blk_bench $d "$row" ata_piix
	disk_checks $d "$row" - hda
fi
# e1000 names its interrupt after the interface; a smaller blob, as the
# emulated NIC moves a MiB in seconds under TCG.
xt "$row NIC appears" wait_for 150 has_netdev 00:16:3e:00:00:10 e1000 &&
	n=$(netdev 00:16:3e:00:00:10 e1000) &&
	net_checks $n "$row" 0 $n blob-small

# (d) Linux's PV frontends against Linux's backends
modprobe xen-blkfront
modprobe xen-netfront
pv_disk 51808 "linux-blkfront/linux-blkback" blkif vbd
pv_nic 00:16:3e:00:00:11 "linux-netfront/linux-netback" 1 vif vif1-

# (c) and (b): our frontends, once Linux's have let go of the devices
ko=/opt/xenpv
if [ -f $ko/xenpv-blkfront.ko ] || [ -f $ko/xenpv-netfront.ko ]; then
	sync
	unbind_linux
	rmmod xen-blkfront xen-netfront 2>/dev/null
	if [ -f /opt/xenpv/xenpv-blkfront.ko ]; then
		xt "hvm xenpv-blkfront loads" insmod /opt/xenpv/xenpv-blkfront.ko
		pv_disk 51808 "xenpv-blkfront/linux-blkback" xenpv xenpv-vbd
		pv_disk 51824 "xenpv-blkfront/xenpv-blkback" xenpv xenpv-vbd
	fi
	if [ -f /opt/xenpv/xenpv-netfront.ko ] && [ "$(arg xt_oursnet)" != 0 ]; then
		xt "hvm xenpv-netfront loads" insmod /opt/xenpv/xenpv-netfront.ko
		pv_nic 00:16:3e:00:00:11 "xenpv-netfront/linux-netback" 1 \
			xenpv-vif xenpv
		pv_nic 00:16:3e:00:00:12 "xenpv-netfront/xenpv-netback" 2 \
			xenpv-vif xenpv
	fi
fi

xt "hvm asks dom0 to count" ask trace-stop
sed 's/^/HVM interrupts: /' /proc/interrupts | head -60
echo "XT_GUEST_DONE uptime=$(up)"
sync
poweroff -f

#!/usr/bin/env bash
# `make xen-hvm-test`: Xen 4.17 + a PV dom0 + an HVM guest with a device
# model in QEMU (TCG).  The guest runs the block and net workloads and the
# data checks on the emulated disk and NIC and on each PV frontend/backend
# pair it has (guest-init.sh); dom0 counts its exits with xentrace
# (dom0-init.sh).  Counts the "XT ok/FAIL" lines, checks that every
# expected check ran, writes the figures (report.py) to
# build/xen-hvm/results.jsonl, prints the whole log on any failure and ends
# with "N passed, N failed".
#
# usage: run.sh [BUILD]   env: those of tests/xen/boot.sh, DOM0_EXTRA,
#   XT_SECS (s per block workload, 3), XT_NETMB (MiB per transfer, 32),
#   XT_OURS_NET=0 (leave out our netfront's rows)
set -uo pipefail
build=${1:-build}
top=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$top"
. tests/xen/boot.sh
[[ $build = /* ]] || build=$top/$build
work=$build/xen-hvm
log=$work/console.log
mkdir -p "$work"

die() {
	echo "xen-hvm-test: $*"
	echo "0 passed, 1 failed"
	exit 1
}

kver=$(bash mk/kver.sh)
[ -n "$kver" ] && [ -f "/boot/vmlinuz-$kver" ] ||
	die "no Debian kernel image for '$kver' (tests/xen/deps.sh)"
xengz=$(ls /boot/xen-4.*-amd64.gz 2>/dev/null | sort -V | tail -n 1)
[ -n "$xengz" ] || die "no Xen hypervisor in /boot (tests/xen/deps.sh)"
for f in "$build/rel/bin/xenpv-iobench" "$build/rel/bin/xenpv-xtcount"; do
	[ -x "$f" ] || die "missing $f (make all)"
done
# One QEMU at a time on this machine, whoever started it; the lock also
# covers the images and the log, which another run would overwrite.
exec 9>/tmp/xenpv-xen-test.lock
flock 9
zcat "$xengz" >"$work/xen"
bash tests/xen/hvm/mkimages.sh "$build" "$work" "$kver" \
	>"$work/mkimages.log" 2>&1 ||
	{ cat "$work/mkimages.log"; die "building the initramfs images failed"; }

# Our frontend rows run when their modules are in the image.
ours=()
[ -f "$top/xenpv-blkfront.ko" ] && ours+=(blk)
[ -f "$top/xenpv-netfront.ko" ] && [ "${XT_OURS_NET:-1}" != 0 ] && ours+=(net)

dom0_cmd="console=hvc0 earlyprintk=xen rdinit=/init"
dom0_cmd+=" xt_secs=${XT_SECS:-3} xt_netmb=${XT_NETMB:-32} ${DOM0_EXTRA:-}"
[ ${#ours[@]} -ne 0 ] && dom0_cmd+=" xt_ours=1"
[ "${XT_OURS_NET:-1}" = 0 ] && dom0_cmd+=" xt_oursnet=0"

echo "xen-hvm-test: Xen $(basename "$xengz"), kernel $kver, log $log"
start=${EPOCHREALTIME/./}
xen_boot "$work/xen" "/boot/vmlinuz-$kver" "$dom0_cmd" \
	"$work/dom0hvm.cpio.gz" "$log"
rc=$?
secs=$(((${EPOCHREALTIME/./} - start) / 1000000))

expect=(
	"dom0 toolstack up"
	"dom0 xl create hvm"
	"hvm guest is an HVM domain"
	"hvm asks dom0 to trace"
	"emulated/qemu-xen randread-4k"
	"emulated/qemu-xen seqread-1m"
	"emulated/qemu-xen whole-disk verify"
	"emulated/qemu-xen TCP download checksum"
	"emulated/qemu-xen TCP upload checksum"
	"linux-blkfront/linux-blkback randread-4k"
	"linux-blkfront/linux-blkback whole-disk verify"
	"linux-blkfront/linux-blkback discard"
	"linux-netfront/linux-netback TCP download checksum"
	"linux-netfront/linux-netback TCP upload checksum"
	"hvm asks dom0 to count"
	"dom0 HVM guest finished"
	"dom0 sees the emulated disk the guest last read"
	"dom0 sees the PV disk the guest last read"
)
for o in "${ours[@]}"; do
	case $o in
	blk) expect+=("xenpv-blkfront/linux-blkback whole-disk verify"
		"xenpv-blkfront/xenpv-blkback whole-disk verify") ;;
	net) expect+=("xenpv-netfront/linux-netback TCP download checksum"
		"xenpv-netfront/xenpv-netback TCP download checksum") ;;
	esac
done
xen_judge xen-hvm-test "$log" "$rc" "${expect[@]}"
python3 tests/xen/hvm/report.py "$log" "$work/results.jsonl" ||
	echo "xen-hvm-test: no figures"
grep -E 'DOM0_INIT|DOM0_XL_CREATE|HVM_INIT|XT_GUEST_DONE|DOM0_ALL_DONE' \
	"$log" | sed 's/^/xen-hvm-test: /'
echo "xen-hvm-test: QEMU $xt_verdict after $secs s"
echo "$xt_passed passed, $xt_failed failed"
[ "$xt_failed" -eq 0 ]

#!/usr/bin/env bash
# `make xen-test`: Xen 4.17 + a PV dom0 + a PV domU in QEMU (TCG), with our
# programs in dom0 and our modules in the domU (see dom0-init.sh and
# domu-init.sh).  Counts the "XT ok/FAIL" lines of the console log, checks
# that every expected check ran, prints the whole log on any failure and
# ends with "N passed, N failed".
#
# usage: run.sh [BUILD]   env: those of boot.sh, DOM0_EXTRA (dom0 words),
#   XK=0 (leave out our PV kernel's round)
set -uo pipefail
build=${1:-build}
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
. tests/xen/boot.sh
[[ $build = /* ]] || build=$top/$build
work=$build/xen
log=$work/console.log
mkdir -p "$work"

die() {
	echo "xen-test: $*"
	echo "0 passed, 1 failed"
	exit 1
}

kver=$(bash mk/kver.sh)
[ -n "$kver" ] && [ -f "/boot/vmlinuz-$kver" ] ||
	die "no Debian kernel image for '$kver' (tests/xen/deps.sh)"
xengz=$(ls /boot/xen-4.*-amd64.gz 2>/dev/null | sort -V | tail -n 1)
[ -n "$xengz" ] || die "no Xen hypervisor in /boot (tests/xen/deps.sh)"
for f in "$build/rel/bin/xenpv-xen-peer" "$build/rel/lib/libxenstore.so.4" \
	"$build/rel/bin/xenpv-netback" "$build/rel/bin/xenpv-attach" \
	"$top/xenpv-selftest.ko" "$top/xenpv-netfront.ko"; do
	[ -e "$f" ] || die "missing $f (make all modules)"
done
# One boot at a time on this machine, whoever started it: held to the end,
# as the images, the work directory and the log are shared.
exec 9>/tmp/xenpv-xen-test.lock
flock 9
# QEMU's multiboot loader takes the 32-bit ELF, not the gzip.
zcat "$xengz" >"$work/xen"
bash tests/xen/mkimages.sh "$build" "$work" "$kver" \
	>"$work/mkimages.log" 2>&1 ||
	{ cat "$work/mkimages.log"; die "building the initramfs images failed"; }

dom0_cmd="console=hvc0 earlyprintk=xen rdinit=/init ${DOM0_EXTRA:-}"
# Our PV kernel's round (kernel-dom0.sh, `make kernel` first); XK=0 skips it.
parts=(tests/xen/*-dom0.sh tests/xen/*-domu.sh)
if [ "${XK:-1}" = 0 ]; then
	parts=("${parts[@]/tests\/xen\/kernel-dom0.sh/}")
else
	dom0_cmd+=" xk"
fi

echo "xen-test: Xen $(basename "$xengz"), kernel $kver, log $log"
start=${EPOCHREALTIME/./}
xen_boot "$work/xen" "/boot/vmlinuz-$kver" "$dom0_cmd" "$work/dom0.cpio.gz" \
	"$log"
rc=$?
secs=$(((${EPOCHREALTIME/./} - start) / 1000000))

# The checks that must have printed (xen_judge, boot.sh).
expect=(
	"dom0 toolstack up"
	"dom0 transcripts: our libxs = libxenstore"
	"dom0 transcripts: our .so = libxenstore"
	"dom0 xl create"
	"domU selftest: 0 failed"
	"domU selftest unloads"
	"dom0 peer: guest finished"
	"linux-blkfront/linux-blkback whole-disk verify"
	"linux-blkfront/linux-blkback discard"
	"linux-netfront/linux-netback TCP data checksum"
	"dom0 sees the disk the domU last read"
	"dom0 canary: no foreign writes into fresh memory"
	"domU canary: no foreign writes into fresh memory"
)
# Each sourced part (*-dom0.sh, *-domu.sh) names its own checks in
# "# expect: NAME" lines.
while IFS= read -r e; do
	expect+=("$e")
done < <(for f in "${parts[@]}"; do
	[ -n "$f" ] && sed -n 's/^# expect: //p' "$f"
done)
xen_judge xen-test "$log" "$rc" "${expect[@]}"
grep -E 'XT_TIME|DOM0_INIT|DOMU_INIT|DOMU_DONE|DOM0_ALL_DONE' \
	"$log" | sed 's/^/xen-test: /'
echo "xen-test: QEMU $xt_verdict after $secs s"
echo "$xt_passed passed, $xt_failed failed"
[ "$xt_failed" -eq 0 ]

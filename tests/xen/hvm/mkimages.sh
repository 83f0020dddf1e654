#!/usr/bin/env bash
# Builds the two busybox initramfs images of the HVM harness:
#   $OUT/hvm.cpio.gz      the HVM guest: the emulated disk and NIC drivers,
#                         Linux's PV frontends, ours when built, the workload
#                         (xenpv-iobench), xenstore tools, guest-init.sh
#   $OUT/dom0hvm.cpio.gz  dom0: the PV harness's toolstack plus the device
#                         model (qemu-system-xen), hvmloader, SeaBIOS, option
#                         ROMs, xentrace, our backends and dom0-init.sh
# usage: mkimages.sh BUILD OUT KVER
set -euo pipefail
hvm_here=$(cd "$(dirname "$0")" && pwd)
XT_MKIMAGES_LIB=1 source "$hvm_here/../mkimages.sh" "$@"
top=$(cd "$hvm_here/../../.." && pwd)
here=$hvm_here
xen=$top/tests/xen
dm=/usr/libexec/xen-qemu-system-i386
[ -x "$dm" ] || { echo "no $dm (apt-get install qemu-system-xen)"; exit 1; }
xenlib=$(dirname "$xenbin")

# ---- the HVM guest
r=$out/hvm-root
skeleton "$r"
add_mods "$r" ata_piix sd_mod e1000 xen-blkfront xen-netfront
for ko in xenpv-blkfront xenpv-netfront; do
	[ -f "$top/$ko.ko" ] && cp "$top/$ko.ko" "$r/opt/xenpv/"
done
add_bin "$r" "$build/rel/bin/xenpv-iobench" /opt/xenpv/bin/xenpv-iobench
for b in xenstore-read xenstore-write; do
	add_bin "$r" "/usr/bin/$b"
done
cp "$xen/lib.sh" "$r/opt/xenpv/lib.sh"
cp "$here/guest-init.sh" "$r/init"
chmod +x "$r/init"
pack "$r" "$out/hvm.cpio.gz"

# ---- dom0
r=$out/dom0hvm-root
skeleton "$r"
add_toolstack "$r"
# The device model and its firmware, where libxl looks for them.
add_bin "$r" "$dm"
mkdir -p "$r$xenlib/boot" "$r/usr/share/qemu" "$r/usr/share/seabios" \
	"$r/usr/lib/ipxe/qemu"
cp "$xenlib/boot/hvmloader" "$r$xenlib/boot/"
cp -a /usr/share/seabios/. "$r/usr/share/seabios/"
cp -a /usr/lib/ipxe/qemu/. "$r/usr/lib/ipxe/qemu/"
for f in /usr/share/qemu/*; do
	case ${f##*/} in
	*ppc* | *sparc* | *riscv* | *s390* | hppa* | palcode* | skiboot* | \
		slof* | *.dtb | openbios* | u-boot* | edk2* | QEMU,*) continue ;;
	esac
	cp -a "$f" "$r/usr/share/qemu/"
done
mkdir -p "$r/etc/xen" "$r/var/lib/xen" "$r/var/log/xen/console" "$r/boot"
cp -a /etc/xen/scripts "$r/etc/xen/"
cp /etc/xen/xl.conf "$r/etc/xen/" 2>/dev/null || true
add_mods "$r" xen-privcmd xen-evtchn xenfs xen-gntdev xen-gntalloc \
	xen-blkback xen-netback loop bridge tun
for p in xenpv-xtcount xenpv-blkback xenpv-netback xenpv-attach; do
	[ -x "$build/rel/bin/$p" ] &&
		add_bin "$r" "$build/rel/bin/$p" "/opt/xenpv/bin/$p"
done
cp /boot/vmlinuz-"$kver" "$r/boot/vmlinuz"
cp "$out/hvm.cpio.gz" "$r/boot/hvm.cpio.gz"
cp "$xen/lib.sh" "$r/opt/xenpv/lib.sh"
cp "$here/dom0-init.sh" "$r/init"
chmod +x "$r/init"
pack "$r" "$out/dom0hvm.cpio.gz"

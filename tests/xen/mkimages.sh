#!/usr/bin/env bash
# Builds the two busybox initramfs images of the real-Xen harness:
#   $OUT/domu.cpio.gz  a PV domU: our modules + tests/xen/domu-init.sh
#   $OUT/dom0.cpio.gz  dom0: Xen's toolstack, xen kernel modules, our dom0
#                      programs, the domU kernel and image + dom0-init.sh
# usage: mkimages.sh BUILD OUT KVER
set -euo pipefail
build=$1 out=$2 kver=$3
top=$(cd "$(dirname "$0")/../.." && pwd)
here=$top/tests/xen
xenbin=$(ls -d /usr/lib/xen-4.*/bin | sort -V | tail -n 1)
mkdir -p "$out"

skeleton() { # root: merged /usr, busybox applets as links
	local r=$1 a
	rm -rf "$r"
	mkdir -p "$r"/{usr/bin,usr/sbin,usr/lib/x86_64-linux-gnu,usr/lib64} \
		"$r"/{etc,proc,sys,dev,run,tmp,root,mnt,var/lib,var/log,opt/xenpv}
	ln -s usr/bin "$r/bin"
	ln -s usr/sbin "$r/sbin"
	ln -s usr/lib "$r/lib"
	ln -s usr/lib64 "$r/lib64"
	ln -s ../run "$r/var/run"
	cp /bin/busybox "$r/usr/bin/busybox"
	for a in $(/bin/busybox --list-full); do
		[ -e "$r/$a" ] || ln -s /usr/bin/busybox "$r/$a"
	done
	echo 'root:x:0:0:root:/root:/bin/sh' >"$r/etc/passwd"
	echo 'root:x:0:' >"$r/etc/group"
}

usrpath() { # /bin/x -> usr/bin/x (the image is merged-/usr)
	local p=${1#/}
	case $p in
	bin/* | sbin/* | lib/* | lib64/*) p=usr/$p ;;
	esac
	echo "$p"
}

# add_bin root src [dst]: a binary and the shared libraries it loads.
add_bin() {
	local r=$1 src=$2 dst lib l
	dst=$(usrpath "${3:-$2}")
	mkdir -p "$r/$(dirname "$dst")"
	rm -f "$r/$dst"
	cp -L "$src" "$r/$dst"
	ldd "$src" 2>/dev/null |
		awk '/=> \// { print $3 } /^\t\/lib64\// { print $1 }' |
		while read -r lib; do
			l=$(usrpath "$lib")
			[ -e "$r/$l" ] && continue
			mkdir -p "$r/$(dirname "$l")"
			cp -L "$lib" "$r/$l"
		done
}

# add_mods root mod...: kernel modules of the guest kernel, with their deps.
add_mods() {
	local r=$1 m f
	shift
	for m in "$@"; do
		modprobe -S "$kver" --show-depends "$m" |
			awk '$1 == "insmod" { print $2 }' | while read -r f; do
				mkdir -p "$r$(dirname "$f")"
				cp "$f" "$r$f"
			done
	done
	cp /lib/modules/"$kver"/modules.builtin* /lib/modules/"$kver"/modules.order \
		"$r/lib/modules/$kver/"
	depmod -b "$r" "$kver"
}

pack() { # root out.cpio.gz
	(cd "$1" && find . -print0 | cpio --null -o -H newc --quiet) |
		gzip -1 >"$2"
}
# dom0's toolstack: Xen's ELF tools (less those we never run, and less
# @skip), the xenstore tools, and what the hotplug scripts call.
add_toolstack() { # root [skip]
	local r=$1 skip=${2:-} b t
	for b in "$xenbin"/*; do
		[ -f "$b" ] || continue
		case $(basename "$b") in
		oxenstored | pygrub | xenpaging | xencov | *.py | test-* | \
			verify-stream-v2 | convert-legacy-stream | flask-*) continue ;;
		"$skip") continue ;;
		esac
		file -b "$b" | grep -q ELF && add_bin "$r" "$b"
	done
	for b in /usr/bin/xenstore-*; do
		t=$(readlink -f "$b")
		file -b "$t" | grep -q ELF && add_bin "$r" "$t" "$b"
	done
	add_bin "$r" /usr/bin/xenstore
	for b in /usr/bin/bash /usr/bin/stat /usr/bin/flock /usr/sbin/losetup \
		/usr/bin/logger /usr/bin/ip /usr/bin/readlink /usr/bin/cmp; do
		add_bin "$r" "$b"
	done
	# glibc loads libgcc_s when xl cancels a timed-out hotplug script
	# thread.
	cp -L /usr/lib/x86_64-linux-gnu/libgcc_s.so.1 \
		"$r/usr/lib/x86_64-linux-gnu/"
}

# Sourced with XT_MKIMAGES_LIB=1 (tests/xen/hvm/mkimages.sh): the helpers only.
[ -n "${XT_MKIMAGES_LIB:-}" ] && return 0

# ---- domU: our modules only; Linux's PV frontends stay on disk for the
# interop rounds, loaded by name when a round asks for them.
r=$out/domu-root
skeleton "$r"
add_mods "$r" xen-blkfront xen-netfront
for ko in "$top"/*.ko; do
	[ -f "$ko" ] && cp "$ko" "$r/opt/xenpv/"
done
cp "$here/lib.sh" "$r/opt/xenpv/lib.sh"
cp "$here"/*-domu.sh "$r/opt/xenpv/"
add_bin "$r" "$build/rel/bin/xenpv-blkrand" /usr/bin/xenpv-blkrand
add_bin "$r" "$build/rel/bin/xenpv-canary" /usr/bin/xenpv-canary
cp "$here/domu-init.sh" "$r/init"
chmod +x "$r/init"
pack "$r" "$out/domu.cpio.gz"

# ---- dom0: the toolstack (C xenstored), hotplug scripts, our programs.
r=$out/dom0-root
skeleton "$r"
add_toolstack "$r" xentrace
mkdir -p "$r/etc/xen" "$r/var/lib/xen" "$r/var/log/xen/console" "$r/boot"
cp -a /etc/xen/scripts "$r/etc/xen/"
cp /etc/xen/xl.conf "$r/etc/xen/" 2>/dev/null || true
add_mods "$r" xen-privcmd xen-evtchn xenfs xen-gntdev xen-gntalloc \
	xen-blkback xen-netback loop bridge tun
for p in xenpv-xen-peer xs_script_xenpv xs_script_libxenstore xenpv-netback \
	xenpv-attach; do
	add_bin "$r" "$build/rel/bin/$p" "/opt/xenpv/bin/$p"
done
add_bin "$r" "$build/rel/bin/xenpv-blkback" /opt/xenpv/bin/xenpv-blkback
cp "$top/xenpv-mcelog.ko" "$r/opt/xenpv/"
add_bin "$r" "$build/rel/bin/xenpv-mcapeek" /opt/xenpv/bin/xenpv-mcapeek
add_bin "$r" "$build/rel/bin/xenpv-canary" /opt/xenpv/bin/xenpv-canary
[ ! -f "$build/rel/bin/xenpv-rawpeer" ] ||
	add_bin "$r" "$build/rel/bin/xenpv-rawpeer" /opt/xenpv/bin/xenpv-rawpeer
mkdir -p "$r/opt/xenpv/lib"
cp "$build/rel/lib/libxenstore.so.4" "$r/opt/xenpv/lib/"
cp /boot/vmlinuz-"$kver" "$r/boot/vmlinuz"
cp "$out/domu.cpio.gz" "$r/boot/domu.cpio.gz"
cp "$here/lib.sh" "$r/opt/xenpv/lib.sh"
# The parts dom0-init.sh sources, and our PV kernel (`make kernel`).
cp "$here"/*-dom0.sh "$r/opt/xenpv/"
if [ -f "$build/kernel/xenpv-kernel" ]; then
	cp "$build/kernel/xenpv-kernel" "$r/boot/xenpv-kernel"
	nm -n "$build/kernel/xenpv-kernel" >"$r/boot/xenpv-kernel.map"
fi
cp "$here/dom0-init.sh" "$r/init"
chmod +x "$r/init"
pack "$r" "$out/dom0.cpio.gz"

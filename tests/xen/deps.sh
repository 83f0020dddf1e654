#!/usr/bin/env bash
# What the real-Xen harness needs on Debian 12, installed only when missing:
# Xen 4.17 and its toolstack for dom0, a Debian kernel for dom0 and the domU
# (its headers for `make modules`), QEMU to run it all, and the pieces of the
# busybox initramfs images.
set -euo pipefail
pkgs=(qemu-system-x86 xen-hypervisor-4.17-amd64 xen-utils-4.17
      linux-image-amd64 linux-headers-amd64 busybox-static cpio kmod file
      libxen-dev libaio-dev build-essential iproute2 util-linux
      qemu-system-xen)
need=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		need+=("$p")
done
[ ${#need[@]} -eq 0 ] && exit 0
echo "xen deps: installing ${need[*]}"
if [ "$(id -u)" -ne 0 ]; then
	echo "xen deps: run as root (or install: ${need[*]})" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}"

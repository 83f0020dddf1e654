#!/usr/bin/env bash
# What the real-Xen harness needs on Debian 12, installed only when missing:
# Xen 4.17 and its toolstack for dom0, a Debian kernel for dom0 and the domU
# (its headers for `make modules`), QEMU to run it all, and the pieces of the
# busybox initramfs images.
set -euo pipefail
. "$(dirname "$0")/../../mk/apt.sh"
apt_install_missing "xen deps" qemu-system-x86 xen-hypervisor-4.17-amd64 \
	xen-utils-4.17 linux-image-amd64 linux-headers-amd64 busybox-static \
	cpio kmod file libxen-dev libaio-dev build-essential iproute2 \
	util-linux qemu-system-xen

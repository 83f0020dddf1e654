// SPDX-License-Identifier: MIT
/*
 * The TAP side of a vif: a multi-queue TAP with a virtio_net_hdr on every
 * frame, so checksum and GSO metadata cross between the rings and the
 * Linux stack unchanged.  A persistent TAP made beforehand (ip tuntap add
 * ... multi_queue vnet_hdr) is attached to; otherwise one is created.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "backend/netback/netback.h"

int xpv_netback_tap_open(const char *name)
{
	struct ifreq ifr;
	int fd, hdr = sizeof(struct virtio_net_hdr);

	if (strlen(name) >= IFNAMSIZ)
		return -ENAMETOOLONG;
	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR | IFF_MULTI_QUEUE;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0 ||
	    ioctl(fd, TUNSETVNETHDRSZ, &hdr) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

int xpv_netback_tap_offload(int fd, const struct xpv_netback_rx_features *f)
{
	unsigned int off = 0;

	if (f->csum) {
		off |= TUN_F_CSUM;
		/* Segments larger than a page need the frontend's SG. */
		if (f->sg && f->gso_tcpv4)
			off |= TUN_F_TSO4;
		if (f->sg && f->gso_tcpv6 && f->ipv6_csum)
			off |= TUN_F_TSO6;
		if (off & (TUN_F_TSO4 | TUN_F_TSO6))
			off |= TUN_F_TSO_ECN;
	}
	return ioctl(fd, TUNSETOFFLOAD, off) < 0 ? -errno : 0;
}

int xpv_netback_tap_enable(int fd, bool on)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = on ? IFF_ATTACH_QUEUE : IFF_DETACH_QUEUE;
	if (ioctl(fd, TUNSETQUEUE, &ifr) < 0 && errno != EINVAL)
		return -errno;
	return 0;
}

void xpv_netback_tap_carrier(int fd, bool up)
{
	int on = up;

	/* Older kernels lack it: the link then just stays up. */
	(void)ioctl(fd, TUNSETCARRIER, &on);
}

void xpv_netback_tap_mtu(const char *name, unsigned int mtu)
{
	struct ifreq ifr;
	int s;

	if (!mtu)
		return;
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_mtu = mtu;
	/* The TAP may live in another namespace by now: best effort. */
	(void)ioctl(s, SIOCSIFMTU, &ifr);
	close(s);
}

// SPDX-License-Identifier: MIT
/* TAP devices: open or attach, offloads, queues, link settings. */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_arp.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "backend/tap/tap.h"

_Static_assert(XPV_TAP_NAME_MAX == IFNAMSIZ, "interface name size");

static int tap_ifreq(struct ifreq *ifr, const char *name)
{
	memset(ifr, 0, sizeof(*ifr));
	if (strlen(name) >= sizeof(ifr->ifr_name))
		return -ENAMETOOLONG;
	memcpy(ifr->ifr_name, name, strlen(name));
	return 0;
}

static int tap_fail(int fd)
{
	int err = -errno;

	close(fd);
	return err;
}

int xpv_tap_open(const char *name, unsigned int flags, char *ifname)
{
	int fd, hdr = sizeof(struct virtio_net_hdr), err;
	struct ifreq ifr;

	if (flags & ~(XPV_TAP_VNET_HDR | XPV_TAP_MULTI_QUEUE))
		return -EINVAL;
	err = tap_ifreq(&ifr, name);
	if (err)
		return err;
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	if (flags & XPV_TAP_VNET_HDR)
		ifr.ifr_flags |= IFF_VNET_HDR;
	if (flags & XPV_TAP_MULTI_QUEUE)
		ifr.ifr_flags |= IFF_MULTI_QUEUE;
	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0)
		return tap_fail(fd);
	/* The header we parse is the plain one, whatever was set before. */
	if ((flags & XPV_TAP_VNET_HDR) && ioctl(fd, TUNSETVNETHDRSZ, &hdr) < 0)
		return tap_fail(fd);
	if (ifname)
		snprintf(ifname, XPV_TAP_NAME_MAX, "%.*s", IFNAMSIZ - 1,
			 ifr.ifr_name);
	return fd;
}

int xpv_tap_set_offload(int fd, const struct xpv_tap_offload *o)
{
	unsigned int off = 0;

	/* The kernel segments only what it may also leave unchecksummed. */
	if (o->csum) {
		off |= TUN_F_CSUM;
		if (o->tso4)
			off |= TUN_F_TSO4;
		if (o->tso6)
			off |= TUN_F_TSO6;
		if (o->tso_ecn && (o->tso4 || o->tso6))
			off |= TUN_F_TSO_ECN;
	}
	return ioctl(fd, TUNSETOFFLOAD, off) < 0 ? -errno : 0;
}

int xpv_tap_set_queue(int fd, bool enabled)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = enabled ? IFF_ATTACH_QUEUE : IFF_DETACH_QUEUE;
	/* EINVAL: already so, or a single-queue TAP, whose queue stays. */
	if (ioctl(fd, TUNSETQUEUE, &ifr) < 0 && errno != EINVAL)
		return -errno;
	return 0;
}

int xpv_tap_set_carrier(int fd, bool up)
{
	int on = up;

	return ioctl(fd, TUNSETCARRIER, &on) < 0 ? -errno : 0;
}

int xpv_tap_set_persist(int fd, bool persist)
{
	if (ioctl(fd, TUNSETPERSIST, (unsigned long)persist) < 0)
		return -errno;
	return 0;
}

static int tap_netdev_ioctl(unsigned long req, struct ifreq *ifr)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = 0;

	if (s < 0)
		return -errno;
	if (ioctl(s, req, ifr) < 0)
		err = -errno;
	close(s);
	return err;
}

int xpv_tap_set_mtu(const char *ifname, unsigned int mtu)
{
	struct ifreq ifr;
	int err = tap_ifreq(&ifr, ifname);

	if (err)
		return err;
	if (!mtu || mtu > 65535)
		return -EINVAL;
	ifr.ifr_mtu = (int)mtu;
	return tap_netdev_ioctl(SIOCSIFMTU, &ifr);
}

int xpv_tap_set_mac(const char *ifname, const uint8_t mac[6])
{
	struct ifreq ifr;
	int err = tap_ifreq(&ifr, ifname);

	if (err)
		return err;
	ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
	memcpy(ifr.ifr_hwaddr.sa_data, mac, 6);
	return tap_netdev_ioctl(SIOCSIFHWADDR, &ifr);
}

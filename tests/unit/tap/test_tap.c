// SPDX-License-Identifier: MIT
/*
 * The TAP module against the kernel, in a network namespace of its own so
 * that names never clash with the host's or with other tests.
 */
#include <CUnit/CUnit.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/ethtool.h>
#include <linux/if.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <linux/sockios.h>
#include <linux/virtio_net.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "backend/tap/tap.h"

#define WAIT_MS 10000
#define ETH_TEST 0x88b5	/* IEEE local experimental: nothing else sends it */

static bool in_netns;

static int suite_init(void)
{
	in_netns = unshare(CLONE_NEWNET) == 0;
	if (!in_netns)
		perror("unshare(CLONE_NEWNET)");
	return 0;
}

static int netdev_ioctl(unsigned long req, const char *name, struct ifreq *ifr)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), r;

	if (s < 0)
		return -errno;
	snprintf(ifr->ifr_name, sizeof(ifr->ifr_name), "%s", name);
	r = ioctl(s, req, ifr) < 0 ? -errno : 0;
	close(s);
	return r;
}

static unsigned int tun_flags(int fd)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	return ioctl(fd, TUNGETIFF, &ifr) < 0 ? 0 : (uint16_t)ifr.ifr_flags;
}

static void test_open_plain(void)
{
	char name[XPV_TAP_NAME_MAX];
	int fd;

	CU_ASSERT_FATAL(in_netns);
	fd = xpv_tap_open("xpvt0", 0, name);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_STRING_EQUAL(name, "xpvt0");
	CU_ASSERT_EQUAL(tun_flags(fd) & (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR |
					 IFF_MULTI_QUEUE),
			IFF_TAP | IFF_NO_PI);
	CU_ASSERT(fcntl(fd, F_GETFL) & O_NONBLOCK);
	CU_ASSERT(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	/* A single-queue TAP has one fd. */
	CU_ASSERT_EQUAL(xpv_tap_open("xpvt0", 0, NULL), -EBUSY);
	close(fd);
}

static void test_open_names(void)
{
	char name[XPV_TAP_NAME_MAX];
	int fd;

	CU_ASSERT_FATAL(in_netns);
	fd = xpv_tap_open("xpvn%d", 0, name);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(strncmp(name, "xpvn", 4), 0);
	CU_ASSERT_PTR_NULL(strchr(name, '%'));
	close(fd);
	CU_ASSERT_EQUAL(xpv_tap_open("a-name-far-too-long", 0, name),
			-ENAMETOOLONG);
	CU_ASSERT_EQUAL(xpv_tap_open("xpvt1", 0x80, name), -EINVAL);
	CU_ASSERT_EQUAL(xpv_tap_set_mtu("a-name-far-too-long", 1500),
			-ENAMETOOLONG);
	CU_ASSERT_EQUAL(xpv_tap_set_mtu("xpvnone", 1500), -ENODEV);
}

static void test_multi_queue(void)
{
	const unsigned int f = XPV_TAP_VNET_HDR | XPV_TAP_MULTI_QUEUE;
	int q0, q1, hdr = 0;

	CU_ASSERT_FATAL(in_netns);
	q0 = xpv_tap_open("xpvmq", f, NULL);
	q1 = xpv_tap_open("xpvmq", f, NULL);
	CU_ASSERT_FATAL(q0 >= 0 && q1 >= 0);
	CU_ASSERT(tun_flags(q0) & IFF_VNET_HDR);
	CU_ASSERT(tun_flags(q1) & IFF_MULTI_QUEUE);
	CU_ASSERT_EQUAL(ioctl(q0, TUNGETVNETHDRSZ, &hdr), 0);
	CU_ASSERT_EQUAL(hdr, (int)sizeof(struct virtio_net_hdr));
	CU_ASSERT_EQUAL(xpv_tap_set_queue(q1, false), 0);
	/* Asking for the state it is already in is not an error. */
	CU_ASSERT_EQUAL(xpv_tap_set_queue(q1, false), 0);
	CU_ASSERT_EQUAL(xpv_tap_set_queue(q1, true), 0);
	CU_ASSERT_EQUAL(xpv_tap_set_queue(q1, true), 0);
	/* Attaching must match the flags the TAP was made with. */
	CU_ASSERT(xpv_tap_open("xpvmq", 0, NULL) < 0);
	close(q0);
	close(q1);
}

static int ethtool_get(const char *name, unsigned int cmd)
{
	struct ethtool_value v = { .cmd = cmd };
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_data = (void *)&v;
	return netdev_ioctl(SIOCETHTOOL, name, &ifr) ? -1 : (int)v.data;
}

static void test_offload(void)
{
	struct xpv_tap_offload all = { true, true, true, true };
	struct xpv_tap_offload none = { 0 };
	struct xpv_tap_offload tso_only = { .tso4 = true, .tso6 = true };
	int fd;

	CU_ASSERT_FATAL(in_netns);
	fd = xpv_tap_open("xpvof", XPV_TAP_VNET_HDR, NULL);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(xpv_tap_set_offload(fd, &all), 0);
	CU_ASSERT_EQUAL(ethtool_get("xpvof", ETHTOOL_GTXCSUM), 1);
	CU_ASSERT_EQUAL(ethtool_get("xpvof", ETHTOOL_GTSO), 1);
	CU_ASSERT_EQUAL(xpv_tap_set_offload(fd, &none), 0);
	CU_ASSERT_EQUAL(ethtool_get("xpvof", ETHTOOL_GTXCSUM), 0);
	CU_ASSERT_EQUAL(ethtool_get("xpvof", ETHTOOL_GTSO), 0);
	/* Segmentation without checksum offload is not offered at all. */
	CU_ASSERT_EQUAL(xpv_tap_set_offload(fd, &tso_only), 0);
	CU_ASSERT_EQUAL(ethtool_get("xpvof", ETHTOOL_GTSO), 0);
	close(fd);
}

static void test_link_settings(void)
{
	static const uint8_t mac[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
	char name[XPV_TAP_NAME_MAX];
	struct ifreq ifr;
	int fd;

	CU_ASSERT_FATAL(in_netns);
	fd = xpv_tap_open("xpvln", 0, name);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(xpv_tap_set_mtu(name, 1400), 0);
	memset(&ifr, 0, sizeof(ifr));
	CU_ASSERT_EQUAL(netdev_ioctl(SIOCGIFMTU, name, &ifr), 0);
	CU_ASSERT_EQUAL(ifr.ifr_mtu, 1400);
	CU_ASSERT_EQUAL(xpv_tap_set_mtu(name, 0), -EINVAL);
	CU_ASSERT_EQUAL(xpv_tap_set_mtu(name, 70000), -EINVAL);
	CU_ASSERT_EQUAL(xpv_tap_set_mac(name, mac), 0);
	memset(&ifr, 0, sizeof(ifr));
	CU_ASSERT_EQUAL(netdev_ioctl(SIOCGIFHWADDR, name, &ifr), 0);
	CU_ASSERT_EQUAL(memcmp(ifr.ifr_hwaddr.sa_data, mac, 6), 0);
	CU_ASSERT_EQUAL(xpv_tap_set_carrier(fd, false), 0);
	CU_ASSERT_EQUAL(xpv_tap_set_carrier(fd, true), 0);
	close(fd);
}

static void test_persist(void)
{
	struct ifreq ifr;
	int fd;

	CU_ASSERT_FATAL(in_netns);
	fd = xpv_tap_open("xpvps", 0, NULL);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(xpv_tap_set_persist(fd, true), 0);
	close(fd);
	memset(&ifr, 0, sizeof(ifr));
	CU_ASSERT_EQUAL(netdev_ioctl(SIOCGIFINDEX, "xpvps", &ifr), 0);
	fd = xpv_tap_open("xpvps", 0, NULL);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT(tun_flags(fd) & IFF_PERSIST);
	CU_ASSERT_EQUAL(xpv_tap_set_persist(fd, false), 0);
	close(fd);
	memset(&ifr, 0, sizeof(ifr));
	CU_ASSERT_EQUAL(netdev_ioctl(SIOCGIFINDEX, "xpvps", &ifr), -ENODEV);
}

/* A packet socket on the interface: what it sends, the TAP reads. */
static int packet_sock(const char *name, struct sockaddr_ll *to)
{
	struct ifreq ifr;
	int s;

	memset(&ifr, 0, sizeof(ifr));
	if (netdev_ioctl(SIOCGIFFLAGS, name, &ifr))
		return -1;
	ifr.ifr_flags |= IFF_UP;
	if (netdev_ioctl(SIOCSIFFLAGS, name, &ifr) ||
	    netdev_ioctl(SIOCGIFINDEX, name, &ifr))
		return -1;
	s = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_TEST));
	memset(to, 0, sizeof(*to));
	to->sll_family = AF_PACKET;
	to->sll_protocol = htons(ETH_TEST);
	to->sll_ifindex = ifr.ifr_ifindex;
	if (s >= 0 && bind(s, (struct sockaddr *)to, sizeof(*to)) < 0) {
		close(s);
		return -1;
	}
	return s;
}

/* Reads frames until ours (the stack may send its own on link up). */
static ssize_t read_ours(int fd, uint8_t *buf, size_t len, size_t hdr)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	unsigned int i;
	ssize_t n;

	for (i = 0; i < 100; i++) {
		if (poll(&p, 1, WAIT_MS) != 1)
			return -1;
		n = read(fd, buf, len);
		if (n >= (ssize_t)(hdr + 14) && buf[hdr + 12] == ETH_TEST >> 8 &&
		    buf[hdr + 13] == (ETH_TEST & 0xff))
			return n;
	}
	return -1;
}

static void frames_both_ways(const char *name, unsigned int flags)
{
	size_t hdr = flags & XPV_TAP_VNET_HDR ? sizeof(struct virtio_net_hdr)
					      : 0;
	uint8_t frame[64], buf[2048];
	struct sockaddr_ll to;
	struct pollfd p;
	int fd, s;

	memset(frame, 0xff, 6);
	memcpy(frame + 6, "\x02\x00\x00\x00\x00\x01", 6);
	frame[12] = ETH_TEST >> 8;
	frame[13] = ETH_TEST & 0xff;
	memset(frame + 14, 0xa5, sizeof(frame) - 14);
	fd = xpv_tap_open(name, flags, NULL);
	CU_ASSERT_FATAL(fd >= 0);
	s = packet_sock(name, &to);
	CU_ASSERT_FATAL(s >= 0);
	CU_ASSERT_EQUAL(sendto(s, frame, sizeof(frame), 0,
			       (struct sockaddr *)&to, sizeof(to)),
			(ssize_t)sizeof(frame));
	CU_ASSERT_EQUAL(read_ours(fd, buf, sizeof(buf), hdr),
			(ssize_t)(hdr + sizeof(frame)));
	CU_ASSERT_EQUAL(memcmp(buf + hdr, frame, sizeof(frame)), 0);
	/* And the other way: what we write, the interface receives. */
	memset(buf, 0, hdr);
	memcpy(buf + hdr, frame, sizeof(frame));
	CU_ASSERT_EQUAL(write(fd, buf, hdr + sizeof(frame)),
			(ssize_t)(hdr + sizeof(frame)));
	p = (struct pollfd){ .fd = s, .events = POLLIN };
	CU_ASSERT_EQUAL(poll(&p, 1, WAIT_MS), 1);
	CU_ASSERT_EQUAL(recv(s, buf, sizeof(buf), MSG_DONTWAIT),
			(ssize_t)sizeof(frame));
	CU_ASSERT_EQUAL(memcmp(buf, frame, sizeof(frame)), 0);
	close(s);
	close(fd);
}

static void test_frames(void)
{
	CU_ASSERT_FATAL(in_netns);
	frames_both_ways("xpvfp", 0);
	frames_both_ways("xpvfv", XPV_TAP_VNET_HDR);
}

static CU_TestInfo tap_tests[] = {
	{ "open: plain TAP, no PI, non-blocking", test_open_plain },
	{ "open: kernel-numbered names, bad names", test_open_names },
	{ "multi-queue with vnet header, queue on/off", test_multi_queue },
	{ "offloads as the kernel sees them", test_offload },
	{ "MTU, MAC and carrier", test_link_settings },
	{ "persistent TAP: outlives its fd, attach", test_persist },
	{ "frames both ways, with and without header", test_frames },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo xpv_test_suites[] = {
	{ "tap", suite_init, NULL, NULL, NULL, tap_tests },
	CU_SUITE_INFO_NULL,
};

// SPDX-License-Identifier: MIT
/*
 * dom0's end of the raw-frame transfer with our PV kernel (ethertype
 * 0x88b5, see arch-xen/netproto.c): sends COUNT numbered frames of pattern
 * bytes on IFNAME (the guest's vif) with a window, checks every echo
 * byte for byte, resends from the oldest unanswered frame when the window
 * stalls, then asks the kernel for its totals (frames, CRC-32 of the
 * payloads it took in order) and compares them with its own.
 *
 * usage: xenpv-rawpeer IFNAME DSTMAC COUNT   (exit 0: all matched)
 */
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <errno.h>
#include <net/if.h>
#include <netpacket/packet.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#define RAW_TYPE 0x88b5
#define HLEN 14
#define RHLEN 8
#define PAYLOAD 1400
#define WINDOW 16
#define STALL_MS 200
#define LIMIT_S 120

struct peer {
	int fd;
	struct sockaddr_ll to;
	uint8_t src[6], dst[6];
	uint32_t count, next_send, next_ack, resends, bad;
	uLong crc;
};

static void payload(uint32_t seq, uint8_t *p)
{
	uint32_t x = seq * 2654435761u + 1;
	int i;

	for (i = 0; i < PAYLOAD; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = (uint8_t)x;
	}
}

static int send_frame(struct peer *p, uint32_t seq, uint8_t kind)
{
	uint8_t f[HLEN + RHLEN + PAYLOAD] = { 0 };
	size_t len = HLEN + RHLEN;

	memcpy(f, p->dst, 6);
	memcpy(f + 6, p->src, 6);
	f[12] = RAW_TYPE >> 8;
	f[13] = RAW_TYPE & 0xff;
	f[14] = seq >> 24;
	f[15] = seq >> 16;
	f[16] = seq >> 8;
	f[17] = seq;
	f[18] = kind;
	if (kind == 0) {
		f[20] = PAYLOAD >> 8;
		f[21] = PAYLOAD & 0xff;
		payload(seq, f + HLEN + RHLEN);
		len += PAYLOAD;
	}
	if (sendto(p->fd, f, len, 0, (struct sockaddr *)&p->to,
		   sizeof(p->to)) < 0 && errno != ENOBUFS)
		return -errno;
	return 0;
}

static uint32_t get32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3];
}

/* One echo: in order and equal to what was sent, or counted bad. */
static void take_echo(struct peer *p, const uint8_t *f, ssize_t n)
{
	uint8_t want[PAYLOAD];
	uint32_t seq;

	if (n < HLEN + RHLEN + PAYLOAD || f[18] != 0)
		return;
	seq = get32(f + 14);
	if (seq != p->next_ack)
		return; /* an echo of a resent frame */
	payload(seq, want);
	if (memcmp(f + HLEN + RHLEN, want, PAYLOAD)) {
		p->bad++;
		return;
	}
	p->crc = crc32(p->crc, want, PAYLOAD);
	p->next_ack++;
}

/*
 * The next frame of ours from the kernel, 0 after @ms without one.  The
 * socket sees every frame on the port (see open_if): our own outgoing
 * ones and other ethertypes are skipped.
 */
static ssize_t recv_frame(struct peer *p, uint8_t *f, size_t size, int ms)
{
	struct pollfd pfd = { .fd = p->fd, .events = POLLIN };
	struct sockaddr_ll from;
	socklen_t flen;
	ssize_t n;

	for (;;) {
		if (poll(&pfd, 1, ms) <= 0)
			return 0;
		flen = sizeof(from);
		n = recvfrom(p->fd, f, size, 0, (struct sockaddr *)&from,
			     &flen);
		if (n < 0)
			return n;
		if (from.sll_pkttype != PACKET_OUTGOING && n >= HLEN &&
		    (f[12] << 8 | f[13]) == RAW_TYPE)
			return n;
	}
}

static int transfer(struct peer *p)
{
	uint8_t f[2048];
	time_t end = time(NULL) + LIMIT_S;
	ssize_t n;
	int err;

	while (p->next_ack < p->count && time(NULL) < end) {
		while (p->next_send < p->count &&
		       p->next_send < p->next_ack + WINDOW) {
			err = send_frame(p, p->next_send++, 0);
			if (err)
				return err;
		}
		n = recv_frame(p, f, sizeof(f), STALL_MS);
		if (n > 0) {
			take_echo(p, f, n);
		} else if (n == 0) {
			p->resends += p->next_send - p->next_ack;
			p->next_send = p->next_ack;
		}
	}
	return p->next_ack == p->count ? 0 : -ETIMEDOUT;
}

/* FIN until the totals come back: frames, CRC-32, resent frames seen. */
static int totals(struct peer *p, uint32_t *frames, uint32_t *crc)
{
	uint8_t f[2048];
	int tries;
	ssize_t n;

	for (tries = 0; tries < 50; tries++) {
		send_frame(p, p->count, 1);
		while ((n = recv_frame(p, f, sizeof(f), STALL_MS)) > 0) {
			if (n >= HLEN + RHLEN + 12 && f[18] == 2) {
				*frames = get32(f + HLEN + RHLEN);
				*crc = get32(f + HLEN + RHLEN + 4);
				return 0;
			}
		}
	}
	return -ETIMEDOUT;
}

static int open_if(struct peer *p, const char *ifname)
{
	struct ifreq ifr = { 0 };
	int err;

	/* ETH_P_ALL: the TAP is a bridge port, and the bridge takes what
	 * the guest sends before sockets of one ethertype see it. */
	p->fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (p->fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(p->fd, SIOCGIFHWADDR, &ifr) < 0)
		return -errno;
	memcpy(p->src, ifr.ifr_hwaddr.sa_data, 6);
	p->to.sll_family = AF_PACKET;
	p->to.sll_protocol = htons(RAW_TYPE);
	p->to.sll_ifindex = (int)if_nametoindex(ifname);
	p->to.sll_halen = 6;
	memcpy(p->to.sll_addr, p->dst, 6);
	if (!p->to.sll_ifindex)
		return -ENODEV;
	p->to.sll_protocol = htons(ETH_P_ALL);
	err = bind(p->fd, (struct sockaddr *)&p->to, sizeof(p->to));
	p->to.sll_protocol = htons(RAW_TYPE);
	return err < 0 ? -errno : 0;
}

int main(int argc, char **argv)
{
	struct peer p = { .fd = -1 };
	uint32_t frames = 0, kcrc = 0;
	int err;

	if (argc != 4 || sscanf(argv[2], "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx",
				&p.dst[0], &p.dst[1], &p.dst[2], &p.dst[3],
				&p.dst[4], &p.dst[5]) != 6) {
		fprintf(stderr, "usage: %s IFNAME DSTMAC COUNT\n", argv[0]);
		return 2;
	}
	p.count = (uint32_t)strtoul(argv[3], NULL, 10);
	p.crc = crc32(0, NULL, 0);
	err = open_if(&p, argv[1]);
	if (!err)
		err = transfer(&p);
	if (!err)
		err = totals(&p, &frames, &kcrc);
	printf("rawpeer: %u frames of %d bytes, %u echoed intact, %u bad, "
	       "%u resent, crc32 %08lx; kernel took %u frames, crc32 %08x: "
	       "%s\n", p.count, PAYLOAD, p.next_ack, p.bad, p.resends,
	       p.crc, frames, kcrc, err ? strerror(-err) : "done");
	if (p.fd >= 0)
		close(p.fd);
	return !err && !p.bad && frames == p.count && kcrc == p.crc ? 0 : 1;
}

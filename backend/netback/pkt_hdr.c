// SPDX-License-Identifier: MIT
/*
 * Ethernet/IP/TCP/UDP header walking and Internet checksums for netback.
 * Every offset is checked against the frame length before a byte is read.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "backend/netback/pkt.h"
#include "backend/netback/pkt_priv.h"

#define NB_ETH_IPV4 0x0800u
#define NB_ETH_IPV6 0x86ddu
#define NB_ETH_VLAN 0x8100u
#define IPV6_HLEN 40u
/* Extension headers we step over; anything else ends the walk. */
#define IPV6_MAX_EXT 8

static uint16_t nb_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static int nb_parse_l4_hdr(const uint8_t *frame, size_t len,
			   struct xpv_netback_l4 *l4)
{
	size_t off = l4->l4_off;

	if (l4->proto == IPPROTO_UDP) {
		if (off + 8 > len)
			return -EINVAL;
		l4->l4_hlen = 8;
		return 0;
	}
	if (l4->proto != IPPROTO_TCP || off + 20 > len)
		return -EINVAL;
	l4->l4_hlen = (frame[off + 12] >> 4) * 4;
	if (l4->l4_hlen < 20 || off + l4->l4_hlen > len)
		return -EINVAL;
	return 0;
}

static int nb_parse_ipv4(const uint8_t *frame, size_t len,
			 struct xpv_netback_l4 *l4)
{
	const uint8_t *ip = frame + l4->l3_off;
	unsigned int ihl;

	if (l4->l3_off + 20u > len || (ip[0] >> 4) != 4)
		return -EINVAL;
	ihl = (ip[0] & 15) * 4;
	if (ihl < 20 || l4->l3_off + ihl > len)
		return -EINVAL;
	l4->ipver = 4;
	l4->proto = ip[9];
	/* MF set or a fragment offset: the L4 header is not all here. */
	l4->fragment = (nb_get16(ip + 6) & 0x3fff) != 0;
	l4->l4_off = l4->l3_off + ihl;
	return 0;
}

static int nb_parse_ipv6(const uint8_t *frame, size_t len,
			 struct xpv_netback_l4 *l4)
{
	size_t off = l4->l3_off + IPV6_HLEN;
	uint8_t next;
	int i;

	if (l4->l3_off + IPV6_HLEN > len || (frame[l4->l3_off] >> 4) != 6)
		return -EINVAL;
	next = frame[l4->l3_off + 6];
	for (i = 0; i < IPV6_MAX_EXT; i++) {
		/* hop-by-hop, routing, destination options */
		if (next != 0 && next != 43 && next != 60)
			break;
		if (off + 8 > len)
			return -EINVAL;
		next = frame[off];
		off += 8 + frame[off + 1] * 8u;
	}
	if (off > 0xffff)
		return -EINVAL;
	l4->ipver = 6;
	l4->proto = next;
	l4->fragment = false;
	l4->l4_off = off;
	return 0;
}

int xpv_netback_parse_l4(const uint8_t *frame, size_t len,
			 struct xpv_netback_l4 *l4)
{
	uint16_t type;
	int err;

	memset(l4, 0, sizeof(*l4));
	if (len < XPV_NETBACK_ETH_HLEN || len > XPV_NETBACK_MAX_FRAME)
		return -EINVAL;
	l4->l3_off = XPV_NETBACK_ETH_HLEN;
	type = nb_get16(frame + 12);
	if (type == NB_ETH_VLAN) {
		if (len < XPV_NETBACK_ETH_HLEN + 4)
			return -EINVAL;
		type = nb_get16(frame + 16);
		l4->l3_off += 4;
	}
	if (type == NB_ETH_IPV4)
		err = nb_parse_ipv4(frame, len, l4);
	else if (type == NB_ETH_IPV6)
		err = nb_parse_ipv6(frame, len, l4);
	else
		err = -EINVAL;
	if (err || l4->fragment)
		return err ? err : -EINVAL;
	return nb_parse_l4_hdr(frame, len, l4);
}

uint32_t xpv_netback_csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += nb_get16(p + i);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	/* Fold often enough that 64 KiB can never overflow 32 bits. */
	return (sum & 0xffff) + (sum >> 16);
}

uint16_t xpv_netback_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* The pseudo-header sum for the L4 segment of @l4 in @frame of @len. */
static uint32_t nb_pseudo_sum(const uint8_t *frame, size_t len,
			      const struct xpv_netback_l4 *l4)
{
	uint32_t l4len = len - l4->l4_off, sum = 0;
	const uint8_t *ip = frame + l4->l3_off;

	if (l4->ipver == 4)
		sum = xpv_netback_csum_add(0, ip + 12, 8);
	else
		sum = xpv_netback_csum_add(0, ip + 8, 32);
	sum += l4->proto + (l4len >> 16) + (l4len & 0xffff);
	return sum;
}

/* Store the partial checksum the offload engine finishes: fold(pseudo). */
void xpv_netback_set_pseudo(uint8_t *frame, size_t len,
			    const struct xpv_netback_l4 *l4)
{
	uint16_t s = xpv_netback_csum_fold(nb_pseudo_sum(frame, len, l4));
	uint8_t *f = frame + l4->l4_off + xpv_netback_csum_field(l4->proto);

	f[0] = s >> 8;
	f[1] = s & 0xff;
}

int xpv_netback_finish_csum(uint8_t *frame, size_t len, uint16_t start,
			    uint16_t offset)
{
	uint16_t s;

	if (start >= len || (size_t)start + offset + 2 > len)
		return -EINVAL;
	s = ~xpv_netback_csum_fold(
		xpv_netback_csum_add(0, frame + start, len - start));
	frame[start + offset] = s >> 8;
	frame[start + offset + 1] = s & 0xff;
	return 0;
}

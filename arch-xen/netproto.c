// SPDX-License-Identifier: MIT
/*
 * Just enough of a network stack to be seen from dom0: ARP replies for our
 * address, ICMP echo replies, and the raw echo protocol of the harness
 * (ethertype 0x88b5: every frame is sent back, in-order payloads are
 * checksummed, a FIN frame asks for the totals).  Every frame comes from
 * the network: lengths are checked before any field is read.  Pure
 * functions on buffers, so the host tests run them too.
 */
#include "arch-xen/netproto.h"
#include "xenpv/compiler.h"

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* The Internet checksum (RFC 1071) of @len bytes. */
uint16_t np_csum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;

	for (; len > 1; p += 2, len -= 2)
		sum += get16(p);
	if (len)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint32_t np_crc32(uint32_t crc, const uint8_t *p, size_t n)
{
	unsigned int k;

	while (n--) {
		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = crc & 1 ? 0xedb88320u ^ (crc >> 1) : crc >> 1;
	}
	return crc;
}

/* Answer to the sender: Ethernet addresses swapped, ours as source. */
static void eth_reply(uint8_t *out, const uint8_t *in, const uint8_t mac[6])
{
	xpv_memcpy(out, in + 6, 6);
	xpv_memcpy(out + 6, mac, 6);
	xpv_memcpy(out + 12, in + 12, 2);
}

static size_t arp_in(struct np_host *h, const uint8_t *f, size_t len,
		     uint8_t *out)
{
	const uint8_t *a = f + NP_ETH_HLEN;

	if (len < NP_ETH_HLEN + 28 || get16(a) != 1 || get16(a + 2) != 0x0800 ||
	    a[4] != 6 || a[5] != 4 || get16(a + 6) != 1 ||
	    xpv_memcmp(a + 24, h->ip, 4))
		return 0;
	eth_reply(out, f, h->mac);
	xpv_memcpy(out + NP_ETH_HLEN, a, 6);
	put16(out + NP_ETH_HLEN + 6, 2);
	xpv_memcpy(out + NP_ETH_HLEN + 8, h->mac, 6);
	xpv_memcpy(out + NP_ETH_HLEN + 14, h->ip, 4);
	xpv_memcpy(out + NP_ETH_HLEN + 18, a + 8, 10);
	h->arp_replies++;
	return NP_ETH_HLEN + 28;
}

static size_t icmp_in(struct np_host *h, const uint8_t *f, size_t len,
		      uint8_t *out)
{
	const uint8_t *ip = f + NP_ETH_HLEN;
	size_t ihl, tot;
	uint8_t *o;

	if (len < NP_ETH_HLEN + 20 || ip[0] >> 4 != 4)
		return 0;
	ihl = (size_t)(ip[0] & 15) * 4;
	tot = get16(ip + 2);
	if (ihl < 20 || tot < ihl + 8 || tot > len - NP_ETH_HLEN ||
	    np_csum(ip, ihl) || (get16(ip + 6) & 0x3fff) || ip[9] != 1 ||
	    xpv_memcmp(ip + 16, h->ip, 4) || ip[ihl] != 8 || ip[ihl + 1] ||
	    np_csum(ip + ihl, tot - ihl))
		return 0;
	eth_reply(out, f, h->mac);
	o = out + NP_ETH_HLEN;
	xpv_memcpy(o, ip, tot);
	xpv_memcpy(o + 12, h->ip, 4);
	xpv_memcpy(o + 16, ip + 12, 4);
	o[8] = 64;
	put16(o + 10, 0);
	put16(o + 10, np_csum(o, ihl));
	o[ihl] = 0;
	put16(o + ihl + 2, 0);
	put16(o + ihl + 2, np_csum(o + ihl, tot - ihl));
	h->icmp_replies++;
	return NP_ETH_HLEN + tot;
}

/* [seq 4][kind 1][0 1][len 2][payload len]: data echoed; FIN -> totals. */
static size_t raw_in(struct np_host *h, const uint8_t *f, size_t len,
		     uint8_t *out)
{
	const uint8_t *r = f + NP_ETH_HLEN;
	uint32_t seq;
	size_t plen;

	if (len < NP_ETH_HLEN + NP_RAW_HLEN)
		return 0;
	seq = get32(r);
	plen = get16(r + 6);
	if (plen > len - NP_ETH_HLEN - NP_RAW_HLEN)
		return 0;
	eth_reply(out, f, h->mac);
	if (r[4] == NP_RAW_FIN) {
		xpv_memset(out + NP_ETH_HLEN, 0, NP_RAW_HLEN + 12);
		put32(out + NP_ETH_HLEN, seq);
		out[NP_ETH_HLEN + 4] = NP_RAW_TOTALS;
		put16(out + NP_ETH_HLEN + 6, 12);
		put32(out + NP_ETH_HLEN + NP_RAW_HLEN, h->raw_next);
		put32(out + NP_ETH_HLEN + NP_RAW_HLEN + 4, ~h->raw_crc);
		put32(out + NP_ETH_HLEN + NP_RAW_HLEN + 8, h->raw_dups);
		h->raw_fin = true;
		return NP_ETH_HLEN + NP_RAW_HLEN + 12;
	}
	if (r[4] != NP_RAW_DATA)
		return 0;
	if (seq == h->raw_next) {
		h->raw_crc = np_crc32(h->raw_crc, r + NP_RAW_HLEN, plen);
		h->raw_next++;
		h->raw_bytes += plen;
	} else {
		h->raw_dups++;
	}
	xpv_memcpy(out + NP_ETH_HLEN, r, NP_RAW_HLEN + plen);
	return NP_ETH_HLEN + NP_RAW_HLEN + plen;
}

void np_host_init(struct np_host *h, const uint8_t mac[6],
		  const uint8_t ip[4])
{
	xpv_memset(h, 0, sizeof(*h));
	xpv_memcpy(h->mac, mac, 6);
	xpv_memcpy(h->ip, ip, 4);
	h->raw_crc = ~0u;
}

/*
 * One received frame; the answer (if any) goes to @out (NP_FRAME_MAX
 * bytes) and its length is returned, 0 for none.
 */
size_t np_input(struct np_host *h, const uint8_t *f, size_t len, uint8_t *out)
{
	size_t n = 0;

	if (len >= NP_ETH_HLEN && len <= NP_FRAME_MAX) {
		switch (get16(f + 12)) {
		case 0x0806:
			n = arp_in(h, f, len, out);
			break;
		case 0x0800:
			n = icmp_in(h, f, len, out);
			break;
		case NP_RAW_ETHERTYPE:
			n = raw_in(h, f, len, out);
			break;
		}
	}
	if (!n)
		h->ignored++;
	return n;
}

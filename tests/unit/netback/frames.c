// SPDX-License-Identifier: MIT
/*
 * Frames for the netback suites, built and checked independently of the
 * code under test (its own checksum arithmetic, written out longhand).
 */
#include <netinet/in.h>
#include <string.h>

#include "tests/unit/netback/frames.h"

static void put16(uint8_t *p, unsigned int v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void eth(uint8_t *buf, unsigned int type)
{
	static const uint8_t macs[12] = {0x00, 0x16, 0x3e, 1, 2, 3,
					 0x00, 0x16, 0x3e, 4, 5, 6};

	memcpy(buf, macs, sizeof(macs));
	put16(buf + 12, type);
}

static size_t l4(uint8_t *p, uint8_t proto, size_t payload)
{
	size_t h = proto == IPPROTO_TCP ? 20 : 8, i;

	memset(p, 0, h);
	put16(p, 40000);
	put16(p + 2, 5001);
	if (proto == IPPROTO_TCP)
		p[12] = 5 << 4;
	else
		put16(p + 4, h + payload);
	for (i = 0; i < payload; i++)
		p[h + i] = (uint8_t)(i * 7 + 3);
	return h + payload;
}

size_t nbt_frame_v4(uint8_t *buf, uint8_t proto, size_t payload)
{
	uint8_t *ip = buf + 14;
	size_t n;

	eth(buf, 0x0800);
	memset(ip, 0, 20);
	ip[0] = 0x45;
	ip[8] = 64;
	ip[9] = proto;
	memcpy(ip + 12, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
	n = l4(ip + 20, proto, payload);
	put16(ip + 2, 20 + n);
	return 14 + 20 + n;
}

size_t nbt_frame_v6(uint8_t *buf, uint8_t proto, size_t payload)
{
	uint8_t *ip = buf + 14;
	size_t n;

	eth(buf, 0x86dd);
	memset(ip, 0, 40);
	ip[0] = 0x60;
	ip[6] = proto;
	ip[7] = 64;
	ip[8] = 0xfd;
	ip[23] = 1;
	ip[24] = 0xfd;
	ip[39] = 2;
	n = l4(ip + 40, proto, payload);
	put16(ip + 4, n);
	return 14 + 40 + n;
}

static unsigned long sum16(const uint8_t *p, size_t len)
{
	unsigned long s = 0;
	size_t i;

	for (i = 0; i < len; i++)
		s += (i & 1) ? p[i] : (unsigned long)p[i] << 8;
	return s;
}

int nbt_l4_csum_ok(const uint8_t *frame, size_t len)
{
	const uint8_t *ip = frame + 14;
	unsigned long s;
	size_t off, l4len;
	uint8_t proto;

	if ((ip[0] >> 4) == 4) {
		off = 14 + 20;
		proto = ip[9];
		s = sum16(ip + 12, 8);
	} else {
		off = 14 + 40;
		proto = ip[6];
		s = sum16(ip + 8, 32);
	}
	l4len = len - off;
	s += proto + l4len + sum16(frame + off, l4len);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s == 0xffff;
}

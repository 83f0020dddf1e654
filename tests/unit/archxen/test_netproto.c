// SPDX-License-Identifier: MIT
/*
 * Host tests of the PV kernel's small network stack (arch-xen/netproto.c):
 * ARP and ICMP echo answers checked field by field and by checksum, the
 * raw echo protocol's in-order CRC and totals, and frames that must get
 * no answer (truncated, bad checksums, not ours, fragments).
 */
#include <CUnit/CUnit.h>
#include <string.h>

#include "arch-xen/netproto.h"

static const uint8_t our_mac[6] = { 0x00, 0x16, 0x3e, 0, 0, 0x10 };
static const uint8_t our_ip[4] = { 10, 99, 0, 10 };
static const uint8_t peer_mac[6] = { 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t peer_ip[4] = { 10, 99, 0, 1 };

static uint8_t out[NP_FRAME_MAX];

static void eth(uint8_t *f, uint16_t type)
{
	memset(f, 0xff, 6);
	memcpy(f + 6, peer_mac, 6);
	f[12] = type >> 8;
	f[13] = type & 0xff;
}

static size_t arp_request(uint8_t *f, const uint8_t *target)
{
	static const uint8_t hdr[8] = { 0, 1, 8, 0, 6, 4, 0, 1 };

	eth(f, 0x0806);
	memcpy(f + 14, hdr, 8);
	memcpy(f + 22, peer_mac, 6);
	memcpy(f + 28, peer_ip, 4);
	memset(f + 32, 0, 6);
	memcpy(f + 38, target, 4);
	return 42;
}

static void test_crc_and_csum(void)
{
	static const uint8_t hdr[20] = { 0x45, 0, 0, 0x54, 0x12, 0x34, 0x40, 0,
					 64, 1, 0, 0, 10, 99, 0, 1,
					 10, 99, 0, 10 };
	uint8_t h[20];
	uint16_t c;

	CU_ASSERT_EQUAL(~np_crc32(~0u, (const uint8_t *)"123456789", 9),
			0xcbf43926u);
	CU_ASSERT_EQUAL(~np_crc32(~0u, (const uint8_t *)"hello", 5),
			0x3610a686u);
	memcpy(h, hdr, 20);
	c = np_csum(h, 20);
	h[10] = c >> 8;
	h[11] = c & 0xff;
	CU_ASSERT_EQUAL(np_csum(h, 20), 0);
	/* An odd length pads with a zero byte. */
	CU_ASSERT_EQUAL(np_csum((const uint8_t *)"\x01", 1), (uint16_t)~0x0100);
}

static void test_arp(void)
{
	struct np_host h;
	uint8_t f[64];
	size_t n;

	np_host_init(&h, our_mac, our_ip);
	n = np_input(&h, f, arp_request(f, our_ip), out);
	CU_ASSERT_EQUAL(n, 42);
	CU_ASSERT(!memcmp(out, peer_mac, 6));
	CU_ASSERT(!memcmp(out + 6, our_mac, 6));
	CU_ASSERT_EQUAL(out[21], 2); /* reply */
	CU_ASSERT(!memcmp(out + 22, our_mac, 6));
	CU_ASSERT(!memcmp(out + 28, our_ip, 4));
	CU_ASSERT(!memcmp(out + 32, peer_mac, 6));
	CU_ASSERT(!memcmp(out + 38, peer_ip, 4));
	CU_ASSERT_EQUAL(h.arp_replies, 1);
	/* Someone else's address, a truncated request, a reply: nothing. */
	CU_ASSERT_EQUAL(np_input(&h, f, arp_request(f, peer_ip), out), 0);
	CU_ASSERT_EQUAL(np_input(&h, f, arp_request(f, our_ip) - 1, out), 0);
	arp_request(f, our_ip);
	f[21] = 2;
	CU_ASSERT_EQUAL(np_input(&h, f, 42, out), 0);
	CU_ASSERT_EQUAL(h.arp_replies, 1);
	CU_ASSERT_EQUAL(h.ignored, 3);
}

/* An echo request of @data_len bytes to @dst, checksums right. */
static size_t echo_request(uint8_t *f, const uint8_t *dst, size_t data_len)
{
	uint8_t *ip = f + 14, *ic = ip + 20;
	size_t tot = 20 + 8 + data_len, i;
	uint16_t c;

	eth(f, 0x0800);
	memcpy(f, our_mac, 6);
	memset(ip, 0, tot);
	ip[0] = 0x45;
	ip[2] = tot >> 8;
	ip[3] = tot & 0xff;
	ip[8] = 64;
	ip[9] = 1;
	memcpy(ip + 12, peer_ip, 4);
	memcpy(ip + 16, dst, 4);
	c = np_csum(ip, 20);
	ip[10] = c >> 8;
	ip[11] = c & 0xff;
	ic[0] = 8;
	ic[4] = 0x12;
	ic[6] = 0x01;
	for (i = 0; i < data_len; i++)
		ic[8 + i] = (uint8_t)(i * 7);
	c = np_csum(ic, 8 + data_len);
	ic[2] = c >> 8;
	ic[3] = c & 0xff;
	return 14 + tot;
}

static void test_icmp(void)
{
	struct np_host h;
	uint8_t f[NP_FRAME_MAX];
	size_t len, n;

	np_host_init(&h, our_mac, our_ip);
	len = echo_request(f, our_ip, 56);
	n = np_input(&h, f, len, out);
	CU_ASSERT_EQUAL(n, len);
	CU_ASSERT(!memcmp(out, peer_mac, 6));
	CU_ASSERT(!memcmp(out + 26, our_ip, 4));
	CU_ASSERT(!memcmp(out + 30, peer_ip, 4));
	CU_ASSERT_EQUAL(np_csum(out + 14, 20), 0);
	CU_ASSERT_EQUAL(out[34], 0); /* echo reply */
	CU_ASSERT_EQUAL(np_csum(out + 34, len - 34), 0);
	CU_ASSERT(!memcmp(out + 38, f + 38, len - 38)); /* id, seq, data */
	CU_ASSERT_EQUAL(h.icmp_replies, 1);
	/* A trailing Ethernet pad is not part of the reply. */
	memset(f + len, 0xaa, 8);
	CU_ASSERT_EQUAL(np_input(&h, f, len + 8, out), len);
	/* Bad IP checksum, bad ICMP checksum, not ours, a fragment, short. */
	f[24] ^= 1;
	CU_ASSERT_EQUAL(np_input(&h, f, len, out), 0);
	f[24] ^= 1;
	f[len - 1] ^= 1;
	CU_ASSERT_EQUAL(np_input(&h, f, len, out), 0);
	CU_ASSERT_EQUAL(np_input(&h, f, echo_request(f, peer_ip, 8), out), 0);
	len = echo_request(f, our_ip, 8);
	f[20] |= 0x20; /* more fragments (and the IP checksum is off too) */
	CU_ASSERT_EQUAL(np_input(&h, f, len, out), 0);
	len = echo_request(f, our_ip, 8);
	CU_ASSERT_EQUAL(np_input(&h, f, len - 1, out), 0);
	CU_ASSERT_EQUAL(h.icmp_replies, 2);
}

static size_t raw_frame(uint8_t *f, uint32_t seq, uint8_t kind, size_t plen)
{
	size_t i;

	eth(f, NP_RAW_ETHERTYPE);
	f[14] = seq >> 24;
	f[15] = seq >> 16;
	f[16] = seq >> 8;
	f[17] = seq;
	f[18] = kind;
	f[19] = 0;
	f[20] = plen >> 8;
	f[21] = plen & 0xff;
	for (i = 0; i < plen; i++)
		f[22 + i] = (uint8_t)(seq + i);
	return 22 + plen;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static void test_raw(void)
{
	struct np_host h;
	uint8_t f[NP_FRAME_MAX];
	uint32_t crc = ~0u;
	size_t len;

	np_host_init(&h, our_mac, our_ip);
	len = raw_frame(f, 0, NP_RAW_DATA, 100);
	CU_ASSERT_EQUAL(np_input(&h, f, len, out), len);
	CU_ASSERT(!memcmp(out + 14, f + 14, len - 14));
	crc = np_crc32(crc, f + 22, 100);
	/* A resent frame is echoed but counted once. */
	CU_ASSERT_EQUAL(np_input(&h, f, len, out), len);
	len = raw_frame(f, 1, NP_RAW_DATA, 1400);
	CU_ASSERT_EQUAL(np_input(&h, f, len, out), len);
	crc = np_crc32(crc, f + 22, 1400);
	/* A length beyond the frame: no answer. */
	len = raw_frame(f, 2, NP_RAW_DATA, 10);
	CU_ASSERT_EQUAL(np_input(&h, f, len - 1, out), 0);
	CU_ASSERT_EQUAL(np_input(&h, f, 21, out), 0);
	len = raw_frame(f, 2, NP_RAW_FIN, 0);
	CU_ASSERT_EQUAL(np_input(&h, f, len, out), 22 + 12);
	CU_ASSERT_EQUAL(out[18], NP_RAW_TOTALS);
	CU_ASSERT_EQUAL(get32(out + 22), 2);
	CU_ASSERT_EQUAL(get32(out + 26), ~crc);
	CU_ASSERT_EQUAL(get32(out + 30), 1);
	CU_ASSERT(h.raw_fin);
	CU_ASSERT_EQUAL(h.raw_bytes, 1500);
	/* Oversized frames are refused before anything is read. */
	CU_ASSERT_EQUAL(np_input(&h, f, NP_FRAME_MAX + 1, out), 0);
}

static CU_TestInfo np_tests[] = {
	{ "crc32 and the internet checksum", test_crc_and_csum },
	{ "arp", test_arp },
	{ "icmp echo", test_icmp },
	{ "raw echo", test_raw },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo xpv_test_suites[] = {
	{ "netproto", NULL, NULL, NULL, NULL, np_tests },
	CU_SUITE_INFO_NULL,
};
